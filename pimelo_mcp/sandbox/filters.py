"""Search filters: each operator of the contract's table turned into SQL, with 422s on misuse."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from pimelo_mcp.sandbox.jsonutil import (
    JSON,
    as_dict,
    as_list,
    day_start,
    expect_str,
    finite_float,
    format_ts,
    is_number,
    member_dict,
    member_list,
    next_day_start,
    parse_date,
    parse_ts,
)
from pimelo_mcp.sandbox.problems import FieldErrors
from pimelo_mcp.sandbox.store import Store
from pimelo_mcp.sandbox.values import PRICE_RE, UNITS

STRING_OPS = ("=", "!=", "IN", "NOT IN", "STARTS WITH", "CONTAINS", "DOES NOT CONTAIN")
SET_OPS = ("=", "!=", "IN", "NOT IN")
COMPARE_OPS = ("=", "!=", "<", "<=", ">", ">=")
EMPTY_OPS = ("EMPTY", "NOT EMPTY")
LIST_OPS = ("IN", "NOT IN", *EMPTY_OPS)

OPERATORS: dict[str, tuple[str, ...]] = {
    "text": (*STRING_OPS, *EMPTY_OPS),
    "textarea": (*STRING_OPS, *EMPTY_OPS),
    "number": (*COMPARE_OPS, "BETWEEN", *EMPTY_OPS),
    "boolean": ("=", "!=", *EMPTY_OPS),
    "date": (*COMPARE_OPS, "BETWEEN", "SINCE LAST N DAYS", *EMPTY_OPS),
    "select": (*SET_OPS, *EMPTY_OPS),
    "multiselect": LIST_OPS,
    "price": (*COMPARE_OPS, "BETWEEN", *EMPTY_OPS),
    "metric": (*COMPARE_OPS, "BETWEEN", *EMPTY_OPS),
    "media": EMPTY_OPS,
    "entity": (*SET_OPS, *EMPTY_OPS),
    "entities": LIST_OPS,
}
STATUSES = ("draft", "active", "archived")
CONDITION_KEYS = {"operator", "value", "locale", "channel"}
# Negative operators are the negation of their positive twin: a record without the value
# matches `!=`, `NOT IN` and `DOES NOT CONTAIN`.
NEGATIONS = {"!=": "=", "NOT IN": "IN", "DOES NOT CONTAIN": "CONTAINS", "NOT EMPTY": "EMPTY"}
SQL_COMPARE = {"=": "=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}

DATA = "json_extract(v.value, '$.data')"
NON_EMPTY = (
    "(CASE json_type(v.value, '$.data') WHEN 'array' THEN json_array_length(v.value, '$.data') > 0"
    " WHEN 'text' THEN json_extract(v.value, '$.data') <> '' WHEN 'null' THEN 0 ELSE 1 END)"
)
METRIC_BASE = (
    "(json_extract(v.value, '$.data.amount') * (CASE json_extract(v.value, '$.data.unit') "
    + " ".join(f"WHEN '{unit}' THEN {factor!r}" for unit, (_, factor) in UNITS.items())
    + " ELSE NULL END))"
)


class _Skip(Exception):
    """This condition is invalid; its error has been recorded."""


@dataclass
class FilterScope:
    """What a search's filters are checked and compiled against."""

    kind: str  # "product" or "entity"
    attributes: Mapping[str, JSON]
    store: Store
    locale: str | None
    channel: str | None
    field: str = "filters"


@dataclass
class Sql:
    """A WHERE fragment with its parameters."""

    where: list[str]
    params: list[Any]

    def add(self, clause: str, *params: Any) -> None:
        self.where.append(clause)
        self.params.extend(params)


def compile_filters(raw: Any, scope: FilterScope, errors: FieldErrors, sql: Sql) -> None:
    if raw is None:
        return
    filters = as_dict(raw)
    if filters is None:
        errors.add(scope.field, "must be an object mapping a field to a list of conditions")
        return
    for name, conditions_raw in filters.items():
        conditions = as_list(conditions_raw)
        base = f"{scope.field}.{name}"
        if conditions is None:
            errors.add(base, "must be a list of {operator, value, locale, channel} conditions")
            continue
        for index, condition_raw in enumerate(conditions):
            path = f"{base}[{index}]"
            condition = as_dict(condition_raw)
            if condition is None:
                errors.add(path, "must be an object {operator, value, locale, channel}")
                continue
            try:
                _compile_condition(name, condition, path, scope, errors, sql)
            except _Skip:
                continue


def _compile_condition(
    name: str, condition: JSON, path: str, scope: FilterScope, errors: FieldErrors, sql: Sql
) -> None:
    operator = condition.get("operator")
    attribute = scope.attributes.get(name)
    builtin = _builtin_operators(name, scope.kind)
    if builtin is None and attribute is None:
        errors.add(f"{scope.field}.{name}", "is not a known field or attribute")
        raise _Skip
    allowed_ops = builtin if builtin is not None else OPERATORS[attribute["type"]]  # pyright: ignore[reportOptionalSubscript]
    extra: set[str] = (
        {"currency"} if attribute is not None and attribute["type"] == "price" else set()
    )
    unknown = sorted(set(condition) - CONDITION_KEYS - extra)
    if unknown:
        errors.add(path, f"unknown member(s): {', '.join(unknown)}")
        raise _Skip
    if operator not in allowed_ops:
        errors.add(f"{path}.operator", f"must be one of {', '.join(allowed_ops)} for {name}")
        raise _Skip
    for key in ("locale", "channel"):
        if key in condition and not isinstance(condition[key], str | None):
            expect_str(condition[key], f"{path}.{key}", errors)
            raise _Skip
    assert isinstance(operator, str)
    value = condition.get("value")
    if operator in EMPTY_OPS:
        if "value" in condition and value is not None:
            errors.add(f"{path}.value", f"{operator} takes no value")
            raise _Skip
    elif "value" not in condition:
        errors.add(f"{path}.value", "is required")
        raise _Skip
    if builtin is not None:
        if "locale" in condition and name != "completeness":
            errors.add(f"{path}.locale", f"{name} is not localizable")
            raise _Skip
        if "channel" in condition and name != "completeness":
            errors.add(f"{path}.channel", f"{name} is not scopable")
            raise _Skip
        _compile_builtin(name, operator, value, condition, path, scope, errors, sql)
        return
    assert attribute is not None
    _compile_attribute(attribute, operator, value, condition, path, scope, errors, sql)


def _builtin_operators(name: str, kind: str) -> tuple[str, ...] | None:
    if name in ("created", "updated"):
        return (*COMPARE_OPS, "BETWEEN", "SINCE LAST N DAYS")
    if kind == "entity":
        return STRING_OPS if name == "code" else None
    return {
        "identifier": STRING_OPS,
        "status": SET_OPS,
        "attribute_set": SET_OPS,
        "categories": LIST_OPS,
        "completeness": COMPARE_OPS,
    }.get(name)


def _strings(value: Any, operator: str, path: str, errors: FieldErrors) -> list[str]:
    """The string or list of strings an operator takes (a list for the IN family)."""
    if operator in ("IN", "NOT IN"):
        items = as_list(value)
        if items is None or not items or not all(isinstance(i, str) for i in items):
            errors.add(f"{path}.value", f"{operator} takes a non-empty list of strings")
            raise _Skip
        return [str(i) for i in items]
    if not isinstance(value, str):
        errors.add(f"{path}.value", f"{operator} takes a string")
        raise _Skip
    return [value]


def _marks(count: int) -> str:
    return ",".join("?" * count)


def _string_clause(column: str, operator: str, items: list[str], sql: Sql, negate: bool) -> None:
    base = NEGATIONS.get(operator, operator)
    if base == "=":
        clause, params = f"{column} = ?", [items[0]]
    elif base == "IN":
        clause, params = f"{column} IN ({_marks(len(items))})", list(items)
    elif base == "STARTS WITH":
        clause, params = f"substr(plower({column}), 1, ?) = ?", [len(items[0]), items[0].lower()]
    else:  # CONTAINS
        clause, params = f"instr(plower({column}), ?) > 0", [items[0].lower()]
    if negate:
        clause = f"NOT ({clause})"
    sql.add(clause, *params)


def _time_bounds(value: Any, path: str, errors: FieldErrors) -> tuple[str, str]:
    """[start, end) of a timestamp (a point) or of a whole day."""
    day = parse_date(value)
    if day is not None:
        return day_start(day), next_day_start(day)
    moment = parse_ts(value)
    if moment is None:
        errors.add(f"{path}.value", "must be an RFC 3339 timestamp or a date YYYY-MM-DD")
        raise _Skip
    stamp = format_ts(moment)
    return stamp, stamp


def _since_day(value: Any, today: date, path: str, errors: FieldErrors) -> date:
    """The first day `SINCE LAST N DAYS` keeps. The contract allows any N >= 0: an N reaching
    past the first representable day (0001-01-01) is clamped to it, i.e. keeps everything."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        errors.add(f"{path}.value", "SINCE LAST N DAYS takes an integer N >= 0")
        raise _Skip
    return today - timedelta(days=min(value, (today - date.min).days))


def _since_moment(value: Any, path: str, errors: FieldErrors) -> str:
    """The first timestamp `SINCE LAST N DAYS` keeps: N days before now, clamped likewise."""
    now = datetime.now(UTC)
    day = _since_day(value, now.date(), path, errors)
    if day == date.min:
        return day_start(day)
    return format_ts(now - (now.date() - day))


def _time_clause(
    column: str, operator: str, value: Any, path: str, errors: FieldErrors, sql: Sql
) -> None:
    if operator == "SINCE LAST N DAYS":
        sql.add(f"{column} >= ?", _since_moment(value, path, errors))
        return
    if operator == "BETWEEN":
        pair = as_list(value)
        if pair is None or len(pair) != 2:
            errors.add(f"{path}.value", "BETWEEN takes [from, to]")
            raise _Skip
        start, _ = _time_bounds(pair[0], path, errors)
        first, end = _time_bounds(pair[1], path, errors)
        if first == end:  # a point: inclusive
            sql.add(f"{column} >= ? AND {column} <= ?", start, end)
        else:
            sql.add(f"{column} >= ? AND {column} < ?", start, end)
        return
    start, end = _time_bounds(value, path, errors)
    point = start == end
    if operator in ("=", "!="):
        clause = f"{column} = ?" if point else f"({column} >= ? AND {column} < ?)"
        params = [start] if point else [start, end]
        sql.add(clause if operator == "=" else f"NOT {clause}", *params)
    elif operator == "<":
        sql.add(f"{column} < ?", start)
    elif operator == "<=":
        sql.add(f"{column} <= ?" if point else f"{column} < ?", end)
    elif operator == ">":
        sql.add(f"{column} > ?" if point else f"{column} >= ?", end)
    else:  # >=
        sql.add(f"{column} >= ?", start)


def _compile_builtin(
    name: str,
    operator: str,
    value: Any,
    condition: JSON,
    path: str,
    scope: FilterScope,
    errors: FieldErrors,
    sql: Sql,
) -> None:
    store = scope.store
    if name in ("identifier", "code"):
        items = _strings(value, operator, path, errors)
        _string_clause(f"t.{name}", operator, items, sql, operator in NEGATIONS)
        return
    if name in ("status", "attribute_set"):
        items = _strings(value, operator, path, errors)
        known = STATUSES if name == "status" else tuple(store.attribute_sets)
        unknown = [i for i in items if i not in known]
        if unknown:
            errors.add(f"{path}.value", f"unknown {name}: {', '.join(unknown)}")
            raise _Skip
        _string_clause(f"t.{name}", operator, items, sql, operator in NEGATIONS)
        return
    if name == "categories":
        if operator in EMPTY_OPS:
            clause = "json_array_length(t.categories) = 0"
            sql.add(clause if operator == "EMPTY" else f"NOT ({clause})")
            return
        items = _strings(value, operator, path, errors)
        unknown = [i for i in items if i not in store.categories]
        if unknown:
            errors.add(f"{path}.value", f"unknown categories: {', '.join(unknown)}")
            raise _Skip
        codes = sorted(store.category_descendants(items))
        clause = f"EXISTS (SELECT 1 FROM json_each(t.categories) c WHERE c.value IN ({_marks(len(codes))}))"
        sql.add(clause if operator == "IN" else f"NOT {clause}", *codes)
        return
    if name in ("created", "updated"):
        _time_clause(f"t.{name}_at", operator, value, path, errors, sql)
        return
    # completeness
    channel = condition.get("channel", scope.channel)
    locale = condition.get("locale", scope.locale)
    if channel is None:
        errors.add(f"{path}.channel", "completeness needs a channel (on the condition or the body)")
        raise _Skip
    if channel not in store.channels:
        errors.add(f"{path}.channel", f"channel {channel!r} does not exist")
        raise _Skip
    if locale is not None and locale not in store.channels[channel].get("locales", []):
        errors.add(f"{path}.locale", f"locale {locale!r} is not a locale of channel {channel!r}")
        raise _Skip
    if not is_number(value) or not 0 <= value <= 100:
        errors.add(f"{path}.value", "must be a percentage from 0 to 100")
        raise _Skip
    compare = "<>" if operator == "!=" else SQL_COMPARE[operator]
    clause = "EXISTS (SELECT 1 FROM completeness c WHERE c.product_id = t.id AND c.channel = ?"
    params: list[Any] = [channel]
    if locale is not None:
        clause += " AND c.locale = ?"
        params.append(locale)
    clause += f" AND round(c.ratio * 100, 2) {compare} ?)"
    params.append(float(value))
    sql.add(clause, *params)


def _scope_clause(
    attribute: JSON, condition: JSON, path: str, scope: FilterScope, errors: FieldErrors
) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    store = scope.store
    if (
        "locale" in condition
        and condition["locale"] is not None
        and not attribute.get("localizable")
    ):
        errors.add(f"{path}.locale", f"{attribute['code']} is not localizable")
        raise _Skip
    if (
        "channel" in condition
        and condition["channel"] is not None
        and not attribute.get("scopable")
    ):
        errors.add(f"{path}.channel", f"{attribute['code']} is not scopable")
        raise _Skip
    if attribute.get("localizable"):
        locale = condition.get("locale") or scope.locale
        if locale is not None:
            if locale not in store.enabled_locales():
                errors.add(f"{path}.locale", store.not_enabled(locale))
                raise _Skip
            clauses.append("json_extract(v.value, '$.locale') = ?")
            params.append(locale)
    if attribute.get("scopable"):
        channel = condition.get("channel") or scope.channel
        if channel is not None:
            if channel not in store.channels:
                errors.add(f"{path}.channel", f"channel {channel!r} does not exist")
                raise _Skip
            clauses.append("json_extract(v.value, '$.channel') = ?")
            params.append(channel)
    return "".join(c + " AND " for c in clauses), params


def _price_amount(value: Any, path: str, errors: FieldErrors) -> float:
    text = str(value) if is_number(value) else value
    if not isinstance(text, str) or not PRICE_RE.match(text):
        errors.add(f"{path}.value", "amounts are decimal strings with at most 2 decimals")
        raise _Skip
    try:
        return float(Decimal(text))
    except InvalidOperation:
        errors.add(f"{path}.value", "is not a decimal amount")
        raise _Skip from None


def _metric_base(value: Any, attribute: JSON, path: str, errors: FieldErrors) -> float:
    metric = as_dict(value)
    allowed = [
        str(u) for u in as_list(member_dict(attribute, "validation").get("allowed_units")) or []
    ]
    families = {UNITS[u][0] for u in allowed if u in UNITS}
    amount = finite_float(metric.get("amount")) if metric is not None else None
    unit = metric.get("unit") if metric is not None else None
    if (
        metric is None
        or set(metric) != {"amount", "unit"}
        or amount is None
        or not isinstance(unit, str)
        or unit not in UNITS
        or UNITS[unit][0] not in families
    ):
        errors.add(
            f"{path}.value",
            f"must be {{amount: number, unit}} with a unit convertible to {', '.join(allowed)}",
        )
        raise _Skip
    return amount * UNITS[unit][1]


def _compile_attribute(
    attribute: JSON,
    operator: str,
    value: Any,
    condition: JSON,
    path: str,
    scope: FilterScope,
    errors: FieldErrors,
    sql: Sql,
) -> None:
    kind: str = attribute["type"]
    code: str = attribute["code"]
    scope_sql, scope_params = _scope_clause(attribute, condition, path, scope, errors)
    json_path = f'$."{code}"'

    def exists(predicate: str, *params: Any, negate: bool = False) -> None:
        clause = f"EXISTS (SELECT 1 FROM json_each(t.vals, ?) v WHERE {scope_sql}{predicate})"
        sql.add(f"NOT {clause}" if negate else clause, json_path, *scope_params, *params)

    if operator in EMPTY_OPS:
        exists(NON_EMPTY, negate=operator == "EMPTY")
        return
    negate = operator in NEGATIONS
    base = NEGATIONS.get(operator, operator)
    if kind in ("text", "textarea"):
        items = _strings(value, operator, path, errors)
        if base == "=":
            exists(f"{DATA} = ?", items[0], negate=negate)
        elif base == "IN":
            exists(f"{DATA} IN ({_marks(len(items))})", *items, negate=negate)
        elif base == "STARTS WITH":
            exists(f"substr(plower({DATA}), 1, ?) = ?", len(items[0]), items[0].lower())
        else:
            exists(f"instr(plower({DATA}), ?) > 0", items[0].lower(), negate=negate)
    elif kind in ("number", "date"):
        _compare(kind, base, value, negate, path, errors, exists)
    elif kind == "boolean":
        if not isinstance(value, bool):
            errors.add(f"{path}.value", "must be true or false")
            raise _Skip
        exists(f"{DATA} = ?", 1 if value else 0, negate=negate)
    elif kind in ("select", "entity"):
        items = _strings(value, operator, path, errors)
        if kind == "select":
            options = {str(o["code"]) for o in member_list(attribute, "options")}
            unknown = [i for i in items if i not in options]
            if unknown:
                errors.add(f"{path}.value", f"unknown option(s) of {code}: {', '.join(unknown)}")
                raise _Skip
        exists(f"{DATA} IN ({_marks(len(items))})", *items, negate=negate)
    elif kind in ("multiselect", "entities"):
        items = _strings(value, operator, path, errors)
        if kind == "multiselect":
            options = {str(o["code"]) for o in member_list(attribute, "options")}
            unknown = [i for i in items if i not in options]
            if unknown:
                errors.add(f"{path}.value", f"unknown option(s) of {code}: {', '.join(unknown)}")
                raise _Skip
        exists(
            f"EXISTS (SELECT 1 FROM json_each(v.value, '$.data') o WHERE o.value IN ({_marks(len(items))}))",
            *items,
            negate=negate,
        )
    elif kind == "price":
        _compare_price(base, value, condition, negate, path, scope, errors, exists)
    elif kind == "metric":
        if base == "BETWEEN":
            pair = as_list(value)
            if pair is None or len(pair) != 2:
                errors.add(f"{path}.value", "BETWEEN takes a list of two {amount, unit}")
                raise _Skip
            low = _metric_base(pair[0], attribute, path, errors)
            high = _metric_base(pair[1], attribute, path, errors)
            exists(f"round({METRIC_BASE}, 9) BETWEEN round(?, 9) AND round(?, 9)", low, high)
        else:
            amount = _metric_base(value, attribute, path, errors)
            exists(
                f"round({METRIC_BASE}, 9) {SQL_COMPARE[base]} round(?, 9)", amount, negate=negate
            )
    else:  # media takes only EMPTY / NOT EMPTY, handled above
        errors.add(f"{path}.operator", f"{operator} is not supported for {kind}")
        raise _Skip


def _compare(
    kind: str, base: str, value: Any, negate: bool, path: str, errors: FieldErrors, exists: Any
) -> None:
    def check(item: Any) -> Any:
        if kind == "number":
            number = finite_float(item)
            if number is None:
                errors.add(f"{path}.value", "must be a finite number")
                raise _Skip
            return item if isinstance(item, int) and abs(item) < 2**63 else number
        day = parse_date(item)
        if day is None:
            errors.add(f"{path}.value", "must be a date YYYY-MM-DD")
            raise _Skip
        return day.isoformat()

    if base == "SINCE LAST N DAYS":
        today = datetime.now(UTC).date()
        exists(f"{DATA} >= ?", _since_day(value, today, path, errors).isoformat())
    elif base == "BETWEEN":
        pair = as_list(value)
        if pair is None or len(pair) != 2:
            errors.add(f"{path}.value", "BETWEEN takes [from, to]")
            raise _Skip
        exists(f"{DATA} BETWEEN ? AND ?", check(pair[0]), check(pair[1]))
    else:
        exists(f"{DATA} {SQL_COMPARE[base]} ?", check(value), negate=negate)


def _compare_price(
    base: str,
    value: Any,
    condition: JSON,
    negate: bool,
    path: str,
    scope: FilterScope,
    errors: FieldErrors,
    exists: Any,
) -> None:
    currencies = scope.store.currencies()
    if base == "BETWEEN":
        pair = as_list(value)
        currency = condition.get("currency")
        if pair is None or len(pair) != 2:
            errors.add(f"{path}.value", "BETWEEN takes [from, to] amounts")
            raise _Skip
        if not isinstance(currency, str) or currency not in currencies:
            errors.add(
                f"{path}.currency",
                f"BETWEEN needs a currency among {', '.join(sorted(currencies))}",
            )
            raise _Skip
        low = _price_amount(pair[0], path, errors)
        high = _price_amount(pair[1], path, errors)
        predicate, params = "BETWEEN ? AND ?", [low, high]
    else:
        price = as_dict(value)
        if price is None or set(price) != {"amount", "currency"}:
            errors.add(f"{path}.value", "must be {amount, currency}")
            raise _Skip
        currency = price["currency"]
        if not isinstance(currency, str) or currency not in currencies:
            errors.add(f"{path}.value", f"currency must be one of {', '.join(sorted(currencies))}")
            raise _Skip
        predicate, params = f"{SQL_COMPARE[base]} ?", [_price_amount(price["amount"], path, errors)]
    exists(
        "EXISTS (SELECT 1 FROM json_each(v.value, '$.data') pr WHERE json_extract(pr.value, '$.currency') = ?"
        f" AND CAST(json_extract(pr.value, '$.amount') AS REAL) {predicate})",
        currency,
        *params,
        negate=negate,
    )
