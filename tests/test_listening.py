"""The listening socket of both HTTP services: connections answer without waiting on Nagle."""

import asyncio
import socket

import pytest

from pimelo_mcp.listening import listen_tcp


async def test_accepted_connections_have_nagle_turned_off() -> None:
    sock = listen_tcp("127.0.0.1", 0)
    nodelay: list[int] = []
    seen = asyncio.Event()

    async def accepted(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        conn: socket.socket = writer.get_extra_info("socket")
        nodelay.append(conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
        seen.set()
        writer.close()

    server = await asyncio.start_server(accepted, sock=sock)
    async with server:
        port = sock.getsockname()[1]
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        # Waits for the accept itself; the timeout is only a safety net.
        await asyncio.wait_for(seen.wait(), timeout=60)
        writer.close()
    assert nodelay[0] != 0


def test_a_port_in_use_is_refused_with_an_os_error() -> None:
    first = listen_tcp("127.0.0.1", 0)
    try:
        with pytest.raises(OSError, match="in use"):
            listen_tcp("127.0.0.1", first.getsockname()[1])
    finally:
        first.close()


def test_an_ipv6_socket_serves_ipv6_only_as_create_server_did() -> None:
    if not socket.has_ipv6:
        pytest.skip("no IPv6 on this machine")
    try:
        sock = listen_tcp("::1", 0)
    except OSError as error:
        pytest.skip(f"no IPv6 loopback here ({error})")
    with sock:
        assert sock.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY) == 1
