"""Filters as a model writes them (`{"attribute": "color", "op": "in", "value": ["red"]}`)
plus shortcuts (`status`, `category`, `incomplete_for_channel`, `updated_since`) → the API's
filter object, with each operator checked against the field's type before any request.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal, cast, get_args

from pimelo_mcp.translate.data import CODE, parse_data, parse_number
from pimelo_mcp.translate.definitions import AttributeDef, CatalogSchema
from pimelo_mcp.translate.errors import DataError, Problem, TranslationError
from pimelo_mcp.translate.resolve import (
    EntityRef,
    EntityResolver,
    refs_in,
    resolve_refs,
    substitute,
)
from pimelo_mcp.translate.values import unknown_attribute_message

Target = Literal["product", "entity"]

OperatorWord = Literal[
    "eq",
    "ne",
    "in",
    "not_in",
    "contains",
    "not_contains",
    "starts_with",
    "empty",
    "not_empty",
    "lt",
    "lte",
    "gt",
    "gte",
    "between",
    "since_days",
]

# The model's operator words → the API's operators. The API's own spellings work too.
OPERATORS: dict[OperatorWord, str] = {
    "eq": "=",
    "ne": "!=",
    "in": "IN",
    "not_in": "NOT IN",
    "contains": "CONTAINS",
    "not_contains": "DOES NOT CONTAIN",
    "starts_with": "STARTS WITH",
    "empty": "EMPTY",
    "not_empty": "NOT EMPTY",
    "lt": "<",
    "lte": "<=",
    "gt": ">",
    "gte": ">=",
    "between": "BETWEEN",
    "since_days": "SINCE LAST N DAYS",
}
OPERATOR_WORDS: tuple[str, ...] = get_args(OperatorWord)
_API_TO_WORD: dict[str, OperatorWord] = {api: word for word, api in OPERATORS.items()}

_EQUALITY = ("eq", "ne", "in", "not_in")
_TEXT = (*_EQUALITY, "starts_with", "contains", "not_contains")
_ORDER = ("eq", "ne", "lt", "lte", "gt", "gte", "between")
_PRESENCE = ("empty", "not_empty")

# Which operators each attribute type and system field takes (docs/pimelo-api.md, search bodies).
TYPE_OPERATORS: dict[str, tuple[str, ...]] = {
    "text": (*_TEXT, *_PRESENCE),
    "textarea": (*_TEXT, *_PRESENCE),
    "number": (*_ORDER, *_PRESENCE),
    "boolean": ("eq", "ne", *_PRESENCE),
    "date": (*_ORDER, "since_days", *_PRESENCE),
    "select": (*_EQUALITY, *_PRESENCE),
    "multiselect": ("in", "not_in", *_PRESENCE),
    "price": (*_ORDER, *_PRESENCE),
    "metric": (*_ORDER, *_PRESENCE),
    "media": _PRESENCE,
    "entity": (*_EQUALITY, *_PRESENCE),
    "entities": ("in", "not_in", *_PRESENCE),
}
SYSTEM_OPERATORS: dict[str, tuple[str, ...]] = {
    "identifier": _TEXT,
    "code": _TEXT,
    "status": _EQUALITY,
    "attribute_set": _EQUALITY,
    "categories": ("in", "not_in", *_PRESENCE),
    "created": (*_ORDER, "since_days"),
    "updated": (*_ORDER, "since_days"),
    "completeness": ("eq", "ne", "lt", "lte", "gt", "gte"),
}
PRODUCT_FIELDS = (
    "identifier",
    "status",
    "attribute_set",
    "categories",
    "created",
    "updated",
    "completeness",
)
ENTITY_FIELDS = ("code", "created", "updated")
STATUSES = ("draft", "active", "archived")


@dataclass(frozen=True)
class FilterCondition:
    attribute: str
    op: str
    value: Any = None
    locale: str | None = None
    channel: str | None = None


@dataclass(frozen=True)
class FilterShortcuts:
    """Top-level shortcuts of search_products; each becomes one ordinary condition."""

    status: str | Sequence[str] | None = None
    attribute_set: str | Sequence[str] | None = None
    category: str | Sequence[str] | None = None
    incomplete_for_channel: str | None = None
    incomplete_for_locale: str | None = None
    updated_since: str | int | None = None


def _word(op: str) -> OperatorWord | None:
    folded = op.strip().lower().replace(" ", "_")
    if folded in OPERATOR_WORDS:
        return cast(OperatorWord, folded)
    return _API_TO_WORD.get(op.strip().upper())


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, list | tuple):
        return list(cast(Sequence[Any], value))
    if isinstance(value, str) and "," in value:
        return [part.strip() for part in value.split(",") if part.strip()]
    return [value]


def _timestamp(value: Any) -> str:
    if isinstance(value, str):
        text = value.strip()
        try:
            if len(text) == 10:
                return date.fromisoformat(text).isoformat()
            return (
                datetime.fromisoformat(text.replace("Z", "+00:00"))
                .isoformat()
                .replace("+00:00", "Z")
            )
        except ValueError:
            pass
    raise DataError(
        f'expects a date or time, e.g. "2026-11-01" or "2026-11-01T09:00:00Z"; got {value!r}'
    )


def _days(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str) and value.strip().rstrip("d").isdigit():
        return int(value.strip().rstrip("d"))
    raise DataError(f"since_days expects a whole number of days ≥ 0, e.g. 7; got {value!r}")


class _Translator:
    def __init__(
        self, schema: CatalogSchema, target: Target, locale: str | None, channel: str | None
    ) -> None:
        self.schema = schema
        self.target = target
        self.locale = locale
        self.channel = channel

    def condition(self, condition: FilterCondition) -> tuple[str, dict[str, Any]]:
        field = condition.attribute
        word = _word(condition.op)
        system = PRODUCT_FIELDS if self.target == "product" else ENTITY_FIELDS
        attribute = self.schema.attributes.get(field)
        if field in system:
            allowed = SYSTEM_OPERATORS[field]
            kind = field
        elif attribute is not None:
            allowed = TYPE_OPERATORS[attribute.type]
            kind = attribute.type
        elif not self.schema.attributes_known:
            raise DataError(
                "filtering on an attribute needs its definition, and this token lacks the "
                f"attributes:read scope to read it: filter on {', '.join(system)} or the "
                "shortcuts instead, or ask the user to add attributes:read to the token "
                "(Pimelo, Settings > API Tokens)"
            )
        else:
            raise DataError(
                unknown_attribute_message(field, self.schema.attributes)
                + f" (fields that are not attributes: {', '.join(system)})"
            )
        if word is None or word not in allowed:
            raise DataError(
                f"{field} ({kind}) takes the operators {', '.join(allowed)}; got {condition.op!r}"
            )
        api: dict[str, Any] = {"operator": OPERATORS[word]}
        if word not in _PRESENCE:
            if condition.value is None:
                raise DataError(f"operator {word} needs a value")
            if word in ("eq", "ne") and isinstance(condition.value, list | tuple):
                other = "in" if word == "eq" else "not_in"
                raise DataError(f"{word} compares with one value; for a list use {other}")
            api["value"] = (
                self._system_value(field, word, condition.value, api)
                if attribute is None or field in system
                else self._attribute_value(attribute, word, condition.value, api)
            )
        self._place(field, attribute if field not in system else None, condition, api)
        return field, api

    def _place(
        self,
        field: str,
        attribute: AttributeDef | None,
        condition: FilterCondition,
        api: dict[str, Any],
    ) -> None:
        if field == "completeness":
            channel = condition.channel or self.channel
            if channel is None:
                raise DataError(
                    'completeness needs a channel, e.g. {"attribute": "completeness", "op": "lt", "value": 100, "channel": "ecommerce"}'
                )
            self._check_channel(channel, condition.locale)
            api["channel"] = channel
            if condition.locale:
                api["locale"] = condition.locale
            return
        localizable = attribute is not None and attribute.localizable
        scopable = attribute is not None and attribute.scopable
        if condition.locale is not None:
            if not localizable:
                raise DataError(f"{field} is not localizable: remove locale")
            if self.schema.settings_known and condition.locale not in self.schema.locales:
                raise DataError(
                    f"locale {condition.locale!r} is not enabled; enabled: {', '.join(sorted(self.schema.locales))}"
                )
            api["locale"] = condition.locale
        if condition.channel is not None:
            if not scopable:
                raise DataError(f"{field} is the same on every channel: remove channel")
            self._check_channel(condition.channel, condition.locale)
            api["channel"] = condition.channel

    def _check_channel(self, channel: str, locale: str | None) -> None:
        if not self.schema.settings_known:
            return  # no channels to check against: the API checks the code
        known = self.schema.channels.get(channel)
        if known is None:
            raise DataError(
                f"channel {channel!r} does not exist; channels: {', '.join(sorted(self.schema.channels))}"
            )
        if locale is not None and locale not in known.locales:
            raise DataError(
                f"channel {channel} is not sold in {locale}; its locales: {', '.join(known.locales)}"
            )

    def _system_value(self, field: str, word: str, value: Any, api: dict[str, Any]) -> Any:
        many = word in ("in", "not_in")
        if field in ("created", "updated"):
            if word == "since_days":
                return _days(value)
            if word == "between":
                return _pair(value, _timestamp)
            return _timestamp(value)
        if field == "completeness":
            percent = parse_number(
                value,
                AttributeDef(code="completeness", type="number", validation={"min": 0, "max": 100}),
            )
            return percent
        if field == "status":
            items = [str(item).strip().lower() for item in _as_list(value)]
            wrong = [item for item in items if item not in STATUSES]
            if wrong:
                raise DataError(f"status is one of {', '.join(STATUSES)}; got {', '.join(wrong)}")
            return items if many else items[0]
        if field in ("attribute_set", "categories"):
            items = [str(item).strip() for item in _as_list(value)]
            wrong = [item for item in items if not CODE.match(item)]
            if wrong:
                raise DataError(
                    f"{field} takes codes (lowercase letters, digits, _); got {', '.join(wrong)}"
                )
            return items if (many or field == "categories") else items[0]
        # identifier / code
        items = [str(item) for item in _as_list(value)] if many else [str(value)]
        return items if many else items[0]

    def _attribute_value(
        self, attribute: AttributeDef, word: str, value: Any, api: dict[str, Any]
    ) -> Any:
        kind = attribute.type
        unbounded = _unbounded(attribute)

        def parse_one(item: Any) -> Any:
            return parse_data(item, unbounded, self.schema.currencies)

        if word == "since_days":
            return _days(value)
        if kind == "price":
            if word == "between":
                low, high = (prices[0] for prices in _pair(value, parse_one))
                if low["currency"] != high["currency"]:
                    raise DataError(
                        'between takes two amounts in one currency, e.g. ["10 EUR", "50 EUR"]'
                    )
                api["currency"] = low["currency"]
                return [low["amount"], high["amount"]]
            return parse_one(value)[0]
        if word == "between":
            return _pair(value, parse_one)
        if kind in ("entity", "entities"):
            items = _as_list(value) if (word in ("in", "not_in") or kind == "entities") else [value]
            refs = [EntityRef(str(attribute.entity_type), str(item).strip()) for item in items]
            return refs if word in ("in", "not_in") or kind == "entities" else refs[0]
        if word in ("in", "not_in") or kind == "multiselect":
            single = (
                AttributeDef(code=attribute.code, type="select", options=attribute.options)
                if kind in ("select", "multiselect")
                else _unbounded(attribute)
            )
            return [parse_data(item, single, self.schema.currencies) for item in _as_list(value)]
        if kind in ("text", "textarea"):
            if not isinstance(value, str | int | float) or isinstance(value, bool):
                raise DataError(f"expects text; got {value!r}")
            return str(value)
        return parse_one(value)


def _pair(value: Any, parse: Callable[[Any], Any]) -> list[Any]:
    if not isinstance(value, list | tuple) or len(cast(Sequence[Any], value)) != 2:
        raise DataError(f"between expects [from, to]; got {value!r}")
    low, high = cast(Sequence[Any], value)
    return [parse(low), parse(high)]


def _unbounded(attribute: AttributeDef) -> AttributeDef:
    """The attribute without its write-time bounds: a filter may ask for `price > 0` on any price."""
    allowed_units = attribute.validation.get("allowed_units")
    validation = {"allowed_units": allowed_units} if allowed_units else {}
    return AttributeDef(
        code=attribute.code,
        type=attribute.type,
        options=attribute.options,
        validation=validation,
        entity_type=attribute.entity_type,
    )


async def translate_filters(
    conditions: Sequence[FilterCondition],
    schema: CatalogSchema,
    *,
    target: Target = "product",
    shortcuts: FilterShortcuts | None = None,
    locale: str | None = None,
    channel: str | None = None,
    resolve_entities: EntityResolver | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """The API filter object for these conditions and shortcuts, or TranslationError."""
    translator = _Translator(schema, target, locale, channel)
    problems: list[Problem] = []
    placed: list[tuple[str, str, dict[str, Any]]] = []  # (where in the input, field, API condition)
    named = [(f"filters[{index}]", condition) for index, condition in enumerate(conditions)]
    for where, condition in [*named, *_shortcut_conditions(shortcuts)]:
        try:
            field, api = translator.condition(condition)
        except DataError as error:
            prefix = f"{condition.attribute}: " if where.startswith("filters[") else ""
            problems.append(Problem(where, f"{prefix}{error}"))
            continue
        placed.append((where, field, api))
    if shortcuts and shortcuts.incomplete_for_locale and not shortcuts.incomplete_for_channel:
        problems.append(
            Problem(
                "incomplete_for_locale",
                "goes with incomplete_for_channel: completeness is per channel (list_channels)",
            )
        )
    problems.extend(await _resolve(placed, resolve_entities))
    if problems:
        raise TranslationError(problems)
    result: dict[str, list[dict[str, Any]]] = {}
    for _, field, api in placed:
        result.setdefault(field, []).append(api)
    return result


def _shortcut_conditions(shortcuts: FilterShortcuts | None) -> list[tuple[str, FilterCondition]]:
    if shortcuts is None:
        return []
    found: list[tuple[str, FilterCondition]] = []
    for name, field in (
        ("status", "status"),
        ("attribute_set", "attribute_set"),
        ("category", "categories"),
    ):
        value = getattr(shortcuts, name)
        if value is not None:
            found.append((name, FilterCondition(field, "in", _as_list(value))))
    if shortcuts.incomplete_for_channel is not None:
        found.append(
            (
                "incomplete_for_channel",
                FilterCondition(
                    "completeness",
                    "lt",
                    100,
                    locale=shortcuts.incomplete_for_locale,
                    channel=shortcuts.incomplete_for_channel,
                ),
            )
        )
    if shortcuts.updated_since is not None:
        since = shortcuts.updated_since
        if isinstance(since, int) and not isinstance(since, bool):
            found.append(("updated_since", FilterCondition("updated", "since_days", since)))
        else:
            found.append(("updated_since", FilterCondition("updated", "gte", since)))
    return found


async def _resolve(
    placed: list[tuple[str, str, dict[str, Any]]],
    resolver: EntityResolver | None,
) -> list[Problem]:
    """Replace entity names in condition values by codes, asking once per entity type."""
    resolved = await resolve_refs(
        (ref for _, _, api in placed for ref in refs_in(api.get("value"))), resolver
    )
    problems: list[Problem] = []
    for where, field, api in placed:
        if refs_in(api.get("value")):
            api["value"], failures = substitute(api["value"], resolved)
            problems.extend(Problem(where, f"{field}: {failure}") for failure in failures)
    return problems
