"""The HTTP transport's limits: bodies as large as the tools promise, a readable refusal
beyond, and slow clients cut (real sockets on loopback; waits end on the server closing)."""

from __future__ import annotations

import base64
import json
import select
import socket
from pathlib import Path

import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from starlette.types import Receive, Scope, Send

from pimelo_mcp.config import HttpSettings, Settings
from pimelo_mcp.http import Readiness, build_http_app
from pimelo_mcp.http_limits import MAX_REQUEST_BODY_BYTES, bounded_protocol
from pimelo_mcp.sandbox.demo.images import PNG_SIGNATURE
from pimelo_mcp.server import build_server
from tests.faults.conftest import TOKEN, faulty_sandbox, serve_in_thread

SAFETY_TIMEOUT = 30.0  # only if the server never closes: the waits below end on its close


async def _ready() -> str | None:
    return None


def _mcp_app(base_url: str, tmp_path: Path) -> object:
    settings = Settings(api_token=TOKEN, base_url=base_url, audit_path=tmp_path / "audit.jsonl")
    server = build_server(settings)
    return build_http_app(server, HttpSettings(no_auth=True), Readiness(_ready))


def _upload(size: int) -> dict[str, object]:
    content = PNG_SIGNATURE + b"\0" * (size - len(PNG_SIGNATURE))
    return {"content_base64": base64.b64encode(content).decode(), "filename": "big.png"}


@pytest.mark.slow
async def test_uploads_over_http_fit_up_to_the_promised_size_and_beyond_is_a_tool_error(
    tmp_path: Path,
) -> None:
    with (
        faulty_sandbox(None, products=10) as sandbox,
        serve_in_thread(_mcp_app(sandbox.base_url, tmp_path), lifespan="on") as url,
    ):
        mcp_url = url.replace("/api/v1/", "/mcp")
        async with (
            httpx2.AsyncClient(timeout=SAFETY_TIMEOUT) as http,
            Client(streamable_http_client(mcp_url, http_client=http)) as mcp,  # type: ignore[arg-type]
        ):
            # 6 MiB of media is 8 MiB of base64: over the SDK's 4 MiB default
            fits = await mcp.call_tool("upload_media", _upload(6 * 1024 * 1024))
            assert not fits.is_error, fits.content
            too_big = await mcp.call_tool("upload_media", _upload(11 * 1024 * 1024 + 512 * 1024))
            assert too_big.is_error
            text = " ".join(b.text for b in too_big.content if b.type == "text")
            assert f"{MAX_REQUEST_BODY_BYTES:,} bytes" in text
            assert "`url`" in text
            assert "`path`" in text


@pytest.mark.slow
async def test_a_body_over_the_limit_outside_a_tool_call_is_a_json_rpc_error(
    tmp_path: Path,
) -> None:
    with (
        faulty_sandbox(None, products=10) as sandbox,
        serve_in_thread(_mcp_app(sandbox.base_url, tmp_path), lifespan="on") as url,
    ):
        body = json.dumps(
            {
                "jsonrpc": "2.0",
                "id": 9,
                "method": "ping",
                "params": {"x": "a" * (MAX_REQUEST_BODY_BYTES + 10)},
            }
        )
        async with httpx2.AsyncClient(timeout=SAFETY_TIMEOUT) as http:
            response = await http.post(
                url.replace("/api/v1/", "/mcp"),
                content=body,
                headers={
                    "Content-Type": "application/json",
                    "Accept": "application/json, text/event-stream",
                },
            )
    assert response.status_code == 413
    answer = response.json()
    assert answer["id"] == 9
    assert "limit" in answer["error"]["message"]


async def _ok(scope: Scope, receive: Receive, send: Send) -> None:
    while (await receive()).get("more_body"):
        pass
    await send(
        {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]}
    )
    await send({"type": "http.response.body", "body": b"ok"})


def _until_closed(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    sock.settimeout(SAFETY_TIMEOUT)
    received = b""
    while chunk := sock.recv(4096):
        received += chunk
    return received


@pytest.fixture
def slow_client_server() -> object:
    with serve_in_thread(_ok, http=bounded_protocol(header_timeout=0.2, body_timeout=0.2)) as url:
        yield url.split("/")[2].split(":")


def _connect(address: list[str]) -> socket.socket:
    return socket.create_connection((address[0], int(address[1])), timeout=SAFETY_TIMEOUT)


def test_a_client_that_stalls_in_its_request_head_is_cut(slow_client_server: list[str]) -> None:
    with _connect(slow_client_server) as sock:
        sock.sendall(b"POST / HTTP/1.1\r\nHost: x\r\n")  # and never the rest
        assert _until_closed(sock) == b""


def test_a_client_that_drips_its_request_head_is_cut(slow_client_server: list[str]) -> None:
    # One byte at a time, each just inside any per-read timeout: the head's bound counts from
    # the connection, not from the last byte, so the server cuts the client long before its
    # head could be complete. Between bytes the client waits for that close, not for a time.
    head = b"POST / HTTP/1.1\r\nHost: x\r\nX-Drip: " + b"a" * 400 + b"\r\n\r\n"
    sent = 0
    with _connect(slow_client_server) as sock:
        try:
            for byte in head:
                sock.sendall(bytes([byte]))
                sent += 1
                readable, _, _ = select.select([sock], [], [], 0.05)
                if readable and sock.recv(4096) == b"":
                    break
        except (BrokenPipeError, ConnectionResetError):
            pass
    assert sent < len(head)


def test_a_client_that_connects_and_says_nothing_is_cut(slow_client_server: list[str]) -> None:
    with _connect(slow_client_server) as sock:
        assert _until_closed(sock) == b""


def test_a_client_that_stalls_in_its_body_is_cut(slow_client_server: list[str]) -> None:
    with _connect(slow_client_server) as sock:
        sock.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789")
        assert b"200" not in _until_closed(sock)


def test_a_prompt_client_is_answered(slow_client_server: list[str]) -> None:
    with _connect(slow_client_server) as sock:
        sock.sendall(
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi"
        )
        assert _until_closed(sock).startswith(b"HTTP/1.1 200")
