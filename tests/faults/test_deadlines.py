"""One deadline per tool call: nothing hangs, and the message says what happened.

Deadlines here are small and the faults exceed them by far (an endpoint that never
answers, a body dripped a byte per minute, Retry-After an hour): the assertions are on
outcomes, never on measured durations (benchmarks/fault_storm.py prints those).
"""

from __future__ import annotations

import re

from tests.faults.conftest import ConnectFaulty, faulty_sandbox
from tests.tools.conftest import call, error_text


async def test_a_never_answering_endpoint_ends_at_the_deadline(
    connect_faulty: ConnectFaulty,
) -> None:
    with faulty_sandbox("GET /channels: hang@1") as sandbox:
        async with connect_faulty(sandbox, deadline=1.0) as mcp:
            text = error_text(await call(mcp, "list_channels"))
    assert "within this call's deadline of 1 s" in text
    assert "rate limit" not in text


async def test_a_dripped_answer_is_cut_at_the_deadline_not_at_each_byte(
    connect_faulty: ConnectFaulty,
) -> None:
    # One byte a minute: a per-read timeout would restart at each byte and never fire.
    with faulty_sandbox("GET /channels: drip(60)@1") as sandbox:
        async with connect_faulty(sandbox, deadline=1.0) as mcp:
            text = error_text(await call(mcp, "list_channels"))
    assert "no complete answer to GET /api/v1/channels within this call's deadline of 1 s" in text
    assert "rate limit" not in text


async def test_a_429_storm_ends_at_once_with_pimelos_real_wait(
    connect_faulty: ConnectFaulty,
) -> None:
    with faulty_sandbox("GET /attributes: storm(3600)@1") as sandbox:
        async with connect_faulty(sandbox, deadline=5.0) as mcp:
            text = error_text(await call(mcp, "search_attributes", {"query": "name"}))
            # the pause Pimelo asked for holds for the next call too: it is not sent at all
            again = error_text(await call(mcp, "search_attributes", {"query": "name"}))
        injected = sandbox.injector.injected["storm"]
    assert "Pimelo asks for a pause of 3600 s" in text
    assert "longer than this call could wait" in text
    assert "not sent" in again
    assert _seconds_until(again) > 3000  # Pimelo's own pause, not the client's capped hold
    assert injected == 1


def _seconds_until(text: str) -> int:
    """The wait a refusal names ("until N s from now" or "a pause of N s")."""
    found = re.search(r"until (\d+) s from now|a pause of (\d+) s", text)
    assert found is not None, text
    return int(found[1] or found[2])


async def test_a_hang_after_a_429_storm_elsewhere_says_what_holds_it_truthfully(
    connect_faulty: ConnectFaulty,
) -> None:
    # A storm on one endpoint holds the whole token back; a call on another endpoint then
    # is not sent, and says for how long Pimelo asked, not that its own endpoint hung.
    with faulty_sandbox("GET /attributes: storm(3600)@1; GET /channels: hang@1") as sandbox:
        async with connect_faulty(sandbox, deadline=3.0) as mcp:
            await call(mcp, "search_attributes", {"query": "name"})
            text = error_text(await call(mcp, "list_channels", {}))
        hangs = sandbox.injector.injected.get("hang", 0)
    assert "not sent" in text
    assert _seconds_until(text) > 3000
    assert hangs == 0  # held back before it was sent: the hanging endpoint was never reached
