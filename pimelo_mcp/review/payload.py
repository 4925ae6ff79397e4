"""What the review pane shows of a dry run: each item's changes as a person reads them.

Built from what the dry run already read (the records, the attribute definitions): option
labels instead of codes, prices and units as written, locale and channel apart, each
attribute's label, and the record's name. The shape is the contract in docs/review-pane.md.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any, Literal, cast

from pimelo_mcp.tools.batch import Change, Plan, is_stale
from pimelo_mcp.tools.render import shown
from pimelo_mcp.translate import AttributeDef

Status = Literal["change", "unchanged", "refused", "stale"]

VALUE_FIELD = re.compile(r"^values\.(?P<code>[^\[\]]+)(?:\[(?P<qualifiers>[^\]]*)\])?$")


@cache
def field_labels() -> Mapping[str, str]:
    """Labels of the fields that are not attributes (status, categories, labels), by field."""
    text = files("pimelo_mcp.review").joinpath("field_labels.json").read_text(encoding="utf-8")
    return cast(dict[str, str], json.loads(text))


@dataclass(frozen=True)
class RecordFace:
    """How the pane names a record and shows it: its name and its first image's media code."""

    label: str | None = None
    image: str | None = None


def status_of(plan: Plan) -> Status:
    if plan.error is not None:
        return "stale" if is_stale(plan.error) else "refused"
    return "unchanged" if plan.operation is None else "change"


def readable(attribute: AttributeDef | None, data: Any, locale: str | None) -> str | None:
    """One side of a change as a person reads it; None for an empty value."""
    if data is None or data == [] or data == "":
        return None
    if attribute is not None and attribute.type in ("select", "multiselect"):
        labels = {option.code: option.label(locale) for option in attribute.options}
        codes = cast(list[Any], data) if isinstance(data, list) else [data]
        return ", ".join(labels.get(str(code)) or str(code) for code in codes)
    if isinstance(data, bool):
        return "yes" if data else "no"
    return shown(data)


def change_row(
    change: Change, attributes: Mapping[str, AttributeDef], locale: str | None
) -> dict[str, Any]:
    """One change as the pane lists it (the contract's `changes[]` entry)."""
    matched = VALUE_FIELD.match(change.field)
    if matched is not None:
        code = matched["code"]
        qualifiers = dict(
            part.split("=", 1) for part in (matched["qualifiers"] or "").split(",") if "=" in part
        )
        attribute = attributes.get(code)
        return {
            "field": change.field,
            "attribute": code,
            "label": attribute.label(locale) if attribute is not None else code,
            "type": attribute.type if attribute is not None else "field",
            "locale": qualifiers.get("locale"),
            "channel": qualifiers.get("channel"),
            "before": readable(attribute, change.before, locale),
            "after": readable(attribute, change.after, locale),
        }
    name, _, field_locale = change.field.partition(".")
    return {
        "field": change.field,
        "attribute": name,
        "label": field_labels().get(name, name),
        "type": "field",
        "locale": field_locale or None,
        "channel": None,
        "before": readable(None, change.before, locale),
        "after": readable(None, change.after, locale),
    }


def review_items(
    plans: Sequence[Plan],
    *,
    attributes: Mapping[str, AttributeDef],
    locale: str | None,
    faces: Mapping[str, RecordFace],
    thumbnails: Mapping[str, str],
) -> list[dict[str, Any]]:
    """One entry per planned item, in the call's order."""
    items: list[dict[str, Any]] = []
    for plan in plans:
        status = status_of(plan)
        face = faces.get(plan.key, RecordFace())
        items.append(
            {
                "key": plan.key,
                "label": face.label,
                "thumbnail": thumbnails.get(face.image) if face.image else None,
                "status": status,
                "error": plan.error,
                "version": plan.version_before,
                "changes": [change_row(c, attributes, locale) for c in plan.changes]
                if status == "change"
                else [],
            }
        )
    return items


def summary(items: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    return {
        "items": len(items),
        "changes": sum(len(item["changes"]) for item in items if item["status"] == "change"),
        "refused": sum(1 for item in items if item["status"] in ("refused", "stale")),
        "unchanged": sum(1 for item in items if item["status"] == "unchanged"),
    }


def value_text(
    values: Mapping[str, Sequence[Mapping[str, Any]]] | None, code: str, locale: str | None
) -> str | None:
    """A record's value of `code` as one text: in `locale` when it has one, else the first."""
    entries = [entry for entry in (values or {}).get(code, ()) if entry.get("data") is not None]
    preferred = [entry for entry in entries if entry.get("locale") in (locale, None)]
    for entry in (*preferred, *entries):
        data = entry.get("data")
        if isinstance(data, str) and data:
            return data
    return None
