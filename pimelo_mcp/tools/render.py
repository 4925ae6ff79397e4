"""Values written into a tool's text for a person or a model to read, never as Python reprs.

A list reads `red, blue`, a boolean `yes` / `no`, a map `fr_FR: Veste; en_US: Jacket`;
in a before → after change, text is quoted so that its ends (and an empty text) show.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

EMPTY = "(empty)"
QUOTED_QUERY_CHARS = 80  # what a message repeats of a model's query: enough to recognise it


def quoted_query(query: str) -> str:
    """A query as a message repeats it: quoted, and cut short when long."""
    text = query.strip()
    if len(text) > QUOTED_QUERY_CHARS:
        text = text[: QUOTED_QUERY_CHARS - 1] + "…"
    return f'"{text}"'


def shown(value: Any) -> str:
    """A value as plain text: `a, b`; `yes`/`no`; `key: value; …`; (empty) for nothing."""
    return _shown(value, quote=False)


def shown_change(value: Any) -> str:
    """A value on one side of a change: as `shown`, with text in double quotes."""
    return _shown(value, quote=True)


def _shown(value: Any, *, quote: bool) -> str:
    if value is None:
        return EMPTY
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return f'"{value}"' if quote else (value or EMPTY)
    if isinstance(value, int | float):
        return str(value)  # before the abstract checks below, which cost more
    if isinstance(value, list):
        return _shown_items(cast(list[Any], value))
    if isinstance(value, Mapping):
        entries = cast(Mapping[Any, Any], value)
        if not entries:
            return EMPTY
        # "; " between entries: a text value may hold commas itself.
        return "; ".join(f"{key}: {_shown(item, quote=quote)}" for key, item in entries.items())
    if isinstance(value, Sequence | set | frozenset):
        return _shown_items(list(cast(Sequence[Any], value)))
    return str(value)


def _shown_items(items: list[Any]) -> str:
    if not items:
        return EMPTY
    return ", ".join(_shown(item, quote=False) for item in items)


def shown_entries(entries: Sequence[Mapping[str, Any]]) -> str:
    """A value in the API's raw form (a list of {locale, channel, data}), one part per scope."""
    parts: list[str] = []
    for entry in entries:
        scope = "/".join(str(entry[k]) for k in ("locale", "channel") if entry.get(k))
        parts.append(f"{scope or 'all'}: {shown(entry.get('data'))}")
    return "; ".join(parts) or EMPTY


def shown_value(value: Any) -> str:
    """A product's or entity's value as compacted, or in its raw form (full=true)."""
    if isinstance(value, list) and all(
        isinstance(entry, Mapping) and "data" in entry for entry in cast(list[Any], value)
    ):
        return shown_entries(cast(list[Mapping[str, Any]], value)) if value else EMPTY
    return shown(value)
