"""Lines on stderr are written whole: the workers of one server share the stream."""

from __future__ import annotations

import io
import sys
from typing import Any, cast

import pytest

from pimelo_mcp.console import say


class _Writes(io.RawIOBase):
    """A raw stream that keeps each write it is given."""

    def __init__(self) -> None:
        self.writes: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        self.writes.append(bytes(data))
        return len(data)


def _unbuffered_stderr(monkeypatch: pytest.MonkeyPatch) -> _Writes:
    """stderr as Python makes it under PYTHONUNBUFFERED: each text write goes straight out."""
    raw = _Writes()
    # Python puts its text layer straight on the raw stream there (no buffered layer).
    text = io.TextIOWrapper(cast(Any, raw), encoding="utf-8", write_through=True)
    monkeypatch.setattr(sys, "stderr", text)
    return raw


def test_print_writes_a_line_in_two_parts_when_unbuffered(monkeypatch: pytest.MonkeyPatch) -> None:
    # Why say() exists: another worker's line could land between these two writes.
    raw = _unbuffered_stderr(monkeypatch)
    print("pimelo-mcp: worker 2 ready", file=sys.stderr, flush=True)
    assert raw.writes == [b"pimelo-mcp: worker 2 ready", b"\n"]


def test_say_writes_the_line_and_its_newline_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    raw = _unbuffered_stderr(monkeypatch)
    say("pimelo-mcp: worker 2 ready")
    assert raw.writes == [b"pimelo-mcp: worker 2 ready\n"]
