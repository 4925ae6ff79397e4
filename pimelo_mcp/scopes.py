"""The token's scopes, read once with `GET /me` before the server lists its tools.

`read_scopes_while` lets the stdio server make that request while the MCP SDK loads: the
round trip to Pimelo (connection, TLS handshake, answer) and the client's TLS context cost
no start-up time of their own (`benchmarks/startup.py` puts the service 100 ms away).
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import TypeVar

import anyio
import httpx2

from pimelo_mcp.client import (
    AuthenticationError,
    InvalidArgumentError,
    PimeloClient,
    PimeloError,
)
from pimelo_mcp.config import ConfigError, Settings
from pimelo_mcp.service_identity import not_a_pimelo_api
from pimelo_mcp.stopping import start_thread_deaf_to_stop_signals

logger = logging.getLogger(__name__)

T = TypeVar("T")


async def discover_scopes(
    settings: Settings, *, http_client: httpx2.AsyncClient | None = None
) -> frozenset[str] | None:
    """The token's scopes from GET /me; None when the service cannot tell (then all tools are listed).

    A refused token stops the start with a clear message: every call would fail anyway.
    """
    try:
        client = PimeloClient(
            settings.base_url, settings.require_token(), http_client=http_client, max_retries=1
        )
    except InvalidArgumentError as error:  # a token or base URL that cannot be right
        raise ConfigError(str(error)) from None
    async with client:
        try:
            me = await client.me.retrieve()
        except AuthenticationError as error:
            elsewhere = not_a_pimelo_api(error, client.base_url)
            if elsewhere is not None:
                raise ConfigError(elsewhere) from None
            raise ConfigError(
                "Pimelo refused the API token (unknown, revoked or expired): create a new one in "
                "Pimelo (Settings > API Tokens) and set PIMELO_API_TOKEN."
            ) from None
        except (PimeloError, ValueError) as error:
            logger.warning("could not read the token's scopes (%s); listing every tool", error)
            return None
    return frozenset(me.token.scopes)


def read_scopes_while(settings: Settings, work: Callable[[], T]) -> tuple[frozenset[str] | None, T]:
    """`discover_scopes` on a thread of its own (own event loop, own client) while `work` runs here.

    `work` (the SDK's import) holds the interpreter lock nearly all the time, so the thread
    is given only what releases it: making the client's TLS context (OpenSSL reading the
    CA certificates), connecting, the TLS handshake, waiting for the answer; the modules it
    would otherwise import, but for the small `me` resource and Me's validator, are loaded
    here first. A refused token raises its ConfigError here, after `work`.
    """
    # httpx2 loads its transport at its first client; asyncio's event loop and anyio's
    # backend are loaded by the SDK too. Loading them here also keeps the two threads'
    # imports apart: import locks are per module, and two threads importing one package in
    # different orders can each wait for the other.
    importlib.import_module("httpcore2")
    anyio.run(anyio.sleep, 0)
    reading: Future[frozenset[str] | None] = Future()

    def read() -> None:
        try:
            reading.set_result(anyio.run(discover_scopes, settings))
        except BaseException as error:  # handed to the main thread, raised there
            reading.set_exception(error)

    # A daemon: Ctrl-C while Pimelo does not answer stops the process at once, instead of
    # waiting at exit for the request's own timeout. Deaf to the signal itself: the main
    # thread, maybe waiting for this one's answer, must be the one to receive it.
    start_thread_deaf_to_stop_signals(
        threading.Thread(target=read, name="pimelo-scopes", daemon=True)
    )
    done = work()
    return reading.result(), done
