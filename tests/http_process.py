"""Run `pimelo-mcp serve --transport http` as a real process and wait for its ready line."""

from __future__ import annotations

import queue
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO

READY = re.compile(r"^pimelo-mcp HTTP server ready at (http://127\.0\.0\.1:(\d+)/mcp)$")
GENERATED_KEY = re.compile(r"^pimelo-mcp: API key made for this run: (\S+)$")


@dataclass
class HttpServer:
    url: str  # http://127.0.0.1:PORT/mcp
    port: int
    stderr: list[str]  # the lines printed up to the ready line; all of them once stopped
    pid: int = 0
    lines: queue.Queue[str | None] | None = None  # what it prints from now on

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_for_line(self, wanted: re.Pattern[str], timeout: float = 60) -> re.Match[str]:
        """Read its output until a line matches `wanted` (kept in `stderr` too)."""
        assert self.lines is not None
        deadline = time.monotonic() + timeout  # a safety net: the line is an event
        while True:
            try:
                line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(
                    f"no line matching {wanted.pattern!r}; {self.stderr}"
                ) from None
            if line is None:
                raise AssertionError(f"it exited before {wanted.pattern!r}; {self.stderr}")
            self.stderr.append(line)
            found = wanted.search(line)
            if found:
                return found


def _pump(stream: IO[str], lines: queue.Queue[str | None]) -> None:
    for line in stream:
        lines.put(line.rstrip("\n"))
    lines.put(None)


@contextmanager
def http_server(
    args: list[str], env: dict[str, str] | None = None, timeout: float = 60
) -> Iterator[HttpServer]:
    """Start `python -m pimelo_mcp serve --transport http --port 0 *args`; stop it with SIGTERM."""
    command = [sys.executable, "-m", "pimelo_mcp", "serve", "--transport", "http", "--port", "0"]
    process = subprocess.Popen(
        [*command, *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, text=True
    )
    assert process.stderr is not None
    lines: queue.Queue[str | None] = queue.Queue()
    reader = threading.Thread(target=_pump, args=(process.stderr, lines), daemon=True)
    reader.start()
    seen: list[str] = []
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"no ready line in time; stderr: {seen}") from None
            if line is None:
                raise AssertionError(f"the server exited before it was ready; stderr: {seen}")
            seen.append(line)
            ready = READY.match(line)
            if ready:
                break
        yield HttpServer(
            url=ready[1], port=int(ready[2]), stderr=seen, pid=process.pid, lines=lines
        )
    finally:
        process.terminate()
        try:
            code = process.wait(timeout=60)  # a safety net; a stop takes a second
        except subprocess.TimeoutExpired:
            process.kill()
            raise
        finally:
            reader.join(timeout=60)
            process.stderr.close()
            # What it printed after the ready line too: tests read the whole output afterwards.
            while not lines.empty():
                rest = lines.get()
                if rest is not None:
                    seen.append(rest)
    assert code == 0, "SIGTERM stops the HTTP server cleanly"
