"""Opaque `search_after` cursors: urlsafe base64 of the sort name, the sort key and the record id."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from pimelo_mcp.sandbox.problems import ProblemError, invalid


def encode_cursor(sort: str, key: Any, record_id: Any) -> str:
    raw = json.dumps([sort, key, record_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: Any, sort: str, field: str = "search_after") -> tuple[Any, Any]:
    """The (key, id) of a cursor made for `sort`; a 422 on `field` otherwise."""
    if not isinstance(cursor, str) or not cursor:
        raise invalid(field, "must be a cursor string returned by a previous page")
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        decoded: Any = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError, RecursionError):
        raise invalid(field, "is not a valid cursor") from None
    if not isinstance(decoded, list) or len(decoded) != 3:  # pyright: ignore[reportUnknownArgumentType]
        raise invalid(field, "is not a valid cursor")
    parts: list[Any] = list(decoded)  # pyright: ignore[reportUnknownArgumentType]
    if parts[0] != sort:
        raise invalid(field, f"was made for sort {parts[0]!r}, not {sort!r}")
    key, record_id = parts[1], parts[2]
    # Every sort key is a string (a code, an identifier or a timestamp) and every record id a
    # SQLite integer: anything else was not made by this sandbox.
    if (
        not isinstance(key, str)
        or isinstance(record_id, bool)
        or not isinstance(record_id, int)
        or not -(2**63) <= record_id < 2**63
    ):
        raise invalid(field, "is not a valid cursor")
    return key, record_id


def check_limit(raw: Any, field: str = "limit") -> int:
    if raw is None:
        return 25
    if isinstance(raw, bool) or not isinstance(raw, int) or not 1 <= raw <= 100:
        raise ProblemError(
            422,
            f"{field}: must be an integer from 1 to 100",
            errors=[{"field": field, "message": "must be an integer from 1 to 100"}],
        )
    return raw
