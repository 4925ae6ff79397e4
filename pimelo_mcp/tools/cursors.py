"""The cursors search tools hand out: Pimelo's cursor, bound to the search that made it.

A cursor from another search would page through the wrong results without a word, so
each cursor carries a short fingerprint of the search's arguments (everything but the
page size and the fields shown) and is refused, with what to do, for any other search.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncGenerator, Mapping
from contextlib import asynccontextmanager
from typing import Any

from pimelo_mcp.client import ValidationError
from pimelo_mcp.translate import TranslationError
from pimelo_mcp.translate.errors import Problem

NOT_THIS_SEARCH = "this cursor is not from this search; start again without cursor"
API_CURSOR_FIELD = "search_after"


class CursorRefused(Exception):
    """Pimelo refused a cursor the search sent (expired, or its catalog restarted)."""

    def __str__(self) -> str:
        return f"cursor: {NOT_THIS_SEARCH}"


def fingerprint(search: Mapping[str, Any]) -> str:
    canonical = json.dumps(search, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:10]


def bind(api_cursor: str | None, search: Mapping[str, Any]) -> str | None:
    """The cursor a tool returns for the next page of `search`."""
    if api_cursor is None:
        return None
    return f"{fingerprint(search)}.{api_cursor}"


def unbind(cursor: str | None, search: Mapping[str, Any]) -> str | None:
    """The API cursor inside a tool's cursor, if it was made for this very search."""
    if cursor is None:
        return None
    mark, _, api_cursor = cursor.partition(".")
    if not api_cursor or mark != fingerprint(search):
        raise TranslationError([Problem("cursor", NOT_THIS_SEARCH)])
    return api_cursor


@asynccontextmanager
async def refusing_stale_cursors() -> AsyncGenerator[None]:
    """Pimelo's refusal of the cursor alone becomes the same message as a foreign cursor."""
    try:
        yield
    except ValidationError as error:
        if error.errors and all(item.field == API_CURSOR_FIELD for item in error.errors):
            raise CursorRefused from error
        raise
