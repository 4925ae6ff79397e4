"""Opaque `search_after` cursors: urlsafe base64 of the sort name, the sort key and the record id."""

from __future__ import annotations

import base64
import binascii
import json
import math
from typing import Any

from pimelo_mcp.sandbox.problems import ProblemError, invalid


def encode_cursor(sort: str, key: Any, record_id: Any) -> str:
    raw = json.dumps([sort, key, record_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: Any, sort: str, field: str = "search_after") -> tuple[Any, Any]:
    """The (key, id) of a cursor made for `sort`; a 422 on `field` otherwise.

    A relevance sort is named with its query ("relevance:<hash>"): a score means nothing
    for another query, so such a cursor is refused.
    """
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
    made_for = parts[0]
    if made_for != sort:
        if not isinstance(made_for, str):
            raise invalid(field, "is not a valid cursor")
        if made_for.startswith("relevance:") and sort.startswith("relevance:"):
            raise invalid(field, "was made for another query; start again without search_after")
        shown = made_for.split(":")[0]
        raise invalid(field, f"was made for sort {shown!r}, not {sort.split(':')[0]!r}")
    key, record_id = parts[1], parts[2]
    # Every sort key is a string (a code, an identifier or a timestamp), or for relevance a
    # finite score, and every record id a SQLite integer: anything else was not made here.
    if sort.startswith("relevance:"):
        key_ok = isinstance(key, int | float) and not isinstance(key, bool) and math.isfinite(key)
    else:
        key_ok = isinstance(key, str)
    if (
        not key_ok
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
