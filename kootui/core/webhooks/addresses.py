"""Which URLs a webhook may be sent to: no SSRF into the server's own network.

A URL's host is resolved when the endpoint is saved and again at every delivery; if any of
its addresses is loopback, private, link-local, CGNAT, multicast, unspecified, reserved, or
an IPv6 form that carries such an IPv4 address (mapped, 6to4, Teredo, NAT64), the delivery
is refused, unless ``webhooks.allow_private``. The delivery then connects to the address
that was checked (``Target.connect_url``), with the original host in ``Host`` and in TLS's
SNI and certificate check, so a second DNS answer (rebinding) never chooses the address.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

import dns.exception
import dns.resolver

from kootui.core.config import Settings
from kootui.core.errors import ValidationError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
MAX_URL_CHARS = 2000
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")
_CGNAT = ipaddress.IPv4Network("100.64.0.0/10")


class WebhookRefused(ValidationError):
    """A URL or address a webhook may not be sent to."""

    code = "webhook.refused"


@dataclass(frozen=True)
class WebhookUrl:
    url: str
    scheme: str
    host: str  # lower case, IPv6 without brackets
    port: int
    netloc: str  # host[:port] as the Host header carries it


@dataclass(frozen=True)
class Target:
    """Where one delivery connects: the checked address, and the name it stands for."""

    url: WebhookUrl
    address: IPAddress

    @property
    def connect_url(self) -> str:
        parts = urlsplit(self.url.url)
        host = f"[{self.address}]" if self.address.version == 6 else str(self.address)
        path = parts.path or "/"
        query = f"?{parts.query}" if parts.query else ""
        return f"{self.url.scheme}://{host}:{self.url.port}{path}{query}"


def parse_url(url: str, settings: Settings, *, field: str = "url") -> WebhookUrl:
    """The URL's parts, or a refusal naming ``field``: http(s) only (plain http only with
    ``allow_http`` or ``allow_private``), a host, no user name or password (the URL is
    stored in clear), at most 2,000 characters."""
    text = url.strip()
    if not text:
        raise WebhookRefused("give the URL events are POSTed to", field=field)
    if len(text) > MAX_URL_CHARS:
        raise WebhookRefused(f"is longer than {MAX_URL_CHARS} characters", field=field)
    if any(ord(char) < 33 or ord(char) == 127 for char in text):
        raise WebhookRefused("must not hold spaces or control characters", field=field)
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise WebhookRefused(f"is not a valid URL ({exc})", field=field) from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise WebhookRefused("must start with https://", field=field)
    hooks = settings.webhooks
    if scheme == "http" and not (hooks.allow_http or hooks.allow_private):
        raise WebhookRefused(
            "must use https:// (set webhooks.allow_http to allow plain http)", field=field
        )
    if parts.username is not None or parts.password is not None:
        raise WebhookRefused(
            "must not hold a user name or password: kootui signs each request instead",
            field=field,
        )
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        raise WebhookRefused("has no host name", field=field)
    default_port = 443 if scheme == "https" else 80
    netloc_host = f"[{host}]" if ":" in host else host
    netloc = netloc_host if port in (None, default_port) else f"{netloc_host}:{port}"
    return WebhookUrl(text, scheme, host, port or default_port, netloc)


def refusal_of(address: IPAddress) -> str | None:
    """What kind of inner address ``address`` is ("a loopback address"), or None for a
    public one."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            why = refusal_of(embedded)
            if why is not None:
                return f"{why} ({embedded}) inside an IPv6 address"
            if address in _NAT64:
                return None  # a public IPv4 address through a NAT64 gateway
    checks = (
        (address.is_loopback, "a loopback address"),
        (address.is_unspecified, "the unspecified address"),
        (address.is_link_local, "a link-local address"),
        (address.is_multicast, "a multicast address"),
        (isinstance(address, ipaddress.IPv4Address) and address in _CGNAT, "a CGNAT address"),
        (address.is_private, "a private address"),
        (address.is_reserved, "a reserved address"),
        (
            isinstance(address, ipaddress.IPv6Address) and address.is_site_local,
            "a site-local address",
        ),
        (not address.is_global, "not a public address"),
    )
    for matched, why in checks:
        if matched:
            return why
    return None


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64 or address in _NAT64_LOCAL:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def resolve_host(host: str, port: int, settings: Settings) -> list[IPAddress]:
    """The host's addresses: a literal as it is; a name through the configured resolvers
    (``dns.nameservers``) or the system's. A name with no address is refused."""
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    found: list[IPAddress] = []
    if settings.dns.nameservers:
        resolver = dns.resolver.Resolver(configure=False)
        resolver.nameservers = list(settings.dns.nameservers)
        resolver.port = settings.dns.port
        resolver.lifetime = settings.dns.timeout
        for rtype in ("A", "AAAA"):
            try:
                answer = resolver.resolve(host, rtype, raise_on_no_answer=False)
            except (dns.resolver.NXDOMAIN, dns.resolver.NoNameservers):
                continue
            except dns.exception.DNSException as exc:
                raise WebhookRefused(
                    f"could not look up {host}: {exc.__class__.__name__}", field="url"
                ) from None
            found.extend(ipaddress.ip_address(record.to_text()) for record in answer)
    else:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            raise WebhookRefused(f"could not look up {host}: {exc}", field="url") from None
        for info in infos:
            address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
            if address not in found:
                found.append(address)
    if not found:
        raise WebhookRefused(f"{host} has no address", field="url")
    return found


def check_target(url: str, settings: Settings, *, field: str = "url") -> Target:
    """Parse, resolve and check ``url``; the target to connect to, or a refusal. Every
    address the name has must be allowed, since any of them could be the one used."""
    parsed = parse_url(url, settings, field=field)
    addresses = resolve_host(parsed.host, parsed.port, settings)
    if not settings.webhooks.allow_private:
        for address in addresses:
            why = refusal_of(address)
            if why is not None:
                named = (
                    f"{address} is {why}"
                    if parsed.host == str(address)
                    else f"{parsed.host} resolves to {address}, {why}"
                )
                raise WebhookRefused(
                    f"{named}; webhooks may not reach the server's own network "
                    "(webhooks.allow_private allows it)",
                    field=field,
                )
    return Target(parsed, addresses[0])
