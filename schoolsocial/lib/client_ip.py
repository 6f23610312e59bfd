"""The address a request really came from, for the sign-in lockout and the access log.

Behind a reverse proxy (gunicorn on 127.0.0.1 behind a TLS proxy) REMOTE_ADDR is the proxy's
address for everyone, so the lockout of (account, address) would become a lockout of the account
alone. The proxy passes the client's address in X-Forwarded-For; that header is believed only
when the request comes from a proxy listed in settings.TRUSTED_PROXIES (addresses or networks),
because anyone can send it. The header is read from the right (the hop nearest us) and the first
address that is not one of our own proxies is the client.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def trusted_networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def _address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def client_ip(request) -> str | None:
    remote = _address(request.META.get("REMOTE_ADDR") or "")
    if remote is None:
        return None
    networks = trusted_networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))

    def trusted(address) -> bool:
        return any(address in network for network in networks)

    if not trusted(remote):
        return str(remote)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    client = remote
    for hop in reversed([part for part in forwarded.split(",") if part.strip()]):
        address = _address(hop)
        if address is None:
            break  # not an address: nothing further left can be believed
        client = address
        if not trusted(address):
            break
    return str(client)
