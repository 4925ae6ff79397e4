"""Which redirect URIs a client may use at all: the policy that keeps a look-alike client from
phishing a pasted Pimelo token.

Anyone can register a client (or publish a client metadata document) named "Claude". What
they cannot do is have the code sent to their own site: a redirect URI must be one of
ChatGPT's or Claude's connector callbacks (`redirect_hosts.json`), a loopback address on any
port (local clients such as the MCP Inspector or Claude Code), or one the operator allowed
(`--allowed-redirect`). The policy applies at registration, to a fetched metadata document,
and again at every authorization (the configuration may have changed since).
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

_BUILT_IN_PATH = Path(__file__).with_name("redirect_hosts.json")


@cache
def built_in_redirects() -> tuple[str, ...]:
    document = json.loads(_BUILT_IN_PATH.read_text(encoding="utf-8"))
    return tuple(document["allowed"])


def _is_loopback_host(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def refusal(uri: str, extra: Iterable[str]) -> str | None:
    """Why `uri` may not be a redirect URI, or None when the policy allows it."""
    try:
        parts = urlsplit(uri)
        host = parts.hostname or ""
        parts.port  # noqa: B018  # raises on a malformed port
    except ValueError:
        return f"{uri!r} is not a valid URL"
    if parts.fragment or "#" in uri:
        return f"{uri!r} has a fragment, which a redirect URI must not have"
    if parts.username is not None or parts.password is not None:
        return f"{uri!r} carries a user name or password"
    if parts.scheme == "http" and _is_loopback_host(host):
        return None  # a local client: the code never leaves this machine
    if parts.scheme != "https":
        return f"{uri!r} is neither https nor a loopback address"
    for allowed in (*built_in_redirects(), *extra):
        if uri == allowed or (allowed.endswith("/") and uri.startswith(allowed)):
            return None
    return (
        f"{uri!r} is not an allowed redirect: this server sends sign-ins back only to ChatGPT's "
        "and Claude's connector callbacks, loopback addresses, and the redirects its operator "
        "allowed (--allowed-redirect / PIMELO_MCP_ALLOWED_REDIRECTS)"
    )


@dataclass(frozen=True)
class RedirectPolicy:
    extra: tuple[str, ...] = ()
    """The operator's own allowed redirects (exact URIs, or prefixes ending in /)."""

    def refusal(self, uri: str) -> str | None:
        return refusal(uri, self.extra)

    def first_refusal(self, uris: Iterable[str]) -> str | None:
        for uri in uris:
            reason = self.refusal(uri)
            if reason is not None:
                return reason
        return None
