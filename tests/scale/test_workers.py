"""`serve --transport http --workers N`: N real processes answering on one port."""

from __future__ import annotations

import os
import re
import signal
from pathlib import Path

import httpx2
import pytest

from pimelo_mcp.cli import main
from tests.http_process import http_server
from tests.scale.replicas import API_KEY, sandbox

pytestmark = pytest.mark.slow


def test_workers_answer_on_one_port_and_share_the_state_folder(tmp_path: Path) -> None:
    with sandbox() as pimelo:
        env = {key: value for key, value in os.environ.items() if not key.startswith("PIMELO_")}
        env.update(
            PIMELO_BASE_URL=pimelo.base_url,
            PIMELO_API_TOKEN=pimelo.tokens["full-access"],
            PIMELO_MCP_API_KEYS=API_KEY,
            PIMELO_MCP_WORKERS="2",
            XDG_STATE_HOME=str(tmp_path / "state"),
        )
        with http_server([], env=env) as server:
            for n in range(20):  # a new connection each time: the kernel spreads them
                response = httpx2.post(
                    server.url,
                    headers={
                        "Authorization": f"Bearer {API_KEY}",
                        "Content-Type": "application/json",
                        "Accept": "application/json, text/event-stream",
                        "MCP-Protocol-Version": "2025-11-25",
                    },
                    json={"jsonrpc": "2.0", "id": n, "method": "tools/list", "params": {}},
                )
                assert response.status_code == 200, response.text
            assert httpx2.get(server.origin + "/readyz").json() == {"status": "ready"}
    output = "\n".join(server.stderr)
    assert "pimelo-mcp: 2 workers on one port" in output
    assert "pimelo-mcp: worker 2 ready" in output
    assert output.count("pimelo-mcp HTTP server ready at") == 1  # the first worker's banner
    assert "shared store: " in output
    assert "pimelo-mcp: all workers stopped." in output
    state = tmp_path / "state" / "pimelo-mcp"
    assert (state / "secret.key").stat().st_mode & 0o777 == 0o600  # made once, before both
    assert (state / "oauth.sqlite3").exists()


def _list_tools(url: str, n: int) -> None:
    """One tools/list on a new connection (the kernel hands it to whichever worker accepts)."""
    response = httpx2.post(
        url,
        headers={
            "Authorization": f"Bearer {API_KEY}",
            "Content-Type": "application/json",
            "Accept": "application/json, text/event-stream",
            "MCP-Protocol-Version": "2025-11-25",
        },
        json={"jsonrpc": "2.0", "id": n, "method": "tools/list", "params": {}},
    )
    assert response.status_code == 200, response.text
    assert response.json()["result"]["tools"]


def _workers_of(parent: int) -> set[int]:
    children = Path(f"/proc/{parent}/task/{parent}/children").read_text(encoding="ascii")
    return {int(pid) for pid in children.split()}


def test_a_dead_worker_is_started_again_and_calls_keep_succeeding(tmp_path: Path) -> None:
    with sandbox() as pimelo:
        env = {key: value for key, value in os.environ.items() if not key.startswith("PIMELO_")}
        env.update(
            PIMELO_BASE_URL=pimelo.base_url,
            PIMELO_API_TOKEN=pimelo.tokens["full-access"],
            PIMELO_MCP_API_KEYS=API_KEY,
            PIMELO_MCP_WORKERS="2",
            XDG_STATE_HOME=str(tmp_path / "state"),
        )
        with http_server([], env=env) as server:
            if "pimelo-mcp: worker 2 ready" not in server.stderr:  # it may come after the banner
                server.wait_for_line(re.compile(r"worker 2 ready$"))
            first, second = sorted(_workers_of(server.pid))
            os.kill(second, signal.SIGKILL)  # a crash: no chance to say goodbye
            for n in range(10):  # while it is gone, the other worker takes every connection
                _list_tools(server.url, n)
            server.wait_for_line(re.compile(r"worker \d exited \(code -9\); starting it again$"))
            server.wait_for_line(re.compile(r"worker \d ready$"))
            (restarted,) = _workers_of(server.pid) - {first}
            assert restarted != second
            # Now the first goes too: only the restarted worker is left to answer.
            os.kill(first, signal.SIGKILL)
            for n in range(10, 20):
                _list_tools(server.url, n)
            server.wait_for_line(re.compile(r"worker \d ready$"))
            for n in range(20, 30):
                _list_tools(server.url, n)
    output = "\n".join(server.stderr)
    assert output.count("exited (code -9); starting it again") == 2
    assert output.count("pimelo-mcp HTTP server ready at") == 1  # a restarted worker 1 says less
    assert "keep exiting" not in output
    assert "pimelo-mcp: all workers stopped." in output
    assert "Traceback" not in output


def test_the_embedded_sandbox_runs_in_one_worker_only(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["serve", "--transport", "http", "--sandbox", "--workers", "2"])
    assert code == 2
    assert "--sandbox keeps its catalog in the memory of one process" in capsys.readouterr().err


def test_a_bad_worker_count_on_the_command_line_is_refused(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(["serve", "--transport", "http", "--no-auth", "--workers", "many"])
    assert code == 2
    assert "--workers must be a whole number of processes" in capsys.readouterr().err


def test_workers_are_only_for_http(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["serve", "--workers", "2", "--token", "pim_" + "x" * 30])
    assert code == 2
    assert "--workers: only for --transport http" in capsys.readouterr().err
