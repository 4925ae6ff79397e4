"""The guard for URLs the server fetches on someone else's say-so (media uploads, client metadata).

Only https, only to a host whose every address is public (no loopback, private, link-local
or reserved range: no reaching into the network the server runs in), and the connection goes
to the address that was checked, so a second DNS answer cannot swap it (DNS rebinding).
"""

from __future__ import annotations

import socket
from collections.abc import Awaitable, Callable
from typing import NamedTuple

import anyio
import httpx2

from pimelo_mcp.addresses import is_public

Resolver = Callable[[str, int], Awaitable[list[str]]]


async def system_addresses(host: str, port: int) -> list[str]:
    """The addresses the system resolver gives for host (numeric forms such as 127.1 included)."""
    infos = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


class PinnedURL(NamedTuple):
    """Where one GET goes: the URL with its host replaced by a checked address (so the
    connection is made to what was checked, not to a second lookup), and the name to send
    as Host and to verify the certificate against (SNI)."""

    url: httpx2.URL
    host: str
    sni: str


class NotHttpsError(ValueError):
    """Not an https URL with a host."""


class UnresolvableError(ValueError):
    def __init__(self, host: str) -> None:
        super().__init__(f"cannot resolve {host}")
        self.host = host


class NotPublicError(ValueError):
    def __init__(self, shown: str) -> None:
        super().__init__(f"{shown} is not a public address")
        self.shown = shown
        """The host, with the offending address when the name resolved to it."""


async def pin_public_https(url: str, resolver: Resolver) -> PinnedURL:
    """Refuse anything but https to a host whose every address is public; pin the first."""
    try:
        parsed = httpx2.URL(url)
    except httpx2.InvalidURL:
        parsed = None
    if parsed is None or parsed.scheme != "https" or not parsed.raw_host:
        raise NotHttpsError(url)
    name = parsed.raw_host.decode("ascii")
    try:
        addresses = await resolver(name, parsed.port or 443)
    except (OSError, UnicodeError, ValueError):
        addresses = []
    if not addresses:
        raise UnresolvableError(parsed.host)
    for address in addresses:
        if not is_public(address):
            raise NotPublicError(parsed.host if address == name else f"{parsed.host} ({address})")
    return PinnedURL(
        url=parsed.copy_with(host=addresses[0]), host=parsed.netloc.decode("ascii"), sni=name
    )
