"""Is an address public? IPv6 forms that carry an IPv4 address are judged by that address too.

A host may resolve to an IPv6 address that a translator or tunnel turns into IPv4: on a
NAT64 network `[64:ff9b::a9fe:a9fe]` reaches 169.254.169.254, the cloud metadata service.
Python's `is_global` judges such an address by its IPv6 prefix alone, so each form is
unwrapped here and every address it carries must be public as well.
"""

from __future__ import annotations

import ipaddress
from ipaddress import IPv4Address, IPv6Address, IPv6Network

# RFC 6052 well-known NAT64 prefix: the IPv4 address is the last 32 bits.
NAT64_WELL_KNOWN = IPv6Network("64:ff9b::/96")
# RFC 8215 local-use NAT64 prefix: the operator picks the prefix length (/48 to /96), so the
# IPv4 address may sit at any of the RFC 6052 positions; every position is checked.
NAT64_LOCAL_USE = IPv6Network("64:ff9b:1::/48")
# RFC 4291 IPv4-compatible addresses (deprecated, still routed by some stacks): ::a.b.c.d.
IPV4_COMPATIBLE = IPv6Network("::/96")
# RFC 6052 section 2.2: where the 32 bits of IPv4 sit for each prefix length (bits 64-71,
# the "u" octet, are always skipped).
_RFC6052_POSITIONS = {32: (32,), 40: (40, 72), 48: (48, 72), 56: (56, 72), 64: (72,), 96: (96,)}


def _bits(address: IPv6Address, start: int, count: int) -> int:
    return (int(address) >> (128 - start - count)) & ((1 << count) - 1)


def _rfc6052_ipv4(address: IPv6Address, prefix_length: int) -> IPv4Address:
    positions = _RFC6052_POSITIONS[prefix_length]
    if len(positions) == 1:
        return IPv4Address(_bits(address, positions[0], 32))
    first = 64 - positions[0]  # bits before the u octet
    high = _bits(address, positions[0], first)
    low = _bits(address, positions[1], 32 - first)
    return IPv4Address((high << (32 - first)) | low)


def embedded_ipv4(address: IPv6Address) -> list[IPv4Address]:
    """Every IPv4 address an IPv6 address carries (mapped, compatible, 6to4, Teredo, NAT64)."""
    found: list[IPv4Address] = []
    if address.ipv4_mapped is not None:
        found.append(address.ipv4_mapped)
    if address.sixtofour is not None:
        found.append(address.sixtofour)
    if address.teredo is not None:
        found.extend(address.teredo)  # (server, client): the client part is de-obfuscated
    if address in NAT64_WELL_KNOWN:
        found.append(_rfc6052_ipv4(address, 96))
    if address in NAT64_LOCAL_USE:
        found.extend(_rfc6052_ipv4(address, length) for length in (48, 56, 64, 96))
    if address in IPV4_COMPATIBLE and int(address) > 1:  # not :: nor ::1
        found.append(IPv4Address(int(address) & 0xFFFFFFFF))
    return found


def is_public(text: str) -> bool:
    """True when the address, and every IPv4 address it carries, is globally routable."""
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return False
    if not address.is_global:
        return False
    if isinstance(address, IPv6Address):
        if address in NAT64_LOCAL_USE:
            return False  # a site's own translator: never the public internet as such
        return all(inner.is_global for inner in embedded_ipv4(address))
    return True
