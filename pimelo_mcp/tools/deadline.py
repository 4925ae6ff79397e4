"""One wall-clock deadline per tool call (settings.call_deadline_seconds).

The client cuts each request, wait and retry at the deadline itself and reports what it
knows; writes keep time back to read the record when an answer is lost (see tools/outcome.py).
This outer bound is the safety net for everything else a tool awaits (a URL fetch, a file
read, a download): it fires a little after the deadline, so the client's own, more precise
message wins whenever the client was the one waiting.
"""

from __future__ import annotations

from collections.abc import Awaitable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

import anyio
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError

from pimelo_mcp.client import PimeloError
from pimelo_mcp.client._deadline import call_deadline, tracking_unsettled_writes

if TYPE_CHECKING:
    from pimelo_mcp.tools.registry import ToolSpec

T = TypeVar("T")
# Past the deadline, the client's own scope ends the request and builds its message; this
# bound only catches what has no deadline of its own.
SAFETY_MARGIN_SECONDS = 1.0


def state_in(kwargs: Mapping[str, Any]) -> Any:
    """The lifespan state of a tool call, from the `Context` among its arguments (None: none)."""
    for value in kwargs.values():
        if isinstance(value, Context):
            context: Context[Any, Any] = value  # pyright: ignore[reportUnknownVariableType]
            return context.request_context.lifespan_context
    return None


def _deadline_of(kwargs: Mapping[str, Any]) -> float | None:
    state = state_in(kwargs)
    return None if state is None else float(state.settings.call_deadline_seconds)


async def within_deadline(spec: ToolSpec, kwargs: Mapping[str, Any], work: Awaitable[T]) -> T:
    """`work`, bounded by the call deadline of the server's settings.

    A write tool that fails while one of its writes has no definite answer says so (outcome
    unknown, and what to read) and journals it, instead of reporting a plain failure."""
    seconds = _deadline_of(kwargs)
    if seconds is None:
        return await work
    with tracking_unsettled_writes() as unsettled:
        try:
            with call_deadline(seconds):
                with anyio.move_on_after(seconds + SAFETY_MARGIN_SECONDS) as scope:
                    return await work
        except PimeloError as error:
            if spec.read_only or not unsettled:
                raise
            raise _unknown_outcome(spec, kwargs, unsettled, error) from error
    assert scope.cancelled_caught
    effect = (
        "it reads only, nothing was changed"
        if spec.read_only
        else "every write it finished is in the audit journal; read the records it names "
        "before sending it again"
    )
    raise ToolError(
        f"{spec.name} did not finish within its deadline of {seconds:.0f} s and was stopped "
        f"({effect}). Try again; if it persists, Pimelo or the network is slow."
    )


def _unknown_outcome(
    spec: ToolSpec, kwargs: Mapping[str, Any], unsettled: list[str], error: PimeloError
) -> ToolError:
    state = state_in(kwargs)
    arguments = {k: v for k, v in kwargs.items() if not isinstance(v, Context)}
    for request in dict.fromkeys(unsettled):
        if state is not None:
            state.audit.record(
                tool=spec.name,
                target={"kind": "request", "request": request},
                before=None,
                after=arguments,
                version_before=None,
                version_after=None,
                outcome="unknown",
            )
    shown = ", ".join(dict.fromkeys(unsettled))
    readers = ", ".join(dict.fromkeys(_reader(request) for request in unsettled))
    return ToolError(
        f"OUTCOME UNKNOWN: {spec.name} sent {shown} and got no usable answer ({error}). The "
        f"write may or may not have happened: read the record ({readers}) to see, before "
        "sending it again. The audit journal lists it as unknown."
    )


# Which tool reads back what a request wrote, by the first segment of its path.
READERS = {
    "products": "get_product",
    "attributes": "search_attributes",
    "attribute-sets": "search_attributes",
    "entities": "search_entities",
    "media": "search_media",
}


def _reader(request: str) -> str:
    """`PATCH /products/SHOE-1` → `get_product SHOE-1`; the finder of its area otherwise."""
    segments = request.split(" ", 1)[-1].strip("/").split("/")
    reader = READERS.get(segments[0], "a search tool")
    if reader == "get_product" and len(segments) > 1:
        return f"get_product {segments[1]}"
    if len(segments) > 1:
        return f"{reader} for {segments[-1]}"
    return reader
