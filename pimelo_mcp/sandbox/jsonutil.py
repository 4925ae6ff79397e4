"""Small JSON helpers: typed narrowing of parsed JSON, compact dumps and RFC 3339 timestamps."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

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


def dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def format_ts(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


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
    return moment.astimezone(UTC)


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
