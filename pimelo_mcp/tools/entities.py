"""Entity tools: search_entities, get_entity, create_entities, update_entities.

Entities are the reference records products point to (brands, suppliers, materials...):
each entity type has its own attributes, and a record is `{code, labels, values}`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal

from mcp.server.mcpserver import Context
from pydantic import BaseModel, ConfigDict, Field

from pimelo_mcp.client import (
    Entity,
    InsufficientScopeError,
    InvalidArgumentError,
    NotFoundError,
    PimeloError,
)
from pimelo_mcp.review.offer import (
    ReviewSource,
    entity_faces,
    offer_review,
    review_locale,
    wants_review,
)
from pimelo_mcp.review.pane import REVIEWED_TOOL_META
from pimelo_mcp.tools.batch import (
    BatchOutput,
    Change,
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
    Code,
    Cursor,
    DryRun,
    EntityType,
    ExpectedVersion,
    Fields,
    Filter,
    Filters,
    Full,
    Limit,
    Locale,
    NewCode,
    Query,
    ReadLocale,
    state_of,
)
from pimelo_mcp.tools.cursors import bind, refusing_stale_cursors, unbind
from pimelo_mcp.tools.product_search import condition_text
from pimelo_mcp.tools.registry import ToolOutput, tool
from pimelo_mcp.tools.render import quoted_query, shown, shown_value
from pimelo_mcp.tools.state import ToolState
from pimelo_mcp.translate import (
    CatalogSchema,
    Problem,
    TranslationError,
    translate_filters,
    translate_values,
)
from pimelo_mcp.translate.compact import compact_values
from pimelo_mcp.translate.filters import ENTITY_FIELDS

# Entity values take the natural forms of product values; described once (update_entities,
# which create_entities points to) because tools/list is read on every turn.
EntityValues = Annotated[
    dict[str, Any] | None,
    Field(description="By attribute code: 'Italy' (the call's locale), {fr_FR: …}; null clears."),
]

SEARCH_TEXT_LIMIT = 120  # characters of long text per value in search results
GET_TEXT_LIMIT = 600  # ... and in get_entity; full=true shows everything
READ_SCOPE = "entities:read"
WRITE_SCOPE = "entities:write"


class EntityView(BaseModel):
    code: str
    labels: str | dict[str, str] | None = None  # one label, or by locale where they differ
    values: dict[str, Any]
    version: int | None = None
    updated_at: str | None = None
    cut: list[str] | None = None  # values whose long text was shortened (full=true shows it)

    def line(self) -> str:
        label = self.labels if isinstance(self.labels, str) else None
        if isinstance(self.labels, dict):
            label = next(iter(self.labels.values()), None)
        title = f" — {label}" if label else ""
        return f"{self.code}{title} (v{self.version})"


def compact_labels(labels: Mapping[str, str], locale: str | None) -> str | dict[str, str] | None:
    """The label for `locale`, or the one label all locales share, or all of them by locale."""
    if not labels:
        return None
    if locale is not None and locale in labels:
        return labels[locale]
    if len(set(labels.values())) == 1:
        return next(iter(labels.values()))
    return dict(labels)


def entity_view(
    entity: Entity,
    *,
    locale: str | None,
    fields: Sequence[str] | None,
    full: bool,
    text_limit: int,
    with_updated: bool,
) -> EntityView:
    raw = raw_values(entity.values)
    cut: list[str] = []
    if full:
        values: dict[str, Any] = {
            code: entries for code, entries in raw.items() if not fields or code in fields
        }
        labels: str | dict[str, str] | None = dict(entity.labels)
    else:
        values, cut = compact_values(raw, locale=locale, text_limit=text_limit, only=fields)
        labels = compact_labels(entity.labels, locale)
    updated = entity.updated_at.isoformat().replace("+00:00", "Z") if entity.updated_at else None
    return EntityView(
        code=entity.code,
        labels=labels,
        values=values,
        version=entity.version,
        updated_at=updated if with_updated else None,
        cut=cut or None,
    )


class EntityTypeView(BaseModel):
    code: str
    label: str | None = None
    attributes: dict[str, str]  # attribute code → type

    def line(self) -> str:
        attributes = ", ".join(f"{code} ({kind})" for code, kind in self.attributes.items())
        return f"{self.code} ({self.label}): {attributes}"


class EntityPage(ToolOutput):
    entity_type: str | None = None
    types: list[EntityTypeView] | None = None  # without entity_type: the entity types
    items: list[EntityView] | None = None
    next_cursor: str | None = None
    no_match: str | None = None  # with no items: what was searched

    def text(self) -> str:
        if self.types is not None:
            return f"{len(self.types)} entity types:\n" + "\n".join(t.line() for t in self.types)
        if not self.items:
            return self.no_match or f"No {self.entity_type} records match."
        more = f"\nMore: call again with cursor={self.next_cursor}" if self.next_cursor else ""
        lines = "\n".join(item.line() for item in self.items)
        return f"{len(self.items)} {self.entity_type} records:\n{lines}{more}"


class EntityDetail(ToolOutput):
    entity_type: str
    entity: EntityView

    def text(self) -> str:
        lines = [f"{self.entity_type} {self.entity.line()}"]
        if isinstance(self.entity.labels, dict):
            lines.append(f"labels: {shown(self.entity.labels)}")
        lines.extend(f"{code}: {shown_value(value)}" for code, value in self.entity.values.items())
        return "\n".join(lines)


async def _type_codes(state: ToolState) -> list[str]:
    return sorted([t.code async for t in state.client.entity_types.iterate(limit=100)])


async def _unknown_type(state: ToolState, entity_type: str) -> TranslationError:
    types = ", ".join(await _type_codes(state))
    return TranslationError(
        [Problem("entity_type", f"no entity type {entity_type!r}; entity types: {types}")]
    )


async def _schema(
    state: ToolState, entity_type: str, *, refresh: bool = False, reading: bool = False
) -> CatalogSchema:
    """The entity type's schema; an unknown type is refused with the list of known ones.

    `reading`: for a search, which does without channels and locales (settings:read).
    """
    try:
        if reading:
            return await state.schema.readable_entities(entity_type, refresh=refresh)
        return await state.schema.entities(entity_type, refresh=refresh)
    except (NotFoundError, InvalidArgumentError):
        raise await _unknown_type(state, entity_type) from None


def _unknown_attributes(
    codes: Sequence[str],
    schema: CatalogSchema,
    entity_type: str,
    where: str,
    extra: Sequence[str] = (),
) -> list[Problem]:
    known = [*schema.attributes, *extra]
    return [
        Problem(
            where.format(code),
            f"no attribute {code!r} on {entity_type}; its attributes: {', '.join(known)}",
            names_unknown=True,
        )
        for code in codes
        if code not in known
    ]


@tool(
    name="search_entities",
    title="Search entity records",
    scope=READ_SCOPE,
    extras={"settings:read": "checked locale, channel and currency codes in filters"},
    read_only=True,
    destructive=False,
    idempotent=True,
)
async def search_entities(
    ctx: Context[ToolState, Any],
    entity_type: Annotated[str | None, Field(description="Omit to list types.")] = None,
    query: Query = None,
    filters: Filters = None,
    locale: ReadLocale = None,
    fields: Fields = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> EntityPage:
    """Records of one entity type (brand, supplier…) by text or filters on its attributes, code, created, updated."""
    state = state_of(ctx)
    if entity_type is None:
        types = [
            EntityTypeView(
                code=t.code,
                label=t.labels.get(locale or "en_US") or next(iter(t.labels.values()), None),
                attributes={a.code: a.type for a in t.attributes},
            )
            async for t in state.client.entity_types.iterate(limit=100)
        ]
        return EntityPage(types=types)
    for refresh in (False, True):  # a code the cached schema lacks may have been added since
        schema = await _schema(state, entity_type, refresh=refresh, reading=True)
        problems = _unknown_attributes(
            [f.attribute for f in filters or []], schema, entity_type, "filters.{}", ENTITY_FIELDS
        ) + _unknown_attributes(fields or [], schema, entity_type, "fields.{}")
        if not problems:
            break
        if refresh:
            raise TranslationError(problems)
    api_filters = await translate_filters(
        [item.condition() for item in filters or []],
        schema,
        target="entity",
        locale=locale,
        resolve_entities=state.entities,
    )
    binding = {
        "entity_type": entity_type,
        "query": query,
        "filters": [f.model_dump() for f in filters or []],
        "locale": locale,
    }
    async with refusing_stale_cursors():
        page = await state.client.entities.search(
            entity_type,
            query=query,
            filters=api_filters or None,
            locale=locale,
            attributes=fields,
            limit=limit,
            search_after=unbind(cursor, binding),
        )
    return EntityPage(
        entity_type=entity_type,
        items=[
            entity_view(
                e,
                locale=locale,
                fields=fields,
                full=False,
                text_limit=SEARCH_TEXT_LIMIT,
                with_updated=False,
            )
            for e in page.items
        ],
        next_cursor=bind(page.next_cursor, binding),
        no_match=None
        if page.items or cursor
        else _searched(entity_type, query, filters or [], locale),
    )


def _searched(
    entity_type: str, query: str | None, filters: list[Filter], locale: str | None
) -> str:
    """What an entity search that found nothing looked for, as one sentence."""
    parts = [f"query {quoted_query(query)}"] if query and query.strip() else []
    parts += [
        f"filters[{index}] ({condition_text(f.condition())})" for index, f in enumerate(filters)
    ]
    where = f" in {locale}" if locale else ""
    if not parts:
        return f"No {entity_type} records exist{where}."
    return f"No {entity_type} records match{where} for all of: {'; '.join(parts)}."


@tool(
    name="get_entity",
    title="Get an entity record",
    scope=READ_SCOPE,
    read_only=True,
    destructive=False,
    idempotent=True,
)
async def get_entity(
    ctx: Context[ToolState, Any],
    entity_type: EntityType,
    code: Code,
    locale: ReadLocale = None,
    full: Full = False,
) -> EntityDetail:
    """One record with its labels and values."""
    state = state_of(ctx)
    try:
        entity = await state.client.entities.retrieve(entity_type, code)
    except (NotFoundError, InvalidArgumentError):
        if entity_type not in await _type_codes(state):
            raise await _unknown_type(state, entity_type) from None
        raise PimeloError(f"No {entity_type} {code!r}; search_entities finds the codes.") from None
    return EntityDetail(
        entity_type=entity_type,
        entity=entity_view(
            entity,
            locale=locale,
            fields=None,
            full=full,
            text_limit=GET_TEXT_LIMIT,
            with_updated=True,
        ),
    )


class NewEntity(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: NewCode
    labels: dict[str, str] | None = None
    values: dict[str, Any] | None = None


class EntityChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: Code
    labels: Annotated[
        dict[str, str | None] | None,
        Field(description="By locale; null removes one."),
    ] = None
    values: EntityValues = None
    expected_version: ExpectedVersion = None


async def _existing(state: ToolState, entity_type: str, codes: Sequence[str]) -> dict[str, Entity]:
    """The records among `codes` that exist, with all their labels and values (one request)."""
    if not codes:
        return {}
    page = await state.client.entities.search(
        entity_type, filters={"code": [{"operator": "IN", "value": sorted(set(codes))}]}, limit=100
    )
    return {entity.code: entity for entity in page.items}


async def _translate(
    state: ToolState,
    entity_type: str,
    values: Mapping[str, Any],
    *,
    locale: str | None,
) -> dict[str, list[dict[str, Any]]]:
    async def translate(schema: CatalogSchema) -> dict[str, list[dict[str, Any]]]:
        unknown = _unknown_attributes(list(values), schema, entity_type, "values.{}")
        if unknown:
            raise TranslationError(unknown)
        return await translate_values(
            values, schema, locale=locale, resolve_entities=state.entities
        )

    return await translate_fresh(
        lambda refresh: _schema(state, entity_type, refresh=refresh), translate
    )


def _label_problems(labels: Mapping[str, Any], schema: CatalogSchema) -> list[Problem]:
    enabled = ", ".join(sorted(schema.locales))
    return [
        Problem(f"labels.{locale}", f"locale {locale!r} is not enabled; enabled: {enabled}")
        for locale in labels
        if locale not in schema.locales
    ]


def _label_changes(before: Mapping[str, str], after: Mapping[str, str]) -> list[Change]:
    return [
        change
        for locale in sorted(set(before) | set(after))
        for change in field_change(f"labels.{locale}", before.get(locale), after.get(locale))
    ]


def _refusal(problems: Sequence[Problem]) -> str:
    return "; ".join(str(problem) for problem in problems)


def _write_scope_error(error: InsufficientScopeError) -> InsufficientScopeError:
    """A write tool first reads the records; when that is refused, name both scopes it needs."""
    if error.required_scope in (None, WRITE_SCOPE):
        return error
    return InsufficientScopeError(
        status_code=error.status_code,
        problem={**error.problem, "required_scope": f"{error.required_scope} and {WRITE_SCOPE}"},
        method=error.method,
        path=error.path,
    )


async def _plan_creates(
    state: ToolState,
    entity_type: str,
    items: Sequence[NewEntity],
    locale: str | None,
) -> list[Plan]:
    schema = await _schema(state, entity_type)
    existing = await _existing(state, entity_type, [item.code for item in items])
    repeated = repeated_indexes([item.code for item in items])
    plans: list[Plan] = []
    for index, item in enumerate(items):
        plan = Plan(key=item.code)
        plans.append(plan)
        if index in repeated:
            plan.error = "given twice in this call; each record once"
            continue
        if item.code in existing:
            plan.error = "already exists; use update_entities to change it"
            continue
        labels = item.labels or {}
        problems = _label_problems(labels, schema)
        try:
            values = await _translate(state, entity_type, item.values or {}, locale=locale)
        except TranslationError as error:
            problems.extend(error.problems)
            values = {}
        if problems:
            plan.error = _refusal(problems)
            continue
        values = {
            code: [e for e in entries if e["data"] is not None] for code, entries in values.items()
        }
        plan.operation = {"op": "create", "code": item.code, "labels": labels, "values": values}
        plan.changes = [*_label_changes({}, labels), *value_changes(None, values)]
    return plans


async def _send(
    state: ToolState,
    entity_type: str,
    plans: Sequence[Plan],
    *,
    dry_run: bool,
    action: Literal["create", "update"],
) -> BatchOutput:
    """Send the planned items in one bulk call (unless a dry run) and report each."""

    async def send(operations: Sequence[Mapping[str, Any]]) -> Any:
        return await state.client.entities.bulk(entity_type, operations)

    return await finish(
        plans,
        kind="entity",
        dry_run=dry_run,
        send=send,
        audit=state.audit,
        tool=f"{action}_entities",
        target={"kind": "entity", "entity_type": entity_type},
        action=action,
        on_api_refusal=state.schema.invalidate,
        verify=read_back_verifier(lambda codes: _existing(state, entity_type, codes), action),
    )


@tool(
    name="create_entities",
    title="Create entity records",
    scope=WRITE_SCOPE,
    needs=(READ_SCOPE, "settings:read"),
    read_only=False,
    destructive=False,
    idempotent=False,
    declares_output=False,
    meta=REVIEWED_TOOL_META,
)
async def create_entities(
    ctx: Context[ToolState, Any],
    entity_type: EntityType,
    items: Annotated[list[NewEntity], Field(min_length=1, max_length=100)],
    locale: Locale = None,
    dry_run: DryRun = False,
) -> BatchOutput:
    """Add records of one entity type (values as in update_entities); each succeeds or fails alone."""
    state = state_of(ctx)
    try:
        plans = await _plan_creates(state, entity_type, items, locale)
    except InsufficientScopeError as error:
        raise _write_scope_error(error) from None
    output = await _send(state, entity_type, plans, dry_run=dry_run, action="create")
    if wants_review(ctx, dry_run):
        await _offer_review(state, "create_entities", entity_type, plans, {}, locale, output)
    return output


async def _plan_updates(
    state: ToolState,
    entity_type: str,
    items: Sequence[EntityChange],
    locale: str | None,
) -> tuple[list[Plan], dict[str, Entity]]:
    """A plan per item, and the records they were planned on (the review names them)."""
    schema = await _schema(state, entity_type)
    codes = [item.code for item in items]
    existing = await _existing(state, entity_type, codes)
    started = start_updates(
        codes,
        existing,
        missing=f"no such {entity_type}; search_entities finds codes, create_entities adds records",
    )
    for item, (plan, current) in zip(items, started, strict=True):
        if current is None:
            continue
        problems = _label_problems(item.labels or {}, schema)
        try:
            values = (
                await _translate(state, entity_type, item.values, locale=locale)
                if item.values
                else {}
            )
        except TranslationError as error:
            problems.extend(error.problems)
            values = {}
        if problems:
            plan.error = _refusal(problems)
            continue
        labels = dict(current.labels)
        for label_locale, text in (item.labels or {}).items():
            if text is None:
                labels.pop(label_locale, None)
            else:
                labels[label_locale] = text
        before = raw_values(current.values)
        # the schema again: translating may have reloaded it for an attribute created since
        values = keep_other_currencies(
            values, before, (await _schema(state, entity_type)).attributes
        )
        operation: dict[str, Any] = {"op": "update", "code": item.code}
        if labels != current.labels:
            operation["labels"] = labels  # the API replaces labels as a whole
        if values:
            operation["values"] = values
        settle_update(
            plan,
            changes=[*_label_changes(current.labels, labels), *value_changes(before, values)],
            expected_version=item.expected_version,
            current_version=current.version,
            updated_at=current.updated_at,
            operation=operation,
        )
    return [plan for plan, _ in started], existing


@tool(
    name="update_entities",
    title="Update entity records",
    scope=WRITE_SCOPE,
    needs=(READ_SCOPE, "settings:read"),
    read_only=False,
    destructive=True,
    idempotent=True,
    declares_output=False,
    meta=REVIEWED_TOOL_META,
)
async def update_entities(
    ctx: Context[ToolState, Any],
    entity_type: EntityType,
    items: Annotated[list[EntityChange], Field(min_length=1, max_length=100)],
    locale: Locale = None,
    dry_run: DryRun = False,
) -> BatchOutput:
    """Merge-update records of one entity type."""
    state = state_of(ctx)
    try:
        plans, existing = await _plan_updates(state, entity_type, items, locale)
    except InsufficientScopeError as error:
        raise _write_scope_error(error) from None
    output = await _send(state, entity_type, plans, dry_run=dry_run, action="update")
    if wants_review(ctx, dry_run):
        await _offer_review(state, "update_entities", entity_type, plans, existing, locale, output)
    return output


async def _offer_review(
    state: ToolState,
    tool_name: str,
    entity_type: str,
    plans: Sequence[Plan],
    existing: Mapping[str, Entity],
    locale: str | None,
    output: BatchOutput,
) -> None:
    """The dry run's review for the pane, from the type's definitions the dry run read (cached)."""
    schema = await _schema(state, entity_type)
    shown_locale = review_locale(schema, locale)
    await offer_review(
        state,
        output,
        ReviewSource(
            tool=tool_name,
            kind="entity",
            entity_type=entity_type,
            plans=plans,
            attributes=schema.attributes,
            locale=shown_locale,
            faces=entity_faces(plans, existing, shown_locale),
        ),
    )


def send_reviewed(
    state: ToolState, entity_type: str, action: Literal["create", "update"]
) -> tuple[Any, Verify]:
    """How apply_reviewed_changes sends approved entity writes: the bulk call and its read-back."""

    async def send(operations: Sequence[Mapping[str, Any]]) -> Any:
        return await state.client.entities.bulk(entity_type, operations)

    return send, read_back_verifier(lambda codes: _existing(state, entity_type, codes), action)


TOOLS = [search_entities, get_entity, create_entities, update_entities]
