"""One Ctrl-C or SIGTERM stops a command at any moment of its start-up, with real processes.

Each test waits for an event (a connection accepted, a line printed), never for a time;
the timeouts are only a safety net against a process that would never stop.
"""

from __future__ import annotations

import os
import queue
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import pytest

pytestmark = pytest.mark.slow

SAFETY_NET = 60  # seconds; a stopped start-up takes a fraction of one
API_KEY = "pmk_stopping_test_0123456789abcdef"


def clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("PIMELO_")},
        "PIMELO_AUDIT_LOG": str(tmp_path / "audit.jsonl"),
        **extra,
    }


def _pump(stream: IO[str], lines: queue.Queue[str | None]) -> None:
    for line in stream:
        lines.put(line.rstrip("\n"))
    lines.put(None)


@contextmanager
def started(
    command: list[str], env: dict[str, str]
) -> Iterator[tuple[subprocess.Popen[str], queue.Queue[str | None]]]:
    """The process, and the lines of its stderr (then stdout) as they come; killed if left running."""
    process = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
        text=True,
    )
    assert process.stdout is not None
    lines: queue.Queue[str | None] = queue.Queue()
    reader = threading.Thread(target=_pump, args=(process.stdout, lines), daemon=True)
    reader.start()
    try:
        yield process, lines
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
        reader.join(timeout=SAFETY_NET)
        process.stdout.close()


def wait_for_line(lines: queue.Queue[str | None], wanted: str, seen: list[str]) -> None:
    while True:
        line = lines.get(timeout=SAFETY_NET)
        if line is None:
            raise AssertionError(f"the process ended before printing {wanted!r}: {seen}")
        seen.append(line)
        if wanted in line:
            return


def rest_of(lines: queue.Queue[str | None], seen: list[str]) -> str:
    while (line := lines.get(timeout=SAFETY_NET)) is not None:
        seen.append(line)
    return "\n".join(seen)


def serve_http(*args: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "pimelo_mcp",
        "serve",
        "--transport",
        "http",
        "--port",
        "0",
        *args,
    ]


@pytest.mark.parametrize(
    ("sig", "code", "name"), [(signal.SIGTERM, 143, "SIGTERM"), (signal.SIGINT, 130, "Ctrl-C")]
)
def test_one_signal_stops_an_http_start_up_waiting_for_pimelo(
    sig: signal.Signals, code: int, name: str, tmp_path: Path
) -> None:
    # Pimelo accepts the connection and never answers GET /me: the start-up waits for it.
    with socket.create_server(("127.0.0.1", 0)) as silent:
        env = clean_env(
            tmp_path,
            PIMELO_API_TOKEN="pim_waiting",
            PIMELO_BASE_URL=f"http://127.0.0.1:{silent.getsockname()[1]}/api/v1/",
        )
        with started(serve_http("--api-key", API_KEY), env) as (process, lines):
            connection, _ = silent.accept()  # the start-up's GET /me is on its way
            with connection:
                process.send_signal(sig)
                assert process.wait(timeout=SAFETY_NET) == code
            output = rest_of(lines, [])
    assert f"pimelo-mcp: stopped by {name}." in output
    assert "ready at" not in output
    assert "Traceback" not in output


def test_one_sigterm_stops_an_http_sandbox_while_its_catalog_loads(tmp_path: Path) -> None:
    with started(serve_http("--sandbox"), clean_env(tmp_path)) as (process, lines):
        seen: list[str] = []
        wait_for_line(lines, "SANDBOX: loading a local demo catalog", seen)
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=SAFETY_NET)
        output = rest_of(lines, seen)
    assert "Traceback" not in output
    # The signal lands while it starts (stopped at once) or, on a slow run, once uvicorn
    # serves (a graceful stop): either way this one signal stops it.
    if "ready at" in output:
        assert code == 0
        assert "HTTP server stopped." in output
    else:
        assert code == 143
        assert "pimelo-mcp: stopped by SIGTERM." in output


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_ready_http_server_still_stops_gracefully_with_exit_0(
    sig: signal.Signals, tmp_path: Path
) -> None:
    with socket.create_server(("127.0.0.1", 0)) as unused:
        env = clean_env(
            tmp_path,
            PIMELO_API_TOKEN="pim_never_asked",
            PIMELO_BASE_URL=f"http://127.0.0.1:{unused.getsockname()[1]}/api/v1/",
        )
    # The port is closed again: GET /me fails at once and the server starts listing every tool.
    with started(serve_http("--api-key", API_KEY), env) as (process, lines):
        seen: list[str] = []
        wait_for_line(lines, "pimelo-mcp HTTP server ready at", seen)
        process.send_signal(sig)
        assert process.wait(timeout=SAFETY_NET) == 0
        output = rest_of(lines, seen)
    assert "HTTP server stopped." in output
    assert "stopped by" not in output


def test_one_sigterm_stops_the_sandbox_while_its_catalog_loads(tmp_path: Path) -> None:
    database = tmp_path / "sandbox.db"
    command = [sys.executable, "-m", "pimelo_mcp", "sandbox", "--port", "0", "--db", str(database)]
    with started(command, clean_env(tmp_path)) as (process, lines):
        seen: list[str] = []
        wait_for_line(lines, "Loading the sandbox catalog", seen)
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=SAFETY_NET)
        output = rest_of(lines, seen)
    assert "Traceback" not in output
    if "sandbox ready at" in output:
        assert code == 0
        assert "Pimelo sandbox stopped." in output
    else:
        assert code == 143
        assert "pimelo-mcp: stopped by SIGTERM." in output


# What pydantic-core does with an exception raised while it builds a schema: it swallows it.
SWALLOWS_AN_INTERRUPT = """
import sys, threading
from pimelo_mcp.stopping import stop_at_once_on_signals

with stop_at_once_on_signals():
    print("waiting", flush=True)
    try:
        threading.Event().wait()
    except BaseException:
        pass
    print("carried on", flush=True)
"""


def test_a_signal_stops_code_that_would_swallow_a_keyboard_interrupt(tmp_path: Path) -> None:
    command = [sys.executable, "-c", SWALLOWS_AN_INTERRUPT]
    with started(command, clean_env(tmp_path)) as (process, lines):
        seen: list[str] = []
        wait_for_line(lines, "waiting", seen)
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=SAFETY_NET) == 130
        output = rest_of(lines, seen)
    assert "carried on" not in output
    assert "pimelo-mcp: stopped by Ctrl-C." in output
