"""A product's or entity's values as a model writes them → the API's `values` object.

Where a value goes (which locale, which channel) is read from the shape the model wrote:
a plain value uses the call's default locale/channel, `{"fr_FR": ...}` names locales,
`{"ecommerce": ...}` names channels, and either nests inside the other. The API's own
list form (`[{"locale", "channel", "data"}]`) is accepted as is.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Mapping
from typing import Any, cast

from pimelo_mcp.translate.data import parse_data
from pimelo_mcp.translate.definitions import AttributeDef, CatalogSchema
from pimelo_mcp.translate.errors import DataError, Problem, TranslationError, UnknownNameError
from pimelo_mcp.translate.resolve import EntityResolver, refs_in, resolve_refs, substitute

LOCALE_SHAPE = re.compile(r"^[a-z]{2,3}_[A-Z]{2}$")
_EXPLICIT_KEYS = {"locale", "channel", "data"}

Slot = tuple[str | None, str | None, Any]  # (locale, channel, raw data)


def field_path(prefix: str, code: str, locale: str | None, channel: str | None) -> str:
    """`values.name[locale=fr_FR,channel=ecommerce]`, the same paths the API uses."""
    qualifiers = [
        f"{key}={value}" for key, value in (("locale", locale), ("channel", channel)) if value
    ]
    return f"{prefix}.{code}" + (f"[{','.join(qualifiers)}]" if qualifiers else "")


def unknown_attribute_message(code: str, known: Collection[str], where: str = "") -> str:
    close = difflib.get_close_matches(code, list(known), n=3, cutoff=0.6)
    hint = f"did you mean {', '.join(close)}? " if close else ""
    return f"no attribute {code!r}{where}; {hint}search_attributes lists the attributes and their codes"


class _Placer:
    """Turns one attribute's natural value into (locale, channel, raw data) slots."""

    def __init__(self, schema: CatalogSchema, locale: str | None, channel: str | None) -> None:
        self.schema = schema
        self.locale = locale
        self.channel = channel

    def _keyed_by(self, raw: Any, kind: str) -> Mapping[str, Any] | None:
        if not isinstance(raw, Mapping) or not raw:
            return None
        keys = list(cast(Mapping[str, Any], raw))
        if kind == "locale" and all(LOCALE_SHAPE.match(key) for key in keys):
            return cast(Mapping[str, Any], raw)
        if kind == "channel" and all(key in self.schema.channels for key in keys):
            return cast(Mapping[str, Any], raw)
        return None

    def place(self, attribute: AttributeDef, raw: Any) -> list[Slot]:
        if _is_explicit(raw):
            return [
                (entry.get("locale"), entry.get("channel"), entry["data"])
                for entry in cast(list[Mapping[str, Any]], raw)
            ]
        if attribute.localizable and attribute.scopable:
            return self._place_both(attribute, raw)
        if attribute.localizable:
            return self._place_one(attribute, raw, "locale")
        if attribute.scopable:
            return self._place_one(attribute, raw, "channel")
        return [(None, None, raw)]

    def _default(self, kind: str) -> str | None:
        return self.locale if kind == "locale" else self.channel

    def _place_one(self, attribute: AttributeDef, raw: Any, kind: str) -> list[Slot]:
        keyed = self._keyed_by(raw, kind)
        if keyed is not None:
            return [
                (key, None, data) if kind == "locale" else (None, key, data)
                for key, data in keyed.items()
            ]
        default = self._default(kind)
        if default is None:
            raise DataError(_needs(attribute, kind, self.schema))
        return [(default, None, raw) if kind == "locale" else (None, default, raw)]

    def _place_both(self, attribute: AttributeDef, raw: Any) -> list[Slot]:
        slots: list[Slot] = []
        by_channel = self._keyed_by(raw, "channel")
        if by_channel is not None:
            for channel, inner in by_channel.items():
                by_locale = self._keyed_by(inner, "locale")
                if by_locale is not None:
                    slots.extend((locale, channel, data) for locale, data in by_locale.items())
                elif self.locale is not None:
                    slots.append((self.locale, channel, inner))
                else:
                    raise DataError(_needs(attribute, "locale", self.schema))
            return slots
        by_locale = self._keyed_by(raw, "locale")
        if by_locale is not None:
            for locale, inner in by_locale.items():
                by_channel = self._keyed_by(inner, "channel")
                if by_channel is not None:
                    slots.extend((locale, channel, data) for channel, data in by_channel.items())
                elif self.channel is not None:
                    slots.append((locale, self.channel, inner))
                else:
                    raise DataError(_needs(attribute, "channel", self.schema))
            return slots
        if self.locale is None or self.channel is None:
            missing = "locale" if self.locale is None else "channel"
            raise DataError(_needs(attribute, missing, self.schema))
        return [(self.locale, self.channel, raw)]


def _is_explicit(raw: Any) -> bool:
    if not isinstance(raw, list) or not raw:
        return False
    entries = cast(list[Any], raw)
    return all(
        isinstance(entry, Mapping)
        and "data" in entry
        and set(cast(Mapping[str, Any], entry)) <= _EXPLICIT_KEYS
        for entry in entries
    )


def _needs(attribute: AttributeDef, kind: str, schema: CatalogSchema) -> str:
    if kind == "locale":
        example = ", ".join(f'"{code}": "…"' for code in sorted(schema.locales)[:2])
        return f"is localizable: write one value per locale, e.g. {{{example}}}, or set the call's locale"
    channels = sorted(schema.channels)[:2]
    example = ", ".join(f'"{code}": "…"' for code in channels)
    return f"is scopable (differs per channel): write one value per channel, e.g. {{{example}}}, or set the call's channel"


def _check_slot(
    attribute: AttributeDef, locale: Any, channel: Any, schema: CatalogSchema
) -> str | None:
    """Why (locale, channel) is not a place this attribute can have a value, or None."""
    if attribute.localizable and locale is None:
        return "is localizable: each value needs a locale"
    if not attribute.localizable and locale is not None:
        return f"is not localizable: give one value for all locales, without {locale}"
    if attribute.scopable and channel is None:
        return "is scopable: each value needs a channel"
    if not attribute.scopable and channel is not None:
        return f"is the same on every channel: give one value, without channel {channel}"
    if locale is not None and (not isinstance(locale, str) or locale not in schema.locales):
        return f"locale {locale!r} is not enabled; enabled locales: {', '.join(sorted(schema.locales))}"
    if channel is not None:
        known = schema.channels.get(channel) if isinstance(channel, str) else None
        if known is None:
            return f"channel {channel!r} does not exist; channels: {', '.join(sorted(schema.channels))} (list_channels)"
        if locale is not None and locale not in known.locales:
            return f"channel {channel} is not sold in {locale}; its locales: {', '.join(known.locales)}"
    return None


async def translate_values(
    natural: Mapping[str, Any],
    schema: CatalogSchema,
    *,
    locale: str | None = None,
    channel: str | None = None,
    allowed: Collection[str] | None = None,
    allowed_from: str = "",
    resolve_entities: EntityResolver | None = None,
    prefix: str = "values",
) -> dict[str, list[dict[str, Any]]]:
    """The API `values` for `natural`, or TranslationError listing every problem.

    `allowed` restricts the attributes (a product's attribute set, named by `allowed_from`);
    `data: None` clears a value. Entity names are resolved with `resolve_entities`.
    """
    placer = _Placer(schema, locale, channel)
    problems: list[Problem] = []
    result: dict[str, list[dict[str, Any]]] = {}
    for code, raw in natural.items():
        attribute = schema.attributes.get(code)
        if attribute is None:
            problems.append(
                Problem(
                    f"{prefix}.{code}",
                    unknown_attribute_message(code, schema.attributes),
                    names_unknown=True,
                )
            )
            continue
        if allowed is not None and code not in allowed:
            where = f" in attribute set {allowed_from}" if allowed_from else " here"
            problems.append(
                Problem(
                    f"{prefix}.{code}",
                    f"is not an attribute{where}; its attributes: {', '.join(sorted(allowed))}",
                    names_unknown=True,  # the set may have gained it since it was cached
                )
            )
            continue
        try:
            slots = placer.place(attribute, raw)
        except DataError as error:
            problems.append(Problem(f"{prefix}.{code}", str(error)))
            continue
        entries: list[dict[str, Any]] = []
        seen: set[tuple[Any, Any]] = set()
        for slot_locale, slot_channel, data in slots:
            path = field_path(prefix, code, _as_text(slot_locale), _as_text(slot_channel))
            reason = _check_slot(attribute, slot_locale, slot_channel, schema)
            if reason is None and (slot_locale, slot_channel) in seen:
                reason = "is given twice for the same locale and channel"
            if reason is not None:
                problems.append(Problem(path, reason))
                continue
            seen.add((slot_locale, slot_channel))
            try:
                parsed = None if data is None else parse_data(data, attribute, schema.currencies)
            except DataError as error:
                problems.append(
                    Problem(
                        path,
                        f"{attribute.code} ({attribute.type}) {error}",
                        names_unknown=isinstance(error, UnknownNameError),
                    )
                )
                continue
            entries.append({"locale": slot_locale, "channel": slot_channel, "data": parsed})
        result[code] = entries
    problems.extend(await _resolve_entities(result, resolve_entities, prefix))
    if problems:
        raise TranslationError(problems)
    return result


def _as_text(value: Any) -> str | None:
    return value if isinstance(value, str) else None if value is None else repr(value)


async def _resolve_entities(
    values: dict[str, list[dict[str, Any]]],
    resolver: EntityResolver | None,
    prefix: str,
) -> list[Problem]:
    """Replace EntityRef placeholders by codes, asking the resolver once per entity type."""
    entries = [(code, entry) for code, listed in values.items() for entry in listed]
    resolved = await resolve_refs(
        (ref for _, entry in entries for ref in refs_in(entry["data"])), resolver
    )
    problems: list[Problem] = []
    for code, entry in entries:
        if not refs_in(entry["data"]):
            continue
        entry["data"], failures = substitute(entry["data"], resolved)
        path = field_path(prefix, code, entry["locale"], entry["channel"])
        problems.extend(Problem(path, failure) for failure in failures)
    return problems
