"""SSRF: URLs into the server's network are refused, by literal address, by name (through
the loopback DNS server) and in every IPv6 disguise; https unless a setting says."""

from __future__ import annotations

import ipaddress
import re

import pytest

from kootui.core.config import Settings
from kootui.core.webhooks import WebhookRefused, check_target, parse_url, refusal_of
from tests.support.dns_server import LoopbackDnsServer

INNER = [
    "127.0.0.1",
    "127.8.9.10",
    "10.1.2.3",
    "172.16.0.1",
    "192.168.1.1",
    "169.254.169.254",  # the cloud metadata service
    "100.64.0.1",  # CGNAT
    "0.0.0.0",
    "224.0.0.1",
    "255.255.255.255",
    "::1",
    "::",
    "fe80::1",
    "fc00::1",
    "fd12:3456::1",
    "ff02::1",
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
    "2002:7f00:1::1",  # 6to4 around 127.0.0.1
    "2002:a00:1::1",  # 6to4 around 10.0.0.1
    "64:ff9b::a9fe:a9fe",  # NAT64 around 169.254.169.254
    "2001:0:4136:e378:8000:63bf:f5ff:fffe",  # Teredo around 10.0.0.1
]


@pytest.mark.parametrize("address", INNER)
def test_inner_addresses_are_refused(address: str) -> None:
    assert refusal_of(ipaddress.ip_address(address)) is not None


@pytest.mark.parametrize("address", ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"])
def test_public_addresses_pass(address: str) -> None:
    assert refusal_of(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://[::1]:8443/hook",
        "https://[::ffff:169.254.169.254]/latest/meta-data",
        "https://10.0.0.5/",
        "https://0x7f000001/",  # 127.0.0.1 in hex, as the system resolver reads it
        "https://localhost/hook",
    ],
)
def test_inner_urls_are_refused(settings: Settings, url: str) -> None:
    with pytest.raises(WebhookRefused) as refused:
        check_target(url, settings)
    assert refused.value.field == "url"
    assert "allow_private" in refused.value.message or "could not look up" in (
        refused.value.message
    )


def test_a_name_resolving_to_a_private_address_is_refused(settings: Settings) -> None:
    with LoopbackDnsServer() as dns:
        dns.set("hooks.example.net", "A", "93.184.215.14")
        dns.set("hooks.example.net", "AAAA", "fd00::7")  # one inner address is enough
        dns.set("public.example.net", "A", "93.184.215.14")
        dns.set("inner.example.net", "A", "192.168.10.10")
        resolving = settings.with_values(dns__nameservers=["127.0.0.1"], dns__port=dns.port)
        with pytest.raises(
            WebhookRefused,
            match=re.escape("hooks.example.net resolves to fd00::7, a private address"),
        ):
            check_target("https://hooks.example.net/in", resolving)
        with pytest.raises(WebhookRefused, match=r"192\.168\.10\.10"):
            check_target("https://inner.example.net/in", resolving)
        target = check_target("https://public.example.net:8443/in?x=1", resolving)
        # The delivery connects to the address that was checked, naming the host in Host.
        assert target.connect_url == "https://93.184.215.14:8443/in?x=1"
        assert target.url.netloc == "public.example.net:8443"
        allowed = resolving.with_values(webhooks__allow_private=True)
        assert str(check_target("https://inner.example.net/", allowed).address) == "192.168.10.10"


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("http://hooks.example.net/in", "https://"),
        ("ftp://hooks.example.net/in", "https://"),
        ("https://user:pw@hooks.example.net/in", "user name or password"),
        ("https:///in", "no host"),
        ("https://hooks.example.net/in put", "spaces or control"),
        ("", "give the URL"),
    ],
)
def test_malformed_urls_are_refused_naming_the_field(
    settings: Settings, url: str, words: str
) -> None:
    with pytest.raises(WebhookRefused, match=words) as refused:
        parse_url(url, settings)
    assert refused.value.field == "url"


def test_plain_http_is_allowed_by_a_setting(settings: Settings) -> None:
    parsed = parse_url(
        "http://hooks.example.net/in", settings.with_values(webhooks__allow_http=True)
    )
    assert (parsed.scheme, parsed.port, parsed.netloc) == ("http", 80, "hooks.example.net")
