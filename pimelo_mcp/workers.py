"""`serve --transport http --workers N`: N processes answering on one listening socket.

The parent binds the port, makes sure the shared secret and store exist (so that no two
workers race to create them), then starts N copies of the same command, each given the
socket. On Linux the parent only holds the port (bound with SO_REUSEPORT, not listening) and
each worker listens on it with a socket of its own: the kernel spreads new connections over
the workers' sockets. One listening socket shared by all would not: the worker that wakes
first accepts every waiting connection (`pimelo_mcp.listening.spreads_by_reuse_port`).
Elsewhere the workers share the parent's listening socket.
The HTTP mode is stateless and the workers share the store (OAuth records, rate budgets)
and the secret (sealed tokens, the SDK's request state), so any worker answers any request.

The parent only supervises: SIGINT/SIGTERM stop every worker; a worker that dies is
started again, unless workers keep dying at start (a broken setup), which stops them all.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass

from pimelo_mcp.config import (
    ENV_WORKER_INDEX,
    ENV_WORKER_RESTARTED,
    ENV_WORKER_SOCKET,
    ConfigError,
    HttpSettings,
    OAuthSettings,
)
from pimelo_mcp.console import say
from pimelo_mcp.http import listen
from pimelo_mcp.listening import listen_tcp, spreads_by_reuse_port

logger = logging.getLogger(__name__)

QUICK_DEATH_SECONDS = 5.0  # a worker that dies sooner than this after its start "died at start"
MAX_QUICK_DEATHS = 3
STOP_SECONDS = 30.0
SUPERVISE_INTERVAL_SECONDS = 0.2


def inherited_socket() -> socket.socket | None:
    """In a worker: the socket to serve (its own on the parent's port, or the parent's
    listening socket); None in a process serving alone."""
    text = os.environ.get(ENV_WORKER_SOCKET)
    if not text:
        return None
    held = socket.socket(fileno=int(text))
    if held.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN):
        return held  # one listening socket shared by all workers
    host, port = held.getsockname()[:2]
    try:
        return listen_tcp(str(host), int(port), reuse_port=True)
    except OSError as error:
        raise ConfigError(
            f"worker {worker_index()} cannot listen on {host}:{port}: {error}. Another "
            "program of this user may hold the port with SO_REUSEPORT; stop it, or pick "
            "another --port."
        ) from None
    finally:
        held.close()  # this process's copy only: the parent still holds the port


def worker_index() -> int:
    """1 for the first worker (and a process serving alone), 2… for the others."""
    return int(os.environ.get(ENV_WORKER_INDEX) or "1")


def prints_the_banner() -> bool:
    """The server's banner is printed once: by worker 1 when it first starts, not again."""
    return worker_index() == 1 and os.environ.get(ENV_WORKER_RESTARTED) != "1"


@dataclass
class Worker:
    index: int
    process: subprocess.Popen[bytes]
    started: float


def _prepare_shared_state(settings: OAuthSettings) -> None:
    """Create the secret's key file and the SQLite store once, before any worker starts."""
    from pimelo_mcp.oauth.assembly import load_keys, open_store

    if settings.store_url is None:  # its folder is where the key file is made
        import anyio

        anyio.run(open_store(settings).aclose)
    load_keys(settings)


def run_workers(http: HttpSettings, store_settings: OAuthSettings, args: argparse.Namespace) -> int:
    try:
        _prepare_shared_state(store_settings)
        spread = spreads_by_reuse_port()
        sock = listen(http, reuse_port=spread, listening=not spread)
    except ConfigError as error:
        say(f"pimelo-mcp serve: {error}")
        return 2
    sock.set_inheritable(True)
    argv: list[str] = list(getattr(args, "argv", None) or sys.argv[1:])
    command = [sys.executable, "-m", "pimelo_mcp", *argv]
    stopping = False

    def start(index: int, *, again: bool = False) -> Worker:
        env = {
            **os.environ,
            ENV_WORKER_SOCKET: str(sock.fileno()),
            ENV_WORKER_INDEX: str(index),
            ENV_WORKER_RESTARTED: "1" if again else "0",
        }
        process = subprocess.Popen(command, env=env, pass_fds=(sock.fileno(),))
        return Worker(index, process, time.monotonic())

    def stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    workers = [start(index) for index in range(1, http.workers + 1)]
    say(f"pimelo-mcp: {http.workers} workers on one port")
    quick_deaths = 0
    exit_code = 0
    try:
        while not stopping:
            time.sleep(SUPERVISE_INTERVAL_SECONDS)
            for position, worker in enumerate(workers):
                code = worker.process.poll()
                if code is None or stopping:
                    continue
                lived = time.monotonic() - worker.started
                quick_deaths = quick_deaths + 1 if lived < QUICK_DEATH_SECONDS else 0
                if quick_deaths >= MAX_QUICK_DEATHS:
                    say(
                        f"pimelo-mcp: workers keep exiting at start (worker {worker.index}: "
                        f"exit code {code}); stopping. Its messages above say why."
                    )
                    stopping, exit_code = True, 1
                    break
                say(f"pimelo-mcp: worker {worker.index} exited (code {code}); starting it again")
                workers[position] = start(worker.index, again=True)
    finally:
        for worker in workers:
            if worker.process.poll() is None:
                worker.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_SECONDS
        for worker in workers:
            try:
                worker.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                worker.process.kill()
                worker.process.wait()
        sock.close()
    say("pimelo-mcp: all workers stopped.")
    return exit_code
