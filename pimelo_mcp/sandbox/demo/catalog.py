"""The demo catalog: settings, attributes, entities, images and lazily generated products.

`build(products=, seed=, now=)` is a pure function of its arguments. Product `i` is drawn
from its own `random.Random` seeded by `(seed, i)`, so it is the same whatever the count,
and iterating never holds more than one product in memory.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from pimelo_mcp.sandbox.demo import JSON, DemoCatalog, DemoMedia
from pimelo_mcp.sandbox.demo import vocabulary as v
from pimelo_mcp.sandbox.demo.images import LOGOS, render_all, render_logos

T = TypeVar("T")
BLOCK = 64  # products per random stream

YEAR_SECONDS = 365 * 86400
DAY_SECONDS = 86400

# ---------------------------------------------------------------------------------------
# Attributes


def _options(source: dict[str, v.Labels]) -> list[JSON]:
    return [{"code": code, "labels": dict(lbls)} for code, lbls in source.items()]


def _attribute(
    code: str,
    type_: str,
    lbls: v.Labels,
    group: str | None,
    *,
    localizable: bool = False,
    scopable: bool = False,
    options: list[JSON] | None = None,
    validation: JSON | None = None,
    entity_type: str | None = None,
) -> JSON:
    return {
        "code": code,
        "type": type_,
        "labels": dict(lbls),
        "group": group,
        "localizable": localizable,
        "scopable": scopable,
        "options": options or [],
        "validation": validation or {},
        "entity_type": entity_type,
    }


L = v.labels
_SHOE_SIZE_OPTIONS: dict[str, v.Labels] = {
    code: L(f"EU {code[3:]}", f"EU {code[3:]}", f"EU {code[3:]}", f"EU {code[3:]}")
    for code in v.SHOE_SIZES
}


def _product_attributes() -> list[JSON]:
    a = _attribute
    return [
        a(
            "name",
            "text",
            L("Name", "Nom", "Name", "Nombre"),
            "general",
            localizable=True,
            validation={"max_length": 255},
        ),
        a(
            "description",
            "textarea",
            L("Description", "Description", "Beschreibung", "Descripción"),
            "general",
            localizable=True,
            scopable=True,
            validation={"max_length": 5000},
        ),
        a(
            "meta_title",
            "text",
            L("Meta title", "Titre SEO", "Meta-Titel", "Título SEO"),
            "marketing",
            localizable=True,
            scopable=True,
            validation={"max_length": 120},
        ),
        a(
            "care_instructions",
            "textarea",
            L(
                "Care instructions",
                "Conseils d'entretien",
                "Pflegehinweise",
                "Instrucciones de cuidado",
            ),
            "general",
            localizable=True,
            validation={"max_length": 1000},
        ),
        a(
            "ean",
            "text",
            L("EAN", "EAN", "EAN", "EAN"),
            "general",
            validation={"regex": "^[0-9]{13}$", "max_length": 13},
        ),
        a(
            "brand",
            "entity",
            L("Brand", "Marque", "Marke", "Marca"),
            "general",
            entity_type="brand",
        ),
        a(
            "suppliers",
            "entities",
            L("Suppliers", "Fournisseurs", "Lieferanten", "Proveedores"),
            "logistics",
            entity_type="supplier",
        ),
        a(
            "materials",
            "entities",
            L("Materials", "Matières", "Materialien", "Materiales"),
            "technical",
            entity_type="material",
        ),
        a(
            "main_image",
            "media",
            L("Main image", "Image principale", "Hauptbild", "Imagen principal"),
            "media",
            validation={"allowed_extensions": ["png", "jpg", "jpeg", "webp"]},
        ),
        a(
            "price",
            "price",
            L("Price", "Prix", "Preis", "Precio"),
            "pricing",
            validation={"min": 0, "max": 10000, "decimals_allowed": True},
        ),
        a(
            "sale_price",
            "price",
            L("Sale price", "Prix soldé", "Aktionspreis", "Precio rebajado"),
            "pricing",
            scopable=True,
            validation={"min": 0, "max": 10000, "decimals_allowed": True},
        ),
        a(
            "weight",
            "metric",
            L("Weight", "Poids", "Gewicht", "Peso"),
            "logistics",
            validation={"allowed_units": ["GRAM", "KILOGRAM"], "min": 0},
        ),
        a(
            "stock_quantity",
            "number",
            L("Stock quantity", "Quantité en stock", "Lagerbestand", "Cantidad en stock"),
            "logistics",
            validation={"min": 0, "max": 100000, "decimals_allowed": False},
        ),
        a(
            "release_date",
            "date",
            L("Release date", "Date de sortie", "Erscheinungsdatum", "Fecha de lanzamiento"),
            "marketing",
            validation={"min": "2000-01-01"},
        ),
        a(
            "color",
            "select",
            L("Colour", "Couleur", "Farbe", "Color"),
            "technical",
            options=_options({c: lbls for c, (lbls, _) in v.COLORS.items()}),
        ),
        a(
            "gender",
            "select",
            L("Gender", "Genre", "Geschlecht", "Género"),
            "technical",
            options=_options(v.GENDERS),
        ),
        a(
            "season",
            "select",
            L("Season", "Saison", "Saison", "Temporada"),
            "marketing",
            options=_options(v.SEASONS),
        ),
        a(
            "fit",
            "select",
            L("Fit", "Coupe", "Passform", "Corte"),
            "technical",
            options=_options(v.FITS),
        ),
        a(
            "shoe_sizes",
            "multiselect",
            L("Shoe sizes", "Pointures", "Schuhgrößen", "Tallas de calzado"),
            "technical",
            options=_options(_SHOE_SIZE_OPTIONS),
        ),
        a(
            "clothing_sizes",
            "multiselect",
            L("Sizes", "Tailles", "Größen", "Tallas"),
            "technical",
            options=_options(v.CLOTHING_SIZES),
        ),
        a(
            "features",
            "multiselect",
            L("Features", "Caractéristiques", "Merkmale", "Características"),
            "technical",
            options=_options(v.FEATURES),
        ),
        a(
            "connectivity",
            "multiselect",
            L("Connectivity", "Connectivité", "Konnektivität", "Conectividad"),
            "technical",
            options=_options(v.CONNECTIVITY),
        ),
        a(
            "waterproof",
            "boolean",
            L("Waterproof", "Imperméable", "Wasserdicht", "Impermeable"),
            "technical",
        ),
        a(
            "featured",
            "boolean",
            L("Featured", "Mis en avant", "Hervorgehoben", "Destacado"),
            "marketing",
            scopable=True,
        ),
        a(
            "heel_drop",
            "metric",
            L("Heel-to-toe drop", "Drop", "Sprengung", "Drop"),
            "technical",
            validation={"allowed_units": ["MILLIMETER"], "min": 0, "max": 20},
        ),
        a(
            "capacity",
            "metric",
            L("Capacity", "Contenance", "Volumen", "Capacidad"),
            "technical",
            validation={"allowed_units": ["LITER", "MILLILITER"], "min": 0},
        ),
        a(
            "battery_life",
            "metric",
            L("Battery life", "Autonomie", "Akkulaufzeit", "Autonomía"),
            "technical",
            validation={"allowed_units": ["HOUR", "MINUTE"], "min": 0},
        ),
        a(
            "luminous_flux",
            "number",
            L("Luminous flux (lm)", "Flux lumineux (lm)", "Lichtstrom (lm)", "Flujo luminoso (lm)"),
            "technical",
            validation={"min": 0, "max": 5000, "decimals_allowed": False},
        ),
        a(
            "water_resistance",
            "number",
            L(
                "Water resistance (ATM)",
                "Étanchéité (ATM)",
                "Wasserdichtigkeit (ATM)",
                "Resistencia al agua (ATM)",
            ),
            "technical",
            validation={"min": 0, "max": 30, "decimals_allowed": False},
        ),
        a(
            "warranty_years",
            "number",
            L("Warranty (years)", "Garantie (ans)", "Garantie (Jahre)", "Garantía (años)"),
            "general",
            validation={"min": 0, "max": 10, "decimals_allowed": False},
        ),
        a(
            "rating",
            "number",
            L("Average rating", "Note moyenne", "Durchschnittliche Bewertung", "Valoración media"),
            "marketing",
            validation={"min": 0, "max": 5, "decimals_allowed": True},
        ),
    ]


_COMMON = (
    "name", "description", "meta_title", "ean", "brand", "suppliers", "materials",
    "main_image", "price", "sale_price", "weight", "stock_quantity", "release_date",
    "color", "features", "rating", "featured",
)  # fmt: skip

_SET_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "running_shoes": (*_COMMON, "gender", "shoe_sizes", "waterproof", "heel_drop"),
    "jackets": (
        *_COMMON,
        "care_instructions",
        "gender",
        "clothing_sizes",
        "fit",
        "season",
        "waterproof",
    ),
    "backpacks": (*_COMMON, "gender", "capacity", "waterproof", "warranty_years"),
    "accessories": (
        *_COMMON,
        "care_instructions",
        "gender",
        "clothing_sizes",
        "capacity",
        "season",
    ),
    "electronics": (
        *_COMMON,
        "battery_life",
        "connectivity",
        "waterproof",
        "water_resistance",
        "luminous_flux",
        "warranty_years",
    ),
}
_SET_LABELS: dict[str, v.Labels] = {
    "running_shoes": L(
        "Running shoes", "Chaussures de course", "Laufschuhe", "Zapatillas de running"
    ),
    "jackets": L("Jackets", "Vestes", "Jacken", "Chaquetas"),
    "backpacks": L("Backpacks", "Sacs à dos", "Rucksäcke", "Mochilas"),
    "accessories": L("Accessories", "Accessoires", "Zubehör", "Accesorios"),
    "electronics": L(
        "Sports electronics", "Électronique sportive", "Sportelektronik", "Electrónica deportiva"
    ),
}
_REQUIRED: dict[str, tuple[str, ...]] = {
    "ecommerce": ("name", "description", "price", "main_image", "brand", "color"),
    "marketplace": ("name", "description", "ean", "price", "brand", "main_image", "weight"),
    "print": ("name", "description", "main_image", "price"),
}
_EXTRA_REQUIRED: dict[str, dict[str, tuple[str, ...]]] = {
    "running_shoes": {"ecommerce": ("gender", "shoe_sizes")},
    "jackets": {"ecommerce": ("clothing_sizes",)},
    "backpacks": {"ecommerce": ("capacity",)},
    "accessories": {},
    "electronics": {"marketplace": ("battery_life",)},
}


def _attribute_sets() -> list[JSON]:
    out: list[JSON] = []
    for code, attrs in _SET_ATTRIBUTES.items():
        requirements: dict[str, list[str]] = {}
        for channel, required in _REQUIRED.items():
            wanted = set(required) | set(_EXTRA_REQUIRED[code].get(channel, ()))
            requirements[channel] = [a for a in attrs if a in wanted]
        out.append(
            {
                "code": code,
                "labels": dict(_SET_LABELS[code]),
                "attributes": list(attrs),
                "requirements": requirements,
                "label_attribute": "name",
                "image_attribute": "main_image",
            }
        )
    return out


# ---------------------------------------------------------------------------------------
# Entity types and entities


def _entity_types() -> list[JSON]:
    a = _attribute
    country = L("Country", "Pays", "Land", "País")
    description = L("Description", "Description", "Beschreibung", "Descripción")
    return [
        {
            "code": "brand",
            "labels": L("Brands", "Marques", "Marken", "Marcas"),
            "attributes": [
                a("country", "select", country, None, options=_options(v.COUNTRIES)),
                a(
                    "website",
                    "text",
                    L("Website", "Site web", "Website", "Sitio web"),
                    None,
                    validation={"regex": "^https://[a-z0-9.\\-]+(/\\S*)?$"},
                ),
                a(
                    "founded",
                    "number",
                    L("Founded", "Année de création", "Gegründet", "Fundación"),
                    None,
                    validation={"min": 1800, "max": 2100, "decimals_allowed": False},
                ),
                a(
                    "description",
                    "textarea",
                    description,
                    None,
                    localizable=True,
                    validation={"max_length": 2000},
                ),
                a(
                    "b_corp",
                    "boolean",
                    L(
                        "B Corp certified",
                        "Certifiée B Corp",
                        "B-Corp-zertifiziert",
                        "Certificada B Corp",
                    ),
                    None,
                ),
                a(
                    "logo",
                    "media",
                    L("Logo", "Logo", "Logo", "Logotipo"),
                    None,
                    validation={"allowed_extensions": ["png", "jpg", "webp"]},
                ),
            ],
        },
        {
            "code": "supplier",
            "labels": L("Suppliers", "Fournisseurs", "Lieferanten", "Proveedores"),
            "attributes": [
                a("country", "select", country, None, options=_options(v.COUNTRIES)),
                a(
                    "email",
                    "text",
                    L("Order e-mail", "E-mail de commande", "Bestell-E-Mail", "Correo de pedidos"),
                    None,
                    validation={"regex": "^[^@\\s]+@[^@\\s]+\\.[a-z]{2,}$"},
                ),
                a(
                    "contact_name",
                    "text",
                    L("Contact", "Contact", "Ansprechpartner", "Contacto"),
                    None,
                    validation={"max_length": 100},
                ),
                a(
                    "lead_time_days",
                    "number",
                    L(
                        "Lead time (days)",
                        "Délai (jours)",
                        "Lieferzeit (Tage)",
                        "Plazo de entrega (días)",
                    ),
                    None,
                    validation={"min": 1, "max": 365, "decimals_allowed": False},
                ),
                a(
                    "certifications",
                    "multiselect",
                    L("Certifications", "Certifications", "Zertifizierungen", "Certificaciones"),
                    None,
                    options=_options(v.CERTIFICATIONS),
                ),
                a(
                    "contract_start",
                    "date",
                    L(
                        "Contract start",
                        "Début du contrat",
                        "Vertragsbeginn",
                        "Inicio del contrato",
                    ),
                    None,
                ),
                a(
                    "preferred",
                    "boolean",
                    L(
                        "Preferred supplier",
                        "Fournisseur privilégié",
                        "Bevorzugter Lieferant",
                        "Proveedor preferente",
                    ),
                    None,
                ),
                a(
                    "min_order_value",
                    "price",
                    L(
                        "Minimum order value",
                        "Minimum de commande",
                        "Mindestbestellwert",
                        "Pedido mínimo",
                    ),
                    None,
                    validation={"min": 0},
                ),
            ],
        },
        {
            "code": "material",
            "labels": L("Materials", "Matières", "Materialien", "Materiales"),
            "attributes": [
                a(
                    "family",
                    "select",
                    L("Family", "Famille", "Familie", "Familia"),
                    None,
                    options=_options(v.MATERIAL_FAMILIES),
                ),
                a(
                    "recycled_content",
                    "number",
                    L(
                        "Recycled content (%)",
                        "Part recyclée (%)",
                        "Recyclinganteil (%)",
                        "Contenido reciclado (%)",
                    ),
                    None,
                    validation={"min": 0, "max": 100, "decimals_allowed": False},
                ),
                a(
                    "weight_per_m2",
                    "number",
                    L(
                        "Weight (g/m²)",
                        "Grammage (g/m²)",
                        "Flächengewicht (g/m²)",
                        "Gramaje (g/m²)",
                    ),
                    None,
                    validation={"min": 0, "decimals_allowed": False},
                ),
                a(
                    "bluesign_approved",
                    "boolean",
                    L(
                        "bluesign® approved",
                        "Approuvé bluesign®",
                        "bluesign®-zugelassen",
                        "Aprobado bluesign®",
                    ),
                    None,
                ),
                a(
                    "care_instructions",
                    "textarea",
                    L(
                        "Care instructions",
                        "Conseils d'entretien",
                        "Pflegehinweise",
                        "Instrucciones de cuidado",
                    ),
                    None,
                    localizable=True,
                    validation={"max_length": 1000},
                ),
            ],
        },
    ]


def _value(data: Any, locale: str | None = None, channel: str | None = None) -> JSON:
    return {"locale": locale, "channel": channel, "data": data}


def _localized(lbls: v.Labels) -> list[JSON]:
    return [_value(lbls[loc], loc) for loc in v.ENABLED_LOCALES]


def _timestamp(ts: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def _date(ts: int) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(ts))


def _stamps(rng: random.Random, now_ts: int, span: int) -> tuple[str, str]:
    created = now_ts - rng.randrange(span)
    updated = created + rng.randrange(now_ts - created + 1)
    return _timestamp(created), _timestamp(updated)


def _entities(seed: int, now_ts: int) -> list[JSON]:
    rng = random.Random(f"entities:{seed}")
    out: list[JSON] = []
    for b in v.BRANDS:
        created, updated = _stamps(rng, now_ts, 2 * YEAR_SECONDS)
        values: JSON = {
            "country": [_value(b.country)],
            "website": [_value(f"https://{b.code.replace('_', '-')}.example")],
            "founded": [_value(b.founded)],
            "description": _localized(b.tagline),
            "b_corp": [_value(b.b_corp)],
            "logo": [_value(f"img_logo_{b.code}")],
        }
        out.append(
            {
                "type": "brand",
                "code": b.code,
                "labels": v.same_label(b.name),
                "values": values,
                "created_at": created,
                "updated_at": updated,
            }
        )
    for s in v.SUPPLIERS:
        created, updated = _stamps(rng, now_ts, 2 * YEAR_SECONDS)
        contract = now_ts - rng.randrange(6 * YEAR_SECONDS) - 2 * YEAR_SECONDS
        values = {
            "country": [_value(s.country)],
            "email": [_value(s.email)],
            "contact_name": [_value(s.contact)],
            "lead_time_days": [_value(s.lead_time_days)],
            "certifications": [_value(list(s.certifications))],
            "contract_start": [_value(_date(contract))],
            "preferred": [_value(rng.random() < 0.4)],
            "min_order_value": [_value([{"amount": s.min_order_eur, "currency": "EUR"}])],
        }
        out.append(
            {
                "type": "supplier",
                "code": s.code,
                "labels": v.same_label(s.name),
                "values": values,
                "created_at": created,
                "updated_at": updated,
            }
        )
    for m in v.MATERIALS:
        created, updated = _stamps(rng, now_ts, 2 * YEAR_SECONDS)
        values = {
            "family": [_value(m.family)],
            "recycled_content": [_value(m.recycled_content)],
            "bluesign_approved": [_value(m.bluesign)],
            "care_instructions": _localized(m.care),
        }
        if m.weight_per_m2 is not None:
            values["weight_per_m2"] = [_value(m.weight_per_m2)]
        out.append(
            {
                "type": "material",
                "code": m.code,
                "labels": dict(m.labels),
                "values": values,
                "created_at": created,
                "updated_at": updated,
            }
        )
    return out


# ---------------------------------------------------------------------------------------
# Settings


def _locales() -> list[JSON]:
    return [
        {"code": code, "label": v.LOCALE_LABELS[code], "enabled": code in v.ENABLED_LOCALES}
        for code in (*v.ENABLED_LOCALES, *v.DISABLED_LOCALES)
    ]


def _channels() -> list[JSON]:
    return [
        {
            "code": c.code,
            "labels": dict(c.labels),
            "locales": list(c.locales),
            "currencies": list(c.currencies),
            "category_tree": c.category_tree,
        }
        for c in v.CHANNELS
    ]


def _categories() -> list[JSON]:
    return [
        {"code": code, "parent": parent, "labels": dict(lbls)}
        for code, parent, lbls in v.CATEGORIES
    ]


def _image_specs() -> tuple[tuple[str, str, tuple[int, int, int]], ...]:
    return tuple((k.code, c, v.COLORS[c][1]) for k in v.KINDS for c in k.colors)


_LOGO_COLORS: tuple[tuple[int, int, int], ...] = (
    (200, 40, 45), (30, 45, 90), (45, 140, 80), (235, 120, 30), (20, 130, 135),
    (120, 60, 160), (38, 38, 42), (35, 95, 190),
)  # fmt: skip


def _logo_specs() -> tuple[tuple[str, str, tuple[int, int, int]], ...]:
    marks = tuple(LOGOS)
    return tuple(
        (b.code, marks[i % len(marks)], _LOGO_COLORS[(i * 3) % len(_LOGO_COLORS)])
        for i, b in enumerate(v.BRANDS)
    )


def _media() -> list[DemoMedia]:
    images = (*render_all(_image_specs()), *render_logos(_logo_specs()))
    return [
        DemoMedia(code=img.code, filename=img.filename, mime_type="image/png", content=img.content)
        for img in images
    ]


# ---------------------------------------------------------------------------------------
# Products


_SEASONS_BY_KIND: dict[str, tuple[str, ...]] = {
    "rain_jacket": ("all_season", "spring_summer"),
    "insulated_jacket": ("fall_winter",),
    "softshell_jacket": ("fall_winter", "all_season"),
    "cap": ("spring_summer",),
    "beanie": ("fall_winter",),
    "water_bottle": ("all_season",),
    "socks": ("all_season", "fall_winter"),
}
_PRICE_ENDINGS = (90, 95, 99, 0, 90, 99)
_DEFECTS = (
    "no_de_description",
    "no_image",
    "no_ean",
    "no_es_name",
    "empty_print_description",
    "no_price",
)
_DESCRIPTION_TEMPLATES = {
    "ecommerce": v.DESCRIPTION_LONG,
    "marketplace": v.DESCRIPTION_SHORT,
    "print": v.DESCRIPTION_PRINT,
}


@dataclass(frozen=True)
class _KindData:
    """A product kind with everything precomputed that does not depend on the product."""

    spec: v.KindSpec
    brands: tuple[
        tuple[str, v.Labels, v.Labels], ...
    ]  # (code, name per locale for "de X", tagline)
    suppliers: tuple[str, ...]
    material_labels: dict[str, v.Labels]
    feature_labels: dict[str, v.Labels]
    color_labels: dict[str, v.Labels]
    seasons: tuple[str, ...]


def _of_brand(name: str) -> v.Labels:
    fr = f"d'{name}" if name[0] in "AEIOUYH" else f"de {name}"
    return v.labels(f"by {name}", fr, f"von {name}", f"de {name}")


def _kind_data() -> list[_KindData]:
    materials = {m.code: m.labels for m in v.MATERIALS}
    out: list[_KindData] = []
    for k in v.KINDS:
        brands = tuple(
            (b.code, _of_brand(b.name), b.tagline) for b in v.BRANDS if k.attribute_set in b.sets
        )
        suppliers = tuple(s.code for s in v.SUPPLIERS if k.attribute_set in s.sets)
        out.append(
            _KindData(
                spec=k,
                brands=brands,
                suppliers=suppliers,
                material_labels={m: materials[m] for m in k.materials},
                feature_labels={f: v.FEATURES[f] for f in k.features},
                color_labels={c: v.COLORS[c][0] for c in k.colors},
                seasons=_SEASONS_BY_KIND.get(k.code, ()),
            )
        )
    return out


def _ean(base12: str) -> str:
    total = sum(map(int, base12[0::2])) + 3 * sum(map(int, base12[1::2]))
    return base12 + str((10 - total % 10) % 10)


def _usd(eur_cents: int) -> str:
    cents = round(eur_cents * 1.09 / 100) * 100 - 1
    return f"{cents // 100}.{cents % 100:02d}"


def _eur(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


class _ProductFactory:
    def __init__(self, seed: int, now_ts: int) -> None:
        self.seed = seed
        self.now_ts = now_ts
        kinds = _kind_data()
        self.table: list[_KindData] = [k for k in kinds for _ in range(k.spec.weight)]
        self.channels = v.CHANNELS
        self.brand_names = {b.code: b.name for b in v.BRANDS}
        self.ecommerce_locales = next(c.locales for c in v.CHANNELS if c.code == "ecommerce")
        self._days: dict[int, str] = {}
        self._names: dict[tuple[str, str, str], dict[str, str]] = {}
        self._meta: dict[tuple[str, str, str], dict[str, str]] = {}
        self.description_slots = [
            (ch.code, loc, _DESCRIPTION_TEMPLATES[ch.code][loc])
            for ch in v.CHANNELS
            for loc in ch.locales
        ]
        self._join_cache: dict[tuple[str, str, tuple[str, ...]], dict[str, str]] = {}

    def _joined(self, kd: _KindData, codes: tuple[str, ...], source: str) -> dict[str, str]:
        """Labels of `codes` joined per locale ("a, b, c"), cached: there are few combinations."""
        key = (kd.spec.code, source, codes)
        found = self._join_cache.get(key)
        if found is None:
            table = kd.material_labels if source == "materials" else kd.feature_labels
            found = {loc: ", ".join(table[c][loc] for c in codes) for loc in v.ENABLED_LOCALES}
            self._join_cache[key] = found
        return found

    def products(self, start: int, stop: int) -> Iterator[JSON]:
        """Products start..stop-1. Each block of BLOCK products shares one random stream,
        seeded by (seed, block): product i depends on neither the count nor `start`."""
        first = start - start % BLOCK
        rand = random.Random().random
        for index in range(first, stop):
            if index % BLOCK == 0:
                rand = random.Random((self.seed << 32) ^ (index // BLOCK)).random
            product = self.product(index, rand)
            if index >= start:
                yield product

    def _stamp(self, ts: int) -> str:
        """`_timestamp(ts)`, with the day part cached (strftime is slow)."""
        day, seconds = divmod(ts, DAY_SECONDS)
        date_text = self._days.get(day)
        if date_text is None:
            date_text = self._days[day] = _date(ts)
        hours, rest = divmod(seconds, 3600)
        minutes, secs = divmod(rest, 60)
        return f"{date_text}T{hours:02d}:{minutes:02d}:{secs:02d}Z"

    def _day(self, ts: int) -> str:
        day = ts // DAY_SECONDS
        date_text = self._days.get(day)
        if date_text is None:
            date_text = self._days[day] = _date(ts)
        return date_text

    def product(self, index: int, rand: Callable[[], float]) -> JSON:

        def pick(seq: Sequence[T]) -> T:
            return seq[int(rand() * len(seq))]

        def between(low: int, high: int) -> int:
            return low + int(rand() * (high - low + 1))

        def distinct(seq: Sequence[str], count: int) -> tuple[str, ...]:
            pool = list(seq)
            return tuple(pool.pop(int(rand() * len(pool))) for _ in range(count))

        kd = pick(self.table)
        k = kd.spec
        set_code = k.attribute_set
        model = f"{pick(k.models)} {between(1, 12)}"
        color = pick(k.colors)
        brand_code, of_brand, tagline = pick(kd.brands)
        brand_name = self.brand_names[brand_code]
        use = pick(k.uses)
        materials = distinct(k.materials, 2 if len(k.materials) < 4 else between(2, 3))
        features = distinct(k.features, between(2, 3))
        material_text = self._joined(kd, materials, "materials")
        feature_text = self._joined(kd, features, "features")
        color_labels = kd.color_labels[color]

        roll = rand()
        status = "active" if roll < 0.8 else "draft" if roll < 0.95 else "archived"
        defect_chance = 0.08 if status == "active" else 0.4 if status == "draft" else 0.1
        defect = pick(_DEFECTS) if rand() < defect_chance else None

        now_ts = self.now_ts
        created_ts = now_ts - int(rand() * YEAR_SECONDS)
        updated_ts = created_ts + int(rand() * (now_ts - created_ts + 1))

        name_key = (k.code, model, color)
        names = self._names.get(name_key)
        if names is None:
            names = self._names[name_key] = {
                loc: (
                    f"{k.noun[loc]} {model}" if loc in k.name_before else f"{model} {k.noun[loc]}"
                )
                + f" — {color_labels[loc]}"
                for loc in v.ENABLED_LOCALES
            }
        texts: dict[str, dict[str, str]] = {}
        for loc in v.ENABLED_LOCALES:
            features_loc = feature_text[loc]
            texts[loc] = {
                "model": model,
                "noun": k.noun[loc],
                "brand": brand_name,
                "of_brand": of_brand[loc],
                "use": use[loc],
                "materials": material_text[loc],
                "features": features_loc,
                "Features": features_loc[:1].upper() + features_loc[1:],
                "tagline": tagline[loc],
            }

        values: JSON = {}
        values["name"] = [
            {"locale": loc, "channel": None, "data": names[loc]}
            for loc in v.ENABLED_LOCALES
            if not (defect == "no_es_name" and loc == "es_ES")
        ]
        values["description"] = [
            {
                "locale": loc,
                "channel": channel,
                "data": ""
                if defect == "empty_print_description" and channel == "print"
                else template.format_map(texts[loc]),
            }
            for channel, loc, template in self.description_slots
            if not (defect == "no_de_description" and loc == "de_DE")
        ]
        meta_key = (k.code, model, brand_code)
        meta = self._meta.get(meta_key)
        if meta is None:
            meta = self._meta[meta_key] = {
                loc: v.META_TITLE[loc].format_map(texts[loc]) for loc in self.ecommerce_locales
            }
        values["meta_title"] = [
            {"locale": loc, "channel": "ecommerce", "data": title} for loc, title in meta.items()
        ]
        care = v.CARE.get(k.code)
        if care is not None:
            values["care_instructions"] = _localized(care)
        if defect != "no_ean":
            values["ean"] = [_value(_ean(f"40{(index * 7919 + self.seed * 104729) % 10**10:010d}"))]
        values["brand"] = [_value(brand_code)]
        values["suppliers"] = [
            _value(list(distinct(kd.suppliers, 1 if rand() < 0.6 else min(2, len(kd.suppliers)))))
        ]
        values["materials"] = [_value(list(materials))]
        if defect != "no_image":
            values["main_image"] = [_value(f"img_{k.code}_{color}")]

        eur_cents = between(*k.price_eur) * 100 + pick(_PRICE_ENDINGS) - 100
        if defect != "no_price":
            values["price"] = [
                _value(
                    [
                        {"amount": _eur(eur_cents), "currency": "EUR"},
                        {"amount": _usd(eur_cents), "currency": "USD"},
                    ]
                )
            ]
        on_sale = rand() < 0.2 and status == "active"
        if on_sale:
            sale_cents = eur_cents * (100 - pick((10, 15, 20, 25, 30))) // 100
            sale_cents -= sale_cents % 10
            values["sale_price"] = [
                _value(
                    [
                        {"amount": _eur(sale_cents), "currency": "EUR"},
                        {"amount": _usd(sale_cents), "currency": "USD"},
                    ],
                    None,
                    "ecommerce",
                ),
                _value([{"amount": _eur(sale_cents), "currency": "EUR"}], None, "marketplace"),
            ]
        grams = between(*k.weight_g)
        values["weight"] = [
            _value(
                {"amount": round(grams / 1000, 2), "unit": "KILOGRAM"}
                if grams >= 1000
                else {"amount": grams, "unit": "GRAM"}
            )
        ]
        values["stock_quantity"] = [
            _value(0 if status == "archived" or rand() < 0.07 else between(1, 2500))
        ]
        if status == "draft":
            release_ts = now_ts + between(14, 120) * DAY_SECONDS
        else:
            release_ts = created_ts - between(0, 400) * DAY_SECONDS
        values["release_date"] = [_value(self._day(release_ts))]
        values["color"] = [_value(color)]
        values["features"] = [_value(list(features))]
        if rand() < 0.7 and status != "draft":
            values["rating"] = [_value(round(3.2 + rand() * 1.8, 1))]
        values["featured"] = [
            _value(rand() < 0.08, None, "ecommerce"),
            _value(rand() < 0.05, None, "marketplace"),
        ]

        gender = pick(k.gender)
        if set_code != "electronics":
            values["gender"] = [_value(gender)]
        if set_code == "running_shoes":
            start = 4 if gender == "men" else 0 if gender == "women" else 1
            values["shoe_sizes"] = [_value(list(v.SHOE_SIZES[start : start + between(6, 8)]))]
            values["waterproof"] = [_value("pu_membrane" in materials)]
            values["heel_drop"] = [
                _value({"amount": pick((0, 4, 5, 6, 8, 10, 12)), "unit": "MILLIMETER"})
            ]
        elif set_code == "jackets":
            sizes = k.sizes if rand() < 0.5 else k.sizes[1:-1] if gender != "kids" else k.sizes[:4]
            values["clothing_sizes"] = [_value(list(sizes))]
            values["fit"] = [_value(pick(("regular", "slim", "relaxed")))]
            values["season"] = [_value(pick(kd.seasons))]
            values["waterproof"] = [
                _value(k.code == "rain_jacket" or (k.code == "insulated_jacket" and rand() < 0.3))
            ]
        elif set_code == "backpacks":
            values["capacity"] = [_value(_liters(pick(k.capacity)))]
            values["waterproof"] = [_value(rand() < 0.3)]
            values["warranty_years"] = [_value(pick((2, 3, 5)))]
        elif set_code == "accessories":
            if k.sizes:
                values["clothing_sizes"] = [_value(list(k.sizes))]
            if k.capacity:
                values["capacity"] = [
                    _value({"amount": round(pick(k.capacity) * 1000), "unit": "MILLILITER"})
                ]
            values["season"] = [_value(pick(kd.seasons))]
        elif k.code == "sport_watch":
            values["battery_life"] = [
                _value({"amount": pick((14, 20, 36, 60, 120)), "unit": "HOUR"})
            ]
            connectivity = ["gps", "bluetooth"]
            if rand() < 0.5:
                connectivity.append("ant_plus")
            if rand() < 0.3:
                connectivity.append("nfc")
            values["connectivity"] = [_value(connectivity)]
            values["water_resistance"] = [_value(pick((3, 5, 10)))]
            values["waterproof"] = [_value(True)]
            values["warranty_years"] = [_value(2)]
        else:  # headlamp
            values["battery_life"] = [
                _value({"amount": pick((150, 240, 300, 480)), "unit": "MINUTE"})
            ]
            values["connectivity"] = [_value(["usb_c", "bluetooth"] if rand() < 0.2 else ["usb_c"])]
            values["luminous_flux"] = [_value(pick((200, 350, 450, 600, 900, 1200)))]
            values["waterproof"] = [_value(rand() < 0.6)]
            values["warranty_years"] = [_value(2)]

        categories = [k.category]
        if now_ts - created_ts < 60 * DAY_SECONDS:
            categories.append("new_arrivals")
        season = kd.seasons[0] if kd.seasons else None
        if season == "fall_winter" and rand() < 0.4:
            categories.append("winter_collection")
        elif season == "spring_summer" and rand() < 0.4:
            categories.append("summer_collection")
        if on_sale:
            categories.append("sale")
        if rand() < 0.05:
            categories.append("gift_ideas")

        return {
            "identifier": f"{k.prefix}-{index + 1:06d}",
            "attribute_set": set_code,
            "status": status,
            "categories": categories,
            "values": values,
            "created_at": self._stamp(created_ts),
            "updated_at": self._stamp(updated_ts),
        }


def _liters(amount: float) -> JSON:
    return {"amount": int(amount) if amount == int(amount) else amount, "unit": "LITER"}


# ---------------------------------------------------------------------------------------


def _now_seconds(now: datetime | None) -> int:
    moment = datetime.now(UTC) if now is None else now
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


def build(products: int = 1000, *, seed: int = 7, now: datetime | None = None) -> DemoCatalog:
    """The demo catalog for (`products`, `seed`), its timestamps in the year before `now`."""
    if products < 0:
        raise ValueError("products must be >= 0")
    now_ts = _now_seconds(now)
    factory = _ProductFactory(seed, now_ts)

    def iter_products() -> Iterator[JSON]:
        return factory.products(0, products)

    return DemoCatalog(
        locales=_locales(),
        channels=_channels(),
        categories=_categories(),
        attributes=_product_attributes(),
        attribute_sets=_attribute_sets(),
        entity_types=_entity_types(),
        entities=_entities(seed, now_ts),
        media=_media(),
        product_count=products,
        iter_products=iter_products,
    )


def product_at(index: int, *, seed: int = 7, now: datetime | None = None) -> JSON:
    """Product `index` of any catalog built with `seed` (and `now`), without the others."""
    return next(_ProductFactory(seed, _now_seconds(now)).products(index, index + 1))


__all__ = ["build", "product_at"]
