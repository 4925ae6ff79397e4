"""A dry run offers its changes to the review pane, for a client that negotiated MCP Apps.

The dry run's answer keeps its text and structured result; it gains one line for the model
and `_meta["pimelo/review"]` for the pane: the items as a person reads them and the signed
handle that `apply_reviewed_changes` takes. A client without apps gets the answer as before.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from mcp.server.apps import client_supports_apps

from pimelo_mcp.review.handles import Kind, ReviewedItem
from pimelo_mcp.review.payload import RecordFace, review_items, status_of, summary, value_text
from pimelo_mcp.review.thumbnails import thumbnails
from pimelo_mcp.tools.batch import BatchOutput, Plan
from pimelo_mcp.translate import AttributeDef, CatalogSchema
from pimelo_mcp.translate.definitions import label_in

if TYPE_CHECKING:
    from mcp.server.mcpserver import Context

    from pimelo_mcp.client import Entity, Product
    from pimelo_mcp.client._models import AttributeSet
    from pimelo_mcp.tools.state import ToolState

REVIEW_META_KEY = "pimelo/review"
DEFAULT_LABEL_ATTRIBUTE = "name"


@dataclass(frozen=True)
class ReviewSource:
    """What a dry run planned and read, as the review needs it."""

    tool: str
    kind: Kind
    entity_type: str | None
    plans: Sequence[Plan]
    attributes: Mapping[str, AttributeDef]
    locale: str | None
    faces: Mapping[str, RecordFace]


def review_locale(schema: CatalogSchema, asked: str | None) -> str | None:
    """The locale labels are shown in: as asked, else the first channel's first locale (as
    product reads default to), else the first enabled one."""
    if asked:
        return asked
    for channel in schema.channels.values():
        for code in channel.locales:
            if code in schema.locales:
                return code
    return min(schema.locales, default=None)


def wants_review(ctx: Context[ToolState, Any], dry_run: bool) -> bool:
    return dry_run and client_supports_apps(ctx)


async def offer_review(state: ToolState, output: BatchOutput, source: ReviewSource) -> None:
    """Attach the review to a dry run's answer (the caller checked `wants_review`)."""
    desk = state.review
    applicable = [plan for plan in source.plans if status_of(plan) == "change"]
    handle: str | None = None
    expires_at: str | None = None
    if applicable:
        review = desk.signer.new(
            tool=source.tool,
            kind=source.kind,
            entity_type=source.entity_type,
            principal=state.resources().principal.key,
            api=state.settings.base_url,
            items=[
                ReviewedItem(
                    key=plan.key,
                    operation=plan.operation or {},
                    version=plan.version_before,
                    changes=[(c.field, c.before, c.after) for c in plan.changes],
                )
                for plan in applicable
            ],
        )
        handle = desk.signer.sign(review)
        expires_at = (
            datetime.fromtimestamp(review.expires_at, UTC).isoformat().replace("+00:00", "Z")
        )
    images = [
        face.image
        for plan in source.plans
        if (face := source.faces.get(plan.key)) is not None and face.image
    ]
    items = review_items(
        source.plans,
        attributes=source.attributes,
        locale=source.locale,
        faces=source.faces,
        thumbnails=await thumbnails(state.client, images) if images else {},
    )
    output.attach_review(
        {
            "handle": handle,
            "expires_at": expires_at,
            "tool": source.tool,
            "kind": source.kind,
            "entity_type": source.entity_type,
            "locale": source.locale,
            "summary": summary(items),
            "items": items,
        }
    )


def product_faces(
    plans: Sequence[Plan],
    existing: Mapping[str, Product],
    sets: Mapping[str, AttributeSet],
    locale: str | None,
) -> dict[str, RecordFace]:
    """Each product's name (its set's label attribute) and image (its set's image attribute),
    from the record read for the update, or from the values a create sends."""
    faces: dict[str, RecordFace] = {}
    for plan in plans:
        record = existing.get(plan.key)
        operation = plan.operation or {}
        set_code = record.attribute_set if record is not None else operation.get("attribute_set")
        attribute_set = sets.get(str(set_code)) if set_code else None
        label_code = (attribute_set.label_attribute if attribute_set else None) or (
            DEFAULT_LABEL_ATTRIBUTE
        )
        image_code = attribute_set.image_attribute if attribute_set else None
        values: Mapping[str, Sequence[Mapping[str, Any]]] = (
            {code: [v.model_dump() for v in entries] for code, entries in record.values.items()}
            if record is not None
            else operation.get("values") or {}
        )
        faces[plan.key] = RecordFace(
            label=value_text(values, label_code, locale),
            image=value_text(values, image_code, locale) if image_code else None,
        )
    return faces


def entity_faces(
    plans: Sequence[Plan], existing: Mapping[str, Entity], locale: str | None
) -> dict[str, RecordFace]:
    """Each record's label in `locale` (else its first), from the record or the create."""
    faces: dict[str, RecordFace] = {}
    for plan in plans:
        record = existing.get(plan.key)
        labels: Mapping[str, str] = (
            record.labels if record is not None else (plan.operation or {}).get("labels") or {}
        )
        faces[plan.key] = RecordFace(label=label_in(labels, locale))
    return faces
