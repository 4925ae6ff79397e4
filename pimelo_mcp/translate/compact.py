"""API values → the compact form a model reads: one entry per attribute, written like a person would.

The reverse of translate_values: `[{"locale": "en_US", "channel": null, "data": [{"amount":
"129.90", "currency": "EUR"}]}]` becomes `"129.90 EUR"`. Values are picked for the asked
locale and channel; where none was asked and the value differs by locale or channel, the
entry is an object keyed by them (the same shape translate_values accepts back).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol, cast

from pimelo_mcp.translate.units import symbol

TEXT_LIMIT = 300  # characters of a long text shown by default; the rest is cut with a note


def render_data(data: Any) -> Any:
    """One value's data in its compact form (prices and metrics as text, others as they are)."""
    # Runs for every value of every product read: plain type tests, and keys counted, not
    # copied into a set per value.
    if isinstance(data, list):
        items = cast(list[Any], data)
        if items and all(_has_only(item, "amount", "currency") for item in items):
            return ", ".join(f"{price['amount']} {price['currency']}" for price in items)
        return items
    if _has_only(data, "amount", "unit"):
        metric = cast(Mapping[str, Any], data)
        return f"{metric['amount']} {symbol(str(metric['unit']))}"
    return data


def _has_only(item: Any, first: str, second: str) -> bool:
    """Whether `item` is a mapping with exactly these two keys."""
    if not isinstance(item, Mapping):
        return False
    keys = cast(Mapping[str, Any], item)
    return len(keys) == 2 and first in keys and second in keys


def cut_text(data: Any, limit: int | None) -> tuple[Any, bool]:
    """Long text shortened to `limit` characters with a visible marker; (data, was it cut)."""
    if limit is None or not isinstance(data, str) or len(data) <= limit:
        return data, False
    return f"{data[:limit].rstrip()}… [cut: {len(data):,} characters in all]", True


class ScopedValue(Protocol):
    """A value as the client's model holds it (`pimelo_mcp.client.Value`)."""

    @property
    def locale(self) -> str | None: ...
    @property
    def channel(self) -> str | None: ...
    @property
    def data(self) -> Any: ...


# One value reduced to what compacting reads: (locale, channel, data).
_Entry = tuple[str | None, str | None, Any]


def compact_values(
    values: Mapping[str, Sequence[Mapping[str, Any]]],
    *,
    locale: str | None = None,
    channel: str | None = None,
    text_limit: int | None = TEXT_LIMIT,
    only: Sequence[str] | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """The compact values and the codes whose text was cut."""
    return _compact(
        (
            (
                code,
                [
                    (entry.get("locale"), entry.get("channel"), entry.get("data"))
                    for entry in entries
                ],
            )
            for code, entries in values.items()
            if only is None or code in only
        ),
        locale,
        channel,
        text_limit,
    )


def compact_records(
    values: Mapping[str, Sequence[ScopedValue]],
    *,
    locale: str | None = None,
    channel: str | None = None,
    text_limit: int | None = TEXT_LIMIT,
    only: Sequence[str] | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """`compact_values` of the client's records as they are, without a plain copy of each first."""
    return _compact(
        (
            (code, [(value.locale, value.channel, value.data) for value in entries])
            for code, entries in values.items()
            if only is None or code in only
        ),
        locale,
        channel,
        text_limit,
    )


def _compact(
    values: Iterable[tuple[str, list[_Entry]]],
    locale: str | None,
    channel: str | None,
    text_limit: int | None,
) -> tuple[dict[str, Any], list[str]]:
    result: dict[str, Any] = {}
    cut: list[str] = []
    for code, entries in values:
        kept = [
            entry
            for entry in entries
            if entry[2] is not None
            and (locale is None or entry[0] is None or entry[0] == locale)
            and (channel is None or entry[1] is None or entry[1] == channel)
        ]
        if not kept:
            continue
        if len(kept) == 1:
            result[code], was_cut = cut_text(render_data(kept[0][2]), text_limit)
        else:
            result[code], was_cut = _shape(kept, text_limit)
        if was_cut:
            cut.append(code)
    return result, cut


def _shape(entries: Sequence[_Entry], text_limit: int | None) -> tuple[Any, bool]:
    """Values that remain in several locales or channels, nested by locale and/or channel."""
    any_cut = False
    locales = {entry[0] for entry in entries}
    channels = {entry[1] for entry in entries}
    shaped: dict[str, Any] = {}
    for entry_locale, entry_channel, data in entries:
        rendered, was_cut = cut_text(render_data(data), text_limit)
        any_cut = any_cut or was_cut
        if len(channels) > 1 and len(locales) > 1:
            shaped.setdefault(str(entry_channel), {})[str(entry_locale)] = rendered
        elif len(channels) > 1:
            shaped[str(entry_channel)] = rendered
        else:
            shaped[str(entry_locale)] = rendered
    return shaped, any_cut
