"""Where a webhook may point (server-side request forgery): only public addresses, unless
``COI_WEBHOOK_ALLOW_PRIVATE``. The URL is checked when it is registered, and again at every try,
since DNS answers change: the host is resolved once, every address is checked, and the POST goes
to a checked address (the URL's host swapped for it; ``Host`` and TLS SNI keep the name, so the
certificate is still verified against the name). Nothing resolves the name a second time, so a
DNS answer that changes between the check and the connection (rebinding) cannot slip through.
Redirects are not followed. A refused target is dead-lettered at once, with the reason.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from urllib.parse import urlsplit

import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]
ALLOW_PRIVATE_HINT = "set COI_WEBHOOK_ALLOW_PRIVATE=true only where webhooks are meant for the local network"

# Not publicly routable, yet not all flagged so by this Python's ipaddress (it varies by version).
_NOT_PUBLIC = tuple(ipaddress.ip_network(n) for n in (
    "100.64.0.0/10",    # shared address space (carrier-grade NAT), can reach internal workloads
    "192.0.0.0/24",     # IETF protocol assignments
    "192.88.99.0/24",   # 6to4 relay anycast (deprecated)
    "198.18.0.0/15",    # benchmarking
    "64:ff9b:1::/48",   # local-use IPv4/IPv6 translation
))
_NAT64 = ipaddress.ip_network("64:ff9b::/96")  # well-known DNS64 prefix: the last 32 bits are IPv4
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
DEFAULT_PORTS = {"https": 443, "http": 80}


class TargetRefused(Exception):
    """The webhook's host is, or resolves to, an address webhooks are not sent to. Final: no retry."""


def refusal(address: IPAddress) -> str | None:
    """What kind of non-public address ``address`` is ("loopback", "link-local ..."), or None."""
    inner = _embedded_ipv4(address)
    if inner is not None:  # IPv4-mapped, IPv4-compatible, 6to4, NAT64: the IPv4 address decides
        form, ipv4 = inner
        why = refusal(ipv4)
        return f"{why} ({form} form of {ipv4})" if why else None
    if address.is_unspecified:
        return "the unspecified address"
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link-local (where cloud metadata services such as 169.254.169.254 answer)"
    if address.is_multicast:
        return "multicast"
    if address.is_reserved:
        return "reserved"
    if address.is_private:
        return "a private network"
    if not address.is_global or any(address in net for net in _NOT_PUBLIC if net.version == address.version):
        return "a special-purpose range"
    return None


def _embedded_ipv4(address: IPAddress) -> tuple[str, ipaddress.IPv4Address] | None:
    if address.version == 4:
        return None
    if address.ipv4_mapped is not None:
        return "IPv4-mapped", address.ipv4_mapped
    if address.sixtofour is not None:
        return "6to4", address.sixtofour
    if address in _NAT64:
        return "NAT64", ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address in _IPV4_COMPATIBLE and int(address) > 1:  # not :: or ::1, judged as themselves
        return "IPv4-compatible", ipaddress.IPv4Address(int(address))
    return None


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def check_url(url: str, allow_http: bool, allow_private: bool = False) -> str | None:
    """Why ``url`` cannot be a webhook, or None; without DNS (``check_target`` resolves the host).

    HTTPS only; plain http to loopback when private targets are allowed, anywhere with ``allow_http``."""
    parts = urlsplit(url)
    try:
        host = parts.hostname
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        host = None
    if parts.scheme not in {"https", "http"} or not host:
        return "A webhook URL starts with https:// and names a host."
    literal = _literal(host)
    loopback = host == "localhost" or host.endswith(".localhost") or (literal is not None and literal.is_loopback)
    if not allow_private:
        why = refusal(literal) if literal is not None else ("loopback" if loopback else None)
        if why:
            return (f"{host} is not a public address ({why}): webhooks go to public addresses only; "
                    f"{ALLOW_PRIVATE_HINT}.")
    if parts.scheme == "http" and not allow_http and not (allow_private and loopback):
        return ("Webhooks are sent over HTTPS; plain http:// is for loopback when private targets are allowed "
                "(or set COI_WEBHOOK_ALLOW_HTTP).")
    return None


def parsed(url: str) -> tuple[httpx.URL, str]:
    """The URL as httpx reads it, and its host as DNS knows it (IDNA)."""
    try:
        target = httpx.URL(url)
        return target, target.raw_host.decode("ascii")
    except (httpx.InvalidURL, UnicodeError) as e:
        raise TargetRefused(f"{url!r} is not a valid URL: {e}") from e


def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` has for TCP, in the resolver's order (socket.gaierror when none)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos if info[0] in (socket.AF_INET, socket.AF_INET6)))


def checked_addresses(host: str, port: int, allow_private: bool, resolver: Resolver = resolve) -> list[str]:
    """The addresses to connect to for ``host``: all of them, each checked. TargetRefused when any
    one is not public (a name that also points inside is refused whole); OSError when DNS fails."""
    addresses = resolver(host, port)
    if not addresses:
        raise socket.gaierror(f"{host} has no address")
    if not allow_private:
        for address in addresses:
            why = refusal(ipaddress.ip_address(address.split("%", 1)[0]))
            if why:
                shown = host if host == address else f"{host} resolves to {address}, which"
                raise TargetRefused(f"{shown} is not a public address ({why}): webhooks go to public addresses "
                                    f"only; {ALLOW_PRIVATE_HINT}.")
    return addresses


def check_target(url: str, *, allow_http: bool, allow_private: bool, resolver: Resolver = resolve) -> str | None:
    """Why ``url`` cannot be registered as a webhook, or None: ``check_url``, then its host resolved
    and every address checked (deliveries check again: DNS answers change)."""
    problem = check_url(url, allow_http, allow_private)
    if problem or allow_private:
        return problem
    try:
        target, host = parsed(url)
        checked_addresses(host, target.port or DEFAULT_PORTS[target.scheme], allow_private, resolver)
    except TargetRefused as e:
        return str(e)
    except (OSError, UnicodeError) as e:
        return f"The host {host} cannot be resolved ({e}); check the URL, or add the webhook once its DNS is set up."
    return None
