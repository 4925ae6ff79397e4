"""`apply_reviewed_changes`: the review pane's Apply, for clients that negotiated MCP Apps.

It takes a handle and the keys a person unticked, nothing else: the operations are the
handle's, each update still guarded by the version the dry run read, so a record changed
since is refused (stale), not overwritten. They go through the write tools' own batch path
(`finish`: lost answers read back, every write journaled), and the journal says the person
approved them in the review pane. A handle applies once.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel, Field

from pimelo_mcp.client import PimeloError
from pimelo_mcp.review.handles import MAX_HANDLE_CHARS, RUN_AGAIN, HandleRefused, ReviewedChanges
from pimelo_mcp.review.pane import APPLY_TOOL, APPLY_TOOL_META, APPS_SWITCH
from pimelo_mcp.tools.batch import BatchOutput, Change, Plan, finish, is_stale, key_field
from pimelo_mcp.tools.common import state_of
from pimelo_mcp.tools.registry import ToolOutput, tool
from pimelo_mcp.tools.state import ToolState

Outcome = Literal["applied", "refused", "skipped", "unknown"]

APPROVED_IN = "review pane"  # what each journal line of an approved write says
ALREADY_APPLIED = (
    "already applied: this review was approved once, and a handle applies only once; run the "
    "dry run again to review what the records hold now"
)
STALE_SINCE_REVIEW = "changed since the dry run, so it was not overwritten"


class AppliedItem(BaseModel):
    key: str
    outcome: Outcome
    version: int | None = None
    error: str | None = None


class ApplyOutput(ToolOutput):
    applied: int
    refused: int
    skipped: int
    unknown: int
    already_applied: bool
    items: list[AppliedItem]

    def text(self) -> str:
        if self.already_applied:
            return f"Nothing written: {ALREADY_APPLIED}."
        parts = [f"{self.applied} applied"]
        if self.skipped:
            parts.append(f"{self.skipped} left out by the person")
        if self.unknown:
            keys = ", ".join(item.key for item in self.items if item.outcome == "unknown")
            parts.append(f"{self.unknown} OUTCOME UNKNOWN (read them before sending again): {keys}")
        if self.refused:
            reasons = "; ".join(
                f"{item.key}: {item.error}" for item in self.items if item.outcome == "refused"
            )
            parts.append(f"{self.refused} refused: {reasons}")
        return "Approved in the review pane: " + ", ".join(parts) + "."

    def is_error(self) -> bool:
        return False  # each item says its outcome; the pane shows them all


def outcomes(batch: BatchOutput, skipped: list[str], order: list[str]) -> list[AppliedItem]:
    """One outcome per item of the handle, in its order."""
    by_key: dict[str, AppliedItem] = {
        key: AppliedItem(key=key, outcome="skipped") for key in skipped
    }
    for item in batch.items:
        key = item.identifier or item.code or ""
        if item.ok:
            by_key[key] = AppliedItem(key=key, outcome="applied", version=item.version)
        elif item.outcome_unknown:
            by_key[key] = AppliedItem(key=key, outcome="unknown", error=item.error)
        else:
            error = item.error or "refused by Pimelo"
            if is_stale(error):
                error = f"{STALE_SINCE_REVIEW} ({error})"
            by_key[key] = AppliedItem(key=key, outcome="refused", error=error)
    return [by_key[key] for key in order]


def summed(items: list[AppliedItem], *, already_applied: bool) -> ApplyOutput:
    def count(outcome: Outcome) -> int:
        return sum(1 for item in items if item.outcome == outcome)

    return ApplyOutput(
        applied=0 if already_applied else count("applied"),
        refused=count("refused"),
        skipped=count("skipped"),
        unknown=0 if already_applied else count("unknown"),
        already_applied=already_applied,
        items=items,
    )


async def second_apply(state: ToolState, review: ReviewedChanges) -> ApplyOutput:
    """What a handle applied a second time says: the first outcomes, nothing written again."""
    recorded = await state.review.applied.recall(review.id)
    first = {item["key"]: item for item in json.loads(recorded)} if recorded is not None else {}
    items: list[AppliedItem] = []
    for key in review.keys:
        before = first.get(key)
        if before is not None and before["outcome"] in ("applied", "skipped"):
            items.append(AppliedItem.model_validate(before))
        else:
            items.append(AppliedItem(key=key, outcome="refused", error=ALREADY_APPLIED))
    return summed(items, already_applied=True)


async def send_plans(
    state: ToolState,
    review: ReviewedChanges,
    plans: list[Plan],
    action: Literal["create", "update"],
) -> BatchOutput:
    """The approved operations through the write tools' batch path, journaled as approved."""
    if review.kind == "product":
        from pimelo_mcp.tools.products import send_reviewed as send_products

        send, verify = await send_products(state, action)
        target = {"kind": "product"}
    else:
        from pimelo_mcp.tools.entities import send_reviewed as send_entities

        send, verify = send_entities(state, review.entity_type or "", action)
        target = {"kind": "entity", "entity_type": review.entity_type or ""}
    return await finish(
        plans,
        kind=review.kind,
        dry_run=False,
        send=send,
        audit=state.audit.approved(by=APPROVED_IN, review=review.id),
        tool=review.tool,
        target=target,
        action=action,
        on_api_refusal=state.schema.invalidate,
        verify=verify,
    )


@tool(
    name=APPLY_TOOL,
    title="Apply reviewed changes",
    # Named in a refusal's message by default; who may call it is decided by the scopes of
    # the write it applies (server._Offer lists it, _check_offered checks each handle).
    scope="products:write",
    read_only=False,
    destructive=True,
    idempotent=True,
    declares_output=False,
    switch=APPS_SWITCH,
    meta=APPLY_TOOL_META,
)
async def apply_reviewed_changes(
    ctx: Context[ToolState, Any],
    handle: Annotated[
        str,
        Field(min_length=1, max_length=MAX_HANDLE_CHARS, description="From the dry run's review."),
    ],
    skip: Annotated[
        list[str],
        Field(max_length=100, description="Keys of its items to leave out."),
    ] = [],  # noqa: B006  # pydantic copies defaults; the SDK lists it as []
) -> ApplyOutput:
    """For the review pane: writes the changes of a reviewed dry run a person approved, leaving out the unticked items."""
    state = state_of(ctx)
    try:
        review = state.review.signer.open(
            handle, principal=state.resources().principal.key, api=state.settings.base_url
        )
    except HandleRefused as error:
        raise ToolError(f"Nothing was written: {error}") from None
    await _check_offered(ctx, review.tool)
    skipped = set(skip)
    unknown = sorted(skipped - set(review.keys))
    if unknown:
        raise ToolError(
            f"Nothing was written: skip names {', '.join(unknown)}, which this review does not "
            f"hold (it holds {', '.join(review.keys)}); skip only keys of its items, or {RUN_AGAIN}"
        )
    left = [item for item in review.items if item.key not in skipped]
    if not left:
        raise ToolError(
            "Nothing was written: every item of this review was left out, so there is nothing "
            "to apply; tick at least one item, or leave the records as they are"
        )
    if not await state.review.applied.claim(review.id, until=review.expires_at):
        return await second_apply(state, review)
    action: Literal["create", "update"] = (
        "create" if review.tool.startswith("create_") else "update"
    )
    plans = [
        Plan(
            key=item.key,
            operation={**item.operation, key_field(review.kind): item.key},
            changes=[Change(field=f, before=b, after=a) for f, b, a in item.changes],
            version_before=item.version,
        )
        for item in left
    ]
    try:
        batch = await send_plans(state, review, plans, action)
    except PimeloError:
        # Refused as a whole before anything was written (finish reads back every lost
        # answer instead of raising): the review stays open for another try.
        await state.review.applied.release(review.id)
        raise
    items = outcomes(batch, [key for key in review.keys if key in skipped], review.keys)
    await state.review.applied.remember(
        review.id,
        json.dumps([item.model_dump(mode="json") for item in items]),
        until=review.expires_at,
    )
    return summed(items, already_applied=False)


async def _check_offered(ctx: Context[ToolState, Any], tool_name: str) -> None:
    """The caller may apply only what it may write itself: the reviewed tool must be offered
    to it now (same scopes, no read-only mode)."""
    from pimelo_mcp.server import PimeloMCPServer, request_principal

    server = ctx.mcp_server
    if not isinstance(server, PimeloMCPServer):
        return
    offer = await server.offer(request_principal())
    if tool_name not in offer.catalog:
        why = offer.unavailable.get(tool_name, "this connection may not call it")
        raise ToolError(f"Nothing was written: this review applies {tool_name}, and {why}.")


TOOLS = [apply_reviewed_changes]
