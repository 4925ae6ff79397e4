"""ChatGPT's `search` and `fetch`: the two fixed-shape tools its deep research and company knowledge call.

ChatGPT calls them by name with one string each and reads the answer as JSON in the one
text content item: `search` → `{"results": [{"id", "title", "url"}]}`, `fetch` → `{"id",
"title", "text", "url", "metadata"}`. They are product search and product detail under
those shapes; `url` is the product's page in Pimelo's web app (`PIMELO_APP_URL`). Off by
default (`--chatgpt-search`): every other client has search_products and get_product.
"""

from __future__ import annotations

import json
from typing import Annotated, Any
from urllib.parse import quote

from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel, Field

from pimelo_mcp.client import InvalidArgumentError, NotFoundError, Product
from pimelo_mcp.config import APP_URL_FIELD
from pimelo_mcp.tools.catalog import CHATGPT_SEARCH
from pimelo_mcp.tools.common import state_of
from pimelo_mcp.tools.products import default_scope, product_view, reduced_read_note, shown_for
from pimelo_mcp.tools.registry import ToolOutput, tool
from pimelo_mcp.tools.state import ToolState
from pimelo_mcp.translate import CatalogSchema

SEARCH_RESULTS = 20  # what one search shows; deep research searches again with other words
TITLE_LIMIT = 200  # characters of a title; a name longer than that is not a title


def _json(model: BaseModel) -> str:
    return json.dumps(
        model.model_dump(mode="json", by_alias=True), ensure_ascii=False, separators=(",", ":")
    )


class SearchResult(BaseModel):
    id: str  # the product identifier, what fetch takes
    title: str
    url: str


class SearchResults(ToolOutput):
    results: list[SearchResult]

    def text(self) -> str:
        return _json(self)


class FetchedProduct(ToolOutput):
    id: str
    title: str
    # ChatGPT reads the document from "text"; the Python name leaves `text()` to ToolOutput.
    document: str = Field(alias="text")
    url: str
    metadata: dict[str, str]

    def text(self) -> str:
        return _json(self)


def product_url(state: ToolState, identifier: str) -> str:
    """The product's page in Pimelo, from the configured template (the identifier URL-quoted)."""
    return state.settings.app_url.replace(APP_URL_FIELD, quote(identifier, safe=""))


def _title(product: Product, values: dict[str, Any]) -> str:
    name = values.get("name")
    if isinstance(name, dict):  # shown in every locale: the first one
        name = next((v for v in name.values() if isinstance(v, str)), None)  # pyright: ignore[reportUnknownVariableType, reportUnknownArgumentType, reportUnknownMemberType]
    if isinstance(name, str) and name.strip():
        return f"{name.strip()[:TITLE_LIMIT]} ({product.identifier})"
    return product.identifier


async def _scope(state: ToolState) -> tuple[CatalogSchema, str, str]:
    schema = await state.schema.readable_products()
    locale, channel = default_scope(schema, None, None)
    return schema, locale, channel


@tool(
    name="search",
    title="Search the catalog",
    scope="products:read",
    extras={"settings:read": "titles in the first channel's first locale (else the first name)"},
    read_only=True,
    destructive=False,
    idempotent=True,
    switch=CHATGPT_SEARCH,
)
async def search(
    ctx: Context[ToolState, Any],
    query: Annotated[str, Field(description="Words of a product's name, description or SKU.")],
) -> SearchResults:
    """Search the Pimelo product catalog by words in product names, descriptions and identifiers (SKU). Returns up to 20 products as {"results": [{id, title, url}]}; pass an id to fetch for the product's full values."""
    state = state_of(ctx)
    schema, locale, channel = await _scope(state)
    page = await state.client.products.search(
        query=query.strip() or None,
        locale=locale or None,
        channel=channel or None,
        attributes=["name"] if schema.attributes_known and "name" in schema.attributes else None,
        limit=SEARCH_RESULTS,
    )
    results: list[SearchResult] = []
    for product in page.items:
        view = product_view(
            product,
            locale=locale or None,
            channel=channel or None,
            fields=None,
            full=False,
            text_limit=TITLE_LIMIT,
        )
        results.append(
            SearchResult(
                id=product.identifier,
                title=_title(product, view.values),
                url=product_url(state, product.identifier),
            )
        )
    return SearchResults(results=results)


def _document(values: dict[str, Any]) -> str:
    """The product's values as `code: value` lines, lists as `a, b`, nested ones as JSON."""
    lines: list[str] = []
    for code, value in values.items():
        if isinstance(value, list):
            shown = ", ".join(str(item) for item in value)  # pyright: ignore[reportUnknownVariableType, reportUnknownArgumentType]
        elif isinstance(value, dict):
            shown = json.dumps(value, ensure_ascii=False)
        elif isinstance(value, bool):
            shown = "yes" if value else "no"
        else:
            shown = str(value)
        lines.append(f"{code}: {shown}")
    return "\n".join(lines)


@tool(
    name="fetch",
    title="Fetch a product",
    scope="products:read",
    extras={"settings:read": "values in the first channel's first locale (else in every one)"},
    read_only=True,
    destructive=False,
    idempotent=True,
    switch=CHATGPT_SEARCH,
)
async def fetch(
    ctx: Context[ToolState, Any],
    id: Annotated[str, Field(description="A product id from search (its SKU).")],
) -> FetchedProduct:
    """One product by the id search returned: {id, title, text, url, metadata}, where text holds every value (name, description, price, weight…) in the first channel's first locale."""
    state = state_of(ctx)
    schema, locale, channel = await _scope(state)
    try:
        product = await state.client.products.retrieve(id)
    except (NotFoundError, InvalidArgumentError):
        raise ToolError(f"No product has the id {id!r}; search returns the ids.") from None
    view = product_view(
        product,
        locale=locale or None,
        channel=channel or None,
        fields=None,
        full=False,
        text_limit=None,
    )
    metadata = {
        "identifier": product.identifier,
        "status": product.status,
        "attribute_set": product.attribute_set or "",
        "categories": ", ".join(product.categories),
        "version": str(product.version or ""),
        "updated_at": view.updated_at or "",
        "values_in": shown_for(locale, channel) or "every locale and channel",
    }
    note = reduced_read_note(schema)
    if note:
        metadata["note"] = note
    return FetchedProduct(
        id=product.identifier,
        title=_title(product, view.values),
        text=_document(view.values),
        url=product_url(state, product.identifier),
        metadata={key: value for key, value in metadata.items() if value},
    )


TOOLS = [search, fetch]
