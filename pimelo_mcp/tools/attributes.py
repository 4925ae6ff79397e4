"""Attribute tools: search_attributes, create_attribute, update_attribute.

Options may be written as plain labels ("Navy blue" → code `navy_blue`, labelled for en_US,
or the first enabled locale by code without en_US) or as {code, labels}. Updates merge
labels, options and validation (null removes a key); `remove_options` drops options.
Every write is journaled and refreshes the schema cache so product writes see it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Annotated, Any

from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pimelo_mcp.client import (
    APIStatusError,
    Attribute,
    AttributeSet,
    InsufficientScopeError,
    NotFoundError,
    PimeloError,
    PreconditionFailedError,
)
from pimelo_mcp.client import ValidationError as RefusedError
from pimelo_mcp.client._client import is_unknown_outcome
from pimelo_mcp.client._deadline import keep_back, read_back_reserve, settle_write
from pimelo_mcp.tools.batch import Change, field_change
from pimelo_mcp.tools.common import Cursor, DryRun, ExpectedVersion, Limit, NewCode, Query, state_of
from pimelo_mcp.tools.cursors import bind, refusing_stale_cursors, unbind
from pimelo_mcp.tools.registry import ToolOutput, tool
from pimelo_mcp.tools.render import shown, shown_change
from pimelo_mcp.tools.state import ToolState
from pimelo_mcp.translate.definitions import AttributeType

WITH_OPTIONS = ("select", "multiselect")
DEFAULT_LOCALE = "en_US"


class AttributeView(BaseModel):
    code: str
    type: str
    label: str | None = None
    group: str | None = None
    localizable: bool
    scopable: bool
    options: dict[str, str] | None = None  # option code → label
    validation: dict[str, Any] | None = None
    entity_type: str | None = None
    version: int | None = None

    def line(self) -> str:
        flags = [
            f for f, on in (("localizable", self.localizable), ("scopable", self.scopable)) if on
        ]
        extra = [self.type, *flags]
        if self.entity_type:
            extra.append(f"of {self.entity_type}")
        text = f"{self.code} ({', '.join(extra)})"
        if self.label:
            text += f' "{self.label}"'
        if self.validation:
            text += f" ({shown(self.validation)})"
        if self.options:
            text += "; options: " + ", ".join(f"{c}={label}" for c, label in self.options.items())
        return text


def _label(labels: Mapping[str, str]) -> str | None:
    return labels.get(DEFAULT_LOCALE) or next(iter(labels.values()), None)


def attribute_view(attribute: Attribute) -> AttributeView:
    return AttributeView(
        code=attribute.code,
        type=attribute.type,
        label=_label(attribute.labels),
        group=attribute.group,
        localizable=attribute.localizable,
        scopable=attribute.scopable,
        options={o.code: _label(o.labels) or o.code for o in attribute.options} or None,
        validation=attribute.validation or None,
        entity_type=attribute.entity_type,
        version=attribute.version,
    )


class AttributePage(ToolOutput):
    items: list[AttributeView]
    requirements: dict[str, list[str]] | None = None  # attribute_set's: channel → required codes
    image_attribute: str | None = None  # ... and its image attribute
    attribute_sets: list[str] | None = None  # every set code (first page only)
    next_cursor: str | None = None

    def text(self) -> str:
        lines = [item.line() for item in self.items] or ["No attributes match."]
        lines.extend(
            f"required for {channel}: {', '.join(codes) or 'nothing'}"
            for channel, codes in (self.requirements or {}).items()
        )
        if self.image_attribute:
            lines.append(f"image attribute: {self.image_attribute}")
        if self.attribute_sets:
            lines.append(f"Attribute sets: {', '.join(self.attribute_sets)}")
        if self.next_cursor:
            lines.append(f"More: call again with cursor={self.next_cursor}")
        return "\n".join(lines)


@tool(
    name="search_attributes",
    title="Search attributes",
    scope="attributes:read",
    read_only=True,
    destructive=False,
    idempotent=True,
)
async def search_attributes(
    ctx: Context[ToolState, Any],
    query: Query = None,
    type: str | None = None,
    codes: list[str] | None = None,
    attribute_set: Annotated[str | None, Field(description="With its requirements.")] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> AttributePage:
    """Attribute definitions and attribute set codes; use before writing values or filters."""
    state = state_of(ctx)
    client = state.client
    found: AttributeSet | None = None
    if attribute_set is not None:
        sets = await state.schema.attribute_sets()
        found = sets.get(attribute_set)
        if found is None:
            found = await _fresh_set(state, attribute_set, sets)
    binding = {"query": query, "type": type, "codes": codes, "attribute_set": attribute_set}
    async with refusing_stale_cursors():
        page = await client.attributes.list(
            codes=codes,
            type=type,
            attribute_set=attribute_set,
            search=query,
            limit=limit,
            search_after=unbind(cursor, binding),
        )
    all_sets = None if cursor else sorted(await state.schema.attribute_sets())
    return AttributePage(
        items=[attribute_view(a) for a in page.items],
        requirements=found.requirements if found else None,
        image_attribute=found.image_attribute if found else None,
        attribute_sets=all_sets,
        next_cursor=bind(page.next_cursor, binding),
    )


async def _fresh_set(
    state: ToolState, code: str, cached: Mapping[str, AttributeSet]
) -> AttributeSet:
    sets = await state.schema.attribute_sets(refresh=True)
    found = sets.get(code)
    if found is None:
        raise ToolError(f"No attribute set {code!r}; sets: {', '.join(sorted(sets or cached))}.")
    return found


class NewOption(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: NewCode
    labels: dict[str, str | None] = Field(default_factory=dict[str, str | None])


# Checked in the tool (option_payload): a schema for the object form costs more than it says.
OptionInput = list[str | dict[str, Any]]


def slug(text: str) -> str:
    """A code made from a label: "Bleu marine" → bleu_marine."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")[:100]


def option_payload(options: Sequence[str | dict[str, Any]], locale: str) -> list[dict[str, Any]]:
    """API options from plain labels or {code, labels}; refuses duplicate or empty codes."""
    result: list[dict[str, Any]] = []
    seen: set[str] = set()
    for option in options:
        if isinstance(option, str):
            code, labels = slug(option), {locale: option.strip()}
        else:
            try:
                parsed = NewOption.model_validate(option)
            except ValidationError:
                raise ToolError(
                    f'Option {option!r} must be a label or {{"code": "navy", "labels": {{"en_US": "Navy"}}}} '
                    "(code: lowercase letters, digits, _). Nothing was written."
                ) from None
            code, labels = parsed.code, dict(parsed.labels)
        if not code:
            raise ToolError(f"Option {option!r} gives no code; write it as {{code, labels}}.")
        if code in seen:
            raise ToolError(f"Option code {code!r} appears twice; give each option once.")
        seen.add(code)
        result.append({"code": code, "labels": labels})
    return result


OPTIONS_AS_LABELS = (
    "options given as plain labels (the locale they are in); {code, labels} works without it"
)


async def _label_locale(state: ToolState) -> str:
    locales = (await state.schema.products()).locales
    return DEFAULT_LOCALE if DEFAULT_LOCALE in locales or not locales else min(locales)


async def _option_payload(
    state: ToolState, options: Sequence[str | dict[str, Any]]
) -> list[dict[str, Any]]:
    """`option_payload`, reading the enabled locales (settings:read) only for plain labels."""
    plain = any(isinstance(option, str) for option in options)
    return option_payload(options, await _label_locale(state) if plain else DEFAULT_LOCALE)


class AttributeCreated(ToolOutput):
    dry_run: bool
    attribute: AttributeView
    sets: dict[str, str] | None = None  # attribute set → "added", "already there" or why not

    def text(self) -> str:
        verb = "Dry run, nothing written: would create" if self.dry_run else "Created"
        lines = [f"{verb} {self.attribute.line()}"]
        lines.extend(f"set {code}: {outcome}" for code, outcome in (self.sets or {}).items())
        missed = [code for code, outcome in (self.sets or {}).items() if outcome.startswith("not")]
        if missed:
            lines.append(
                f"{self.attribute.code} WAS created but is not in {', '.join(missed)}: add it "
                "there in Pimelo (Settings > Attribute sets); no tool adds an existing "
                "attribute to a set, and create_attribute again would say it exists."
            )
        return "\n".join(lines)


class AttributeUpdated(ToolOutput):
    dry_run: bool
    code: str
    version: int | None = None
    changes: list[Change]

    def text(self) -> str:
        if not self.changes:
            return f"{self.code}: nothing to change (version {self.version})."
        verb = (
            "Dry run, nothing written: would change"
            if self.dry_run
            else f"Changed (now version {self.version})"
        )
        lines = [f"{verb} {self.code}:"]
        lines.extend(
            f"{c.field}: {shown_change(c.before)} → {shown_change(c.after)}" for c in self.changes
        )
        return "\n".join(lines)


@tool(
    name="create_attribute",
    title="Create an attribute",
    scope="attributes:write",
    needs=("attributes:read",),
    extras={"settings:read": OPTIONS_AS_LABELS},
    read_only=False,
    destructive=False,
    idempotent=False,
    declares_output=False,
)
async def create_attribute(
    ctx: Context[ToolState, Any],
    code: NewCode,
    type: AttributeType,
    labels: Annotated[dict[str, str] | None, Field(description="By locale.")] = None,
    group: str | None = None,
    localizable: bool | None = None,
    scopable: Annotated[bool | None, Field(description="Differs per channel.")] = None,
    options: Annotated[
        OptionInput | None, Field(description="'Navy blue' or {code, labels}.")
    ] = None,
    validation: Annotated[
        dict[str, Any] | None, Field(description="e.g. max_length, allowed_units.")
    ] = None,
    entity_type: Annotated[str | None, Field(description="For entity types.")] = None,
    attribute_sets: list[str] | None = None,
    dry_run: DryRun = False,
) -> AttributeCreated:
    """Create an attribute (options for select/multiselect)."""
    state = state_of(ctx)
    client = state.client
    if options and type not in WITH_OPTIONS:
        raise ToolError(f"Only select and multiselect attributes have options, not {type}.")
    if type == "metric" and not (validation or {}).get("allowed_units"):
        raise ToolError(
            'A metric attribute needs validation.allowed_units, e.g. {"allowed_units": ["GRAM", "KILOGRAM"]}.'
        )
    if type in ("entity", "entities") and not entity_type:
        raise ToolError(f"A {type} attribute needs entity_type (search_entities lists them).")
    try:
        await client.attributes.retrieve(code)
        raise ToolError(f"Attribute {code!r} already exists; use update_attribute to change it.")
    except NotFoundError:
        pass
    sets: Mapping[str, AttributeSet] = (
        await state.schema.attribute_sets(refresh=True) if attribute_sets else {}
    )
    unknown = [s for s in attribute_sets or [] if s not in sets]
    if unknown:
        raise ToolError(
            f"No attribute set {', '.join(unknown)}; sets: {', '.join(sorted(sets))}. Nothing was created."
        )
    option_list = await _option_payload(state, options) if options else None
    payload: dict[str, Any] = {
        "labels": labels or {},
        "group": group,
        "localizable": bool(localizable),
        "scopable": bool(scopable),
        "validation": validation or {},
        "entity_type": entity_type,
    }
    if option_list is not None:
        payload["options"] = [{**o, "labels": _merge({}, o["labels"])} for o in option_list]
    if dry_run:
        preview = Attribute.model_validate({"code": code, "type": type, **payload})
        return AttributeCreated(
            dry_run=True,
            attribute=attribute_view(preview),
            sets=dict.fromkeys(attribute_sets or [], "would be added") or None,
        )
    created = await _create_or_find_out(state, code, type, payload)
    state.schema.invalidate()
    state.audit.record(
        tool="create_attribute",
        target={"kind": "attribute", "code": code},
        before=None,
        after=created.model_dump(mode="json", exclude={"created_at", "updated_at", "version"}),
        version_before=None,
        version_after=created.version,
    )
    outcomes: dict[str, str] = {}
    for set_code in attribute_sets or []:
        outcomes[set_code] = await _add_to_set(state, set_code, code)
    state.schema.invalidate()
    return AttributeCreated(dry_run=False, attribute=attribute_view(created), sets=outcomes or None)


async def _create_or_find_out(
    state: ToolState, code: str, type: str, payload: dict[str, Any]
) -> Attribute:
    """Create the attribute; when every answer was lost, read it back (it did not exist before
    this call, so an attribute of that code and type now is this call's)."""
    try:
        with keep_back(read_back_reserve()):
            return await state.client.attributes.create(code=code, type=type, **payload)
    except PimeloError as error:
        if not is_unknown_outcome(error):
            raise
        try:
            found = await state.client.attributes.retrieve(code)
        except NotFoundError:
            settle_write("POST /attributes")  # definite: not created
            raise error from None
        except PimeloError:
            raise error from None  # stays unsettled: outcome unknown
        if found.type != type:
            raise error from None
        settle_write("POST /attributes")
        return found


async def _add_to_set(state: ToolState, set_code: str, code: str) -> str:
    """Append the attribute to a set (PATCH of its attribute list, guarded by its version)."""
    try:
        current = await state.client.attribute_sets.retrieve(set_code)
        if code in current.attributes:
            return "already there"
        after = [*current.attributes, code]
        updated = await state.client.attribute_sets.update(
            set_code, attributes=after, expected_version=current.version
        )
    except Exception as error:  # the attribute exists now; report the set and go on
        return f"not added: {_why_not_added(error)}"
    state.audit.record(
        tool="create_attribute",
        target={"kind": "attribute_set", "code": set_code},
        before={"attributes": current.attributes},
        after={"attributes": after},
        version_before=current.version,
        version_after=updated.version,
    )
    return "added"


def _why_not_added(error: Exception) -> str:
    """The precise cause of a failed add-to-set, in words a model can relay."""
    if isinstance(error, PreconditionFailedError):
        return "the set changed meanwhile (someone else edited it)"
    if isinstance(error, InsufficientScopeError):
        return f"the token lacks {error.required_scope or 'the scope to change attribute sets'}"
    if isinstance(error, NotFoundError):
        return "the set no longer exists"
    if isinstance(error, RefusedError):
        reasons = "; ".join(f"{e.field}: {e.message}" for e in error.errors)
        return f"Pimelo refused it ({reasons or error.detail or error.title})"
    if isinstance(error, APIStatusError):
        return f"Pimelo answered HTTP {error.status_code} ({error.detail or error.title})"
    return f"{type(error).__name__}: {error}"


def _merge(current: Mapping[str, Any], patch: Mapping[str, Any] | None) -> dict[str, Any]:
    merged = dict(current)
    for key, value in (patch or {}).items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


@tool(
    name="update_attribute",
    title="Update an attribute",
    scope="attributes:write",
    needs=("attributes:read",),
    extras={"settings:read": OPTIONS_AS_LABELS},
    read_only=False,
    destructive=True,
    idempotent=True,
    declares_output=False,
)
async def update_attribute(
    ctx: Context[ToolState, Any],
    code: str,
    labels: dict[str, str | None] | None = None,
    options: Annotated[OptionInput | None, Field(description="Added or relabeled.")] = None,
    remove_options: Annotated[list[str] | None, Field(description="Option codes.")] = None,
    validation: dict[str, Any] | None = None,
    group: str | None = None,
    type: str | None = None,  # refused unless unchanged: its error says what to do instead
    expected_version: ExpectedVersion = None,
    dry_run: DryRun = False,
) -> AttributeUpdated:
    """Change an attribute's labels, options, validation or group (maps merge, null removes; type is fixed)."""
    state = state_of(ctx)
    current = await state.client.attributes.retrieve(code)
    if type is not None and type != current.type:
        raise ToolError(
            f"The type of {code} cannot change (it is {current.type}): create a new attribute "
            f"of type {type} with create_attribute and move the values. Nothing was changed."
        )
    if expected_version is not None and expected_version != current.version:
        raise ToolError(
            f"stale: you expected version {expected_version}, {code} is at version "
            f"{current.version}; search_attributes shows it now. Nothing was changed."
        )
    if (options or remove_options) and current.type not in WITH_OPTIONS:
        raise ToolError(
            f"{code} is a {current.type} attribute: only select/multiselect have options."
        )
    changes: list[Change] = []
    patch: dict[str, Any] = {}
    if labels:
        new_labels = _merge(current.labels, labels)
        changes += [
            c
            for locale in sorted(set(current.labels) | set(new_labels))
            for c in field_change(
                f"labels.{locale}", current.labels.get(locale), new_labels.get(locale)
            )
        ]
        if new_labels != current.labels:
            patch["labels"] = new_labels
    if options or remove_options:
        before = {o.code: dict(o.labels) for o in current.options}
        after = dict(before)
        missing = [c for c in remove_options or [] if c not in before]
        if missing:
            raise ToolError(
                f"{code} has no option {', '.join(missing)}; its options: {', '.join(before)}."
            )
        for option in await _option_payload(state, options or []):
            after[option["code"]] = _merge(after.get(option["code"], {}), option["labels"])
        for removed in remove_options or []:
            after.pop(removed, None)
        for option_code in [*before, *(c for c in after if c not in before)]:
            changes += field_change(
                f"options.{option_code}", before.get(option_code), after.get(option_code)
            )
        if after != before:
            patch["options"] = [{"code": c, "labels": labels} for c, labels in after.items()]
    if validation:
        new_validation = _merge(current.validation, validation)
        changes += [
            c
            for key in sorted(set(current.validation) | set(new_validation))
            for c in field_change(
                f"validation.{key}", current.validation.get(key), new_validation.get(key)
            )
        ]
        if new_validation != current.validation:
            patch["validation"] = new_validation
    if group is not None and group != current.group:
        changes += field_change("group", current.group, group)
        patch["group"] = group
    if dry_run or not patch:
        return AttributeUpdated(
            dry_run=dry_run, code=code, version=current.version, changes=changes
        )
    updated = await state.client.attributes.update(
        code, **patch, expected_version=expected_version or current.version
    )
    state.schema.invalidate()
    state.audit.record(
        tool="update_attribute",
        target={"kind": "attribute", "code": code},
        before={c.field: c.before for c in changes},
        after={c.field: c.after for c in changes},
        version_before=current.version,
        version_after=updated.version,
    )
    return AttributeUpdated(dry_run=False, code=code, version=updated.version, changes=changes)


TOOLS = [search_attributes, create_attribute, update_attribute]
