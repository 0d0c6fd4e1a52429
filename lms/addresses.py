"""Client addresses as the throttles count them."""

from __future__ import annotations

import ipaddress


def client_network(address: str | None) -> str:
    """An IPv4 address as it is; an IPv6 address as its /64 network, because one
    connection usually holds a whole /64 and could otherwise change address at will."""
    if not address:
        return "unknown"
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:  # ::ffff:192.0.2.1 is 192.0.2.1
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def request_client_network() -> str:
    """The requesting client's address (after the trusted proxies, see
    :func:`lms.trust_proxies`), for rate limits."""
    from flask import request

    return client_network(request.remote_addr)
