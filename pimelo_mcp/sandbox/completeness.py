"""Completeness of a product per channel and locale: required attributes of its set that are filled."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pimelo_mcp.sandbox.jsonutil import JSON


def is_empty_data(data: Any) -> bool:
    return data is None or data == "" or data == []


def _filled(values: list[JSON] | None, attribute: JSON, locale: str, channel: str) -> bool:
    if not values:
        return False
    want_locale = locale if attribute.get("localizable") else None
    want_channel = channel if attribute.get("scopable") else None
    return any(
        value.get("locale") == want_locale
        and value.get("channel") == want_channel
        and not is_empty_data(value.get("data"))
        for value in values
    )


def compute_completeness(
    values: Mapping[str, list[JSON]],
    attribute_set: JSON | None,
    channels: Mapping[str, JSON],
    attributes: Mapping[str, JSON],
) -> list[JSON]:
    """One row per channel and locale of that channel, in channel then locale order."""
    rows: list[JSON] = []
    requirements: Mapping[str, list[str]] = (attribute_set or {}).get("requirements") or {}
    set_order: list[str] = (attribute_set or {}).get("attributes") or []
    for channel in channels.values():
        code: str = channel["code"]
        wanted = set(requirements.get(code, []))
        required = [a for a in set_order if a in wanted] + sorted(wanted - set(set_order))
        for locale in channel.get("locales", []):
            missing = [
                attr
                for attr in required
                if attr not in attributes
                or not _filled(values.get(attr), attributes[attr], locale, code)
            ]
            ratio = round((len(required) - len(missing)) / len(required), 4) if required else 1.0
            rows.append(
                {
                    "channel": code,
                    "locale": locale,
                    "ratio": ratio,
                    "required": required,
                    "missing": missing,
                }
            )
    return rows
