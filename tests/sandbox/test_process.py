"""The real `pimelo-mcp sandbox` process over TCP: ready line, tokens, requests, clean stop, --db."""

from __future__ import annotations

import queue
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import httpx2
import pytest

FIXTURE_RUNNER = str(Path(__file__).with_name("fixture_sandbox.py"))
READY = re.compile(r"^Pimelo sandbox ready at (http://127\.0\.0\.1:(\d+)/api/v1/)$")
TOKEN = re.compile(r"^token (\S+) (pim_\S+) scopes (\S+)$")
FIXED = "pim_process_test_token"


def read_line(lines: queue.Queue[str | None], deadline: float) -> str:
    """One stdout line, failing (not hanging) when the process says nothing in time."""
    try:
        line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
    except queue.Empty:
        raise AssertionError("the sandbox printed nothing in time") from None
    if line is None:
        raise AssertionError("the sandbox exited before it was ready")
    return line.rstrip("\n")


def pump(stream: IO[str], lines: queue.Queue[str | None]) -> None:
    for line in stream:
        lines.put(line)
    lines.put(None)


@contextmanager
def sandbox_process(command: list[str]) -> Iterator[tuple[str, dict[str, tuple[str, str]]]]:
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    assert process.stdout is not None
    lines: queue.Queue[str | None] = queue.Queue()
    reader = threading.Thread(target=pump, args=(process.stdout, lines), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 60
        ready = READY.match(read_line(lines, deadline))
        assert ready, "the first stdout line is the ready line"
        tokens: dict[str, tuple[str, str]] = {}
        for _ in range(3):
            token = TOKEN.match(read_line(lines, deadline))
            assert token
            tokens[token[1]] = (token[2], token[3])
        yield ready[1], tokens
    finally:
        process.terminate()
        try:
            code = process.wait(timeout=60)  # a safety net; a stop takes a second
        except subprocess.TimeoutExpired:
            process.kill()
            raise
        finally:
            reader.join(timeout=60)
            process.stdout.close()
    assert code == 0, "SIGTERM stops the sandbox cleanly"


@pytest.mark.slow
def test_sandbox_command_serves_the_demo_catalog_over_tcp() -> None:
    command = [
        sys.executable,
        "-m",
        "pimelo_mcp",
        "sandbox",
        "--port",
        "0",
        "--products",
        "50",
        "--token",
        f"{FIXED}=products:read",
    ]
    with sandbox_process(command) as (base_url, tokens):
        assert set(tokens) == {"full-access", "read-only", "products-only"}
        with httpx2.Client(
            base_url=base_url, headers={"Authorization": f"Bearer {tokens['full-access'][0]}"}
        ) as http:
            me = http.get("me")
            assert me.status_code == 200
            assert "x-ratelimit-remaining" in me.headers
            page = http.post("products/search", json={"limit": 100})
            assert page.status_code == 200
            assert len(page.json()["items"]) == 50
            assert http.get("channels").status_code == 200
        with httpx2.Client(
            base_url=base_url, headers={"Authorization": f"Bearer {FIXED}"}
        ) as fixed:
            assert fixed.post("products/search", json={"limit": 1}).status_code == 200
            assert fixed.get("channels").json()["required_scope"] == "settings:read"


@pytest.mark.slow
def test_sandbox_runner_prints_tokens_serves_and_keeps_a_db_across_restarts(tmp_path: Path) -> None:
    db = str(tmp_path / "sandbox.db")
    command = [
        sys.executable,
        FIXTURE_RUNNER,
        "sandbox",
        "--port",
        "0",
        "--db",
        db,
        "--token",
        f"{FIXED}=products:read,products:write",
    ]
    with sandbox_process(command) as (base_url, tokens):
        assert tokens["read-only"][1].split(",") == [
            "products:read",
            "entities:read",
            "settings:read",
            "media:read",
            "import-export:read",
            "attributes:read",
        ]
        assert (
            tokens["products-only"][1]
            == "products:read,products:write,attributes:read,settings:read"
        )
        with httpx2.Client(base_url=base_url, headers={"Authorization": f"Bearer {FIXED}"}) as http:
            created = http.post("products", json={"identifier": "KEPT-1", "attribute_set": "basic"})
            assert created.status_code == 201
            assert created.headers["location"] == f"{base_url}products/KEPT-1"
        with httpx2.Client(
            base_url=base_url, headers={"Authorization": f"Bearer {tokens['read-only'][0]}"}
        ) as read:
            assert read.post("products", json={}).status_code == 403
    with (
        sandbox_process(command) as (base_url, _),
        httpx2.Client(base_url=base_url, headers={"Authorization": f"Bearer {FIXED}"}) as http,
    ):
        assert http.get("products/KEPT-1").status_code == 200
        identifiers = [
            p["identifier"] for p in http.post("products/search", json={}).json()["items"]
        ]
        assert identifiers == ["BASIC-1", "KEPT-1", "SHOE-1", "SHOE-2", "SHOE-3"]


def test_bad_arguments_are_reported_clearly() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pimelo_mcp", "sandbox", "--port", "70000"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "--port must be from 0 to 65535" in result.stderr
    bad_token = subprocess.run(
        [sys.executable, "-m", "pimelo_mcp", "sandbox", "--token", "nope"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad_token.returncode == 2
    assert "a token must be pim_VALUE=scope" in bad_token.stderr
