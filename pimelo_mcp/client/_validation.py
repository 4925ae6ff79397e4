"""Arguments checked before a URL is built, and path segments encoded safely."""

from __future__ import annotations

import re
from urllib.parse import quote

from pimelo_mcp.client import _constants as c
from pimelo_mcp.client.errors import InvalidArgumentError

_CODE = re.compile(c.CODE_PATTERN)
_IDENTIFIER = re.compile(c.IDENTIFIER_PATTERN)
_LOCALE = re.compile(c.LOCALE_PATTERN)


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def check_code(value: str, what: str = "code") -> str:
    """A code (attribute, channel, entity type, entity, media...): `^[a-z0-9_]{1,100}$`."""
    if not isinstance(value, str) or not value:  # pyright: ignore[reportUnnecessaryIsInstance]
        raise InvalidArgumentError(f"{what} must be a non-empty string, got {_shown(value)}.")
    if not _CODE.fullmatch(value):
        raise InvalidArgumentError(
            f"{what} {_shown(value)} is not a valid code: use 1-100 lower-case letters, digits "
            "or '_' (e.g. 'running_shoes')."
        )
    return value


def check_identifier(value: str, what: str = "identifier") -> str:
    """A product identifier (SKU): `^[A-Za-z0-9_.\\-]{1,255}$`, and never `.` or `..`."""
    if not isinstance(value, str) or not value:  # pyright: ignore[reportUnnecessaryIsInstance]
        raise InvalidArgumentError(f"{what} must be a non-empty string, got {_shown(value)}.")
    if not _IDENTIFIER.fullmatch(value) or value in {".", ".."}:
        raise InvalidArgumentError(
            f"{what} {_shown(value)} is not a valid product identifier: use 1-255 letters, "
            "digits, '_', '.' or '-' (e.g. 'SHOE-42.BLK')."
        )
    return value


def check_locale(value: str, what: str = "locale") -> str:
    if not _LOCALE.fullmatch(value):
        raise InvalidArgumentError(f"{what} {_shown(value)} is not a locale code like 'en_US'.")
    return value


def check_limit(value: int | None) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not (c.MIN_PAGE_SIZE <= value <= c.MAX_PAGE_SIZE):
        raise InvalidArgumentError(
            f"limit must be between {c.MIN_PAGE_SIZE} and {c.MAX_PAGE_SIZE}, got {_shown(value)}."
        )
    return value


def path(*segments: str) -> str:
    """A path relative to the base URL, each segment percent-encoded (a `/` cannot split it)."""
    for segment in segments:
        if segment in {"", ".", ".."}:
            raise InvalidArgumentError(f"a path segment may not be {segment!r}.")
    return "/".join(quote(segment, safe="") for segment in segments)
