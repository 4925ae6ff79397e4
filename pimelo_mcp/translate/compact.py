"""API values → the compact form a model reads: one entry per attribute, written like a person would.

The reverse of translate_values: `[{"locale": "en_US", "channel": null, "data": [{"amount":
"129.90", "currency": "EUR"}]}]` becomes `"129.90 EUR"`. Values are picked for the asked
locale and channel; where none was asked and the value differs by locale or channel, the
entry is an object keyed by them (the same shape translate_values accepts back).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from pimelo_mcp.translate.units import symbol

TEXT_LIMIT = 300  # characters of a long text shown by default; the rest is cut with a note


def render_data(data: Any) -> Any:
    """One value's data in its compact form (prices and metrics as text, others as they are)."""
    if isinstance(data, list) and data and all(_is_price(item) for item in cast(list[Any], data)):
        prices = cast(list[Mapping[str, Any]], data)
        return ", ".join(f"{price['amount']} {price['currency']}" for price in prices)
    if isinstance(data, Mapping) and set(cast(Mapping[str, Any], data)) == {"amount", "unit"}:
        metric = cast(Mapping[str, Any], data)
        return f"{metric['amount']} {symbol(str(metric['unit']))}"
    return cast(Any, data)


def _is_price(item: Any) -> bool:
    return isinstance(item, Mapping) and set(cast(Mapping[str, Any], item)) == {
        "amount",
        "currency",
    }


def cut_text(data: Any, limit: int | None) -> tuple[Any, bool]:
    """Long text shortened to `limit` characters with a visible marker; (data, was it cut)."""
    if limit is None or not isinstance(data, str) or len(data) <= limit:
        return data, False
    return f"{data[:limit].rstrip()}… [cut: {len(data):,} characters in all]", True


def compact_values(
    values: Mapping[str, Sequence[Mapping[str, Any]]],
    *,
    locale: str | None = None,
    channel: str | None = None,
    text_limit: int | None = TEXT_LIMIT,
    only: Sequence[str] | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """The compact values and the codes whose text was cut."""
    result: dict[str, Any] = {}
    cut: list[str] = []
    for code, entries in values.items():
        if only is not None and code not in only:
            continue
        kept = [
            entry
            for entry in entries
            if entry.get("data") is not None
            and (locale is None or entry.get("locale") in (None, locale))
            and (channel is None or entry.get("channel") in (None, channel))
        ]
        if not kept:
            continue
        shaped, was_cut = _shape(kept, text_limit)
        result[code] = shaped
        if was_cut:
            cut.append(code)
    return result, cut


def _shape(entries: Sequence[Mapping[str, Any]], text_limit: int | None) -> tuple[Any, bool]:
    """One plain value when one remains; else nested by locale and/or channel."""
    any_cut = False

    def render(entry: Mapping[str, Any]) -> Any:
        nonlocal any_cut
        data, was_cut = cut_text(render_data(entry["data"]), text_limit)
        any_cut = any_cut or was_cut
        return data

    if len(entries) == 1:
        return render(entries[0]), any_cut
    locales = {entry.get("locale") for entry in entries}
    channels = {entry.get("channel") for entry in entries}
    shaped: dict[str, Any] = {}
    for entry in entries:
        entry_locale, entry_channel = entry.get("locale"), entry.get("channel")
        if len(channels) > 1 and len(locales) > 1:
            shaped.setdefault(str(entry_channel), {})[str(entry_locale)] = render(entry)
        elif len(channels) > 1:
            shaped[str(entry_channel)] = render(entry)
        else:
            shaped[str(entry_locale)] = render(entry)
    return shaped, any_cut
