"""Word lists of the demo catalog: labels, names, translations, product kinds.

Everything here is plain data; `catalog.py` turns it into contract records. Labels are
given for the four enabled locales in the order en_US, fr_FR, de_DE, es_ES.
"""

from __future__ import annotations

from dataclasses import dataclass

ENABLED_LOCALES: tuple[str, ...] = ("en_US", "fr_FR", "de_DE", "es_ES")
DISABLED_LOCALES: tuple[str, ...] = ("it_IT",)

Labels = dict[str, str]


def labels(en: str, fr: str, de: str, es: str) -> Labels:
    """Labels keyed by the enabled locales."""
    return {"en_US": en, "fr_FR": fr, "de_DE": de, "es_ES": es}


def same_label(text: str) -> Labels:
    """One label for every enabled locale (proper names)."""
    return dict.fromkeys(ENABLED_LOCALES, text)


LOCALE_LABELS: dict[str, str] = {
    "en_US": "English (United States)",
    "fr_FR": "Français (France)",
    "de_DE": "Deutsch (Deutschland)",
    "es_ES": "Español (España)",
    "it_IT": "Italiano (Italia)",
}


@dataclass(frozen=True)
class ChannelSpec:
    code: str
    labels: Labels
    locales: tuple[str, ...]
    currencies: tuple[str, ...]
    category_tree: str


CHANNELS: tuple[ChannelSpec, ...] = (
    ChannelSpec(
        "ecommerce",
        labels("E-commerce", "E-commerce", "Onlineshop", "Tienda online"),
        ("en_US", "fr_FR", "de_DE"),
        ("EUR", "USD"),
        "master",
    ),
    ChannelSpec(
        "marketplace",
        labels("Marketplace", "Place de marché", "Marktplatz", "Marketplace"),
        ("en_US", "de_DE", "es_ES"),
        ("EUR",),
        "master",
    ),
    ChannelSpec(
        "print",
        labels("Print catalog", "Catalogue papier", "Printkatalog", "Catálogo impreso"),
        ("fr_FR",),
        ("EUR",),
        "seasonal",
    ),
)

# (code, parent, labels), parents before children.
CATEGORIES: tuple[tuple[str, str | None, Labels], ...] = (
    (
        "master",
        None,
        labels("Master catalog", "Catalogue principal", "Hauptkatalog", "Catálogo principal"),
    ),
    ("footwear", "master", labels("Footwear", "Chaussures", "Schuhe", "Calzado")),
    (
        "road_running",
        "footwear",
        labels("Road running", "Course sur route", "Straßenlauf", "Running en asfalto"),
    ),
    (
        "trail_running",
        "footwear",
        labels("Trail running", "Trail", "Trailrunning", "Trail running"),
    ),
    ("apparel", "master", labels("Apparel", "Vêtements", "Bekleidung", "Ropa")),
    ("jackets", "apparel", labels("Jackets", "Vestes", "Jacken", "Chaquetas")),
    (
        "rain_jackets",
        "jackets",
        labels("Rain jackets", "Vestes de pluie", "Regenjacken", "Chaquetas impermeables"),
    ),
    (
        "insulated_jackets",
        "jackets",
        labels("Insulated jackets", "Doudounes", "Isolationsjacken", "Chaquetas aislantes"),
    ),
    (
        "softshell_jackets",
        "jackets",
        labels("Softshell jackets", "Vestes softshell", "Softshelljacken", "Chaquetas softshell"),
    ),
    (
        "bags",
        "master",
        labels(
            "Bags & backpacks", "Sacs et sacs à dos", "Taschen & Rucksäcke", "Bolsas y mochilas"
        ),
    ),
    (
        "daypacks",
        "bags",
        labels("Daypacks", "Sacs à dos journée", "Tagesrucksäcke", "Mochilas de día"),
    ),
    (
        "trekking_backpacks",
        "bags",
        labels("Trekking backpacks", "Sacs de trek", "Trekkingrucksäcke", "Mochilas de trekking"),
    ),
    (
        "hydration_packs",
        "bags",
        labels(
            "Hydration packs", "Sacs d'hydratation", "Trinkrucksäcke", "Mochilas de hidratación"
        ),
    ),
    ("accessories", "master", labels("Accessories", "Accessoires", "Zubehör", "Accesorios")),
    (
        "headwear",
        "accessories",
        labels("Headwear", "Casquettes et bonnets", "Kopfbedeckungen", "Gorras y gorros"),
    ),
    ("bottles", "accessories", labels("Bottles", "Gourdes", "Trinkflaschen", "Botellas")),
    ("socks", "accessories", labels("Socks", "Chaussettes", "Socken", "Calcetines")),
    ("electronics", "master", labels("Electronics", "Électronique", "Elektronik", "Electrónica")),
    (
        "sport_watches",
        "electronics",
        labels("Sport watches", "Montres de sport", "Sportuhren", "Relojes deportivos"),
    ),
    (
        "headlamps",
        "electronics",
        labels("Headlamps", "Lampes frontales", "Stirnlampen", "Linternas frontales"),
    ),
    (
        "seasonal",
        None,
        labels(
            "Seasonal selection", "Sélection saisonnière", "Saisonauswahl", "Selección de temporada"
        ),
    ),
    ("new_arrivals", "seasonal", labels("New arrivals", "Nouveautés", "Neuheiten", "Novedades")),
    (
        "summer_collection",
        "seasonal",
        labels("Summer collection", "Collection été", "Sommerkollektion", "Colección de verano"),
    ),
    (
        "winter_collection",
        "seasonal",
        labels(
            "Winter collection", "Collection hiver", "Winterkollektion", "Colección de invierno"
        ),
    ),
    (
        "gift_ideas",
        "seasonal",
        labels("Gift ideas", "Idées cadeaux", "Geschenkideen", "Ideas para regalar"),
    ),
    ("sale", "seasonal", labels("Sale", "Soldes", "Sale", "Rebajas")),
)

# Colours: code -> (labels, RGB of the renderings).
COLORS: dict[str, tuple[Labels, tuple[int, int, int]]] = {
    "red": (labels("Red", "Rouge", "Rot", "Rojo"), (200, 40, 45)),
    "blue": (labels("Blue", "Bleu", "Blau", "Azul"), (35, 95, 190)),
    "navy": (labels("Navy", "Bleu marine", "Marineblau", "Azul marino"), (30, 45, 90)),
    "black": (labels("Black", "Noir", "Schwarz", "Negro"), (38, 38, 42)),
    "green": (labels("Green", "Vert", "Grün", "Verde"), (45, 140, 80)),
    "olive": (labels("Olive", "Olive", "Oliv", "Oliva"), (110, 115, 55)),
    "orange": (labels("Orange", "Orange", "Orange", "Naranja"), (235, 120, 30)),
    "yellow": (labels("Yellow", "Jaune", "Gelb", "Amarillo"), (240, 200, 40)),
    "grey": (labels("Grey", "Gris", "Grau", "Gris"), (125, 128, 135)),
    "white": (labels("White", "Blanc", "Weiß", "Blanco"), (236, 236, 232)),
    "purple": (labels("Purple", "Violet", "Lila", "Morado"), (120, 60, 160)),
    "teal": (labels("Teal", "Bleu canard", "Petrol", "Verde azulado"), (20, 130, 135)),
    "pink": (labels("Pink", "Rose", "Pink", "Rosa"), (225, 90, 140)),
}

GENDERS: dict[str, Labels] = {
    "men": labels("Men", "Homme", "Herren", "Hombre"),
    "women": labels("Women", "Femme", "Damen", "Mujer"),
    "unisex": labels("Unisex", "Mixte", "Unisex", "Unisex"),
    "kids": labels("Kids", "Enfant", "Kinder", "Niños"),
}

SEASONS: dict[str, Labels] = {
    "spring_summer": labels(
        "Spring/Summer", "Printemps/Été", "Frühjahr/Sommer", "Primavera/Verano"
    ),
    "fall_winter": labels("Fall/Winter", "Automne/Hiver", "Herbst/Winter", "Otoño/Invierno"),
    "all_season": labels("All season", "Toutes saisons", "Ganzjährig", "Todo el año"),
}

FITS: dict[str, Labels] = {
    "regular": labels("Regular fit", "Coupe classique", "Normale Passform", "Corte regular"),
    "slim": labels("Slim fit", "Coupe ajustée", "Schmale Passform", "Corte entallado"),
    "relaxed": labels("Relaxed fit", "Coupe ample", "Weite Passform", "Corte holgado"),
}

SHOE_SIZES: tuple[str, ...] = tuple(f"eu_{n}" for n in range(36, 48))
CLOTHING_SIZES: dict[str, Labels] = {
    "xs": same_label("XS"),
    "s": same_label("S"),
    "m": same_label("M"),
    "l": same_label("L"),
    "xl": same_label("XL"),
    "xxl": same_label("XXL"),
    "one_size": labels("One size", "Taille unique", "Einheitsgröße", "Talla única"),
}

# Features: code -> labels (adjectives, as listed after "Highlights:").
FEATURES: dict[str, Labels] = {
    "breathable": labels("breathable", "respirant", "atmungsaktiv", "transpirable"),
    "lightweight": labels("lightweight", "léger", "leicht", "ligero"),
    "reflective": labels(
        "reflective details",
        "détails réfléchissants",
        "reflektierende Details",
        "detalles reflectantes",
    ),
    "quick_dry": labels("quick-drying", "séchage rapide", "schnelltrocknend", "secado rápido"),
    "windproof": labels("windproof", "coupe-vent", "winddicht", "cortavientos"),
    "packable": labels("packable", "compressible", "verstaubar", "plegable"),
    "recycled": labels(
        "made with recycled materials",
        "matières recyclées",
        "aus recycelten Materialien",
        "materiales reciclados",
    ),
    "vegan": labels("vegan", "vegan", "vegan", "vegano"),
    "cushioned": labels("cushioned", "amorti", "gedämpft", "amortiguado"),
    "grippy_outsole": labels(
        "grippy outsole", "semelle accrocheuse", "griffige Laufsohle", "suela de gran agarre"
    ),
    "adjustable_hood": labels(
        "adjustable hood", "capuche réglable", "verstellbare Kapuze", "capucha ajustable"
    ),
    "pit_zips": labels(
        "underarm vents",
        "aérations sous les bras",
        "Unterarmbelüftung",
        "ventilación bajo los brazos",
    ),
    "hip_belt": labels(
        "padded hip belt",
        "ceinture ventrale rembourrée",
        "gepolsterter Hüftgurt",
        "cinturón lumbar acolchado",
    ),
    "laptop_sleeve": labels(
        "laptop sleeve", "compartiment ordinateur", "Laptopfach", "funda para portátil"
    ),
    "rain_cover": labels(
        "integrated rain cover",
        "housse de pluie intégrée",
        "integrierte Regenhülle",
        "funda impermeable integrada",
    ),
    "insulated": labels("insulated", "isolant", "isoliert", "aislante"),
    "dishwasher_safe": labels(
        "dishwasher safe",
        "compatible lave-vaisselle",
        "spülmaschinenfest",
        "apto para lavavajillas",
    ),
    "rechargeable": labels(
        "USB-C rechargeable", "rechargeable en USB-C", "per USB-C aufladbar", "recargable por USB-C"
    ),
    "heart_rate": labels(
        "wrist heart rate",
        "cardio au poignet",
        "Herzfrequenzmessung am Handgelenk",
        "pulso en la muñeca",
    ),
    "red_light": labels("red light mode", "mode lumière rouge", "Rotlichtmodus", "modo luz roja"),
}

CONNECTIVITY: dict[str, Labels] = {
    "gps": same_label("GPS"),
    "bluetooth": same_label("Bluetooth"),
    "ant_plus": same_label("ANT+"),
    "wifi": same_label("Wi-Fi"),
    "nfc": same_label("NFC"),
    "usb_c": same_label("USB-C"),
}

COUNTRIES: dict[str, Labels] = {
    "us": labels("United States", "États-Unis", "Vereinigte Staaten", "Estados Unidos"),
    "ca": labels("Canada", "Canada", "Kanada", "Canadá"),
    "fr": labels("France", "France", "Frankreich", "Francia"),
    "de": labels("Germany", "Allemagne", "Deutschland", "Alemania"),
    "it": labels("Italy", "Italie", "Italien", "Italia"),
    "es": labels("Spain", "Espagne", "Spanien", "España"),
    "pt": labels("Portugal", "Portugal", "Portugal", "Portugal"),
    "ch": labels("Switzerland", "Suisse", "Schweiz", "Suiza"),
    "at": labels("Austria", "Autriche", "Österreich", "Austria"),
    "se": labels("Sweden", "Suède", "Schweden", "Suecia"),
    "no": labels("Norway", "Norvège", "Norwegen", "Noruega"),
    "gb": labels("United Kingdom", "Royaume-Uni", "Vereinigtes Königreich", "Reino Unido"),
    "jp": labels("Japan", "Japon", "Japan", "Japón"),
    "cn": labels("China", "Chine", "China", "China"),
    "tw": labels("Taiwan", "Taïwan", "Taiwan", "Taiwán"),
    "vn": labels("Vietnam", "Viêt Nam", "Vietnam", "Vietnam"),
    "bd": labels("Bangladesh", "Bangladesh", "Bangladesch", "Bangladés"),
    "tr": labels("Türkiye", "Turquie", "Türkei", "Turquía"),
    "ro": labels("Romania", "Roumanie", "Rumänien", "Rumanía"),
    "pl": labels("Poland", "Pologne", "Polen", "Polonia"),
    "tn": labels("Tunisia", "Tunisie", "Tunesien", "Túnez"),
}

CERTIFICATIONS: dict[str, Labels] = {
    "iso_9001": same_label("ISO 9001"),
    "iso_14001": same_label("ISO 14001"),
    "bluesign": same_label("bluesign®"),
    "fair_wear": same_label("Fair Wear"),
    "oeko_tex": same_label("OEKO-TEX® Standard 100"),
    "grs": labels(
        "Global Recycled Standard",
        "Global Recycled Standard",
        "Global Recycled Standard",
        "Global Recycled Standard",
    ),
}

MATERIAL_FAMILIES: dict[str, Labels] = {
    "synthetic": labels("Synthetic fibre", "Fibre synthétique", "Kunstfaser", "Fibra sintética"),
    "natural": labels("Natural fibre", "Fibre naturelle", "Naturfaser", "Fibra natural"),
    "membrane": labels("Membrane", "Membrane", "Membran", "Membrana"),
    "foam": labels("Foam", "Mousse", "Schaumstoff", "Espuma"),
    "rubber": labels("Rubber", "Caoutchouc", "Gummi", "Caucho"),
    "metal": labels("Metal", "Métal", "Metall", "Metal"),
    "polymer": labels("Rigid polymer", "Polymère rigide", "Hartkunststoff", "Polímero rígido"),
    "insulation": labels("Insulation", "Isolant", "Isolierung", "Aislamiento"),
}


@dataclass(frozen=True)
class BrandSpec:
    code: str
    name: str
    country: str
    founded: int
    b_corp: bool
    sets: tuple[str, ...]  # attribute sets the brand makes
    tagline: Labels


BRANDS: tuple[BrandSpec, ...] = (
    BrandSpec(
        "alpenwerk",
        "Alpenwerk",
        "de",
        1948,
        False,
        ("running_shoes", "jackets", "backpacks"),
        labels(
            "Mountain gear engineered in Bavaria.",
            "Équipement de montagne conçu en Bavière.",
            "Bergausrüstung aus Bayern.",
            "Equipo de montaña diseñado en Baviera.",
        ),
    ),
    BrandSpec(
        "northridge",
        "Northridge",
        "us",
        1972,
        True,
        ("jackets", "backpacks", "accessories"),
        labels(
            "Built for long days outside.",
            "Conçu pour les longues journées dehors.",
            "Gemacht für lange Tage draußen.",
            "Hecho para largos días al aire libre.",
        ),
    ),
    BrandSpec(
        "cascade_outfitters",
        "Cascade Outfitters",
        "us",
        1986,
        False,
        ("jackets", "backpacks", "accessories"),
        labels(
            "Pacific Northwest outfitters since 1986.",
            "Équipementier du Nord-Ouest pacifique depuis 1986.",
            "Ausrüster aus dem pazifischen Nordwesten seit 1986.",
            "Equipamiento del noroeste del Pacífico desde 1986.",
        ),
    ),
    BrandSpec(
        "fjellgear",
        "Fjellgear",
        "no",
        1994,
        True,
        ("jackets", "accessories", "backpacks"),
        labels(
            "Nordic clothing for wild weather.",
            "Vêtements nordiques pour la météo sauvage.",
            "Nordische Kleidung für raues Wetter.",
            "Ropa nórdica para el clima salvaje.",
        ),
    ),
    BrandSpec(
        "montvert",
        "Montvert",
        "fr",
        1961,
        False,
        ("running_shoes", "jackets", "accessories"),
        labels(
            "Alpine craft from Annecy.",
            "Savoir-faire alpin d'Annecy.",
            "Alpine Handwerkskunst aus Annecy.",
            "Artesanía alpina de Annecy.",
        ),
    ),
    BrandSpec(
        "rivale_sport",
        "Rivale Sport",
        "it",
        1979,
        False,
        ("running_shoes", "accessories"),
        labels(
            "Italian speed, since 1979.",
            "La vitesse à l'italienne depuis 1979.",
            "Italienisches Tempo seit 1979.",
            "Velocidad italiana desde 1979.",
        ),
    ),
    BrandSpec(
        "boreal_trail",
        "Boreal Trail",
        "ca",
        2003,
        True,
        ("running_shoes", "backpacks", "electronics"),
        labels(
            "Made for the north woods.",
            "Fait pour les forêts du Nord.",
            "Gemacht für die Wälder des Nordens.",
            "Hecho para los bosques del norte.",
        ),
    ),
    BrandSpec(
        "kestrel",
        "Kestrel",
        "gb",
        1990,
        False,
        ("running_shoes", "jackets"),
        labels(
            "Light and fast on the fells.",
            "Léger et rapide sur les crêtes.",
            "Leicht und schnell im Gelände.",
            "Ligero y rápido en la montaña.",
        ),
    ),
    BrandSpec(
        "granite_peak",
        "Granite Peak",
        "us",
        1968,
        False,
        ("backpacks", "jackets", "accessories"),
        labels(
            "Tough gear for big walls.",
            "Du matériel robuste pour les grandes parois.",
            "Robuste Ausrüstung für große Wände.",
            "Equipo resistente para grandes paredes.",
        ),
    ),
    BrandSpec(
        "nordlys",
        "Nordlys",
        "se",
        2011,
        True,
        ("jackets", "accessories"),
        labels(
            "Scandinavian design under the northern lights.",
            "Design scandinave sous les aurores boréales.",
            "Skandinavisches Design unter dem Polarlicht.",
            "Diseño escandinavo bajo la aurora boreal.",
        ),
    ),
    BrandSpec(
        "ventoux",
        "Ventoux",
        "fr",
        1984,
        False,
        ("running_shoes", "accessories", "electronics"),
        labels(
            "Born on the Giant of Provence.",
            "Né sur le Géant de Provence.",
            "Geboren am Riesen der Provence.",
            "Nacido en el Gigante de Provenza.",
        ),
    ),
    BrandSpec(
        "sierra_verde",
        "Sierra Verde",
        "es",
        1999,
        True,
        ("running_shoes", "backpacks", "accessories"),
        labels(
            "Outdoor gear from the Sierra Nevada.",
            "Équipement outdoor de la Sierra Nevada.",
            "Outdoor-Ausrüstung aus der Sierra Nevada.",
            "Equipamiento outdoor de Sierra Nevada.",
        ),
    ),
    BrandSpec(
        "tidewater",
        "Tidewater",
        "us",
        2008,
        False,
        ("accessories", "backpacks"),
        labels(
            "Everyday carry for every climate.",
            "Des accessoires pour tous les climats.",
            "Alltagsbegleiter für jedes Klima.",
            "Accesorios para todos los climas.",
        ),
    ),
    BrandSpec(
        "lumen_labs",
        "Lumen Labs",
        "de",
        2014,
        False,
        ("electronics",),
        labels(
            "Light for the dark hours.",
            "La lumière des heures sombres.",
            "Licht für dunkle Stunden.",
            "Luz para las horas oscuras.",
        ),
    ),
    BrandSpec(
        "pulse_dynamics",
        "Pulse Dynamics",
        "ch",
        2006,
        False,
        ("electronics",),
        labels(
            "Swiss precision for every heartbeat.",
            "La précision suisse à chaque battement.",
            "Schweizer Präzision für jeden Herzschlag.",
            "Precisión suiza en cada latido.",
        ),
    ),
    BrandSpec(
        "helix_outdoor",
        "Helix Outdoor",
        "at",
        1997,
        False,
        ("backpacks", "jackets", "electronics"),
        labels(
            "Tyrolean gear for every summit.",
            "Du matériel tyrolien pour chaque sommet.",
            "Tiroler Ausrüstung für jeden Gipfel.",
            "Equipo tirolés para cada cumbre.",
        ),
    ),
    BrandSpec(
        "aurora_athletics",
        "Aurora Athletics",
        "ca",
        2016,
        True,
        ("running_shoes", "accessories"),
        labels(
            "Running at first light.",
            "Courir aux premières lueurs.",
            "Laufen im ersten Licht.",
            "Correr con las primeras luces.",
        ),
    ),
    BrandSpec(
        "glacier_line",
        "Glacier Line",
        "ch",
        1975,
        False,
        ("jackets", "backpacks"),
        labels(
            "Swiss mountaineering heritage.",
            "L'héritage de l'alpinisme suisse.",
            "Schweizer Bergsteigertradition.",
            "Tradición alpinista suiza.",
        ),
    ),
    BrandSpec(
        "trailforge",
        "Trailforge",
        "us",
        2012,
        False,
        ("running_shoes", "backpacks", "electronics"),
        labels(
            "Forged on the trail.",
            "Forgé sur les sentiers.",
            "Auf dem Trail geschmiedet.",
            "Forjado en los senderos.",
        ),
    ),
    BrandSpec(
        "windrose",
        "Windrose",
        "de",
        1988,
        False,
        ("jackets", "accessories"),
        labels(
            "Sailing-bred weather protection.",
            "Une protection météo née de la voile.",
            "Wetterschutz aus dem Segelsport.",
            "Protección contra el clima nacida de la vela.",
        ),
    ),
    BrandSpec(
        "cairn",
        "Cairn",
        "fr",
        2001,
        True,
        ("backpacks", "accessories", "electronics"),
        labels("Mark the way.", "Marquez le chemin.", "Markiere den Weg.", "Marca el camino."),
    ),
    BrandSpec(
        "kumo",
        "Kumo",
        "jp",
        2009,
        False,
        ("running_shoes", "electronics"),
        labels(
            "Running on clouds, made in Kobe.",
            "Courir sur les nuages, conçu à Kobe.",
            "Laufen wie auf Wolken, aus Kobe.",
            "Correr sobre nubes, diseñado en Kobe.",
        ),
    ),
)


@dataclass(frozen=True)
class SupplierSpec:
    code: str
    name: str
    country: str
    email: str
    contact: str
    lead_time_days: int
    certifications: tuple[str, ...]
    min_order_eur: str
    sets: tuple[str, ...]


SUPPLIERS: tuple[SupplierSpec, ...] = (
    SupplierSpec(
        "textilwerk_rhein",
        "Textilwerk Rhein GmbH",
        "de",
        "orders@textilwerk-rhein.example",
        "Jana Becker",
        21,
        ("iso_9001", "oeko_tex"),
        "2500.00",
        ("jackets", "accessories"),
    ),
    SupplierSpec(
        "porto_footwear",
        "Porto Footwear Lda.",
        "pt",
        "vendas@porto-footwear.example",
        "Rui Carvalho",
        35,
        ("iso_9001",),
        "5000.00",
        ("running_shoes",),
    ),
    SupplierSpec(
        "saigon_apparel",
        "Saigon Apparel Co., Ltd.",
        "vn",
        "sales@saigon-apparel.example",
        "Nguyen Thi Lan",
        60,
        ("fair_wear", "oeko_tex"),
        "8000.00",
        ("jackets", "backpacks"),
    ),
    SupplierSpec(
        "dhaka_knitwear",
        "Dhaka Knitwear Ltd.",
        "bd",
        "export@dhaka-knitwear.example",
        "Rahim Chowdhury",
        75,
        ("oeko_tex", "fair_wear"),
        "3000.00",
        ("accessories",),
    ),
    SupplierSpec(
        "guangzhou_precision",
        "Guangzhou Precision Electronics",
        "cn",
        "bd@gz-precision.example",
        "Li Wei",
        45,
        ("iso_9001", "iso_14001"),
        "12000.00",
        ("electronics",),
    ),
    SupplierSpec(
        "lyon_technical_fabrics",
        "Lyon Technical Fabrics SAS",
        "fr",
        "commandes@lyon-tf.example",
        "Camille Moreau",
        28,
        ("bluesign", "iso_14001"),
        "4000.00",
        ("jackets", "backpacks"),
    ),
    SupplierSpec(
        "milano_pelle",
        "Milano Pelle S.p.A.",
        "it",
        "ordini@milanopelle.example",
        "Giulia Ferri",
        40,
        ("iso_9001",),
        "6000.00",
        ("running_shoes", "accessories"),
    ),
    SupplierSpec(
        "taichung_outdoor",
        "Taichung Outdoor Components",
        "tw",
        "service@tc-outdoor.example",
        "Chen Yu-ting",
        50,
        ("iso_9001", "bluesign"),
        "7500.00",
        ("backpacks", "running_shoes", "electronics"),
    ),
    SupplierSpec(
        "bursa_textile",
        "Bursa Textile A.Ş.",
        "tr",
        "info@bursa-textile.example",
        "Elif Demir",
        30,
        ("oeko_tex", "grs"),
        "3500.00",
        ("jackets", "accessories"),
    ),
    SupplierSpec(
        "cluj_sewing_works",
        "Cluj Sewing Works SRL",
        "ro",
        "office@cluj-sewing.example",
        "Andrei Popescu",
        25,
        ("fair_wear",),
        "2000.00",
        ("jackets", "backpacks"),
    ),
    SupplierSpec(
        "shenzhen_smart_devices",
        "Shenzhen Smart Devices Co.",
        "cn",
        "oem@sz-smart.example",
        "Zhang Min",
        55,
        ("iso_9001", "iso_14001"),
        "15000.00",
        ("electronics",),
    ),
    SupplierSpec(
        "hanoi_bags",
        "Hanoi Bags & Packs JSC",
        "vn",
        "sales@hanoi-bags.example",
        "Tran Van Minh",
        65,
        ("fair_wear", "grs"),
        "6000.00",
        ("backpacks",),
    ),
    SupplierSpec(
        "alicante_calzados",
        "Alicante Calzados S.L.",
        "es",
        "pedidos@alicante-calzados.example",
        "Lucía Martínez",
        30,
        ("iso_9001",),
        "4500.00",
        ("running_shoes",),
    ),
    SupplierSpec(
        "krakow_plastics",
        "Kraków Plastics Sp. z o.o.",
        "pl",
        "handel@krakow-plastics.example",
        "Piotr Nowak",
        20,
        ("iso_14001",),
        "1500.00",
        ("accessories", "electronics"),
    ),
    SupplierSpec(
        "yokohama_fibers",
        "Yokohama Fibers K.K.",
        "jp",
        "export@yokohama-fibers.example",
        "Sato Haruki",
        42,
        ("bluesign", "grs"),
        "9000.00",
        ("jackets", "running_shoes"),
    ),
    SupplierSpec(
        "tunis_confection",
        "Tunis Confection SARL",
        "tn",
        "contact@tunis-confection.example",
        "Amira Ben Salah",
        33,
        ("oeko_tex",),
        "2500.00",
        ("jackets", "accessories"),
    ),
)


@dataclass(frozen=True)
class MaterialSpec:
    code: str
    labels: Labels
    family: str
    recycled_content: int
    weight_per_m2: int | None  # g/m², fabrics only
    bluesign: bool
    care: Labels


_CARE_WASH = labels(
    "Machine wash at 30 °C, do not tumble dry.",
    "Lavage en machine à 30 °C, pas de sèche-linge.",
    "Maschinenwäsche bei 30 °C, nicht im Trockner trocknen.",
    "Lavar a máquina a 30 °C, no usar secadora.",
)
_CARE_WOOL = labels(
    "Wool cycle at 30 °C, dry flat.",
    "Programme laine à 30 °C, séchage à plat.",
    "Wollwaschgang bei 30 °C, liegend trocknen.",
    "Programa de lana a 30 °C, secar en plano.",
)
_CARE_WIPE = labels(
    "Wipe clean with a damp cloth.",
    "Nettoyer avec un chiffon humide.",
    "Mit einem feuchten Tuch abwischen.",
    "Limpiar con un paño húmedo.",
)
_CARE_MEMBRANE = labels(
    "Wash at 40 °C, tumble dry low to restore water repellency.",
    "Laver à 40 °C, sécher à basse température pour réactiver la déperlance.",
    "Bei 40 °C waschen, schonend trocknen, um die Imprägnierung zu aktivieren.",
    "Lavar a 40 °C y secar a baja temperatura para reactivar la repelencia.",
)

MATERIALS: tuple[MaterialSpec, ...] = (
    MaterialSpec(
        "recycled_polyester",
        labels(
            "Recycled polyester", "Polyester recyclé", "Recyceltes Polyester", "Poliéster reciclado"
        ),
        "synthetic",
        100,
        120,
        True,
        _CARE_WASH,
    ),
    MaterialSpec(
        "polyester",
        labels("Polyester", "Polyester", "Polyester", "Poliéster"),
        "synthetic",
        0,
        140,
        False,
        _CARE_WASH,
    ),
    MaterialSpec(
        "ripstop_nylon",
        labels("Ripstop nylon", "Nylon ripstop", "Ripstop-Nylon", "Nailon ripstop"),
        "synthetic",
        0,
        70,
        True,
        _CARE_WASH,
    ),
    MaterialSpec(
        "recycled_nylon",
        labels("Recycled nylon", "Nylon recyclé", "Recyceltes Nylon", "Nailon reciclado"),
        "synthetic",
        100,
        90,
        True,
        _CARE_WASH,
    ),
    MaterialSpec(
        "cordura_nylon",
        labels(
            "High-tenacity nylon 500D",
            "Nylon haute ténacité 500D",
            "Hochfestes Nylon 500D",
            "Nailon de alta tenacidad 500D",
        ),
        "synthetic",
        0,
        280,
        False,
        _CARE_WIPE,
    ),
    MaterialSpec(
        "merino_wool",
        labels("Merino wool", "Laine mérinos", "Merinowolle", "Lana merino"),
        "natural",
        0,
        190,
        False,
        _CARE_WOOL,
    ),
    MaterialSpec(
        "organic_cotton",
        labels("Organic cotton", "Coton biologique", "Bio-Baumwolle", "Algodón orgánico"),
        "natural",
        0,
        160,
        False,
        _CARE_WASH,
    ),
    MaterialSpec(
        "elastane",
        labels("Elastane", "Élasthanne", "Elasthan", "Elastano"),
        "synthetic",
        0,
        60,
        False,
        _CARE_WASH,
    ),
    MaterialSpec(
        "eptfe_membrane",
        labels("ePTFE membrane", "Membrane ePTFE", "ePTFE-Membran", "Membrana ePTFE"),
        "membrane",
        0,
        30,
        False,
        _CARE_MEMBRANE,
    ),
    MaterialSpec(
        "pu_membrane",
        labels(
            "Recycled PU membrane",
            "Membrane PU recyclée",
            "Recycelte PU-Membran",
            "Membrana de PU reciclado",
        ),
        "membrane",
        60,
        25,
        True,
        _CARE_MEMBRANE,
    ),
    MaterialSpec(
        "engineered_mesh",
        labels("Engineered mesh", "Mesh technique", "Engineered Mesh", "Malla técnica"),
        "synthetic",
        30,
        110,
        False,
        _CARE_WIPE,
    ),
    MaterialSpec(
        "eva_foam",
        labels("EVA foam", "Mousse EVA", "EVA-Schaum", "Espuma EVA"),
        "foam",
        0,
        None,
        False,
        _CARE_WIPE,
    ),
    MaterialSpec(
        "peba_foam",
        labels("PEBA foam", "Mousse PEBA", "PEBA-Schaum", "Espuma PEBA"),
        "foam",
        0,
        None,
        False,
        _CARE_WIPE,
    ),
    MaterialSpec(
        "carbon_rubber",
        labels("Carbon rubber", "Caoutchouc carbone", "Carbon-Gummi", "Caucho carbono"),
        "rubber",
        0,
        None,
        False,
        _CARE_WIPE,
    ),
    MaterialSpec(
        "natural_rubber",
        labels("Natural rubber", "Caoutchouc naturel", "Naturkautschuk", "Caucho natural"),
        "rubber",
        20,
        None,
        False,
        _CARE_WIPE,
    ),
    MaterialSpec(
        "duck_down",
        labels(
            "Responsible duck down 90/10",
            "Duvet de canard responsable 90/10",
            "Verantwortungsvolle Entendaune 90/10",
            "Plumón de pato responsable 90/10",
        ),
        "insulation",
        0,
        None,
        False,
        _CARE_MEMBRANE,
    ),
    MaterialSpec(
        "synthetic_insulation",
        labels(
            "Synthetic insulation",
            "Isolant synthétique",
            "Synthetische Isolierung",
            "Aislamiento sintético",
        ),
        "insulation",
        55,
        100,
        True,
        _CARE_WASH,
    ),
    MaterialSpec(
        "aluminium",
        labels("Aluminium", "Aluminium", "Aluminium", "Aluminio"),
        "metal",
        70,
        None,
        False,
        _CARE_WIPE,
    ),
    MaterialSpec(
        "stainless_steel",
        labels("Stainless steel", "Acier inoxydable", "Edelstahl", "Acero inoxidable"),
        "metal",
        20,
        None,
        False,
        _CARE_WIPE,
    ),
    MaterialSpec(
        "silicone",
        labels("Silicone", "Silicone", "Silikon", "Silicona"),
        "polymer",
        0,
        None,
        False,
        _CARE_WIPE,
    ),
    MaterialSpec(
        "polycarbonate",
        labels("Polycarbonate", "Polycarbonate", "Polycarbonat", "Policarbonato"),
        "polymer",
        0,
        None,
        False,
        _CARE_WIPE,
    ),
    MaterialSpec(
        "tritan",
        labels(
            "BPA-free copolyester",
            "Copolyester sans BPA",
            "BPA-freier Copolyester",
            "Copoliéster sin BPA",
        ),
        "polymer",
        50,
        None,
        False,
        _CARE_WIPE,
    ),
)


@dataclass(frozen=True)
class KindSpec:
    """One kind of product inside an attribute set (its name, image shape, ranges)."""

    code: str
    attribute_set: str
    prefix: str  # identifier prefix, e.g. SHOE-TRL
    category: str
    noun: Labels  # the kind in product names
    name_before: tuple[str, ...]  # locales that put the noun before the model
    uses: tuple[Labels, ...]  # "built for …" endings
    models: tuple[str, ...]
    colors: tuple[str, ...]  # colours with a rendering
    price_eur: tuple[int, int]  # whole euros
    weight_g: tuple[int, int]
    materials: tuple[str, ...]
    features: tuple[str, ...]
    gender: tuple[str, ...]
    sizes: tuple[str, ...] = ()  # shoe sizes or clothing sizes, contiguous slice taken
    capacity: tuple[float, ...] = ()  # litres
    weight: int = 1  # relative frequency


_ROMANCE = ("fr_FR", "es_ES")

KINDS: tuple[KindSpec, ...] = (
    KindSpec(
        "road_runner",
        "running_shoes",
        "SHOE-RUN",
        "road_running",
        labels("Running Shoe", "Chaussure de running", "Laufschuh", "Zapatilla de running"),
        _ROMANCE,
        (
            labels(
                "daily training and tempo runs on the road",
                "l'entraînement quotidien et les sorties tempo sur route",
                "das tägliche Training und Tempoläufe auf der Straße",
                "el entrenamiento diario y las series en asfalto",
            ),
            labels(
                "marathon preparation and long easy miles",
                "la préparation marathon et les longues sorties",
                "die Marathonvorbereitung und lange ruhige Läufe",
                "la preparación de maratón y los rodajes largos",
            ),
        ),
        (
            "Tempo",
            "Skyline",
            "Pacer",
            "Cloudline",
            "Velocity",
            "Cadence",
            "Metro",
            "Sprint",
            "Horizon",
            "Stride",
        ),
        ("red", "blue", "black", "white"),
        (119, 189),
        (210, 310),
        ("engineered_mesh", "eva_foam", "peba_foam", "carbon_rubber", "recycled_polyester"),
        ("breathable", "lightweight", "cushioned", "reflective", "vegan", "recycled"),
        ("men", "women", "unisex"),
        SHOE_SIZES,
        weight=3,
    ),
    KindSpec(
        "trail_runner",
        "running_shoes",
        "SHOE-TRL",
        "trail_running",
        labels("Trail Running Shoe", "Chaussure de trail", "Trailschuh", "Zapatilla de trail"),
        _ROMANCE,
        (
            labels(
                "technical trails and long mountain runs",
                "les sentiers techniques et les longues sorties en montagne",
                "technische Trails und lange Bergläufe",
                "senderos técnicos y largas salidas de montaña",
            ),
            labels(
                "muddy forest paths and ultra distances",
                "les chemins boueux et les ultra-trails",
                "matschige Waldwege und Ultradistanzen",
                "caminos embarrados y distancias ultra",
            ),
        ),
        (
            "Ridgeline",
            "Fellrunner",
            "Summit",
            "Vertex",
            "Scree",
            "Canyon",
            "Talus",
            "Switchback",
            "Outback",
            "Cirque",
        ),
        ("orange", "green", "black", "purple"),
        (129, 199),
        (260, 360),
        (
            "engineered_mesh",
            "eva_foam",
            "natural_rubber",
            "carbon_rubber",
            "recycled_polyester",
            "pu_membrane",
        ),
        ("grippy_outsole", "breathable", "cushioned", "quick_dry", "reflective", "vegan"),
        ("men", "women", "unisex"),
        SHOE_SIZES,
        weight=3,
    ),
    KindSpec(
        "rain_jacket",
        "jackets",
        "JKT-RAI",
        "rain_jackets",
        labels("Rain Jacket", "Veste de pluie", "Regenjacke", "Chaqueta impermeable"),
        _ROMANCE,
        (
            labels(
                "hiking in heavy rain",
                "la randonnée sous la pluie battante",
                "Wanderungen bei starkem Regen",
                "el senderismo bajo la lluvia intensa",
            ),
            labels(
                "city commutes and sudden showers",
                "les trajets urbains et les averses soudaines",
                "den Stadtalltag und plötzliche Schauer",
                "los trayectos urbanos y los chaparrones",
            ),
        ),
        ("Storm", "Monsoon", "Drizzle", "Torrent", "Tempest", "Squall", "Cloudburst", "Deluge"),
        ("yellow", "blue", "red", "teal"),
        (99, 349),
        (240, 480),
        ("ripstop_nylon", "recycled_nylon", "eptfe_membrane", "pu_membrane", "recycled_polyester"),
        ("windproof", "packable", "adjustable_hood", "pit_zips", "reflective", "recycled"),
        ("men", "women", "unisex"),
        tuple(CLOTHING_SIZES)[:6],
        weight=2,
    ),
    KindSpec(
        "insulated_jacket",
        "jackets",
        "JKT-INS",
        "insulated_jackets",
        labels("Insulated Jacket", "Doudoune", "Isolationsjacke", "Chaqueta aislante"),
        _ROMANCE,
        (
            labels(
                "cold winter days in the mountains",
                "les journées froides en montagne",
                "kalte Wintertage in den Bergen",
                "los días fríos de invierno en la montaña",
            ),
            labels(
                "belay stops and frosty mornings",
                "les relais et les matins glacés",
                "Standplätze und frostige Morgen",
                "las reuniones de escalada y las mañanas heladas",
            ),
        ),
        ("Polar", "Glacier", "Frost", "Tundra", "Aurora", "Permafrost", "Nunatak", "Icefall"),
        ("black", "navy", "red", "olive"),
        (149, 399),
        (320, 780),
        ("recycled_nylon", "duck_down", "synthetic_insulation", "ripstop_nylon"),
        ("insulated", "packable", "windproof", "lightweight", "recycled"),
        ("men", "women", "kids"),
        tuple(CLOTHING_SIZES)[:6],
        weight=2,
    ),
    KindSpec(
        "softshell_jacket",
        "jackets",
        "JKT-SFT",
        "softshell_jackets",
        labels("Softshell Jacket", "Veste softshell", "Softshelljacke", "Chaqueta softshell"),
        _ROMANCE,
        (
            labels(
                "ski touring and fast ascents",
                "le ski de randonnée et les montées rapides",
                "Skitouren und schnelle Aufstiege",
                "el esquí de travesía y los ascensos rápidos",
            ),
            labels(
                "breezy autumn hikes",
                "les randonnées venteuses d'automne",
                "windige Herbstwanderungen",
                "las excursiones ventosas de otoño",
            ),
        ),
        ("Traverse", "Couloir", "Arete", "Crest", "Gully", "Bivouac", "Skyrace"),
        ("grey", "black", "green"),
        (89, 229),
        (280, 520),
        ("polyester", "elastane", "recycled_polyester"),
        ("windproof", "breathable", "quick_dry", "reflective"),
        ("men", "women", "unisex"),
        tuple(CLOTHING_SIZES)[:6],
    ),
    KindSpec(
        "daypack",
        "backpacks",
        "BAG-DAY",
        "daypacks",
        labels("Daypack", "Sac à dos", "Tagesrucksack", "Mochila"),
        _ROMANCE,
        (
            labels(
                "day hikes and urban adventures",
                "les randonnées à la journée et l'aventure urbaine",
                "Tagestouren und Abenteuer in der Stadt",
                "las excursiones de un día y la aventura urbana",
            ),
            labels(
                "commuting by bike and weekend trips",
                "les trajets à vélo et les week-ends",
                "das Pendeln mit dem Rad und Wochenendausflüge",
                "ir en bici al trabajo y las escapadas de fin de semana",
            ),
        ),
        ("Ranger", "Scout", "Wayfarer", "Pathfinder", "Nomad", "Drifter", "Rambler", "Compass"),
        ("green", "navy", "orange", "grey"),
        (59, 149),
        (600, 1100),
        ("cordura_nylon", "recycled_polyester", "ripstop_nylon", "aluminium"),
        ("laptop_sleeve", "rain_cover", "reflective", "lightweight", "recycled"),
        ("unisex",),
        capacity=(18.0, 20.0, 22.0, 25.0, 28.0, 30.0),
        weight=2,
    ),
    KindSpec(
        "trekking_pack",
        "backpacks",
        "BAG-TRK",
        "trekking_backpacks",
        labels("Trekking Backpack", "Sac de trek", "Trekkingrucksack", "Mochila de trekking"),
        _ROMANCE,
        (
            labels(
                "multi-day treks and hut-to-hut tours",
                "les treks de plusieurs jours et les tours de refuges",
                "mehrtägige Trekkingtouren und Hüttentouren",
                "los trekkings de varios días y las rutas de refugios",
            ),
            labels(
                "expeditions with heavy loads",
                "les expéditions lourdement chargées",
                "Expeditionen mit schwerem Gepäck",
                "las expediciones con mucha carga",
            ),
        ),
        ("Expedition", "Sherpa", "Basecamp", "Hutwalk", "Longtrail", "Odyssey"),
        ("red", "blue", "black"),
        (159, 329),
        (1400, 2400),
        ("cordura_nylon", "recycled_nylon", "aluminium"),
        ("hip_belt", "rain_cover", "reflective", "recycled"),
        ("men", "women", "unisex"),
        capacity=(45.0, 50.0, 55.0, 60.0, 65.0, 70.0),
    ),
    KindSpec(
        "hydration_pack",
        "backpacks",
        "BAG-HYD",
        "hydration_packs",
        labels("Hydration Vest", "Gilet d'hydratation", "Trinkweste", "Chaleco de hidratación"),
        _ROMANCE,
        (
            labels(
                "ultra-trail races",
                "les courses d'ultra-trail",
                "Ultratrail-Rennen",
                "las carreras de ultra trail",
            ),
            labels(
                "long runs without water stops",
                "les longues sorties sans ravitaillement",
                "lange Läufe ohne Verpflegungsstellen",
                "las tiradas largas sin avituallamiento",
            ),
        ),
        ("Flow", "Oasis", "Refuel", "Streamline"),
        ("blue", "yellow"),
        (79, 159),
        (180, 320),
        ("engineered_mesh", "recycled_nylon", "silicone"),
        ("lightweight", "breathable", "reflective"),
        ("men", "women", "unisex"),
        capacity=(5.0, 8.0, 12.0),
    ),
    KindSpec(
        "cap",
        "accessories",
        "ACC-CAP",
        "headwear",
        labels("Running Cap", "Casquette de running", "Laufkappe", "Gorra de running"),
        _ROMANCE,
        (
            labels(
                "sunny runs", "les sorties ensoleillées", "sonnige Läufe", "las salidas soleadas"
            ),
            labels(
                "summer trail races",
                "les trails d'été",
                "Trailrennen im Sommer",
                "las carreras de montaña en verano",
            ),
        ),
        ("Shade", "Solstice", "Breeze", "Zenith", "Daybreak"),
        ("white", "black", "pink"),
        (19, 39),
        (55, 95),
        ("recycled_polyester", "polyester", "elastane"),
        ("quick_dry", "lightweight", "reflective", "packable"),
        ("unisex",),
        ("one_size",),
    ),
    KindSpec(
        "beanie",
        "accessories",
        "ACC-BNE",
        "headwear",
        labels("Beanie", "Bonnet", "Mütze", "Gorro"),
        _ROMANCE,
        (
            labels("cold mornings", "les matins froids", "kalte Morgen", "las mañanas frías"),
            labels(
                "ski days and après-ski",
                "les journées de ski et l'après-ski",
                "Skitage und Après-Ski",
                "los días de esquí y el après-ski",
            ),
        ),
        ("Hygge", "Snowdrift", "Fireside", "Chalet", "Flurry"),
        ("navy", "red", "grey"),
        (24, 49),
        (60, 110),
        ("merino_wool", "recycled_polyester", "organic_cotton"),
        ("insulated", "breathable", "recycled"),
        ("unisex", "kids"),
        ("one_size",),
    ),
    KindSpec(
        "water_bottle",
        "accessories",
        "ACC-BTL",
        "bottles",
        labels("Water Bottle", "Gourde", "Trinkflasche", "Botella"),
        _ROMANCE,
        (
            labels(
                "the office, the gym and the trail",
                "le bureau, la salle et les sentiers",
                "Büro, Fitnessstudio und Trail",
                "la oficina, el gimnasio y la montaña",
            ),
            labels(
                "keeping drinks cold all day",
                "garder les boissons fraîches toute la journée",
                "den ganzen Tag kühle Getränke",
                "mantener las bebidas frías todo el día",
            ),
        ),
        ("Aqua", "Glacierflow", "Spring", "Hydra", "Brook"),
        ("teal", "white", "orange"),
        (15, 45),
        (90, 420),
        ("stainless_steel", "tritan", "silicone", "aluminium"),
        ("insulated", "dishwasher_safe", "lightweight"),
        ("unisex",),
        capacity=(0.5, 0.75, 1.0),
    ),
    KindSpec(
        "socks",
        "accessories",
        "ACC-SCK",
        "socks",
        labels("Running Socks", "Chaussettes de running", "Laufsocken", "Calcetines de running"),
        _ROMANCE,
        (
            labels(
                "blister-free long runs",
                "les longues sorties sans ampoules",
                "blasenfreie lange Läufe",
                "las tiradas largas sin ampollas",
            ),
            labels(
                "hiking boots and cold feet",
                "les chaussures de rando et les pieds froids",
                "Wanderschuhe und kalte Füße",
                "las botas de montaña y los pies fríos",
            ),
        ),
        ("Glide", "Comfort", "Merino Trek", "Ankle Pro", "Crew Run"),
        ("black", "white", "grey"),
        (12, 29),
        (35, 80),
        ("merino_wool", "recycled_nylon", "elastane", "organic_cotton"),
        ("breathable", "quick_dry", "cushioned"),
        ("men", "women", "unisex"),
        tuple(CLOTHING_SIZES)[1:5],
        weight=2,
    ),
    KindSpec(
        "sport_watch",
        "electronics",
        "ELC-WCH",
        "sport_watches",
        labels("GPS Sport Watch", "Montre GPS", "GPS-Sportuhr", "Reloj GPS"),
        _ROMANCE,
        (
            labels(
                "runners, cyclists and triathletes",
                "les coureurs, cyclistes et triathlètes",
                "Läufer, Radfahrer und Triathleten",
                "corredores, ciclistas y triatletas",
            ),
            labels(
                "navigation on long mountain days",
                "la navigation lors des longues journées en montagne",
                "die Navigation an langen Bergtagen",
                "la navegación en largas jornadas de montaña",
            ),
        ),
        ("Pulse", "Apex", "Tracker", "Navigator", "Endure", "Vector"),
        ("black", "blue", "orange"),
        (149, 699),
        (38, 82),
        ("stainless_steel", "silicone", "polycarbonate", "aluminium"),
        ("heart_rate", "rechargeable", "lightweight"),
        ("unisex",),
        weight=2,
    ),
    KindSpec(
        "headlamp",
        "electronics",
        "ELC-HDL",
        "headlamps",
        labels("Headlamp", "Lampe frontale", "Stirnlampe", "Linterna frontal"),
        _ROMANCE,
        (
            labels(
                "night runs and early alpine starts",
                "les sorties de nuit et les départs alpins matinaux",
                "Nachtläufe und frühe Alpinstarts",
                "las salidas nocturnas y los madrugones alpinos",
            ),
            labels(
                "camping and caving",
                "le camping et la spéléologie",
                "Camping und Höhlentouren",
                "la acampada y la espeleología",
            ),
        ),
        ("Beacon", "Lumen", "Nightowl", "Firefly", "Lighthouse"),
        ("red", "yellow", "black"),
        (29, 129),
        (60, 140),
        ("polycarbonate", "silicone", "elastane"),
        ("rechargeable", "red_light", "lightweight", "reflective"),
        ("unisex",),
    ),
)

# Sentences of the descriptions. Slots: {model} {noun} {brand} {of_brand} ("by X", "de X",
# "d'X"…) {use} {materials} {features} {Features} (capitalised) {tagline}.
DESCRIPTION_LONG: Labels = labels(
    "The {model} {noun} {of_brand}: made for {use}. Materials: {materials}. Highlights: {features}. {tagline}",
    "{noun} {model} {of_brand} : le choix idéal pour {use}. Matières : {materials}. Points forts : {features}. {tagline}",
    "{model} {noun} {of_brand} \u2013 die ideale Wahl für {use}. Materialien: {materials}. Highlights: {features}. {tagline}",
    "{noun} {model} {of_brand}: la elección ideal para {use}. Materiales: {materials}. Puntos fuertes: {features}. {tagline}",
)
DESCRIPTION_SHORT: Labels = labels(
    "{brand} {model} {noun} for {use}. {Features}.",
    "{noun} {model} {brand} pour {use}. {Features}.",
    "{brand} {model} {noun} für {use}. {Features}.",
    "{noun} {model} {of_brand} para {use}. {Features}.",
)
DESCRIPTION_PRINT: Labels = labels(
    "{model}: {noun} {of_brand}. Materials: {materials}.",
    "{model} — {noun} {of_brand}, pour {use}. Matières : {materials}.",
    "{model}: {noun} {of_brand}. Materialien: {materials}.",
    "{model}: {noun} {of_brand}. Materiales: {materials}.",
)
META_TITLE: Labels = labels(
    "{model} {noun} | {brand}",
    "{noun} {model} | {brand}",
    "{model} {noun} | {brand}",
    "{noun} {model} | {brand}",
)
CARE: dict[str, Labels] = {
    "rain_jacket": _CARE_MEMBRANE,
    "insulated_jacket": _CARE_MEMBRANE,
    "softshell_jacket": _CARE_WASH,
    "cap": _CARE_WASH,
    "beanie": _CARE_WOOL,
    "water_bottle": _CARE_WIPE,
    "socks": _CARE_WASH,
}
