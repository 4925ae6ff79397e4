"""Product tools: search_products, get_product, create_products, update_products."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import Annotated, Any, Literal, cast

from mcp.server.mcpserver import Context
from pydantic import BaseModel, ConfigDict, Field

from pimelo_mcp.client import Product, Value
from pimelo_mcp.review.offer import ReviewSource, offer_review, product_faces, wants_review
from pimelo_mcp.review.pane import REVIEWED_TOOL_META
from pimelo_mcp.tools.batch import (
    BatchOutput,
    Plan,
    Verify,
    field_change,
    finish,
    keep_other_currencies,
    raw_values,
    read_back_verifier,
    repeated_indexes,
    settle_update,
    start_updates,
    translate_fresh,
    value_changes,
)
from pimelo_mcp.tools.common import (
    Channel,
    Cursor,
    DryRun,
    ExpectedVersion,
    Fields,
    Filters,
    Identifier,
    Limit,
    Locale,
    NewIdentifier,
    Query,
    Values,
    state_of,
)
from pimelo_mcp.tools.cursors import bind, refusing_stale_cursors, unbind
from pimelo_mcp.tools.product_search import (
    ProductSearch,
    Sort,
    check_scope,
    explain_no_match,
    find_products,
)
from pimelo_mcp.tools.registry import ToolOutput, tool
from pimelo_mcp.tools.render import shown, shown_value
from pimelo_mcp.tools.state import ToolState
from pimelo_mcp.translate import (
    CatalogSchema,
    TranslationError,
    translate_values,
)
from pimelo_mcp.translate.compact import compact_values
from pimelo_mcp.translate.errors import Problem
from pimelo_mcp.translate.values import unknown_attribute_message

# Values are written against attribute definitions, channels and locales; reads do without.
DEFINITIONS = ("attributes:read", "settings:read")
ENTITIES_READ = "entities:read"
ENTITY_VALUES_BY_NAME = (
    "entity values (brand, supplier…) given by name; codes work without it, checked by Pimelo"
)
SEARCH_TEXT_LIMIT = 120  # characters of long text per value in search results
# A search lists: each product's name unless `fields` asks for more. Every value of twenty
# products cost a model about ten times the lines it reads; get_product gives the details.
LISTED_BY_DEFAULT = ("name",)
GET_TEXT_LIMIT = 600  # ... and in get_product; full=true shows everything

Status = Literal["draft", "active", "archived"]
SetCode = str


class CompletenessView(BaseModel):
    channel: str
    locale: str
    percent: int
    missing: list[str]


def _first_text(value: Any) -> str | None:
    """A name shown by locale or channel (every one shown): its first text, to title a line."""
    while isinstance(value, dict):
        value = next(iter(cast(dict[str, Any], value).values()), None)
    return value if isinstance(value, str) else None


# A product as a search lists it: what its line says, and the values `fields` asked for.
# (Comments, not docstrings: pydantic would put a docstring into every tools/list entry.)
class ListedProduct(BaseModel):
    identifier: str
    attribute_set: str | None = None
    status: str
    values: dict[str, Any]
    version: int | None = None
    cut: list[str] | None = None  # values whose long text was shortened (full=true shows it)

    def line(self) -> str:
        name = _first_text(self.values.get("name"))
        title = f" — {name}" if name else ""
        return f"{self.identifier}{title} ({self.status}, {self.attribute_set}, v{self.version})"


# A product as get_product shows it: the listing's fields and its details.
class ProductView(ListedProduct):
    categories: list[str] | None = None
    updated_at: str | None = None
    completeness: list[CompletenessView] | None = None


def plain_values(values: Mapping[str, Sequence[Value]]) -> dict[str, list[dict[str, Any]]]:
    """`raw_values` for a read: the same plain form, its data shared rather than copied.

    A view only reads the values and drops the record after, so pydantic's copy of every
    value (a sixth of a warm get_product's own work) buys nothing here.
    """
    return {
        code: [
            {
                "locale": value.locale,
                "channel": value.channel,
                "data": value.data,
                **(value.model_extra or {}),
            }
            for value in entries
        ]
        for code, entries in values.items()
    }


def product_view(
    product: Product,
    *,
    locale: str | None,
    channel: str | None,
    fields: Sequence[str] | None,
    full: bool,
    text_limit: int | None,
) -> ProductView:
    raw = plain_values(product.values)
    cut: list[str] = []
    if full:
        values: dict[str, Any] = {
            code: entries for code, entries in raw.items() if not fields or code in fields
        }
    else:
        values, cut = compact_values(
            raw, locale=locale, channel=channel, text_limit=text_limit, only=fields
        )
    return ProductView(
        identifier=product.identifier,
        attribute_set=product.attribute_set,
        status=product.status,
        categories=product.categories or None,
        values=values,
        version=product.version,
        updated_at=product.updated_at.isoformat().replace("+00:00", "Z")
        if product.updated_at
        else None,
        completeness=(
            [
                CompletenessView(
                    channel=c.channel,
                    locale=c.locale,
                    percent=round(c.ratio * 100),
                    missing=list(c.missing),
                )
                for c in product.completeness
            ]
            if product.completeness is not None
            else None
        ),
        cut=cut or None,
    )


def listed_view(view: ProductView) -> ListedProduct:
    """A search result's item: what its line says, categories and dates being get_product's."""
    return ListedProduct.model_validate(view.model_dump(include=set(ListedProduct.model_fields)))


class ProductPage(ToolOutput):
    items: list[ListedProduct]
    next_cursor: str | None = None
    shown_for: str | None = None  # "en_US/ecommerce": the locale and channel values are shown in
    note: str | None = None  # what a token without some definitions' scopes leaves out
    no_match: str | None = None  # with no items: what was searched, which condition excluded all
    fields: list[str] | None = None  # the attributes asked for: the text shows them per product

    def text(self) -> str:
        note = f"\n{self.note}" if self.note else ""
        if not self.items:
            return (self.no_match or "No products match.") + note
        more = f"\nMore: call again with cursor={self.next_cursor}" if self.next_cursor else ""
        lines = "\n".join(self._item_text(item) for item in self.items)
        shown = self.shown_for or "every locale and channel"
        return f"{len(self.items)} products (values in {shown}):\n{lines}{more}{note}"

    def _item_text(self, item: ListedProduct) -> str:
        # Asked-for values are what the search was for: shown, or said to be empty, so
        # that no get_product is needed to see them.
        shown_fields = [code for code in self.fields or [] if code != "name"]
        return "\n".join(
            [
                item.line(),
                *(f"  {code}: {shown_value(item.values.get(code))}" for code in shown_fields),
            ]
        )


class ProductDetail(ToolOutput):
    product: ProductView
    shown_for: str | None = None
    note: str | None = None

    def text(self) -> str:
        lines = [f"{self.product.line()}, values in {self.shown_for or 'every locale and channel'}"]
        if self.product.categories:
            lines.append(f"categories: {shown(self.product.categories)}")
        lines.extend(f"{code}: {shown_value(value)}" for code, value in self.product.values.items())
        for c in self.product.completeness or []:
            missing = f", missing {', '.join(c.missing)}" if c.missing else ""
            lines.append(f"complete {c.percent}% for {c.channel}/{c.locale}{missing}")
        if self.note:
            lines.append(self.note)
        return "\n".join(lines)


def reduced_read_note(schema: CatalogSchema) -> str | None:
    """Said once per answer when the token may not read some definitions: what that leaves out."""
    lacking: list[str] = []
    effects: list[str] = []
    if not schema.attributes_known:
        lacking.append("attributes:read")
        effects.append(
            "attribute codes in fields are not checked and filters on attributes are refused"
        )
    if not schema.settings_known:
        lacking.append("settings:read")
        effects.append(
            "without locale and channel, values are shown for every locale and channel, "
            "and locale and channel codes are not checked"
        )
    if not lacking:
        return None
    return (
        f"This token lacks {' and '.join(lacking)}: {'; '.join(effects)}. "
        f"Adding {' and '.join(lacking)} to the token (Pimelo, Settings > API Tokens) adds them."
    )


def default_scope(
    schema: CatalogSchema, locale: str | None, channel: str | None
) -> tuple[str, str]:
    """The locale and channel compact values are shown in: as asked, else the first channel and its first locale.

    "" stands for every one: a token that may not read channels gets values as they are.

    Showing every locale of every channel would cost a model several times the tokens of
    the one it works in; the answer says which one it shows.
    """
    if not schema.settings_known:  # no channels to choose from: as asked, else every one
        return locale or "", channel or ""
    selling = [code for code, known in schema.channels.items() if locale in known.locales]
    # A locale alone shows the first channel sold in it, not one where it has no values.
    chosen_channel = channel or next(iter(selling or schema.channels), "")
    channel_locales = (
        schema.channels[chosen_channel].locales if chosen_channel in schema.channels else ()
    )
    chosen_locale = locale or next(
        (code for code in channel_locales if code in schema.locales),
        min(schema.locales, default=""),
    )
    return chosen_locale, chosen_channel


def shown_for(locale: str, channel: str) -> str | None:
    """How an answer names the locale and channel its values are in ("" being every one)."""
    if not locale and not channel:
        return None
    return f"{locale or 'every locale'}/{channel or 'every channel'}"


def check_fields(fields: Sequence[str] | None, schema: CatalogSchema) -> None:
    """Refuse unknown attribute codes in `fields` before any request, with a suggestion."""
    if not schema.attributes_known:
        return  # no definitions to check against: the API answers with what it has
    problems = [
        Problem(f"fields[{index}]", unknown_attribute_message(code, schema.attributes))
        for index, code in enumerate(fields or [])
        if code not in schema.attributes
    ]
    if problems:
        raise TranslationError(problems)


@tool(
    name="search_products",
    title="Search products",
    scope="products:read",
    extras={
        "attributes:read": "filters on attributes and checked attribute codes in fields",
        "settings:read": "a default locale and channel (else values in every one) and checked "
        "locale and channel codes",
        "entities:read": "entity filter values given by name (codes work without it)",
    },
    read_only=True,
    destructive=False,
    idempotent=True,
)
async def search_products(
    ctx: Context[ToolState, Any],
    query: Query = None,
    filters: Filters = None,
    status: list[Status] | None = None,
    attribute_set: list[SetCode] | None = None,
    category: Annotated[list[SetCode] | None, Field(description="In any (or below).")] = None,
    incomplete_for_channel: Annotated[
        str | None, Field(description="Missing required values there.")
    ] = None,
    incomplete_for_locale: Annotated[
        str | None, Field(description="One locale of that channel.")
    ] = None,
    updated_since: Annotated[str | None, Field(description="e.g. 2026-11-01 or 7d.")] = None,
    locale: Locale = None,
    channel: Channel = None,
    fields: Annotated[
        list[str] | None, Field(description="Values to list (default: name).")
    ] = None,
    sort: Annotated[Sort | None, Field(description="Default: best match if query.")] = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> ProductPage:
    """Find products by text and filters. query: every word must match name, description or identifier, ignoring case, accents, plurals. Ops: text contains/starts_with; number/price/metric/date lt/lte/gt/gte/between; date since_days; select/entity eq/in; multiselect/entities in; any empty; ne/not_* negate."""
    state = state_of(ctx)
    schema = await state.schema.readable_products()
    check_fields(fields, schema)
    search = ProductSearch(
        query=query,
        filters=tuple(item.condition() for item in filters or []),
        status=tuple(status) if status else None,
        attribute_set=tuple(attribute_set) if attribute_set else None,
        category=tuple(category) if category else None,
        incomplete_for_channel=incomplete_for_channel,
        incomplete_for_locale=incomplete_for_locale,
        updated_since=updated_since,
        locale=locale,
        channel=channel,
        sort=sort,
    )
    binding = asdict(search)
    async with refusing_stale_cursors():
        page = await find_products(
            state, schema, search, limit=limit, fields=fields, after=unbind(cursor, binding)
        )
    # Looking for what is missing in a channel/locale: show the values there by default.
    shown_locale, shown_channel = default_scope(
        schema, locale or incomplete_for_locale, channel or incomplete_for_channel
    )
    return ProductPage(
        items=[
            listed_view(
                product_view(
                    p,
                    locale=shown_locale or None,
                    channel=shown_channel or None,
                    fields=fields or LISTED_BY_DEFAULT,
                    full=False,
                    text_limit=SEARCH_TEXT_LIMIT,
                )
            )
            for p in page.items
        ],
        next_cursor=bind(page.next_cursor, binding),
        shown_for=shown_for(shown_locale, shown_channel),
        note=reduced_read_note(schema),
        fields=list(fields) if fields else None,
        no_match=(
            await explain_no_match(state, schema, search)
            if not page.items and cursor is None
            else None
        ),
    )


@tool(
    name="get_product",
    title="Get a product",
    scope="products:read",
    extras={
        "attributes:read": "checked attribute codes in fields",
        "settings:read": "a default locale and channel (else values in every one)",
    },
    read_only=True,
    destructive=False,
    idempotent=True,
)
async def get_product(
    ctx: Context[ToolState, Any],
    identifier: Identifier,
    locale: Locale = None,
    channel: Channel = None,
    fields: Fields = None,
    with_completeness: bool = False,
    full: bool = False,
) -> ProductDetail:
    """One product: values in one locale and channel (default: first channel, its first locale; full: all)."""
    state = state_of(ctx)
    schema = await state.schema.readable_products()
    check_fields(fields, schema)
    check_scope(schema, locale, channel)
    product = await state.client.products.retrieve(
        identifier, locale=locale, channel=channel, with_completeness=with_completeness or None
    )
    shown_locale, shown_channel = (
        (locale, channel) if full else default_scope(schema, locale, channel)
    )
    return ProductDetail(
        product=product_view(
            product,
            locale=shown_locale or None,
            channel=shown_channel or None,
            fields=fields,
            full=full,
            text_limit=GET_TEXT_LIMIT,
        ),
        shown_for=None if full else shown_for(shown_locale or "", shown_channel or ""),
        note=reduced_read_note(schema),
    )


class NewProduct(BaseModel):
    model_config = ConfigDict(extra="forbid")

    identifier: NewIdentifier
    attribute_set: str
    status: Status = "draft"
    categories: list[SetCode] | None = None
    # Said once, in update_products (listed with it: both need products:write).
    values: Annotated[dict[str, Any] | None, Field(description="As in update_products.")] = None


class ProductChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    identifier: Identifier
    values: Values = None
    status: Status | None = None
    categories: Annotated[list[SetCode] | None, Field(description="Replaces the categories.")] = (
        None
    )
    expected_version: ExpectedVersion = None


async def _existing(state: ToolState, identifiers: Sequence[str]) -> dict[str, Product]:
    """The products among `identifiers` that exist, with all their values (one request)."""
    if not identifiers:
        return {}
    page = await state.client.products.search(
        filters={"identifier": [{"operator": "IN", "value": sorted(set(identifiers))}]}, limit=100
    )
    return {product.identifier: product for product in page.items}


async def _translate(
    state: ToolState,
    values: Mapping[str, Any],
    *,
    set_code: str,
    locale: str | None,
    channel: str | None,
) -> dict[str, list[dict[str, Any]]]:
    """Values for a product of `set_code`, against definitions and the set reloaded if stale."""

    async def load(refresh: bool) -> tuple[CatalogSchema, Sequence[str]]:
        schema = await state.schema.products(refresh=refresh)
        found = (await state.schema.attribute_sets(refresh=refresh)).get(set_code)
        return schema, found.attributes if found else []

    async def translate(
        loaded: tuple[CatalogSchema, Sequence[str]],
    ) -> dict[str, list[dict[str, Any]]]:
        schema, allowed = loaded
        return await translate_values(
            values,
            schema,
            locale=locale,
            channel=channel,
            allowed=allowed,
            allowed_from=set_code,
            resolve_entities=state.entities,
        )

    return await translate_fresh(load, translate)


def _verifier(state: ToolState, action: Literal["create", "update"]) -> Verify:
    """After a lost answer: read the products back (one search) and tell what was written."""

    async def load(identifiers: list[str]) -> dict[str, Product]:
        return await _existing(state, identifiers)

    return read_back_verifier(load, action)


def _refusal(error: TranslationError) -> str:
    return "; ".join(str(problem) for problem in error.problems)


@tool(
    name="create_products",
    title="Create products",
    scope="products:write",
    needs=("products:read", *DEFINITIONS),
    extras={ENTITIES_READ: ENTITY_VALUES_BY_NAME},
    read_only=False,
    destructive=False,
    idempotent=False,
    declares_output=False,
    meta=REVIEWED_TOOL_META,
)
async def create_products(
    ctx: Context[ToolState, Any],
    items: Annotated[list[NewProduct], Field(min_length=1, max_length=100)],
    locale: Locale = None,
    channel: Channel = None,
    dry_run: DryRun = False,
) -> BatchOutput:
    """Create 1 to 100 products in one call; each succeeds or fails alone."""
    state = state_of(ctx)
    sets = await state.schema.attribute_sets()
    if any(item.attribute_set not in sets for item in items):
        sets = await state.schema.attribute_sets(refresh=True)  # it may have been created since
    existing = await _existing(state, [item.identifier for item in items])
    repeated = repeated_indexes([item.identifier for item in items])
    plans: list[Plan] = []
    for index, item in enumerate(items):
        plan = Plan(key=item.identifier)
        plans.append(plan)
        attribute_set = sets.get(item.attribute_set)
        if index in repeated:
            plan.error = "given twice in this call; each product once"
        elif item.identifier in existing:
            plan.error = "already exists; use update_products to change it"
        elif attribute_set is None:
            plan.error = f"no attribute set {item.attribute_set!r}; sets: {', '.join(sorted(sets))}"
        if plan.error or attribute_set is None:
            continue
        try:
            values = await _translate(
                state,
                item.values or {},
                set_code=attribute_set.code,
                locale=locale,
                channel=channel,
            )
        except TranslationError as error:
            plan.error = _refusal(error)
            continue
        values = {
            code: [e for e in entries if e["data"] is not None] for code, entries in values.items()
        }
        plan.operation = {
            "op": "create",
            "identifier": item.identifier,
            "attribute_set": item.attribute_set,
            "status": item.status,
            "categories": item.categories or [],
            "values": values,
        }
        plan.changes = [
            *field_change("status", None, item.status),
            *field_change("categories", None, item.categories or None),
            *value_changes(None, values),
        ]
    output = await finish(
        plans,
        kind="product",
        dry_run=dry_run,
        send=state.client.products.bulk,
        audit=state.audit,
        tool="create_products",
        target={"kind": "product"},
        action="create",
        on_api_refusal=state.schema.invalidate,
        verify=_verifier(state, "create"),
    )
    if wants_review(ctx, dry_run):
        await _offer_review(state, "create_products", plans, {}, locale, channel, output)
    return output


@tool(
    name="update_products",
    title="Update products",
    scope="products:write",
    needs=("products:read", *DEFINITIONS),
    extras={ENTITIES_READ: ENTITY_VALUES_BY_NAME},
    read_only=False,
    destructive=True,
    idempotent=True,
    declares_output=False,
    meta=REVIEWED_TOOL_META,
)
async def update_products(
    ctx: Context[ToolState, Any],
    items: Annotated[list[ProductChange], Field(min_length=1, max_length=100)],
    locale: Locale = None,
    channel: Channel = None,
    dry_run: DryRun = False,
) -> BatchOutput:
    """Change 1 to 100 products in one call; only what is named changes."""
    state = state_of(ctx)
    identifiers = [item.identifier for item in items]
    existing = await _existing(state, identifiers)
    started = start_updates(
        identifiers,
        existing,
        missing="no such product; search_products finds identifiers, create_products adds new ones",
    )
    for item, (plan, current) in zip(items, started, strict=True):
        if current is None:
            continue
        try:
            values = (
                await _translate(
                    state,
                    item.values,
                    set_code=current.attribute_set or "",
                    locale=locale,
                    channel=channel,
                )
                if item.values
                else {}
            )
        except TranslationError as error:
            plan.error = _refusal(error)
            continue
        before = raw_values(current.values)
        values = keep_other_currencies(values, before, (await state.schema.products()).attributes)
        operation: dict[str, Any] = {"op": "update", "identifier": item.identifier}
        if values:
            operation["values"] = values
        if item.status is not None:
            operation["status"] = item.status
        if item.categories is not None:
            operation["categories"] = item.categories
        settle_update(
            plan,
            changes=[
                *field_change("status", current.status, item.status or current.status),
                *field_change(
                    "categories",
                    current.categories,
                    current.categories if item.categories is None else item.categories,
                ),
                *value_changes(before, values),
            ],
            expected_version=item.expected_version,
            current_version=current.version,
            updated_at=current.updated_at,
            operation=operation,
        )
    plans = [plan for plan, _ in started]
    output = await finish(
        plans,
        kind="product",
        dry_run=dry_run,
        send=state.client.products.bulk,
        audit=state.audit,
        tool="update_products",
        target={"kind": "product"},
        action="update",
        on_api_refusal=state.schema.invalidate,
        verify=_verifier(state, "update"),
    )
    if wants_review(ctx, dry_run):
        await _offer_review(state, "update_products", plans, existing, locale, channel, output)
    return output


async def _offer_review(
    state: ToolState,
    tool_name: str,
    plans: Sequence[Plan],
    existing: Mapping[str, Product],
    locale: str | None,
    channel: str | None,
    output: BatchOutput,
) -> None:
    """The dry run's review for the pane, from the definitions the dry run read (cached)."""
    schema = await state.schema.products()
    shown_locale, _ = default_scope(schema, locale, channel)
    await offer_review(
        state,
        output,
        ReviewSource(
            tool=tool_name,
            kind="product",
            entity_type=None,
            plans=plans,
            attributes=schema.attributes,
            locale=shown_locale or None,
            faces=product_faces(
                plans, existing, await state.schema.attribute_sets(), shown_locale or None
            ),
        ),
    )


async def send_reviewed(
    state: ToolState, action: Literal["create", "update"]
) -> tuple[Any, Verify]:
    """How apply_reviewed_changes sends approved product writes: the bulk call and its read-back."""
    return state.client.products.bulk, _verifier(state, action)


TOOLS = [search_products, get_product, create_products, update_products]
