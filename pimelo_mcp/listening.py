"""`listen_tcp`: the listening socket both HTTP services (the MCP server, the sandbox) run on,
and `url_host`: the host of the URL a person opens to reach it."""

from __future__ import annotations

import os
import socket
import sys


def spreads_by_reuse_port() -> bool:
    """Can several processes each listen on one port and have the kernel spread connections?

    Linux hashes each new connection to one of the sockets bound with SO_REUSEPORT (only
    sockets of the same user join). One socket shared by every worker does not spread them:
    the worker that wakes first accepts the whole queue, so ten clients that connect at once
    all land on one worker (seen: 10 of 10, or 9 of 10) and keep-alive keeps them there.
    Elsewhere (macOS gives every connection to one socket) workers share one socket."""
    return sys.platform == "linux" and hasattr(socket, "SO_REUSEPORT")


def listen_tcp(
    host: str, port: int, *, reuse_port: bool = False, listening: bool = True
) -> socket.socket:
    """A bound, listening TCP socket whose connections send each answer at once.

    `reuse_port`: others of this user may bind the same port (see `spreads_by_reuse_port`);
    `listening=False` only holds the port: a socket that does not listen gets no connection.

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
        if reuse_port:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
        if listening:
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
