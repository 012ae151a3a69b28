"""The address of the client behind a request: one function for every limit and log.

Behind a reverse proxy REMOTE_ADDR is the proxy's, so every citizen would share one
bucket. `X-Forwarded-For` is believed only from the proxies listed in
QINGDAN_TRUSTED_PROXIES (CIDRs): walking it from the right, each hop added by a trusted
proxy is skipped, and the first address a trusted proxy did not vouch for is the client.
From any other peer the header is ignored: a client cannot choose its own address.
"""

import functools
import ipaddress

from django.conf import settings

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@functools.lru_cache(maxsize=8)
def _networks(cidrs: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(cidr, strict=False) for cidr in cidrs)


def trusted_networks() -> tuple[Network, ...]:
    return _networks(tuple(settings.QINGDAN_TRUSTED_PROXIES))


def parse_address(text: str) -> Address | None:
    """An address as proxies write it: `1.2.3.4`, `1.2.3.4:5678`, `::1`, `[::1]:5678`."""
    text = text.strip().strip('"')
    if text.startswith("["):
        text = text[1:].split("]", 1)[0]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(address: Address, networks: tuple[Network, ...]) -> bool:
    return any(address in network for network in networks)


def client_address(request) -> str:
    """The client's address as a string ("-" when there is no request)."""
    if request is None:
        return "-"
    peer = request.META.get("REMOTE_ADDR", "")
    client = parse_address(peer)
    if client is None:
        return peer or "-"
    networks = trusted_networks()
    if not networks or not _trusted(client, networks):
        return str(client)
    # Several X-Forwarded-For headers arrive joined by commas, in order.
    for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        if not _trusted(client, networks):
            break
        forwarded = parse_address(hop)
        if forwarded is None:
            break
        client = forwarded
    return str(client)
