"""Small JSON helpers: typed narrowing of parsed JSON, compact dumps and RFC 3339 timestamps."""

from __future__ import annotations

import json
import math
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

from pimelo_mcp.sandbox.problems import FieldErrors

JSON = dict[str, Any]

CODE_RE = re.compile(r"^[a-z0-9_]{1,100}$")
IDENTIFIER_RE = re.compile(r"^[A-Za-z0-9_.\-]{1,255}$")
LOCALE_RE = re.compile(r"^[a-z]{2,3}_[A-Z]{2}$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def as_dict(value: Any) -> JSON | None:
    return cast(JSON, value) if isinstance(value, dict) else None


def as_list(value: Any) -> list[Any] | None:
    return cast(list[Any], value) if isinstance(value, list) else None


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def finite_float(value: Any) -> float | None:
    """A JSON number as a finite float; None for anything else (including ints too large)."""
    if not is_number(value):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


# Request fields are read through these: a member of the wrong JSON type becomes a 422 on that
# field (never a TypeError or KeyError further down, e.g. a list used as a dict key).


def expect_str(value: Any, field: str, errors: FieldErrors, *, nullable: bool = True) -> str | None:
    """`value` when it is a string; None when it is null (an error unless `nullable`) or of
    another JSON type (then an error on `field`)."""
    if isinstance(value, str):
        return value
    if value is None and nullable:
        return None
    errors.add(field, "must be a string or null" if nullable else "must be a string")
    return None


def expect_bool(value: Any, field: str, errors: FieldErrors) -> bool | None:
    if isinstance(value, bool):
        return value
    errors.add(field, "must be true or false")
    return None


def str_or_none(value: Any) -> str | None:
    """`value` when it is a string, else None (for echoing a request member back safely)."""
    return value if isinstance(value, str) else None


def dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def format_ts(moment: datetime) -> str:
    # isoformat pads the year to 4 digits (strftime's %Y does not below 1000), so that string
    # order stays time order.
    return moment.astimezone(UTC).replace(tzinfo=None, microsecond=0).isoformat() + "Z"


def now_ts() -> str:
    return format_ts(datetime.now(UTC))


def parse_ts(text: Any) -> datetime | None:
    """An RFC 3339 timestamp (any offset, `Z` allowed) as an aware UTC datetime, else None."""
    if isinstance(text, datetime):
        moment = text
    elif isinstance(text, str) and "T" in text.upper():
        try:
            moment = datetime.fromisoformat(text.replace("z", "Z").replace("Z", "+00:00"))
        except ValueError:
            return None
    else:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # e.g. 0001-01-01T00:00:00+05:00 is before the first representable day
        return None


def normalize_ts(value: Any) -> str:
    """Timestamps from a catalog, normalized so that string order is time order."""
    moment = parse_ts(value)
    return format_ts(moment) if moment else now_ts()


def parse_date(text: Any) -> date | None:
    if not isinstance(text, str) or not DATE_RE.match(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def day_start(day: date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def next_day_start(day: date) -> str:
    return day_start(day + timedelta(days=1))


def member_dict(record: JSON, key: str) -> JSON:
    """record[key] when it is an object, else {}."""
    return as_dict(record.get(key)) or {}


def member_list(record: JSON, key: str) -> list[Any]:
    """record[key] when it is a list, else []."""
    return as_list(record.get(key)) or []
