"""Completeness of a product per channel and locale: required attributes of its set that are filled."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pimelo_mcp.sandbox.jsonutil import JSON


def is_empty_data(data: Any) -> bool:
    return data is None or data == "" or data == []


def _filled_slots(values: Mapping[str, list[JSON]]) -> set[tuple[str, Any, Any]]:
    """Every (attribute, locale, channel) holding data: read once per product, then each
    requirement of each channel and locale is one set lookup."""
    return {
        (code, value.get("locale"), value.get("channel"))
        for code, entries in values.items()
        for value in entries
        if not is_empty_data(value.get("data"))
    }


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
    filled = _filled_slots(values)
    for channel in channels.values():
        code: str = channel["code"]
        wanted = set(requirements.get(code, []))
        required = [a for a in set_order if a in wanted] + sorted(wanted - set(set_order))
        for locale in channel.get("locales", []):
            missing = [
                attr
                for attr in required
                if attr not in attributes
                or (
                    attr,
                    locale if attributes[attr].get("localizable") else None,
                    code if attributes[attr].get("scopable") else None,
                )
                not in filled
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
