"""The machinery shared by the four batch writes: plan each item, show its changes, send, report.

An item is planned on its own: a refusal (bad value, unknown record, stale version) is its
result and never stops the others. Planned items go out in one bulk call; each result comes
back in input order, and every write that happened is appended to the audit journal.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, TypeVar, cast

from pydantic import BaseModel, PrivateAttr

from pimelo_mcp.audit import AuditJournal
from pimelo_mcp.client import BulkResult, PimeloError
from pimelo_mcp.client._client import is_unknown_outcome, patch_holds
from pimelo_mcp.client._deadline import keep_back, read_back_reserve
from pimelo_mcp.tools.registry import ToolOutput
from pimelo_mcp.tools.render import shown_change
from pimelo_mcp.translate import AttributeDef, TranslationError
from pimelo_mcp.translate.compact import render_data
from pimelo_mcp.translate.values import field_path

Translated = TypeVar("Translated")
Definitions = TypeVar("Definitions")

MAX_ITEMS_IN_TEXT = 20  # a dry run's text spells out the changes of this many items
MAX_CHANGES_IN_TEXT = 10  # ... and this many changes per item

OPERATION_PREFIX = re.compile(r"^operations\[\d+\]\.")

# Said, after a dry run's changes, to a model whose client shows them in the review pane.
REVIEW_LINE = (
    "The person sees these changes in the review pane shown with this answer and can approve "
    "them there: do not write them yourself unless they ask you to."
)

MAX_ERRORS_IN_TEXT = (
    10  # the text summary lists this many refusals; all are in the structured result
)


class Change(BaseModel):
    field: str  # values.name[locale=fr_FR], status, categories, labels.fr_FR
    before: Any = None
    after: Any = None


class ItemResult(BaseModel):
    identifier: str | None = None
    code: str | None = None
    ok: bool
    outcome_unknown: bool | None = None  # the answer was lost and reading back failed
    version: int | None = None
    error: str | None = None
    changes: list[Change] | None = None


@dataclass
class Plan:
    """One item on its way: the API operation to send, or why it is refused."""

    key: str
    operation: dict[str, Any] | None = None
    changes: list[Change] = field(default_factory=list[Change])
    error: str | None = None
    version_before: int | None = None


def value_changes(
    before: Mapping[str, Sequence[Mapping[str, Any]]] | None,
    patch: Mapping[str, Sequence[Mapping[str, Any]]],
) -> list[Change]:
    """Per (attribute, locale, channel) of the patch, the data before and after, where it differs."""
    changes: list[Change] = []
    for code, entries in patch.items():
        current = {
            (entry.get("locale"), entry.get("channel")): entry.get("data")
            for entry in (before or {}).get(code, ())
        }
        for entry in entries:
            slot = (entry.get("locale"), entry.get("channel"))
            old, new = current.get(slot), entry.get("data")
            if old != new:
                changes.append(
                    Change(
                        field=field_path("values", code, *slot),
                        before=render_data(old),
                        after=render_data(new),
                    )
                )
    return changes


def field_change(name: str, before: Any, after: Any) -> list[Change]:
    return [] if before == after else [Change(field=name, before=before, after=after)]


STALE = (
    "stale: "  # how a refusal for an out-of-date version starts (stale_message, problem_message)
)


def is_stale(error: str | None) -> bool:
    """Whether an item was refused because its record changed since the version it names."""
    return error is not None and error.startswith(STALE)


def stale_message(
    expected: int, current: int | None, updated_at: Any, changes: Sequence[Change]
) -> str:
    """Why an item with an old expected_version is refused, with what the record holds now."""
    now = "; ".join(f"{change.field} is {shown_change(change.before)}" for change in changes[:10])
    return (
        f"{STALE}you expected version {expected}, the record is at version {current} (updated "
        f"{updated_at}); "
        + (f"now {now}; " if now else "")
        + "re-read it, re-apply your change and "
        f"send expected_version {current}"
    )


def problem_message(problem: Mapping[str, Any] | None, status: int | None = None) -> str:
    """A bulk item's Problem Details, as one line a model can act on."""
    if status == 0:
        return (
            "no answer from Pimelo (the write may or may not have happened): read the record "
            "before sending it again"
        )
    if not problem:
        return "refused by Pimelo without a reason"
    errors = problem.get("errors")
    if isinstance(errors, list) and errors:
        entries = cast(list[Any], errors)[:10]
        listed = "; ".join(
            # The API names the field inside its bulk request (operations[3].values…); the
            # model knows its item, so the field is given from inside the item.
            f"{OPERATION_PREFIX.sub('', str(entry.get('field')))}: {entry.get('message')}"
            for entry in (
                cast(Mapping[str, Any], item) for item in entries if isinstance(item, dict)
            )
        )
        return f"Pimelo refused: {listed}"
    status = status if status is not None else problem.get("status")
    detail = problem.get("detail") or problem.get("title") or "refused"
    if status == 412 and problem.get("current_version") is not None:
        return (
            f"{STALE}the record is now at version {problem['current_version']}; read it again "
            "and retry with that expected_version"
        )
    return f"Pimelo refused (HTTP {status}): {detail}"


class BatchOutput(ToolOutput):
    action: Literal["create", "update"]
    dry_run: bool
    done: int  # items written (or, in a dry run, that would be written)
    unchanged: int
    refused: int
    unknown: int = 0  # sent, answer lost, and reading back could not tell: see each item
    items: list[ItemResult]
    # The review pane's view of a dry run (offered to clients with MCP Apps): sent as the
    # result's _meta, never in the structured result.
    _review: dict[str, Any] | None = PrivateAttr(default=None)

    def attach_review(self, review: dict[str, Any]) -> None:
        self._review = review

    def result_meta(self) -> dict[str, Any] | None:
        return None if self._review is None else {"pimelo/review": self._review}

    def is_error(self) -> bool:
        # Nothing of the call happened: a client shows it as a failure. A batch where some
        # items went through is a result, with the refusals in it.
        return bool(self.items) and self.refused == len(self.items)

    def text(self) -> str:
        verb = {"create": "created", "update": "updated"}[self.action]
        if self.dry_run:
            verb = f"would be {verb} (dry run, nothing written)"
        parts = [f"{self.done} {verb}"]
        if self.unchanged:
            parts.append(f"{self.unchanged} unchanged")
        if self.unknown:
            parts.append(
                f"{self.unknown} OUTCOME UNKNOWN (read them before sending again): "
                + "; ".join(
                    f"{item.identifier or item.code}" for item in self.items if item.outcome_unknown
                )
            )
        if self.refused:
            refusals = [
                f"{item.identifier or item.code}: {item.error}"
                for item in self.items
                if not item.ok and not item.outcome_unknown
            ]
            # When every item was refused, the text is all a client may show: every reason.
            listed = len(refusals) if self.is_error() else MAX_ERRORS_IN_TEXT
            shown = "; ".join(refusals[:listed])
            more = len(refusals) - listed
            parts.append(
                f"{self.refused} refused: {shown}" + (f"; and {more} more" if more > 0 else "")
            )
        summary = ", ".join(parts) + "."
        if not self.dry_run:
            return summary
        # A dry run exists to show the change: spell it out, for the first items at least.
        lines = [summary]
        changed = [item for item in self.items if item.ok and item.changes]
        for item in changed[:MAX_ITEMS_IN_TEXT]:
            changes = item.changes or []
            described = "; ".join(
                f"{c.field}: {shown_change(c.before)} → {shown_change(c.after)}"
                for c in changes[:MAX_CHANGES_IN_TEXT]
            )
            more = len(changes) - MAX_CHANGES_IN_TEXT
            lines.append(
                f"{item.identifier or item.code}: {described}"
                + (f"; and {more} more" if more > 0 else "")
            )
        if len(changed) > MAX_ITEMS_IN_TEXT:
            lines.append(
                f"… and {len(changed) - MAX_ITEMS_IN_TEXT} more items (all in the structured result)"
            )
        if self._review is not None and self._review.get("handle"):
            lines.append(REVIEW_LINE)
        return "\n".join(lines)


def key_field(kind: Literal["product", "entity"]) -> str:
    return "identifier" if kind == "product" else "code"


def _result(kind: Literal["product", "entity"], plan: Plan, **fields: Any) -> ItemResult:
    return ItemResult(**{key_field(kind): plan.key}, **fields)


Verdict = Literal["applied", "not_applied", "unknown"]
# Reads a planned item's record after a lost answer: (verdict, version now), by plan key.
Verify = Callable[[Sequence["Plan"]], Awaitable[Mapping[str, tuple[Verdict, int | None]]]]


async def _send_or_find_out(
    send: Any, to_send: Sequence[Plan], verify: Verify | None
) -> tuple[dict[int, Any], Mapping[str, tuple[Verdict, int | None]], str]:
    """(answers by plan id, verdicts of the items whose answer was lost, why it was lost).

    An item's answer is lost when the whole call got no usable answer (no answer, a 5xx, a
    cut body, the deadline), or, sent one by one, when its own request got none (status 0).
    """
    reserve = read_back_reserve()
    answers: dict[int, Any] = {}
    lost = ""
    try:
        with keep_back(reserve):
            bulk = cast(BulkResult, await send([plan.operation for plan in to_send]))
    except PimeloError as error:
        if not is_unknown_outcome(error):
            raise
        lost, unanswered = str(error), list(to_send)
    else:
        unanswered: list[Plan] = []
        for plan, answer in zip(to_send, bulk.results, strict=True):
            if answer.status == 0:
                unanswered.append(plan)
                lost = str((answer.problem or {}).get("detail") or "no answer")
            else:
                answers[id(plan)] = answer
    verdicts: Mapping[str, tuple[Verdict, int | None]] = {}
    if unanswered and verify is not None:
        try:
            verdicts = await verify(unanswered)
        except PimeloError:
            verdicts = {}
    return answers, verdicts, lost


class ReadBack(Protocol):
    """A record as read back: its version and its fields in the API's plain form."""

    @property
    def version(self) -> int | None: ...

    def model_dump(self, *, mode: str) -> dict[str, Any]: ...


def read_back_verifier(
    load: Callable[[list[str]], Awaitable[Mapping[str, ReadBack]]],
    action: Literal["create", "update"],
) -> Verify:
    """After a lost answer, read the records and tell for each whether its write happened.

    A create counts as applied when the record exists (the tools refuse creating a record
    that existed before). An update is not applied when the version did not move, applied
    when it moved and the record holds every field the update set, else unknown."""

    async def verify(plans: Sequence[Plan]) -> dict[str, tuple[Verdict, int | None]]:
        found = await load([plan.key for plan in plans])
        verdicts: dict[str, tuple[Verdict, int | None]] = {}
        for plan in plans:
            record = found.get(plan.key)
            if action == "create":
                verdicts[plan.key] = (
                    ("applied", record.version) if record is not None else ("not_applied", None)
                )
            elif record is None:
                verdicts[plan.key] = ("unknown", None)
            elif record.version == plan.version_before:
                verdicts[plan.key] = ("not_applied", record.version)
            else:
                patch = {
                    key: value
                    for key, value in (plan.operation or {}).items()
                    if key not in ("op", "identifier", "code", "expected_version")
                }
                holds = patch_holds(record.model_dump(mode="json"), patch)
                verdicts[plan.key] = ("applied" if holds else "unknown", record.version)
        return verdicts

    return verify


async def finish(
    plans: Sequence[Plan],
    *,
    kind: Literal["product", "entity"],
    dry_run: bool,
    send: Any,  # async (operations) -> BulkResult
    audit: AuditJournal,
    tool: str,
    target: Mapping[str, str],
    action: Literal["create", "update"],
    on_api_refusal: Callable[[], None] = lambda: None,
    verify: Verify | None = None,
) -> BatchOutput:
    """Send the planned operations (unless a dry run) and build one result per item, in order.

    `on_api_refusal` runs when the API refuses an item that passed local validation (a 422):
    the cached definitions that validation used may be stale, so the caller drops them.
    When the answer is lost (no answer, a 5xx, a cut body, the deadline), `verify` reads the
    records back: each item is then applied, not applied, or of unknown outcome, and said so;
    applied and unknown ones are journaled.
    """
    to_send = [plan for plan in plans if plan.error is None and plan.operation is not None]
    answers: dict[int, Any] = {}
    verdicts: Mapping[str, tuple[Verdict, int | None]] = {}
    lost = ""
    if to_send and not dry_run:
        answers, verdicts, lost = await _send_or_find_out(send, to_send, verify)
    results: list[ItemResult] = []
    done = unchanged = refused = unknown = 0

    def journal(plan: Plan, version_after: int | None, outcome: str = "applied") -> None:
        audit.record(
            tool=tool,
            target={**target, key_field(kind): plan.key},
            before={change.field: change.before for change in plan.changes},
            after={change.field: change.after for change in plan.changes},
            version_before=plan.version_before,
            version_after=version_after,
            outcome=outcome,
        )

    for plan in plans:
        if plan.error is not None:
            refused += 1
            results.append(_result(kind, plan, ok=False, error=plan.error))
        elif plan.operation is None:
            unchanged += 1
            results.append(_result(kind, plan, ok=True, version=plan.version_before, changes=[]))
        elif dry_run:
            done += 1
            results.append(
                _result(kind, plan, ok=True, version=plan.version_before, changes=plan.changes)
            )
        elif id(plan) not in answers:
            verdict, version = verdicts.get(plan.key, ("unknown", None))
            if verdict == "applied":
                done += 1
                results.append(_result(kind, plan, ok=True, version=version, changes=plan.changes))
                journal(plan, version)
            elif verdict == "not_applied":
                refused += 1
                results.append(
                    _result(
                        kind,
                        plan,
                        ok=False,
                        error=f"not written: Pimelo's answer was lost ({lost}) and the record "
                        "shows the write did not happen; send it again",
                    )
                )
            else:
                unknown += 1
                results.append(
                    _result(
                        kind,
                        plan,
                        ok=False,
                        outcome_unknown=True,
                        error=f"outcome unknown: Pimelo's answer was lost ({lost}) and the "
                        f"record could not be read back; read {plan.key} to see whether it "
                        "was written before sending it again",
                    )
                )
                journal(plan, None, outcome="unknown")
        else:
            answer = answers[id(plan)]
            if answer.ok:
                done += 1
                results.append(
                    _result(kind, plan, ok=True, version=answer.version, changes=plan.changes)
                )
                journal(plan, answer.version)
            else:
                refused += 1
                results.append(
                    _result(
                        kind, plan, ok=False, error=problem_message(answer.problem, answer.status)
                    )
                )
                if answer.status == 422:
                    on_api_refusal()
    return BatchOutput(
        action=action,
        dry_run=dry_run,
        done=done,
        unchanged=unchanged,
        refused=refused,
        unknown=unknown,
        items=results,
    )


def repeated_indexes(keys: Sequence[str]) -> set[int]:
    """Positions of keys already given earlier in the same call (refused: one item per record)."""
    seen: set[str] = set()
    repeated: set[int] = set()
    for index, key in enumerate(keys):
        if key in seen:
            repeated.add(index)
        seen.add(key)
    return repeated


class Versioned(Protocol):
    @property
    def version(self) -> int | None: ...


Record = TypeVar("Record", bound=Versioned)


def start_updates(
    keys: Sequence[str], existing: Mapping[str, Record], *, missing: str
) -> list[tuple[Plan, Record | None]]:
    """A plan per key, in order, with the record it changes; a key given twice in the call or
    not found is refused here (`missing` says what to do), and comes with no record."""
    repeated = repeated_indexes(keys)
    started: list[tuple[Plan, Record | None]] = []
    for index, key in enumerate(keys):
        plan = Plan(key=key)
        current = existing.get(key)
        if index in repeated:
            plan.error = "given twice in this call; merge the changes into one item"
            current = None
        elif current is None:
            plan.error = missing
        else:
            plan.version_before = current.version
        started.append((plan, current))
    return started


async def translate_fresh(
    load: Callable[[bool], Awaitable[Definitions]],
    translate: Callable[[Definitions], Awaitable[Translated]],
) -> Translated:
    """Translate against the cached definitions; when the input names something they lack
    (it may have been created since they were cached), reload them once and try again."""
    try:
        return await translate(await load(False))
    except TranslationError as error:
        if not any(problem.names_unknown for problem in error.problems):
            raise
    return await translate(await load(True))


def keep_other_currencies(
    patch: dict[str, list[dict[str, Any]]],
    before: Mapping[str, Sequence[Mapping[str, Any]]],
    attributes: Mapping[str, AttributeDef],
) -> dict[str, list[dict[str, Any]]]:
    """A price written in some currencies keeps the record's amounts in the others.

    The API replaces a price's list as a whole; a person who says "the price is 99 EUR"
    does not mean "and drop the USD price". Clearing the value (null) still clears it all.
    """
    for code, entries in patch.items():
        attribute = attributes.get(code)
        if attribute is None or attribute.type != "price":
            continue
        current = {(e.get("locale"), e.get("channel")): e.get("data") for e in before.get(code, ())}
        for entry in entries:
            old = current.get((entry["locale"], entry["channel"]))
            if entry["data"] is None or not isinstance(old, list):
                continue
            given = {price["currency"] for price in entry["data"]}
            kept = [p for p in cast(list[Mapping[str, Any]], old) if p.get("currency") not in given]
            entry["data"] = [*entry["data"], *kept]
    return patch


def raw_values(values: Mapping[str, Sequence[BaseModel]]) -> dict[str, list[dict[str, Any]]]:
    """A record's values (client models) back in the API's plain form, for diffs and merges."""
    return {code: [value.model_dump() for value in entries] for code, entries in values.items()}


def settle_update(
    plan: Plan,
    *,
    changes: list[Change],
    expected_version: int | None,
    current_version: int | None,
    updated_at: Any,
    operation: dict[str, Any],
) -> None:
    """The last step of planning an update, the same for products and entities.

    A stale `expected_version` refuses the item, showing what the record holds now; an
    item that changes nothing is not sent (no request, no new version); otherwise the
    operation goes out guarded by the version just read, so a write made meanwhile is
    refused rather than overwritten.
    """
    if expected_version is not None and expected_version != current_version:
        plan.error = stale_message(expected_version, current_version, updated_at, changes)
        return
    plan.changes = changes
    if changes:
        plan.operation = {**operation, "expected_version": expected_version or current_version}
