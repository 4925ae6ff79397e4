"""A small catalog schema with every attribute type, shared by the translation tests."""

from collections.abc import Mapping, Sequence

import pytest

from pimelo_mcp.translate import AttributeDef, CatalogSchema, ChannelDef, OptionDef, Resolution

ATTRIBUTES = [
    AttributeDef("name", "text", {"en_US": "Name"}, localizable=True),
    AttributeDef("description", "textarea", localizable=True, scopable=True),
    AttributeDef("ean", "text", validation={"regex": r"^\d{13}$"}),
    AttributeDef("stock", "number", validation={"min": 0, "decimals_allowed": False}),
    AttributeDef("waterproof", "boolean"),
    AttributeDef("release_date", "date", validation={"min": "2000-01-01"}),
    AttributeDef(
        "color",
        "select",
        options=(
            OptionDef("red", {"en_US": "Red", "fr_FR": "Rouge"}),
            OptionDef("blue", {"en_US": "Blue", "fr_FR": "Bleu"}),
            OptionDef("navy", {"en_US": "Navy blue", "fr_FR": "Bleu"}),
        ),
    ),
    AttributeDef(
        "sizes",
        "multiselect",
        options=(OptionDef("s", {"en_US": "Small"}), OptionDef("m", {"en_US": "Medium"})),
    ),
    AttributeDef("price", "price", validation={"min": 0}),
    AttributeDef("weight", "metric", validation={"allowed_units": ["GRAM", "KILOGRAM"]}),
    AttributeDef("main_image", "media"),
    AttributeDef("brand", "entity", entity_type="brand"),
    AttributeDef("materials", "entities", entity_type="material"),
    AttributeDef("teaser", "text", scopable=True),
]

CHANNELS = [
    ChannelDef("ecommerce", ("en_US", "fr_FR", "de_DE"), ("EUR", "USD")),
    ChannelDef("marketplace", ("en_US", "de_DE"), ("EUR",)),
]

ENTITIES = {
    "brand": {"acme": "Acme Outdoor", "northpeak": "North Peak", "northpeak_kids": "North Peak"},
    "material": {"leather": "Leather", "mesh": "Mesh"},
}


@pytest.fixture
def schema() -> CatalogSchema:
    return CatalogSchema.build(ATTRIBUTES, CHANNELS, ["en_US", "fr_FR", "de_DE"])


class FakeResolver:
    """Resolves by code or exact label over ENTITIES, and counts its calls."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[str, ...]]] = []

    async def __call__(self, entity_type: str, texts: Sequence[str]) -> Mapping[str, Resolution]:
        self.calls.append((entity_type, tuple(texts)))
        records = ENTITIES.get(entity_type, {})
        answers: dict[str, Resolution] = {}
        for text in texts:
            if text in records:
                answers[text] = Resolution(code=text)
                continue
            matches = tuple(
                code for code, label in records.items() if label.lower() == text.lower()
            )
            answers[text] = (
                Resolution(code=matches[0]) if len(matches) == 1 else Resolution(None, matches)
            )
        return answers


@pytest.fixture
def resolver() -> FakeResolver:
    return FakeResolver()
