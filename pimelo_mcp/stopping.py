"""Ctrl-C and SIGTERM stop a command at once, whatever it is doing, until a server takes them over.

Python's own Ctrl-C is a KeyboardInterrupt raised wherever the main thread happens to be.
While the MCP SDK loads, that is often inside pydantic-core building a schema, which turns
it into a SchemaError (a traceback, exit 1) or prints it as "Exception ignored" and carries
on: the process then went on starting, and waited for Pimelo, or came up anyway. A handler
that ends the process cannot be swallowed. Nothing is lost by ending at once: a command
that is starting has written nothing, a one-shot command's write either reached Pimelo (and
its journal line is one `write` call) or did not, as with a KeyboardInterrupt.

A server with a graceful stop of its own (uvicorn) takes the signals over while it runs and
calls `server_took_a_signal`; when it has stopped it raises the signal again, which is then
ignored, so that a graceful stop ends in a clean exit 0.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Generator
from contextlib import contextmanager
from types import FrameType

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
PROGRAM = "pimelo-mcp"

_server_stopping = threading.Event()

Handler = Callable[[int, FrameType | None], object] | int | signal.Handlers | None


def _stop_now(signum: int, frame: FrameType | None) -> None:
    if _server_stopping.is_set():
        return  # the server stopped gracefully and raises its signal again: nothing left to do
    name = "Ctrl-C" if signum == signal.SIGINT else signal.Signals(signum).name
    # os.write, not print: this runs between any two bytecodes, even inside a print.
    os.write(2, f"{PROGRAM}: stopped by {name}.\n".encode())
    os._exit(128 + signum)


def server_took_a_signal() -> None:
    """A server's own handler got a signal and stops gracefully; its re-raise will be ignored."""
    _server_stopping.set()


@contextmanager
def stop_at_once_on_signals() -> Generator[None]:
    """While active, SIGINT and SIGTERM end the process at once (exit 130 and 143).

    The previous handlers come back afterwards (a caller in a test process keeps its own).
    Only the main thread can set handlers; elsewhere this does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _server_stopping.clear()
    previous: dict[int, Handler] = {sig: signal.signal(sig, _stop_now) for sig in STOP_SIGNALS}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def start_thread_deaf_to_stop_signals(thread: threading.Thread) -> None:
    """Start `thread` with SIGINT and SIGTERM blocked in it, so that the kernel hands them to
    the main thread, the only one whose handlers run: a signal delivered to a helper thread
    would not wake a main thread that waits for that helper."""
    if not hasattr(signal, "pthread_sigmask"):  # Windows: no per-thread signal masks
        thread.start()
        return
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        thread.start()  # a new thread inherits the mask
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
