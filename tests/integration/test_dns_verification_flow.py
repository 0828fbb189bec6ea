"""End to end against the loopback DNS server: a new domain turns green as DNS starts
answering; the background schedule; a verified domain losing a record; key rotation;
the doctor with two nameservers that disagree; finding authoritative nameservers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import dns.resolver
import pytest

from kootui.core.context import Context
from kootui.core.dns import DnsSource, Nameserver, check_records, find_authoritative_servers
from kootui.core.domains import (
    create_domain,
    current_expected_records,
    doctor_report,
    domain_records,
    due_for_check,
    load_signing_key,
    require_verified_domain,
    start_rotation,
    verify_domain,
    verify_due_domains,
    zone_snippet,
)
from kootui.core.errors import InvalidState
from kootui.core.store import DomainStatus, RecordStatus, SenderDomain
from tests.support.dns_server import LoopbackDnsServer

DOMAIN = "bücher.example"
ASCII = "xn--bcher-kva.example"
SENDING = {
    "sending__spf_include": "_spf.sender.example",
    "sending__dmarc_rua": "dmarc@reports.example",
    "sending__mx_host": "mx.sender.example",
}


@pytest.fixture
def dns_server() -> Iterator[LoopbackDnsServer]:
    with LoopbackDnsServer() as server:
        server.set("_spf.sender.example", "TXT", "v=spf1 ip4:203.0.113.0/24 -all")
        yield server


@pytest.fixture
def dns_context(any_context: Context, dns_server: LoopbackDnsServer) -> Context:
    """The store on SQLite and (when configured) PostgreSQL, DNS on loopback."""
    any_context.settings = any_context.settings.with_values(
        dns__nameservers="127.0.0.1", dns__port=dns_server.port, dns__timeout=2.0, **SENDING
    )
    return any_context


def test_a_new_domain_turns_green_as_dns_starts_answering(
    dns_context: Context, dns_server: LoopbackDnsServer
) -> None:
    domain = create_domain(dns_context, DOMAIN)
    first = verify_domain(dns_context, domain.id)
    assert first.status == DomainStatus.FAILED and first.changed
    assert {c.expected.label: c.status for c in first.checks} == {
        "DKIM": RecordStatus.NOT_FOUND,
        "SPF": RecordStatus.NOT_FOUND,
        "DMARC": RecordStatus.NOT_FOUND,
        "Tracking": RecordStatus.FAILED,  # sending.tracking_host is not set
        "MX": RecordStatus.NOT_FOUND,
        "Bounce MX": RecordStatus.NOT_FOUND,
        "Bounce SPF": RecordStatus.NOT_FOUND,
    }
    assert "DKIM: no TXT record at kootui1._domainkey.xn--bcher-kva.example" in first.reason
    with pytest.raises(InvalidState):
        require_verified_domain(dns_context, domain.id)

    # The user pastes the snippet into their zone; the server starts answering it.
    dns_server.load_bind(zone_snippet(dns_context, domain.id), origin=ASCII)
    dns_context.clock.advance(timedelta(minutes=5))
    second = verify_domain(dns_context, domain.id)
    assert second.changed and second.status == DomainStatus.PASSED
    table = {row.label: row for row in domain_records(dns_context, domain.id)}
    labels = ("DKIM", "SPF", "DMARC", "MX", "Bounce MX", "Bounce SPF")
    assert [table[label].status for label in labels] == [RecordStatus.PASSED] * 6
    assert (
        table["Tracking"].detail == "cannot be generated: set sending.tracking_host in config.toml"
    )
    verified = require_verified_domain(dns_context, domain.id)
    assert verified.display_name == DOMAIN


def test_spf_that_cannot_be_generated_keeps_the_domain_unverified(
    context: Context, dns_server: LoopbackDnsServer
) -> None:
    context.settings = context.settings.with_values(
        dns__nameservers="127.0.0.1", dns__port=dns_server.port, dns__timeout=2.0
    )
    domain = create_domain(context, "example.com")
    dns_server.load_bind(zone_snippet(context, domain.id), origin="example.com")
    outcome = verify_domain(context, domain.id)
    assert outcome.status == DomainStatus.FAILED
    assert outcome.reason == (
        "SPF: cannot be generated: set sending.spf_include or sending.spf_ip4 in config.toml"
    )


def test_schedule_every_5_minutes_for_72_hours_then_hourly_once_verified(
    dns_context: Context, dns_server: LoopbackDnsServer
) -> None:
    clock = dns_context.clock
    domain = create_domain(dns_context, DOMAIN)
    assert due_for_check(dns_context) == [domain.id]
    verify_domain(dns_context, domain.id)
    assert due_for_check(dns_context) == []
    clock.advance(timedelta(minutes=5))  # type: ignore[attr-defined]
    assert due_for_check(dns_context) == [domain.id]
    # Three days later, still nothing published: the background check gives up.
    clock.advance(timedelta(hours=72))  # type: ignore[attr-defined]
    (outcome,) = verify_due_domains(dns_context)
    assert outcome.next_check_at is None
    clock.advance(timedelta(days=1))  # type: ignore[attr-defined]
    assert due_for_check(dns_context) == []
    # The user asks; the records are there now: checked hourly from then on.
    dns_server.load_bind(zone_snippet(dns_context, domain.id), origin=ASCII)
    passed = verify_domain(dns_context, domain.id)
    assert passed.status == DomainStatus.PASSED
    assert passed.next_check_at == clock.now() + timedelta(hours=1)
    clock.advance(timedelta(minutes=59))  # type: ignore[attr-defined]
    assert verify_due_domains(dns_context) == []
    clock.advance(timedelta(minutes=1))  # type: ignore[attr-defined]
    # A required record disappears: the domain falls back to failed, watched closely again.
    dns_server.remove(f"kootui1._domainkey.{ASCII}")
    (fallen,) = verify_due_domains(dns_context)
    assert fallen.changed
    assert (fallen.previous_status, fallen.status) == (DomainStatus.PASSED, DomainStatus.FAILED)
    assert fallen.reason == f"DKIM: no TXT record at kootui1._domainkey.{ASCII}"
    assert fallen.next_check_at == clock.now() + timedelta(minutes=5)
    with pytest.raises(InvalidState):
        require_verified_domain(dns_context, domain.id)


def test_rotation_switches_keys_when_the_new_record_verifies(
    dns_context: Context, dns_server: LoopbackDnsServer
) -> None:
    domain = create_domain(dns_context, DOMAIN)
    dns_server.load_bind(zone_snippet(dns_context, domain.id), origin=ASCII)
    assert verify_domain(dns_context, domain.id).status == DomainStatus.PASSED
    assert start_rotation(dns_context, domain.id) == "kootui2"
    waiting = verify_domain(dns_context, domain.id)
    assert waiting.status == DomainStatus.PASSED  # the old key still verifies and signs
    assert {c.expected.label: c.status for c in waiting.checks}["DKIM (next key)"] == (
        RecordStatus.NOT_FOUND
    )
    assert load_signing_key(dns_context, domain.id).selector == "kootui1"
    dns_server.load_bind(zone_snippet(dns_context, domain.id), origin=ASCII)
    done = verify_domain(dns_context, domain.id)
    assert done.rotated_to == "kootui2"
    assert load_signing_key(dns_context, domain.id).selector == "kootui2"
    table = domain_records(dns_context, domain.id)
    assert [(r.label, r.name, r.status) for r in table[:2]] == [
        ("DKIM", f"kootui2._domainkey.{ASCII}", RecordStatus.PASSED),
        ("SPF", ASCII, RecordStatus.PASSED),
    ]
    assert len(list(dns_context.settings.paths.keys_dir.glob("*.pem"))) == 1


def test_doctor_shows_what_each_nameserver_returned(
    dns_context: Context, dns_server: LoopbackDnsServer
) -> None:
    with LoopbackDnsServer(host="127.0.0.2", port=dns_server.port) as lagging:
        dns_context.settings = dns_context.settings.with_values(
            dns__nameservers="127.0.0.1,127.0.0.2"
        )
        domain = create_domain(dns_context, DOMAIN)
        snippet = zone_snippet(dns_context, domain.id)
        dns_server.load_bind(snippet, origin=ASCII)
        lagging.load_bind(snippet, origin=ASCII)
        lagging.set(ASCII, "TXT", "v=spf1 include:old-provider.example -all")
        lagging.set(ASCII, "MX", "10 mail.old-provider.example.")
        report = doctor_report(dns_context, domain.id)
    assert report.status == DomainStatus.FAILED
    spf = next(r for r in report.records if r.label == "SPF")
    assert not spf.servers_agree
    first, second = spf.servers
    assert (first.server, first.status) == (f"127.0.0.1:{dns_server.port}", RecordStatus.PASSED)
    assert second.status == RecordStatus.FAILED
    assert second.found == ("v=spf1 include:old-provider.example -all",)
    assert [(d.kind, d.expected) for d in second.differences] == [
        ("not_authorised", "include:_spf.sender.example")
    ]
    assert "the change may still be spreading" in spf.reason
    mx = next(r for r in report.records if r.label == "MX")
    assert mx.servers[1].differences[0].kind == "wrong_target"
    text = report.as_text()
    assert "✗ include:_spf.sender.example is missing" in text
    assert "not_authorised" not in text  # internal codes stay out of what a user reads
    assert report.zone_snippet in text


def test_authoritative_nameservers_are_found_by_walking_up(dns_server: LoopbackDnsServer) -> None:
    dns_server.set("shop.example", "NS", "ns1.shop.example.")
    dns_server.set("ns1.shop.example", "A", "127.0.0.1")
    dns_server.set("mail.shop.example", "TXT", "v=spf1 -all")
    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers = ["127.0.0.1"]
    resolver.port = dns_server.port
    resolver.lifetime = 2
    servers, problem = find_authoritative_servers(
        "mail.shop.example", resolver, port=dns_server.port
    )
    assert problem == ""
    assert servers == [Nameserver("127.0.0.1", dns_server.port, "ns1.shop.example")]
    nothing, why = find_authoritative_servers("nowhere.invalid", resolver, port=dns_server.port)
    assert nothing == [] and "no NS records" in why


def test_authoritative_nameservers_are_asked_without_recursion(
    context: Context, dns_server: LoopbackDnsServer
) -> None:
    context.settings = context.settings.with_values(dns__timeout=2.0, **SENDING)
    domain = create_domain(context, DOMAIN)
    dns_server.load_bind(zone_snippet(context, domain.id), origin=ASCII)
    dns_server.set(ASCII, "NS", "ns1.bookshop-dns.example.")
    dns_server.set("ns1.bookshop-dns.example", "A", "127.0.0.1")
    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers = ["127.0.0.1"]
    resolver.port = dns_server.port
    servers, _problem = find_authoritative_servers(ASCII, resolver, port=dns_server.port)
    source = DnsSource(tuple(servers), f"authoritative nameservers of {ASCII}")
    asked_before = len(dns_server.queries)
    with context.store.session() as session:
        row = session.get(SenderDomain, domain.id)
        assert row is not None
        expected = current_expected_records(session, context, row)
    checks = check_records(context.settings, ASCII, expected, source=source)
    assert [c.status for c in checks if c.expected.label in ("DKIM", "SPF", "DMARC", "MX")] == [
        RecordStatus.PASSED
    ] * 4
    assert checks[0].results[0].answer.server.label == (
        f"ns1.bookshop-dns.example (127.0.0.1:{dns_server.port})"
    )
    assert not any(dns_server.recursion_desired[asked_before:])
