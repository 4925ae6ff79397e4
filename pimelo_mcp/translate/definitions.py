"""The slice of the catalog's configuration that translation needs: attributes, channels, locales."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, cast

AttributeType = Literal[
    "text",
    "textarea",
    "number",
    "boolean",
    "date",
    "select",
    "multiselect",
    "price",
    "metric",
    "media",
    "entity",
    "entities",
]


def label_in(labels: Mapping[str, str], locale: str | None) -> str | None:
    """The label in `locale` when there is one, else the first; None when there is none."""
    if locale and locale in labels:
        return labels[locale]
    return next(iter(labels.values()), None)


@dataclass(frozen=True)
class OptionDef:
    code: str
    labels: Mapping[str, str] = field(default_factory=dict[str, str])

    def label(self, locale: str | None = None) -> str:
        found = label_in(self.labels, locale)
        return self.code if found is None else found


@dataclass(frozen=True)
class AttributeDef:
    """An attribute definition, as `GET /attributes` (or an entity type) describes it."""

    code: str
    type: AttributeType
    labels: Mapping[str, str] = field(default_factory=dict[str, str])
    localizable: bool = False
    scopable: bool = False
    options: tuple[OptionDef, ...] = ()
    validation: Mapping[str, Any] = field(default_factory=dict[str, Any])
    entity_type: str | None = None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> AttributeDef:
        """Build from the API's JSON (extra fields ignored)."""
        raw_options = cast(Sequence[Mapping[str, Any]], data.get("options") or [])
        return cls(
            code=str(data["code"]),
            type=cast(AttributeType, data["type"]),
            labels=dict(cast(Mapping[str, str], data.get("labels") or {})),
            localizable=bool(data.get("localizable", False)),
            scopable=bool(data.get("scopable", False)),
            options=tuple(
                OptionDef(code=str(option["code"]), labels=dict(option.get("labels") or {}))
                for option in raw_options
            ),
            validation=dict(cast(Mapping[str, Any], data.get("validation") or {})),
            entity_type=cast(str | None, data.get("entity_type")),
        )

    def label(self, locale: str | None = None) -> str:
        found = label_in(self.labels, locale)
        return self.code if found is None else found


@dataclass(frozen=True)
class ChannelDef:
    code: str
    locales: tuple[str, ...]
    currencies: tuple[str, ...]

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> ChannelDef:
        return cls(
            code=str(data["code"]),
            locales=tuple(cast(Sequence[str], data.get("locales") or ())),
            currencies=tuple(cast(Sequence[str], data.get("currencies") or ())),
        )


@dataclass(frozen=True)
class CatalogSchema:
    """Attributes by code, channels by code, and the enabled locales.

    A read with a token that may not read some definitions gets a partial schema: what it
    could not read is empty and marked unknown, so that codes are passed on unchecked (the
    API checks them) instead of refused as if they did not exist.
    """

    attributes: Mapping[str, AttributeDef]
    channels: Mapping[str, ChannelDef]
    locales: frozenset[str]
    attributes_known: bool = True
    settings_known: bool = True  # channels, locales and their currencies

    @classmethod
    def build(
        cls,
        attributes: Sequence[AttributeDef],
        channels: Sequence[ChannelDef],
        locales: Sequence[str],
        *,
        attributes_known: bool = True,
        settings_known: bool = True,
    ) -> CatalogSchema:
        return cls(
            attributes={attribute.code: attribute for attribute in attributes},
            channels={channel.code: channel for channel in channels},
            locales=frozenset(locales),
            attributes_known=attributes_known,
            settings_known=settings_known,
        )

    @property
    def currencies(self) -> frozenset[str]:
        return frozenset(c for channel in self.channels.values() for c in channel.currencies)
