"""The resources of the Pimelo API, one plural noun each, reached as attributes of `PimeloClient`."""

from pimelo_mcp.client.resources._base import NOT_GIVEN, NotGiven
from pimelo_mcp.client.resources.attribute_sets import AttributeSets
from pimelo_mcp.client.resources.attributes import Attributes
from pimelo_mcp.client.resources.categories import Categories
from pimelo_mcp.client.resources.channels import Channels
from pimelo_mcp.client.resources.entities import Entities
from pimelo_mcp.client.resources.entity_types import EntityTypes
from pimelo_mcp.client.resources.locales import Locales
from pimelo_mcp.client.resources.me import MeResource
from pimelo_mcp.client.resources.media import MediaDownload, MediaResource
from pimelo_mcp.client.resources.products import Products

__all__ = [
    "NOT_GIVEN",
    "AttributeSets",
    "Attributes",
    "Categories",
    "Channels",
    "Entities",
    "EntityTypes",
    "Locales",
    "MeResource",
    "MediaDownload",
    "MediaResource",
    "NotGiven",
    "Products",
]
