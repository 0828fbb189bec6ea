"""Verification against a real DNS server on loopback: right records, wrong records,
and servers that misbehave (timeout, SERVFAIL, NXDOMAIN, truncation, huge answers, garbage)."""

from __future__ import annotations

import base64
import socket
from collections.abc import Iterator

import dns.message
import dns.query
import pytest

from kootui.core.context import Context
from kootui.core.domains import (
    VerificationOutcome,
    create_domain,
    domain_records,
    generate_key_pair,
    get_domain,
    verify_domain,
    zone_snippet,
)
from kootui.core.store import DomainStatus, RecordStatus
from tests.support.dns_server import LoopbackDnsServer, Misbehaviour

DOMAIN = "shop.example"
DKIM_NAME = f"kootui1._domainkey.{DOMAIN}"
SPF = "v=spf1 include:_spf.sender.example ip4:192.0.2.10 ~all"
SENDING = {
    "sending__spf_include": "_spf.sender.example",
    "sending__spf_ip4": "192.0.2.10",
    "sending__dmarc_rua": "dmarc@reports.example",
    "sending__tracking_host": "track.sender.example",
    "sending__mx_host": "mx.sender.example",
}


@pytest.fixture
def dns_server() -> Iterator[LoopbackDnsServer]:
    with LoopbackDnsServer() as server:
        yield server


@pytest.fixture
def dns_context(context: Context, dns_server: LoopbackDnsServer) -> Context:
    context.settings = context.settings.with_values(
        dns__nameservers="127.0.0.1", dns__port=dns_server.port, dns__timeout=2.0, **SENDING
    )
    return context


@pytest.fixture
def domain_id(dns_context: Context, dns_server: LoopbackDnsServer) -> int:
    """A domain whose records are all published correctly."""
    domain = create_domain(dns_context, DOMAIN)
    dns_server.load_bind(zone_snippet(dns_context, domain.id), origin=DOMAIN)
    dns_server.set("_spf.sender.example", "TXT", "v=spf1 ip4:203.0.113.0/24 -all")
    return domain.id


def statuses(outcome: VerificationOutcome) -> dict[str, RecordStatus]:
    return {check.expected.label: check.status for check in outcome.checks}


def reasons(outcome: VerificationOutcome) -> dict[str, str]:
    return {check.expected.label: check.reason for check in outcome.checks}


ALL_PASSED = {
    "DKIM": RecordStatus.PASSED,
    "SPF": RecordStatus.PASSED,
    "DMARC": RecordStatus.PASSED,
    "Tracking": RecordStatus.PASSED,
    "MX": RecordStatus.PASSED,
    "Bounce MX": RecordStatus.PASSED,
    "Bounce SPF": RecordStatus.PASSED,
}


def test_all_records_correct_passes(dns_context: Context, domain_id: int) -> None:
    outcome = verify_domain(dns_context, domain_id)
    assert statuses(outcome) == ALL_PASSED
    assert outcome.status == DomainStatus.PASSED
    assert outcome.changed and outcome.previous_status == DomainStatus.VERIFYING
    stored = get_domain(dns_context, domain_id)
    assert stored.status == DomainStatus.PASSED
    assert stored.verified_at == dns_context.clock.now()
    table = domain_records(dns_context, domain_id)
    assert all(row.status == RecordStatus.PASSED for row in table)
    assert table[1].found == (SPF,)
    # A second check with nothing new is not a change to notify about.
    assert not verify_domain(dns_context, domain_id).changed


def test_dkim_with_another_key_fails_the_domain(
    dns_context: Context, dns_server: LoopbackDnsServer, domain_id: int
) -> None:
    other = generate_key_pair().public_key_b64
    dns_server.set(DKIM_NAME, "TXT", f"v=DKIM1; k=rsa; p={other}")
    outcome = verify_domain(dns_context, domain_id)
    assert statuses(outcome) == {**ALL_PASSED, "DKIM": RecordStatus.FAILED}
    assert outcome.status == DomainStatus.FAILED
    assert outcome.reason == "DKIM: the published key is not kootui's key for this selector"
    differences = outcome.checks[0].results[0].verdict.differences
    assert [d.kind for d in differences] == ["different_key"]


def test_spf_missing_fails_the_domain(
    dns_context: Context, dns_server: LoopbackDnsServer, domain_id: int
) -> None:
    dns_server.set(DOMAIN, "TXT", "google-site-verification=abc")
    outcome = verify_domain(dns_context, domain_id)
    assert statuses(outcome) == {**ALL_PASSED, "SPF": RecordStatus.NOT_FOUND}
    assert outcome.status == DomainStatus.FAILED
    assert outcome.reason.startswith("SPF: no v=spf1 record")


def test_two_spf_records_fail(
    dns_context: Context, dns_server: LoopbackDnsServer, domain_id: int
) -> None:
    dns_server.add(DOMAIN, "TXT", "v=spf1 include:other.example -all")
    outcome = verify_domain(dns_context, domain_id)
    assert statuses(outcome)["SPF"] == RecordStatus.FAILED
    assert "2 SPF records" in reasons(outcome)["SPF"]
    assert outcome.status == DomainStatus.FAILED


def test_spf_with_eleven_lookups_fails(
    dns_context: Context, dns_server: LoopbackDnsServer, domain_id: int
) -> None:
    # Nine lookups here, and two more inside an include the checker must follow.
    extra = " ".join(f"include:s{i}.example" for i in range(7))
    dns_server.set(
        DOMAIN, "TXT", f"v=spf1 include:_spf.sender.example ip4:192.0.2.10 {extra} a ~all"
    )
    dns_server.set("_spf.sender.example", "TXT", "v=spf1 mx a ip4:203.0.113.0/24 -all")
    outcome = verify_domain(dns_context, domain_id)
    assert statuses(outcome)["SPF"] == RecordStatus.FAILED
    assert reasons(outcome)["SPF"].startswith("11 DNS-querying terms; SPF allows at most 10")


def test_missing_dmarc_and_wrong_mx_do_not_block(
    dns_context: Context, dns_server: LoopbackDnsServer, domain_id: int
) -> None:
    dns_server.remove(f"_dmarc.{DOMAIN}")
    dns_server.set(DOMAIN, "MX", "10 mail.elsewhere.example.")
    dns_server.set(f"tracking.{DOMAIN}", "CNAME", "old-tracker.example.")
    outcome = verify_domain(dns_context, domain_id)
    assert statuses(outcome) == {
        **ALL_PASSED,
        "DMARC": RecordStatus.NOT_FOUND,
        "MX": RecordStatus.FAILED,
        "Tracking": RecordStatus.FAILED,
    }
    assert reasons(outcome)["MX"] == "MX is mail.elsewhere.example, expected mx.sender.example"
    assert outcome.status == DomainStatus.PASSED


def test_stricter_dmarc_policy_is_accepted(
    dns_context: Context, dns_server: LoopbackDnsServer, domain_id: int
) -> None:
    dns_server.set(
        f"_dmarc.{DOMAIN}", "TXT", "v=DMARC1; p=reject; rua=mailto:dmarc@reports.example"
    )
    assert statuses(verify_domain(dns_context, domain_id))["DMARC"] == RecordStatus.PASSED


def test_timeout_is_could_not_check_and_keeps_the_status(
    dns_context: Context, dns_server: LoopbackDnsServer, domain_id: int
) -> None:
    assert verify_domain(dns_context, domain_id).status == DomainStatus.PASSED
    dns_server.misbehave(DKIM_NAME, Misbehaviour.TIMEOUT)
    dns_context.settings = dns_context.settings.with_values(dns__timeout=1.0)
    outcome = verify_domain(dns_context, domain_id)
    assert statuses(outcome)["DKIM"] == RecordStatus.UNKNOWN
    assert "did not answer within 1 s; will retry" in reasons(outcome)["DKIM"]
    assert outcome.status == DomainStatus.PASSED and not outcome.changed
    assert outcome.reason.startswith("could not check DKIM")


def test_servfail_is_could_not_check(
    dns_context: Context, dns_server: LoopbackDnsServer, domain_id: int
) -> None:
    dns_server.misbehave(DOMAIN, Misbehaviour.SERVFAIL)
    outcome = verify_domain(dns_context, domain_id)
    assert statuses(outcome)["SPF"] == RecordStatus.UNKNOWN
    assert statuses(outcome)["MX"] == RecordStatus.UNKNOWN
    assert "SERVFAIL" in reasons(outcome)["SPF"]
    assert outcome.status == DomainStatus.VERIFYING  # unchanged: nothing was learned


def test_nxdomain_is_not_found(
    dns_context: Context, dns_server: LoopbackDnsServer, domain_id: int
) -> None:
    dns_server.misbehave(DKIM_NAME, Misbehaviour.NXDOMAIN)
    outcome = verify_domain(dns_context, domain_id)
    assert statuses(outcome)["DKIM"] == RecordStatus.NOT_FOUND
    assert outcome.status == DomainStatus.FAILED
    assert outcome.reason == f"DKIM: no TXT record at {DKIM_NAME}"


def test_truncated_udp_answer_is_asked_again_over_tcp(
    dns_context: Context, dns_server: LoopbackDnsServer, domain_id: int
) -> None:
    dns_server.misbehave(DKIM_NAME, Misbehaviour.TRUNCATE_UDP)
    outcome = verify_domain(dns_context, domain_id)
    assert statuses(outcome)["DKIM"] == RecordStatus.PASSED
    assert outcome.checks[0].results[0].answer.over_tcp
    assert dns_server.asked(DKIM_NAME, "udp") == 1
    assert dns_server.asked(DKIM_NAME, "tcp") == 1


def test_txt_split_into_255_byte_strings_is_joined(
    dns_context: Context, dns_server: LoopbackDnsServer, domain_id: int
) -> None:
    query = dns.message.make_query(DKIM_NAME, "TXT")
    raw = dns.query.tcp(query, "127.0.0.1", port=dns_server.port, timeout=2)
    strings = raw.answer[0][0].strings
    assert len(strings) == 2 and len(strings[0]) == 255  # the server really splits it
    outcome = verify_domain(dns_context, domain_id)
    assert statuses(outcome)["DKIM"] == RecordStatus.PASSED
    assert outcome.checks[0].found == (b"".join(strings).decode(),)


def test_oversized_answer_is_judged_not_crashed_on(
    dns_context: Context, dns_server: LoopbackDnsServer, domain_id: int
) -> None:
    dns_server.misbehave(DOMAIN, Misbehaviour.OVERSIZED)
    outcome = verify_domain(dns_context, domain_id)
    assert statuses(outcome)["SPF"] == RecordStatus.NOT_FOUND
    assert statuses(outcome)["MX"] == RecordStatus.NOT_FOUND  # a TXT answer to an MX question
    assert outcome.status == DomainStatus.FAILED
    stored = {row.label: row for row in domain_records(dns_context, domain_id)}
    assert len(stored["SPF"].found[0]) == 1000  # what is kept is bounded


def test_garbage_and_wrong_types_are_reported(
    dns_context: Context, dns_server: LoopbackDnsServer, domain_id: int
) -> None:
    dns_server.misbehave(DKIM_NAME, Misbehaviour.GARBAGE)
    dns_server.misbehave(f"_dmarc.{DOMAIN}", Misbehaviour.WRONG_TYPE)
    dns_server.misbehave(f"tracking.{DOMAIN}", Misbehaviour.REFUSED)
    outcome = verify_domain(dns_context, domain_id)
    assert statuses(outcome)["DKIM"] == RecordStatus.UNKNOWN
    assert "unreadable answer" in reasons(outcome)["DKIM"]
    assert statuses(outcome)["DMARC"] == RecordStatus.NOT_FOUND
    assert "answered A instead" in outcome.checks[2].results[0].answer.reason
    assert statuses(outcome)["Tracking"] == RecordStatus.UNKNOWN
    assert "REFUSED" in reasons(outcome)["Tracking"]
    assert outcome.status == DomainStatus.VERIFYING


def test_no_server_listening_is_could_not_check(context: Context) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        silent_port = probe.getsockname()[1]
    context.settings = context.settings.with_values(
        dns__nameservers="127.0.0.1", dns__port=silent_port, dns__timeout=0.3, **SENDING
    )
    domain = create_domain(context, DOMAIN)
    outcome = verify_domain(context, domain.id)
    assert set(statuses(outcome).values()) == {RecordStatus.UNKNOWN}
    assert outcome.status == DomainStatus.VERIFYING
    assert "will retry" in outcome.reason


def _ec_public_key() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    der = key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(der).decode()


ODD_DKIM = [
    f"v=DKIM1; k=rsa; p={_ec_public_key()}",
    "v=DKIM1; p=AAAA",
    ";;;;",
    "=",
    "v=DKIM1; p=\u00ff\u0000\u2603",
    "p=" + "A" * 3000,
]
ODD_SPF = [
    "v=spf1 ip4:999.1.1.1 include: redirect= %{x} ip6:zzz ip4:192.0.2.10/99 +all",
    "v=spf1",
    "v=spf1 " + "a " * 300,
    "V=SPF1 INCLUDE:_SPF.SENDER.EXAMPLE IP4:192.0.2.10 ~ALL",
]
ODD_DMARC = ["v=DMARC1", "v=DMARC1;;p", "v=DMARC1; p=none; p=none", "v=DMARC1; p=" + "x" * 900]


@pytest.mark.parametrize("index", range(6))
def test_odd_published_values_are_judged_without_crashing(
    dns_context: Context, dns_server: LoopbackDnsServer, domain_id: int, index: int
) -> None:
    dns_server.set(DKIM_NAME, "TXT", ODD_DKIM[index])
    dns_server.set(DOMAIN, "TXT", ODD_SPF[index % len(ODD_SPF)])
    dns_server.set(f"_dmarc.{DOMAIN}", "TXT", ODD_DMARC[index % len(ODD_DMARC)])
    dns_server.set(DOMAIN, "MX", "0 .")  # a "null MX": this domain receives no mail
    outcome = verify_domain(dns_context, domain_id)
    found = statuses(outcome)
    assert found["DKIM"] == RecordStatus.FAILED
    assert found["MX"] == RecordStatus.FAILED
    if index == 3:  # tags and mechanisms are case-insensitive
        assert found["SPF"] == RecordStatus.PASSED
    else:
        assert found["SPF"] == RecordStatus.FAILED
    assert found["DMARC"] == RecordStatus.FAILED
    assert outcome.status == DomainStatus.FAILED
    assert all(check.reason for check in outcome.checks)


def test_a_cname_loop_is_could_not_check(
    dns_context: Context, dns_server: LoopbackDnsServer, domain_id: int
) -> None:
    dns_server.remove(f"_dmarc.{DOMAIN}")
    dns_server.set(f"_dmarc.{DOMAIN}", "CNAME", "loop-a.example.")
    dns_server.set("loop-a.example", "CNAME", "loop-b.example.")
    dns_server.set("loop-b.example", "CNAME", f"_dmarc.{DOMAIN}.")
    outcome = verify_domain(dns_context, domain_id)
    assert statuses(outcome)["DMARC"] == RecordStatus.UNKNOWN
    assert "CNAME" in reasons(outcome)["DMARC"]
    assert outcome.status == DomainStatus.PASSED


def test_dmarc_through_a_cname_is_followed(
    dns_context: Context, dns_server: LoopbackDnsServer, domain_id: int
) -> None:
    # As in the seeds' console: _dmarc is a CNAME to the provider's record.
    dns_server.remove(f"_dmarc.{DOMAIN}")
    dns_server.set(f"_dmarc.{DOMAIN}", "CNAME", "_dmarc.reports.example.")
    dns_server.set("_dmarc.reports.example", "TXT", "v=DMARC1; p=quarantine")
    outcome = verify_domain(dns_context, domain_id)
    assert statuses(outcome)["DMARC"] == RecordStatus.PASSED
