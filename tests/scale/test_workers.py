"""`serve --transport http --workers N`: N real processes answering on one port."""

from __future__ import annotations

import http.client
import os
import re
import select
import signal
from pathlib import Path

import httpx2
import pytest

from pimelo_mcp.cli import main
from pimelo_mcp.listening import spreads_by_reuse_port
from tests.http_process import HttpServer, http_server
from tests.scale.replicas import API_KEY, Sandbox, sandbox

pytestmark = pytest.mark.slow


def _two_workers(pimelo: Sandbox, tmp_path: Path) -> dict[str, str]:
    """The environment of `serve --transport http` with two workers against `pimelo`."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PIMELO_")}
    env.update(
        PIMELO_BASE_URL=pimelo.base_url,
        PIMELO_API_TOKEN=pimelo.tokens["full-access"],
        PIMELO_MCP_API_KEYS=API_KEY,
        PIMELO_MCP_WORKERS="2",
        XDG_STATE_HOME=str(tmp_path / "state"),
    )
    return env


def _wait_for_worker_2(server: HttpServer) -> None:
    """The banner is the first worker's; the second says it is ready before or after it."""
    if "pimelo-mcp: worker 2 ready" not in server.stderr:
        server.wait_for_line(re.compile(r"worker 2 ready$"))


def test_workers_answer_on_one_port_and_share_the_state_folder(tmp_path: Path) -> None:
    with sandbox() as pimelo:
        env = _two_workers(pimelo, tmp_path)
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


def _kill_and_wait(pid: int) -> None:
    """SIGKILL `pid` and wait until it is gone (its sockets closed), an event not a delay."""
    watch = os.pidfd_open(pid)
    try:
        os.kill(pid, signal.SIGKILL)
        assert select.select([watch], [], [], 60)[0], "the killed worker did not exit"
    finally:
        os.close(watch)


def _connections_held(pid: int, port: int) -> int:
    """How many established TCP connections to local `port` process `pid` holds (/proc)."""
    inodes: set[str] = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except FileNotFoundError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    held = 0
    for line in Path("/proc/net/tcp").read_text(encoding="ascii").splitlines()[1:]:
        fields = line.split()
        local_port = int(fields[1].rsplit(":", 1)[1], 16)
        if local_port == port and fields[3] == "01" and fields[9] in inodes:  # 01: established
            held += 1
    return held


@pytest.mark.skipif(not spreads_by_reuse_port(), reason="the kernel spreads SO_REUSEPORT on Linux")
def test_connections_made_at_once_are_spread_over_the_workers(tmp_path: Path) -> None:
    # One listening socket shared by the workers gave nearly every connection to the worker
    # that woke first (10 of 10); kept alive, they stayed there and the other worker idled.
    with sandbox() as pimelo:
        env = _two_workers(pimelo, tmp_path)
        with http_server([], env=env) as server:
            _wait_for_worker_2(server)
            connections = [http.client.HTTPConnection("127.0.0.1", server.port) for _ in range(24)]
            for connection in connections:  # all queued before any is answered
                connection.connect()
            body = '{"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}'
            headers = {
                "Authorization": f"Bearer {API_KEY}",
                "Content-Type": "application/json",
                "Accept": "application/json, text/event-stream",
                "MCP-Protocol-Version": "2025-11-25",
            }
            for connection in connections:
                connection.request("POST", "/mcp", body=body, headers=headers)
            for connection in connections:
                response = connection.getresponse()
                assert response.status == 200
                response.read()
            held = [_connections_held(pid, server.port) for pid in _workers_of(server.pid)]
            for connection in connections:
                connection.close()
    assert sum(held) == 24
    # The kernel hashes each connection to a worker: 3 or fewer of 24 on one happens once in
    # about 28,000 runs by chance; one shared socket gave it every time.
    assert min(held) >= 3, held


def test_a_dead_worker_is_started_again_and_calls_keep_succeeding(tmp_path: Path) -> None:
    with sandbox() as pimelo:
        env = _two_workers(pimelo, tmp_path)
        with http_server([], env=env) as server:
            _wait_for_worker_2(server)
            first, second = sorted(_workers_of(server.pid))
            _kill_and_wait(second)  # a crash: no chance to say goodbye
            for n in range(10):  # while it is gone, the other worker takes every connection
                _list_tools(server.url, n)
            server.wait_for_line(re.compile(r"worker \d exited \(code -9\); starting it again$"))
            server.wait_for_line(re.compile(r"worker \d ready$"))
            (restarted,) = _workers_of(server.pid) - {first}
            assert restarted != second
            # Now the first goes too: only the restarted worker is left to answer.
            _kill_and_wait(first)
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


@pytest.mark.skipif(not spreads_by_reuse_port(), reason="the kernel spreads SO_REUSEPORT on Linux")
def test_a_worker_that_cannot_listen_on_the_port_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    from pimelo_mcp.config import ENV_WORKER_INDEX, ENV_WORKER_SOCKET, ConfigError
    from pimelo_mcp.listening import listen_tcp
    from pimelo_mcp.workers import inherited_socket

    # The parent holds the port; another program listens on it without allowing it shared.
    holder = listen_tcp("127.0.0.1", 0, listening=False)
    port = holder.getsockname()[1]
    other = listen_tcp("127.0.0.1", port)
    monkeypatch.setenv(ENV_WORKER_SOCKET, str(os.dup(holder.fileno())))
    monkeypatch.setenv(ENV_WORKER_INDEX, "2")
    try:
        with pytest.raises(ConfigError, match=f"worker 2 cannot listen on 127.0.0.1:{port}"):
            inherited_socket()
    finally:
        other.close()
        holder.close()
