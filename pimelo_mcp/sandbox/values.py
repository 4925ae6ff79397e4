"""Value validation (locale/channel rules, data per type and validation keys) and merge-update."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from pimelo_mcp.sandbox.jsonutil import (
    JSON,
    as_dict,
    as_list,
    finite_float,
    is_number,
    member_list,
    parse_date,
)
from pimelo_mcp.sandbox.media import extension_of
from pimelo_mcp.sandbox.problems import FieldErrors
from pimelo_mcp.sandbox.store import Store

# Conversion factor of each unit to the base unit of its family.
UNITS: dict[str, tuple[str, float]] = {
    "MILLIGRAM": ("mass", 0.001),
    "GRAM": ("mass", 1.0),
    "KILOGRAM": ("mass", 1000.0),
    "MILLIMETER": ("length", 0.001),
    "CENTIMETER": ("length", 0.01),
    "METER": ("length", 1.0),
    "MILLILITER": ("volume", 0.001),
    "LITER": ("volume", 1.0),
    "WATT": ("power", 1.0),
    "KILOWATT": ("power", 1000.0),
    "SECOND": ("duration", 1.0),
    "MINUTE": ("duration", 60.0),
    "HOUR": ("duration", 3600.0),
}

PRICE_RE = re.compile(r"^-?\d{1,15}(\.\d{1,2})?$")
VALUE_KEYS = {"locale", "channel", "data"}


def value_path(field: str, code: str, locale: Any, channel: Any) -> str:
    scope: list[str] = []
    if locale is not None:
        scope.append(f"locale={locale}")
    if channel is not None:
        scope.append(f"channel={channel}")
    return f"{field}.{code}" + (f"[{','.join(scope)}]" if scope else "")


def to_base(amount: float, unit: str) -> float:
    return amount * UNITS[unit][1]


def validate_values(
    raw: Any,
    field: str,
    attributes: Mapping[str, JSON],
    store: Store,
    errors: FieldErrors,
    *,
    allowed: set[str] | None = None,
    allowed_label: str = "",
) -> dict[str, list[JSON]]:
    """The writes of a `values` member, `data: None` meaning "clear"; problems go to `errors`."""
    writes: dict[str, list[JSON]] = {}
    values = as_dict(raw)
    if values is None:
        errors.add(field, "must be an object keyed by attribute code")
        return writes
    enabled = store.enabled_locales()
    for code, entries_raw in values.items():
        attribute = attributes.get(code)
        if attribute is None:
            errors.add(f"{field}.{code}", "is not a known attribute")
            continue
        if allowed is not None and code not in allowed:
            errors.add(f"{field}.{code}", f"is not an attribute of {allowed_label}")
            continue
        entries = as_list(entries_raw)
        if entries is None:
            errors.add(f"{field}.{code}", "must be a list of {locale, channel, data} values")
            continue
        seen: set[tuple[Any, Any]] = set()
        kept: list[JSON] = []
        for index, entry_raw in enumerate(entries):
            entry = as_dict(entry_raw)
            if entry is None:
                errors.add(f"{field}.{code}[{index}]", "must be an object {locale, channel, data}")
                continue
            unknown = sorted(set(entry) - VALUE_KEYS)
            locale = entry.get("locale")
            channel = entry.get("channel")
            if not (locale is None or isinstance(locale, str)) or not (
                channel is None or isinstance(channel, str)
            ):
                errors.add(f"{field}.{code}[{index}]", "locale and channel must be strings or null")
                continue
            path = value_path(field, code, locale, channel)
            if unknown:
                errors.add(path, f"unknown member(s): {', '.join(unknown)}")
            if "data" not in entry:
                errors.add(path, "data is required (null clears the value)")
                continue
            ok = _check_scope(attribute, locale, channel, enabled, store, path, errors)
            if (locale, channel) in seen:
                errors.add(path, "more than one value for this locale and channel")
                continue
            seen.add((locale, channel))
            data = entry["data"]
            if data is not None:
                message = check_data(attribute, data, store)
                if message:
                    errors.add(path, message)
                    ok = False
            if ok:
                kept.append({"locale": locale, "channel": channel, "data": data})
        writes[code] = kept
    return writes


def _check_scope(
    attribute: JSON,
    locale: str | None,
    channel: str | None,
    enabled: set[str],
    store: Store,
    path: str,
    errors: FieldErrors,
) -> bool:
    ok = True
    if attribute.get("localizable"):
        if locale is None:
            errors.add(path, "the attribute is localizable: a locale is required")
            ok = False
        elif locale not in enabled:
            errors.add(
                path,
                f"locale {locale!r} is not an enabled locale; enabled: {', '.join(sorted(enabled))}",
            )
            ok = False
    elif locale is not None:
        errors.add(path, "the attribute is not localizable: locale must be null")
        ok = False
    if attribute.get("scopable"):
        if channel is None:
            errors.add(path, "the attribute is scopable: a channel is required")
            ok = False
        elif channel not in store.channels:
            errors.add(path, f"channel {channel!r} does not exist")
            ok = False
    elif channel is not None:
        errors.add(path, "the attribute is not scopable: channel must be null")
        ok = False
    if (
        ok
        and locale is not None
        and channel is not None
        and locale not in store.channels[channel].get("locales", [])
    ):
        errors.add(path, f"locale {locale!r} is not a locale of channel {channel!r}")
        ok = False
    return ok


def _number_message(value: float, validation: JSON) -> str | None:
    minimum: Any = validation.get("min")
    maximum: Any = validation.get("max")
    if is_number(minimum) and value < minimum:
        return f"must be at least {minimum}"
    if is_number(maximum) and value > maximum:
        return f"must be at most {maximum}"
    return None


def check_data(attribute: JSON, data: Any, store: Store) -> str | None:
    """Why `data` does not fit the attribute's type and validation, or None when it does."""
    kind: str = attribute["type"]
    validation: JSON = attribute.get("validation") or {}
    if kind in ("text", "textarea"):
        if not isinstance(data, str):
            return "must be a string"
        cap = 255 if kind == "text" else 65535
        max_length = validation.get("max_length")
        if isinstance(max_length, int) and max_length < cap:
            cap = max_length
        if len(data) > cap:
            return f"must be at most {cap} characters"
        if kind == "text" and ("\n" in data or "\r" in data):
            return "must not contain line breaks"
        regex = validation.get("regex")
        if kind == "text" and isinstance(regex, str) and data and not re.search(regex, data):
            return f"must match {regex}"
        return None
    if kind == "number":
        number = finite_float(data)
        if number is None:
            return "must be a finite number"
        if validation.get("decimals_allowed") is False and not number.is_integer():
            return "must be a whole number"
        return _number_message(number, validation)
    if kind == "boolean":
        return None if isinstance(data, bool) else "must be true or false"
    if kind == "date":
        day = parse_date(data)
        if day is None:
            return "must be a date YYYY-MM-DD"
        minimum = parse_date(validation.get("min"))
        maximum = parse_date(validation.get("max"))
        if minimum and day < minimum:
            return f"must be on or after {minimum.isoformat()}"
        if maximum and day > maximum:
            return f"must be on or before {maximum.isoformat()}"
        return None
    if kind == "select":
        if not isinstance(data, str):
            return "must be an option code"
        return (
            None
            if data in _options(attribute)
            else f"{data!r} is not an option of {attribute['code']}"
        )
    if kind == "multiselect":
        return _check_code_list(data, _options(attribute), "option", attribute["code"])
    if kind == "price":
        return _check_price(data, validation, store)
    if kind == "metric":
        return _check_metric(data, validation)
    if kind == "media":
        if not isinstance(data, str):
            return "must be a media code"
        filename = store.media_filename(data)
        if filename is None:
            return f"media {data!r} does not exist"
        allowed = validation.get("allowed_extensions")
        if isinstance(allowed, list):
            exts = {str(e).lower().lstrip(".") for e in allowed}  # pyright: ignore[reportUnknownVariableType, reportUnknownArgumentType]
            if extension_of(filename) not in exts:
                return f"the file extension must be one of {', '.join(sorted(exts))}"
        return None
    if kind == "entity":
        if not isinstance(data, str):
            return "must be an entity code"
        existing = store.existing_entity_codes(attribute.get("entity_type") or "", [data])
        return (
            None
            if data in existing
            else f"{data!r} is not an entity of type {attribute.get('entity_type')}"
        )
    if kind == "entities":
        codes = as_list(data)
        if codes is None or not all(isinstance(c, str) for c in codes):
            return "must be a list of entity codes"
        existing = store.existing_entity_codes(
            attribute.get("entity_type") or "", [str(c) for c in codes]
        )
        return _check_code_list(data, existing, "entity", attribute.get("entity_type") or "")
    return f"unsupported attribute type {kind!r}"


def _options(attribute: JSON) -> set[str]:
    return {str(option["code"]) for option in member_list(attribute, "options")}


def _check_code_list(data: Any, known: set[str], what: str, owner: str) -> str | None:
    codes = as_list(data)
    if codes is None or not all(isinstance(c, str) for c in codes):
        return f"must be a list of {what} codes"
    if len(set(codes)) != len(codes):
        return f"{what} codes must be distinct"
    unknown = [c for c in codes if c not in known]
    if unknown:
        return f"unknown {what}(s) of {owner}: {', '.join(map(str, unknown))}"
    return None


def _check_price(data: Any, validation: JSON, store: Store) -> str | None:
    prices = as_list(data)
    if prices is None:
        return "must be a list of {amount, currency}"
    currencies = store.currencies()
    seen: set[str] = set()
    for index, price_raw in enumerate(prices):
        price = as_dict(price_raw)
        if price is None or set(price) != {"amount", "currency"}:
            return f"[{index}] must be exactly {{amount, currency}}"
        amount = price["amount"]
        currency = price["currency"]
        if not isinstance(amount, str) or not PRICE_RE.match(amount):
            return (
                f'[{index}].amount must be a decimal string with at most 2 decimals, e.g. "129.90"'
            )
        if not isinstance(currency, str) or currency not in currencies:
            return f"[{index}].currency must be one of {', '.join(sorted(currencies))}"
        if currency in seen:
            return f"one price per currency ({currency} appears twice)"
        seen.add(currency)
        try:
            value = Decimal(amount)
        except InvalidOperation:
            return f"[{index}].amount is not a decimal"
        if validation.get("decimals_allowed") is False and value != value.to_integral_value():
            return f"[{index}].amount must be a whole amount"
        bound = _price_bound_message(value, validation)
        if bound:
            return f"[{index}].amount {bound}"
    return None


def _price_bound_message(value: Decimal, validation: JSON) -> str | None:
    for key, word in (("min", "at least"), ("max", "at most")):
        raw = validation.get(key)
        if raw is None:
            continue
        try:
            bound = Decimal(str(raw))
        except InvalidOperation:
            continue
        if (key == "min" and value < bound) or (key == "max" and value > bound):
            return f"must be {word} {raw}"
    return None


def _check_metric(data: Any, validation: JSON) -> str | None:
    metric = as_dict(data)
    if metric is None or set(metric) != {"amount", "unit"}:
        return "must be exactly {amount, unit}"
    amount = metric["amount"]
    unit = metric["unit"]
    number = finite_float(amount)
    if number is None:
        return "amount must be a finite number"
    allowed: list[str] = validation.get("allowed_units") or []
    if not isinstance(unit, str) or unit not in allowed:
        return f"unit must be one of {', '.join(allowed)}"
    default_unit = allowed[0]
    converted = to_base(number, unit) / UNITS[default_unit][1]
    message = _number_message(converted, validation)
    return f"{message} {default_unit}" if message else None


def merge_values(
    current: Mapping[str, list[JSON]], writes: Mapping[str, list[JSON]]
) -> dict[str, list[JSON]]:
    """Merge per attribute, then per (locale, channel); null data removes that one value."""
    merged = {code: list(entries) for code, entries in current.items()}
    for code, entries in writes.items():
        existing = {(e["locale"], e["channel"]): e for e in merged.get(code, [])}
        for entry in entries:
            key = (entry["locale"], entry["channel"])
            if entry["data"] is None:
                existing.pop(key, None)
            else:
                existing[key] = entry
        if existing:
            merged[code] = list(existing.values())
        else:
            merged.pop(code, None)
    return merged


def restrict_values(
    values: Mapping[str, list[JSON]],
    locale: str | None = None,
    channel: str | None = None,
    attributes: list[str] | None = None,
) -> dict[str, list[JSON]]:
    """The values an answer shows for a locale / channel / attribute selection."""
    shown: dict[str, list[JSON]] = {}
    wanted = set(attributes) if attributes is not None else None
    for code, entries in values.items():
        if wanted is not None and code not in wanted:
            continue
        kept = [
            e
            for e in entries
            if (locale is None or e.get("locale") in (None, locale))
            and (channel is None or e.get("channel") in (None, channel))
        ]
        if kept:
            shown[code] = kept
    return shown
