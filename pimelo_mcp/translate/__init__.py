"""Natural values and filters, as a model writes them, turned into exact Pimelo API values and filters.

Pure and offline except for entity names, which a caller-supplied resolver turns into codes.
Every refusal names the attribute, what it expects and an example, so that a model can
correct its call without another round trip.
"""

from pimelo_mcp.translate.definitions import AttributeDef, CatalogSchema, ChannelDef, OptionDef
from pimelo_mcp.translate.errors import Problem, TranslationError
from pimelo_mcp.translate.filters import FilterCondition, FilterShortcuts, translate_filters
from pimelo_mcp.translate.resolve import EntityResolver, Resolution
from pimelo_mcp.translate.values import translate_values

__all__ = [
    "AttributeDef",
    "CatalogSchema",
    "ChannelDef",
    "EntityResolver",
    "FilterCondition",
    "FilterShortcuts",
    "OptionDef",
    "Problem",
    "Resolution",
    "TranslationError",
    "translate_filters",
    "translate_values",
]
