"""The SSRF address check: every IPv6 form that carries an IPv4 address is judged by it too."""

import pytest

from pimelo_mcp.addresses import embedded_ipv4, is_public

# The metadata service, 169.254.169.254, in every IPv6 form that carries an IPv4 address.
METADATA_IN_IPV6 = {
    "nat64 well-known prefix": "64:ff9b::a9fe:a9fe",
    "nat64 well-known prefix, dotted": "64:ff9b::169.254.169.254",
    "nat64 local-use prefix /96": "64:ff9b:1::a9fe:a9fe",
    "6to4": "2002:a9fe:a9fe::1",
    "ipv4-compatible": "::a9fe:a9fe",
    "ipv4-compatible, dotted": "::169.254.169.254",
    "ipv4-mapped": "::ffff:169.254.169.254",
    # Teredo: server 65.54.227.120, client 169.254.169.254 (stored XOR 0xffffffff)
    "teredo client": "2001:0:4136:e378:8000:63bf:5601:5601",
}


@pytest.mark.parametrize("form", sorted(METADATA_IN_IPV6))
def test_each_ipv6_form_carrying_a_private_ipv4_is_refused(form: str) -> None:
    assert not is_public(METADATA_IN_IPV6[form]), form


@pytest.mark.parametrize("form", sorted(METADATA_IN_IPV6))
def test_each_form_is_unwrapped_to_the_address_it_carries(form: str) -> None:
    import ipaddress

    carried = {str(a) for a in embedded_ipv4(ipaddress.IPv6Address(METADATA_IN_IPV6[form]))}
    assert "169.254.169.254" in carried, (form, carried)


def test_nat64_local_use_prefix_is_refused_at_every_rfc6052_position() -> None:
    # /48 layout: 169.254 in bits 48-63, .169.254 after the u octet (bits 72-87)
    assert not is_public("64:ff9b:1:a9fe:a9:fe00::")
    assert not is_public("64:ff9b:1::808:808")  # a site's own translator, whatever it carries


def test_public_addresses_and_their_public_translations_pass() -> None:
    for address in ("93.184.215.14", "2606:2800:220:1::", "64:ff9b::808:808", "2002:808:808::1"):
        assert is_public(address), address


def test_loopback_private_and_garbage_are_refused() -> None:
    for address in ("127.0.0.1", "10.0.0.7", "::1", "::", "fe80::1%eth0", "not-an-address"):
        assert not is_public(address), address
