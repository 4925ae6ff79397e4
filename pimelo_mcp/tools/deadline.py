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

from pimelo_mcp.client._deadline import call_deadline

if TYPE_CHECKING:
    from pimelo_mcp.tools.registry import ToolSpec

T = TypeVar("T")
# Past the deadline, the client's own scope ends the request and builds its message; this
# bound only catches what has no deadline of its own.
SAFETY_MARGIN_SECONDS = 1.0


def _deadline_of(kwargs: Mapping[str, Any]) -> float | None:
    for value in kwargs.values():
        if isinstance(value, Context):
            context: Context[Any, Any] = value  # pyright: ignore[reportUnknownVariableType]
            state: Any = context.request_context.lifespan_context
            return float(state.settings.call_deadline_seconds)
    return None


async def within_deadline(spec: ToolSpec, kwargs: Mapping[str, Any], work: Awaitable[T]) -> T:
    """`work`, bounded by the call deadline of the server's settings."""
    seconds = _deadline_of(kwargs)
    if seconds is None:
        return await work
    with call_deadline(seconds):
        with anyio.move_on_after(seconds + SAFETY_MARGIN_SECONDS) as scope:
            return await work
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
