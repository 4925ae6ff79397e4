"""One product search, as a tool asks it: run a page of it, and say why it found nothing.

`ProductSearch` holds what a model asked for (words, filters, shortcuts, locale, channel,
sort); `find_products` translates it against the catalog's definitions and asks Pimelo
for one page. When a search finds nothing, `explain_no_match` says what was searched and
which one-step change of it (a condition left out, another channel) finds products: a
model then changes that instead of guessing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from pimelo_mcp.client import Page, Product
from pimelo_mcp.tools.render import quoted_query, shown
from pimelo_mcp.tools.state import ToolState
from pimelo_mcp.translate import (
    CatalogSchema,
    FilterCondition,
    FilterShortcuts,
    TranslationError,
    translate_filters,
)
from pimelo_mcp.translate.errors import Problem

# Without a sort, the API orders by relevance when there is a query, else by identifier.
Sort = Literal["identifier", "-identifier", "-updated", "-created"]
MAX_CHANGES_TRIED = 10  # an empty answer tries at most this many changes (one request each)


@dataclass(frozen=True)
class ProductSearch:
    """What to search for; every part is optional, all given parts must hold."""

    query: str | None = None
    filters: tuple[FilterCondition, ...] = ()
    status: tuple[str, ...] | None = None
    attribute_set: tuple[str, ...] | None = None
    category: tuple[str, ...] | None = None
    incomplete_for_channel: str | None = None
    incomplete_for_locale: str | None = None
    updated_since: str | None = None
    locale: str | None = None
    channel: str | None = None
    sort: Sort | None = None  # None: by relevance with a query, else by identifier

    def conditions(self) -> list[tuple[str, ProductSearch]]:
        """Each condition, named as the model wrote it, with the search left without it."""
        parts: list[tuple[str, ProductSearch]] = []
        if self.query and self.query.strip():
            parts.append((f"query {quoted_query(self.query)}", replace(self, query=None)))
        for index, condition in enumerate(self.filters):
            rest = self.filters[:index] + self.filters[index + 1 :]
            parts.append(
                (f"filters[{index}] ({condition_text(condition)})", replace(self, filters=rest))
            )
        for name in ("status", "attribute_set", "category"):
            value = getattr(self, name)
            if value:
                parts.append((f"{name} {' or '.join(value)}", replace(self, **{name: None})))
        if self.incomplete_for_channel:
            where = self.incomplete_for_channel + (
                f" / {self.incomplete_for_locale}" if self.incomplete_for_locale else ""
            )
            parts.append(
                (
                    f"incomplete_for_channel {where}",
                    replace(self, incomplete_for_channel=None, incomplete_for_locale=None),
                )
            )
        if self.updated_since:
            parts.append((f"updated_since {self.updated_since}", replace(self, updated_since=None)))
        # The defaults narrow localizable / scopable filters: left out, they match any.
        if self.channel and (self.filters or self.query):
            parts.append((f"channel {self.channel}", replace(self, channel=None)))
        if self.locale and (self.filters or self.query):
            parts.append((f"locale {self.locale}", replace(self, locale=None)))
        return parts

    def scope_text(self) -> str:
        """The channel and locale searched, as a sentence part."""
        channel = self.channel or self.incomplete_for_channel
        locale = self.locale or self.incomplete_for_locale
        return f"in {channel or 'any channel'} / {locale or 'any locale'}"


def condition_text(condition: FilterCondition) -> str:
    value = "" if condition.value is None else f" {shown(condition.value)}"
    where = [part for part in (condition.locale, condition.channel) if part]
    return f"{condition.attribute} {condition.op}{value}" + (
        f" in {'/'.join(where)}" if where else ""
    )


def _updated_since(text: str | None) -> str | int | None:
    if text is None:
        return None
    days = re.fullmatch(r"(\d+)d?", text.strip())
    return int(days[1]) if days else text


def check_scope(schema: CatalogSchema, locale: str | None, channel: str | None) -> None:
    """Refuse a locale or channel the catalog lacks before any request, listing the right ones.

    A token that may not read settings cannot know them: Pimelo judges the codes instead.
    """
    if not schema.settings_known:
        return
    problems: list[Problem] = []
    if locale is not None and locale not in schema.locales:
        problems.append(
            Problem(
                "locale",
                f"{locale!r} is not an enabled locale; enabled: {', '.join(sorted(schema.locales))}",
            )
        )
    if channel is not None and channel not in schema.channels:
        problems.append(
            Problem(
                "channel",
                f"{channel!r} is not a channel; channels: {', '.join(sorted(schema.channels))}",
            )
        )
    if problems:
        raise TranslationError(problems)


async def api_filters(
    state: ToolState, schema: CatalogSchema, search: ProductSearch
) -> dict[str, list[dict[str, Any]]]:
    """The search's conditions as the API's filter object (TranslationError when they cannot be)."""
    return await translate_filters(
        list(search.filters),
        schema,
        target="product",
        shortcuts=FilterShortcuts(
            status=search.status,
            attribute_set=search.attribute_set,
            category=search.category,
            incomplete_for_channel=search.incomplete_for_channel,
            incomplete_for_locale=search.incomplete_for_locale,
            updated_since=_updated_since(search.updated_since),
        ),
        locale=search.locale,
        channel=search.channel,
        resolve_entities=state.entities,
    )


async def find_products(
    state: ToolState,
    schema: CatalogSchema,
    search: ProductSearch,
    *,
    limit: int,
    fields: Sequence[str] | None = None,
    after: str | None = None,
) -> Page[Product]:
    """One page of the search, from Pimelo (`after`: the API cursor of the previous page)."""
    check_scope(schema, search.locale, search.channel)
    filters = await api_filters(state, schema, search)
    return await state.client.products.search(
        query=search.query,
        filters=filters or None,
        locale=search.locale,
        channel=search.channel,
        sort=search.sort,
        attributes=fields,
        limit=limit,
        search_after=after,
    )


def _other_channels(schema: CatalogSchema, channel: str, locale: str | None) -> list[str]:
    """The channels a search in `channel` could have meant instead (those selling `locale`)."""
    return [
        code
        for code, known in schema.channels.items()
        if code != channel and (locale is None or locale in known.locales)
    ]


def changes_to_try(schema: CatalogSchema, search: ProductSearch) -> list[tuple[str, ProductSearch]]:
    """One-step changes of a search that found nothing: each condition left out, and the
    channel (of the search or of a filter) swapped for another that sells its locale."""
    tries = [(f"without {label}", without) for label, without in search.conditions()]
    if search.channel:
        for other in _other_channels(schema, search.channel, search.locale):
            tries.append(
                (f"in channel {other} instead of {search.channel}", replace(search, channel=other))
            )
    for index, condition in enumerate(search.filters):
        if not condition.channel:
            continue
        for other in _other_channels(schema, condition.channel, condition.locale or search.locale):
            moved = list(search.filters)
            moved[index] = replace(condition, channel=other)
            tries.append(
                (
                    f"with filters[{index}] in channel {other} instead of {condition.channel}",
                    replace(search, filters=tuple(moved)),
                )
            )
    return tries


async def explain_no_match(state: ToolState, schema: CatalogSchema, search: ProductSearch) -> str:
    """Why a search found nothing: what was searched and which one-step change of it
    (a condition left out, another channel) finds products. Each change costs one request
    of one product; at most MAX_CHANGES_TRIED are tried."""
    parts = search.conditions()
    searched = f"No products match {search.scope_text()}"
    if not parts:
        return f"{searched}: the catalog has no products."
    listed = "; ".join(label for label, _ in parts)
    intro = f"{searched} for {listed}." if len(parts) == 1 else f"{searched} for all of: {listed}."
    tries = changes_to_try(schema, search)
    if len(parts) == 1:  # leaving out the only condition lists everything: nothing to learn
        tries = tries[1:]
    if not tries:
        return intro
    if len(tries) > MAX_CHANGES_TRIED:
        return f"{intro} Try with fewer conditions."
    found: list[str] = []
    for label, changed in tries:
        try:
            page = await find_products(state, schema, replace(changed, sort=None), limit=1)
        except TranslationError:
            continue  # that change cannot stand alone (e.g. a locale a filter needs)
        if page.items:
            found.append(label)
    if found:
        return f"{intro} Products do match {'; or '.join(found)}."
    if len(parts) == 1:
        return intro
    return f"{intro} No single condition excludes everything; leave out several."
