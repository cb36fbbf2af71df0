"""The client's address, as far as it can be known: proxy headers are believed only from our own proxies.

`X-Forwarded-For` is a list anyone can start: "forged, real client, proxy 1, …". Each proxy appends the
address it was connected from, so only the entries added by proxies we run can be trusted. The answer is
therefore the socket peer, unless the peer is a trusted proxy (settings.trusted_proxies, addresses or
CIDR networks); then the header is read from the right, skipping our own proxies, and the first address
that is not one of them is the client. Uvicorn must not rewrite the peer itself (`proxy_headers=False`,
as `stellenboerse serve` starts it), or a forged header from loopback would already have replaced it.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Iterable, Sequence

from starlette.requests import Request

from vacancies.settings import Settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
UNKNOWN = "unbekannt"


@functools.cache
def trusted_networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(proxy.strip(), strict=False) for proxy in proxies)


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        ip = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    return getattr(ip, "ipv4_mapped", None) or ip  # "::ffff:10.0.0.1" is 10.0.0.1


def _trusted(ip, networks: Sequence[Network]) -> bool:
    return ip is not None and any(ip.version == net.version and ip in net for net in networks)


def forwarded_client(peer: str, forwarded_for: Iterable[str], proxies: Sequence[str]) -> str:
    """The client address from the socket `peer` and the X-Forwarded-For header values (pure)."""
    networks = trusted_networks(tuple(proxies))
    if not _trusted(_ip(peer), networks):
        return peer or UNKNOWN
    hops = [hop.strip() for value in forwarded_for for hop in value.split(",") if hop.strip()]
    for hop in reversed(hops):
        ip = _ip(hop)
        if ip is None:  # not an address: our proxy did not write it, so nothing left of it is ours either
            return peer
        if not _trusted(ip, networks):
            return str(ip)
    return str(_ip(hops[0])) if hops else peer  # a request from our own network, through our proxies


def client_address(request: Request, settings: Settings) -> str:
    """The client address of a request (module docstring); "unbekannt" when there is no peer."""
    peer = request.client.host if request.client else ""
    return forwarded_client(peer, request.headers.getlist("x-forwarded-for"), settings.trusted_proxies)
