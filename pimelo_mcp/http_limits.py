"""Limits of the HTTP transport that match what the tools promise, and bounds on slow clients.

- Request bodies up to `MAX_REQUEST_BODY_BYTES`: room for the largest input a tool takes,
  10 MiB of media as base64 (about 13.4 MiB) in its JSON-RPC envelope. A larger body is
  answered as a tool error (for `tools/call`) or a JSON-RPC error that says the limit and
  the way around it, never a bare 413.
- A client must send its request head within `HEADER_TIMEOUT_SECONDS` of connecting (or of
  its first byte after a keep-alive pause), and its whole body within `BODY_TIMEOUT_SECONDS`
  of the head; otherwise the connection is closed. A slow or stalled client cannot hold a
  connection (and its buffers) open for ever.
"""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any, cast

import h11
from mcp.types import CallToolResult, TextContent
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol, RequestResponseCycle

from pimelo_mcp.client._constants import MAX_UPLOAD_BYTES

MAX_MEDIA_BYTES = MAX_UPLOAD_BYTES
# base64 turns 3 bytes into 4; 1 MiB more for the envelope and the other arguments.
MAX_REQUEST_BODY_BYTES = MAX_MEDIA_BYTES * 4 // 3 + 1024 * 1024
HEADER_TIMEOUT_SECONDS = 10.0
BODY_TIMEOUT_SECONDS = 120.0
# A body over the limit is still read (and dropped) up to this size, so that the client
# gets the answer; beyond it the connection is closed.
MAX_DRAINED_BYTES = 64 * 1024 * 1024
# Where the JSON-RPC id and method are looked for in a body too large to parse.
_HEAD_BYTES = 64 * 1024
_ID = re.compile(rb'"id"\s*:\s*("(?:[^"\\]|\\.){0,200}"|-?\d{1,20})')
_METHOD = re.compile(rb'"method"\s*:\s*"([a-z/_]{1,64})"')
_NAME = re.compile(rb'"name"\s*:\s*"([A-Za-z0-9_\-]{1,64})"')


def too_large_message(limit: int) -> str:
    return (
        f"The request is larger than this server's limit of {limit:,} bytes ({limit // (1024 * 1024)} "
        f"MiB), so it was not read. upload_media takes at most {MAX_MEDIA_BYTES // (1024 * 1024)} MiB "
        "of media as content_base64; for a larger file, or to send less, give `url` (an https "
        "address the server fetches) or `path` (a file in the server's upload folders) "
        "instead. For other tools, send fewer or shorter items."
    )


class BodyLimit:
    """ASGI middleware: a body over `limit` gets an answer the client's model can read."""

    def __init__(self, app: ASGIApp, limit: int = MAX_REQUEST_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        declared = _header(scope, b"content-length")
        head = bytearray()
        messages: list[Message] = []
        total = 0
        over = declared is not None and declared.isdigit() and int(declared) > self.limit
        while not over:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            chunk: bytes = message.get("body", b"")
            total += len(chunk)
            if len(head) < _HEAD_BYTES:
                head.extend(chunk[: _HEAD_BYTES - len(head)])
            if total > self.limit:
                over = True
            elif not message.get("more_body", False):
                break
        if over:
            if not head:  # declared too large: read the head only, to find the request's id
                while len(head) < _HEAD_BYTES:
                    message = await receive()
                    if message["type"] != "http.request":
                        break
                    head.extend(message.get("body", b""))
                    if not message.get("more_body", False):
                        break
            drained = await _drain(receive, messages)
            await _answer_too_large(scope, send, bytes(head[:_HEAD_BYTES]), self.limit, drained)
            return

        pending = list(messages)

        async def replay() -> Message:
            if pending:
                return pending.pop(0)
            return await receive()

        await self.app(scope, replay, send)


async def _drain(receive: Receive, seen: list[Message]) -> bool:
    """Read and drop the rest of the body, so the client (still sending) reads the answer
    instead of a reset connection; True when all of it came. Beyond a bound, stop reading."""
    if seen and (seen[-1]["type"] != "http.request" or not seen[-1].get("more_body", False)):
        return True
    dropped = 0
    while dropped <= MAX_DRAINED_BYTES:
        message = await receive()
        if message["type"] != "http.request":
            return False
        dropped += len(message.get("body", b""))
        if not message.get("more_body", False):
            return True
    return False


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value).decode("latin-1")
    return None


async def _answer_too_large(
    scope: Scope, send: Send, head: bytes, limit: int, drained: bool
) -> None:
    params_at = head.find(b'"params"')
    envelope = head if params_at < 0 else head[:params_at]
    found_id = _ID.search(envelope) or _ID.search(head)
    method = _header(scope, b"mcp-method") or _match(_METHOD, envelope)
    tool = _header(scope, b"mcp-name") or _match(_NAME, head)
    request_id: Any = json.loads(found_id[1]) if found_id else None
    text = too_large_message(limit)
    if method == "tools/call" and request_id is not None:
        if tool:
            text = f"{tool}: {text}"
        result = CallToolResult(content=[TextContent(type="text", text=text)], is_error=True)
        body: dict[str, Any] = {
            "jsonrpc": "2.0",
            "id": request_id,
            "result": result.model_dump(by_alias=True, mode="json", exclude_none=True),
        }
        status = 200
    else:
        body = {"jsonrpc": "2.0", "id": request_id, "error": {"code": -32600, "message": text}}
        status = 413
    payload = json.dumps(body).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(payload)).encode()),
    ]
    if not drained:
        headers.append((b"connection", b"close"))  # the rest of the body was not read
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


def _match(pattern: re.Pattern[bytes], text: bytes) -> str | None:
    found = pattern.search(text)
    return found[1].decode() if found else None


def bounded_protocol(
    header_timeout: float = HEADER_TIMEOUT_SECONDS, body_timeout: float = BODY_TIMEOUT_SECONDS
) -> type[H11Protocol]:
    """uvicorn's h11 protocol, closing connections whose head or body comes too slowly."""

    class BoundedH11Protocol(H11Protocol):
        _timer: asyncio.TimerHandle | None = None
        _waiting_for: str = ""

        def _arm(self, what: str, seconds: float) -> None:
            self._disarm()
            self._waiting_for = what
            self._timer = self.loop.call_later(seconds, self._cut)

        def _disarm(self) -> None:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            self._waiting_for = ""

        def _cut(self) -> None:
            self._timer = None
            if not self.transport.is_closing():
                self.transport.close()

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm("head", header_timeout)

        def data_received(self, data: bytes) -> None:
            # None before the first request, whatever uvicorn's annotation says
            cycle = cast("RequestResponseCycle | None", getattr(self, "cycle", None))
            if not self._waiting_for and (cycle is None or cycle.response_complete):
                self._arm("head", header_timeout)  # the first byte of the next request
            super().data_received(data)

        def handle_events(self) -> None:
            before = self.cycle
            super().handle_events()
            if self.cycle is not before and self._waiting_for == "head":
                if self.conn.their_state is h11.SEND_BODY:
                    self._arm("body", body_timeout)
                else:
                    self._disarm()
            elif self._waiting_for == "body" and self.conn.their_state is not h11.SEND_BODY:
                self._disarm()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

    return BoundedH11Protocol
