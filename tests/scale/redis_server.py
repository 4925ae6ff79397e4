"""A real `redis-server` for tests: on a free loopback port, no persistence, stopped after.

Debian's `redis-server` package (installed by `.ci/run`). Without it the tests that need it
are skipped, except under PIMELO_INTEROP_REQUIRED=1 (CI), where they fail instead.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

from tests.interop.tooling import free_port, require

START_SECONDS = 30.0  # a safety net only: a healthy server answers in milliseconds


def redis_server_command() -> str:
    path = shutil.which("redis-server")
    require(path is not None, "no redis-server: apt-get install -y redis-server")
    assert path is not None
    return path


def _answers_ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(64).startswith(b"+PONG")
    except OSError:
        return False


class RedisServer:
    """One redis-server process that a test can stop (a lost Redis) and start again."""

    def __init__(self, directory: Path) -> None:
        self.command = redis_server_command()
        self.port = free_port()
        self.directory = directory
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        log = (self.directory / "redis.log").open("ab")
        self.process = subprocess.Popen(
            [
                self.command,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + START_SECONDS
        while not _answers_ping(self.port):
            if self.process.poll() is not None:
                raise AssertionError(f"redis-server exited ({self.process.returncode}) at start")
            if time.monotonic() > deadline:
                raise AssertionError("redis-server did not answer PING in time")
            time.sleep(0.02)

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=15)
        self.process = None
