"""`listen_tcp`: the listening socket both HTTP services (the MCP server, the sandbox) run on,
and `url_host`: the host of the URL a person opens to reach it."""

from __future__ import annotations

import os
import socket


def listen_tcp(host: str, port: int) -> socket.socket:
    """A bound, listening TCP socket whose connections send each answer at once.

    asyncio turns Nagle's algorithm off (TCP_NODELAY) only on sockets whose protocol is
    IPPROTO_TCP, and `socket.create_server` leaves it 0. uvicorn writes an answer's headers
    and body separately, so on a kept-alive connection a small body waited for the peer's
    delayed acknowledgement: about 40 ms on Linux, per request.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        if os.name == "posix":
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as create_server does
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)  # `::` is IPv6 only
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind((host, port))
        sock.listen()
    except BaseException:
        sock.close()
        raise
    return sock


def url_host(host: str) -> str:
    """The host to put in a URL a person can open: a wildcard bind is reached on loopback."""
    if host in ("", "0.0.0.0"):
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host
