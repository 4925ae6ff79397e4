"""One attribute's data, as a person writes it, parsed into the exact shape its type takes.

Each parser raises DataError with a message that says what the attribute expects and
gives an example; the caller adds where in the input the data was.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from pimelo_mcp.translate.definitions import AttributeDef, OptionDef
from pimelo_mcp.translate.errors import DataError, UnknownNameError
from pimelo_mcp.translate.resolve import EntityRef
from pimelo_mcp.translate.units import UNITS, Unit, convert, find_unit, unit_named

CODE = re.compile(r"^[a-z0-9_]{1,100}$")
CURRENCY_SYMBOLS = {"€": "EUR", "$": "USD", "£": "GBP", "¥": "JPY", "CHF": "CHF"}
_TRUE = {"true", "yes", "y", "1", "on"}
_FALSE = {"false", "no", "n", "0", "off"}
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_AMOUNT_AND_UNIT = re.compile(r"^\s*([+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+))\s*([^\d\s].*?)\s*$")
_PRICE_TEXT = re.compile(
    r"^\s*(?:(?P<pre>[A-Za-z]{3}|[€$£¥])\s*)?(?P<amount>[+-]?\d+(?:[.,]\d+)?)\s*(?:(?P<post>[A-Za-z]{3}|[€$£¥]))?\s*$"
)
MAX_OPTIONS_SHOWN = 15
CUT_MARKER = re.compile(r"… \[cut: [\d,]+ characters in all\]")  # written by compact.cut_text
THOUSANDS = re.compile(r"^[+-]?\d{1,3},\d{3}$")


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def parse_number(raw: Any, attribute: AttributeDef) -> int | float:
    value: int | float
    if isinstance(raw, bool):
        raise DataError(f"expects a number, e.g. 42 or 12.5; got {_shown(raw)}")
    if isinstance(raw, int | float):
        value = raw
    elif isinstance(raw, str) and _NUMBER.match(raw.strip()):
        text = raw.strip()
        value = float(text) if "." in text else int(text)
    else:
        raise DataError(f"expects a number, e.g. 42 or 12.5; got {_shown(raw)}")
    if isinstance(value, float) and not math.isfinite(value):
        raise DataError(f"expects a finite number; got {_shown(raw)}")
    if isinstance(value, float) and value.is_integer() and isinstance(raw, str):
        value = int(value)
    _check_bounds(value, attribute)
    if attribute.validation.get("decimals_allowed") is False and value != int(value):
        raise DataError(f"takes whole numbers only, e.g. {round(value)}; got {_shown(raw)}")
    return value


def _check_bounds(value: float, attribute: AttributeDef) -> None:
    low = attribute.validation.get("min")
    high = attribute.validation.get("max")
    if isinstance(low, int | float) and value < low:
        raise DataError(f"must be at least {low}; got {value}")
    if isinstance(high, int | float) and value > high:
        raise DataError(f"must be at most {high}; got {value}")


def parse_text(raw: Any, attribute: AttributeDef) -> str:
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        raw = str(raw)  # an EAN or a model number written as a number is still meant as text
    if not isinstance(raw, str):
        raise DataError(f'expects a string, e.g. "Trail Runner"; got {_shown(raw)}')
    if CUT_MARKER.search(raw):
        # Written back from a shortened read, it would replace the whole text with its start.
        raise DataError(
            "contains a text shortened for display ('… [cut: N characters in all]'); read the "
            "whole text with get_product (or get_entity) and full=true, then edit that"
        )
    limit = attribute.validation.get("max_length")
    if attribute.type == "text":
        if "\n" in raw or "\r" in raw:
            raise DataError(
                "is a single-line text: remove the line breaks (use a textarea attribute for long text)"
            )
        limit = min(limit, 255) if isinstance(limit, int) else 255
    elif not isinstance(limit, int):
        limit = 65_535
    if len(raw) > limit:
        raise DataError(f"takes at most {limit} characters; got {len(raw)}")
    pattern = attribute.validation.get("regex")
    if (
        attribute.type == "text"
        and isinstance(pattern, str)
        and raw
        and not re.fullmatch(pattern, raw)
    ):
        raise DataError(f"must match the pattern {pattern}; got {_shown(raw)}")
    return raw


def parse_boolean(raw: Any, attribute: AttributeDef) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in _TRUE:
        return True
    if isinstance(raw, str) and raw.strip().lower() in _FALSE:
        return False
    raise DataError(f"expects true or false; got {_shown(raw)}")


def parse_date(raw: Any, attribute: AttributeDef) -> str:
    if not isinstance(raw, str):
        raise DataError(f'expects a date as YYYY-MM-DD, e.g. "2026-03-15"; got {_shown(raw)}')
    text = raw.strip()
    try:
        day = date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text).date()
    except ValueError:
        raise DataError(
            f'expects a date as YYYY-MM-DD, e.g. "2026-03-15"; got {_shown(raw)}'
        ) from None
    for key, compare, word in (
        ("min", day.__lt__, "on or after"),
        ("max", day.__gt__, "on or before"),
    ):
        bound = attribute.validation.get(key)
        if isinstance(bound, str) and compare(date.fromisoformat(bound)):
            raise DataError(f"must be {word} {bound}; got {day.isoformat()}")
    return day.isoformat()


def _option_list(options: Sequence[OptionDef]) -> str:
    shown = [
        f"{option.code} ({next(iter(option.labels.values()))})" if option.labels else option.code
        for option in options[:MAX_OPTIONS_SHOWN]
    ]
    more = len(options) - MAX_OPTIONS_SHOWN
    return ", ".join(shown) + (
        f" and {more} more (search_attributes lists them)" if more > 0 else ""
    )


def resolve_option(raw: Any, attribute: AttributeDef) -> str:
    """An option code from its code or any of its labels, case-insensitively."""
    if not isinstance(raw, str) or not raw.strip():
        raise DataError(
            f"expects one option (code or label): {_option_list(attribute.options)}; got {_shown(raw)}"
        )
    text = raw.strip()
    for option in attribute.options:
        if option.code == text:
            return option.code
    folded = text.casefold()
    matches = {
        option.code
        for option in attribute.options
        if option.code.casefold() == folded
        or any(label.casefold() == folded for label in option.labels.values())
    }
    if len(matches) == 1:
        return matches.pop()
    if matches:
        raise DataError(
            f"{text!r} matches several options ({', '.join(sorted(matches))}): use the option code"
        )
    raise UnknownNameError(f"has no option {text!r}; options: {_option_list(attribute.options)}")


def _as_list(raw: Any) -> list[Any]:
    if isinstance(raw, str):
        return [part.strip() for part in raw.split(",") if part.strip()]
    if isinstance(raw, list | tuple):
        return list(cast(Sequence[Any], raw))
    return [raw]


def parse_select(raw: Any, attribute: AttributeDef) -> str:
    return resolve_option(raw, attribute)


def parse_multiselect(raw: Any, attribute: AttributeDef) -> list[str]:
    codes: list[str] = []
    for item in _as_list(raw):
        code = resolve_option(item, attribute)
        if code not in codes:
            codes.append(code)
    return codes


def _decimal_text(text: str) -> str:
    """A decimal comma made a point ("129,90"); "1,500" is refused: 1.5 or 1500 is anyone's guess."""
    if text.count(",") == 1 and "." not in text:
        if THOUSANDS.match(text):
            raise DataError(f"has an ambiguous amount {text!r}: write 1500 or 1.5, without a comma")
        return text.replace(",", ".")  # "129,90" is how much of Europe writes 129.90
    return text


def _decimal_amount(text: str) -> Decimal:
    text = _decimal_text(text)
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise DataError(f"has an amount that is not a number: {text!r}") from None
    if not amount.is_finite():
        raise DataError(f"has an amount that is not a number: {text!r}")
    return amount


def _currency(text: str, known: frozenset[str]) -> str:
    code = CURRENCY_SYMBOLS.get(text, text.upper())
    if known and code not in known:
        raise DataError(
            f"uses currency {code}, which no channel sells in; use one of {', '.join(sorted(known))}"
        )
    return code


def _price_entry(raw: Any, currencies: frozenset[str]) -> tuple[str, Decimal]:
    if isinstance(raw, Mapping):
        entry = cast(Mapping[str, Any], raw)
        if set(entry) != {"amount", "currency"}:
            raise DataError('expects {"amount": "129.90", "currency": "EUR"} or "129.90 EUR"')
        amount = entry["amount"]
        if isinstance(amount, bool) or not isinstance(amount, str | int | float):
            raise DataError(f"has an amount that is not a number: {_shown(amount)}")
        return _currency(str(entry["currency"]), currencies), _decimal_amount(str(amount))
    if isinstance(raw, str):
        match = _PRICE_TEXT.match(raw)
        if match and bool(match["pre"]) != bool(match["post"]):
            return _currency(match["pre"] or match["post"], currencies), _decimal_amount(
                match["amount"]
            )
    raise DataError(f'expects an amount with its currency, e.g. "129.90 EUR"; got {_shown(raw)}')


def parse_price(
    raw: Any, attribute: AttributeDef, currencies: frozenset[str]
) -> list[dict[str, str]]:
    entries: list[tuple[str, Decimal]]
    if isinstance(raw, Mapping) and raw and "amount" not in raw:
        # {"EUR": "129.90", "USD": 139}: one amount per currency
        entries = [
            (_currency(str(currency), currencies), _decimal_amount(str(amount)))
            for currency, amount in cast(Mapping[str, Any], raw).items()
        ]
    elif isinstance(raw, list):
        entries = [_price_entry(item, currencies) for item in cast(list[Any], raw)]
    else:
        entries = [_price_entry(raw, currencies)]
    seen: set[str] = set()
    result: list[dict[str, str]] = []
    for currency, amount in entries:
        if currency in seen:
            raise DataError(f"gives two amounts in {currency}; give one per currency")
        seen.add(currency)
        if amount != amount.quantize(Decimal("0.01")):
            raise DataError(f"takes at most 2 decimals; got {amount}")
        if (
            attribute.validation.get("decimals_allowed") is False
            and amount != amount.to_integral_value()
        ):
            raise DataError(f"takes whole amounts only; got {amount}")
        _check_bounds(float(amount), attribute)
        result.append({"amount": f"{amount:.2f}", "currency": currency})
    return result


def parse_metric(raw: Any, attribute: AttributeDef) -> dict[str, Any]:
    allowed = [
        unit
        for name in attribute.validation.get("allowed_units") or ()
        if (unit := unit_named(name))
    ]
    if not allowed:
        allowed = list(UNITS)
    default = allowed[0]
    example = f'"{_example_amount(default)} {default.symbols[0]}"'
    amount: Any
    unit: Unit | None
    if isinstance(raw, Mapping):
        entry = cast(Mapping[str, Any], raw)
        if set(entry) != {"amount", "unit"}:
            raise DataError(f'expects {{"amount": 0.31, "unit": "{default.name}"}} or {example}')
        amount, unit = entry["amount"], find_unit(str(entry["unit"]))
        if unit is None:
            raise DataError(f"has unknown unit {entry['unit']!r}; use one of {_unit_list(allowed)}")
    elif isinstance(raw, int | float) and not isinstance(raw, bool):
        if len(allowed) > 1:  # a bare 310 could be grams or kilograms: make the unit explicit
            raise DataError(
                f"needs a unit ({_unit_list(allowed)}), e.g. {example}; got {_shown(raw)}"
            )
        amount, unit = raw, default
    elif isinstance(raw, str) and (match := _AMOUNT_AND_UNIT.match(raw)):
        amount, unit = _decimal_text(match[1]), find_unit(match[2])
        if unit is None:
            raise DataError(
                f"has unknown unit {match[2]!r}; use one of {_unit_list(allowed)}, e.g. {example}"
            )
    else:
        raise DataError(f"expects an amount with its unit, e.g. {example}; got {_shown(raw)}")
    number = parse_number(amount, AttributeDef(code=attribute.code, type="number"))
    if unit not in allowed:
        same_family = [candidate for candidate in allowed if candidate.family == unit.family]
        if not same_family:
            raise DataError(
                f"takes {_unit_list(allowed)}; {unit.name} cannot be converted to those"
            )
        number, unit = convert(float(number), unit, same_family[0]), same_family[0]
    if isinstance(number, float) and number.is_integer():
        number = int(number)
    # Bounds are in the attribute's first unit (docs/pimelo-api.md); the value keeps its own.
    _check_bounds(
        convert(float(number), unit, default) if unit.family == default.family else number,
        attribute,
    )
    return {"amount": number, "unit": unit.name}


def _unit_list(units: Sequence[Unit]) -> str:
    return ", ".join(f"{unit.name} ({unit.symbols[0]})" for unit in units)


def _example_amount(unit: Unit) -> str:
    return {"weight": "310", "length": "42", "volume": "1.5", "power": "60", "duration": "30"}[
        unit.family
    ]


def parse_media(raw: Any, attribute: AttributeDef) -> str:
    if not isinstance(raw, str) or not CODE.match(raw):
        raise DataError(
            f'expects a media code (lowercase letters, digits, _), e.g. "img_trail_runner"; '
            f"search_media finds codes, upload_media adds files; got {_shown(raw)}"
        )
    return raw


def parse_entity(raw: Any, attribute: AttributeDef) -> EntityRef:
    if not isinstance(raw, str) or not raw.strip():
        raise DataError(
            f'expects one {attribute.entity_type} (its code or name), e.g. "acme"; got {_shown(raw)}'
        )
    return EntityRef(entity_type=str(attribute.entity_type), text=raw.strip())


def parse_entities(raw: Any, attribute: AttributeDef) -> list[EntityRef]:
    refs: list[EntityRef] = []
    for item in _as_list(raw):
        ref = parse_entity(item, attribute)
        if ref not in refs:
            refs.append(ref)
    return refs


_PARSERS: dict[str, Callable[[Any, AttributeDef], Any]] = {
    "text": parse_text,
    "textarea": parse_text,
    "number": parse_number,
    "boolean": parse_boolean,
    "date": parse_date,
    "select": parse_select,
    "multiselect": parse_multiselect,
    "metric": parse_metric,
    "media": parse_media,
    "entity": parse_entity,
    "entities": parse_entities,
}


def parse_data(raw: Any, attribute: AttributeDef, currencies: frozenset[str]) -> Any:
    """The exact `data` for `attribute` (entity attributes: EntityRef placeholders)."""
    if attribute.type == "price":
        return parse_price(raw, attribute, currencies)
    return _PARSERS[attribute.type](raw, attribute)
