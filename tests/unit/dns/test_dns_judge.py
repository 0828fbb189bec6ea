"""Judging published records: DKIM tags and keys, SPF terms and lookups, DMARC, CNAME, MX."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from kootui.core.dns import (
    dkim_value,
    judge_cname,
    judge_dkim,
    judge_dmarc,
    judge_mx,
    judge_spf,
    parse_spf,
    parse_tags,
)
from kootui.core.domains import generate_key_pair
from kootui.core.store import RecordStatus

OURS = generate_key_pair().public_key_b64
THEIRS = generate_key_pair().public_key_b64


def _weak_public_key() -> str:
    """A 512-bit RSA public key (cryptography will not generate one, but DNS may hold one)."""
    modulus = (1 << 511) | 0xC3A5  # any odd 512-bit modulus is a readable public key
    key = rsa.RSAPublicNumbers(65537, modulus).public_key()
    der = key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(der).decode()


WEAK = _weak_public_key()
EXPECTED_DKIM = dkim_value(OURS)
EXPECTED_SPF = "v=spf1 include:_spf.sender.example ip4:192.0.2.10 ~all"


def no_includes(_name: str) -> tuple[str, ...] | None:
    return ()


def test_dkim_same_key_passes_even_reformatted() -> None:
    spaced = " ".join(OURS[i : i + 50] for i in range(0, len(OURS), 50))
    verdict = judge_dkim((f"v=DKIM1;k=rsa; s=email:*;  p={spaced}",), EXPECTED_DKIM)
    assert verdict.status == RecordStatus.PASSED
    assert "2048 bits" in verdict.reason


@pytest.mark.parametrize(
    ("published", "kind", "words"),
    [
        (f"v=DKIM1; k=rsa; p={THEIRS}", "different_key", "not kootui's key"),
        ("v=DKIM1; k=rsa", "missing_tag", "p= tag"),
        ("v=DKIM1; k=rsa; p=", "bad_tag", "revoked"),
        ("v=DKIM1; k=rsa; p=!!notbase64!!", "bad_tag", "not a readable"),
        (f"v=DKIM1; k=rsa; p={WEAK}", "weak_key", "512 bits"),
        (f"v=DKIM1; k=ed25519; p={OURS}", "bad_tag", "k=ed25519"),
        (f"v=DKIM2; p={OURS}", "bad_tag", "DKIM1"),
        ("hello world", "missing_record", "no DKIM record"),
        (f"k=rsa; v=DKIM1; p={OURS}", "bad_syntax", "first tag"),
        (f"v=DKIM1; s=other; p={OURS}", "bad_tag", "not for email"),
    ],
    # Fixed ids: the keys are generated per run, and xdist needs the same ids in every worker.
    ids=[
        "different-key",
        "no-p",
        "revoked",
        "not-base64",
        "weak",
        "ed25519",
        "dkim2",
        "no-record",
        "first-tag",
        "not-email",
    ],
)
def test_dkim_problems_are_named(published: str, kind: str, words: str) -> None:
    verdict = judge_dkim((published,), EXPECTED_DKIM)
    assert verdict.status == RecordStatus.FAILED
    assert verdict.differences[0].kind == kind
    assert words in verdict.reason


def test_two_dkim_records_at_one_selector_fail() -> None:
    verdict = judge_dkim((EXPECTED_DKIM, f"v=DKIM1; p={THEIRS}"), EXPECTED_DKIM)
    assert verdict.status == RecordStatus.FAILED
    assert verdict.differences[0].kind == "extra_record"


def test_tag_lists() -> None:
    assert parse_tags("v=DKIM1; k=rsa; p=abc;") == {"v": "DKIM1", "k": "rsa", "p": "abc"}
    assert parse_tags("v=DKIM1; v=DKIM1") is None
    assert parse_tags("no tags here") is None


def test_spf_passes_when_it_authorises_the_sending_hosts() -> None:
    found = (
        "google-site-verification=abc",
        "v=spf1 ip4:192.0.2.0/24 include:_SPF.sender.example. -all",
    )
    verdict = judge_spf(found, EXPECTED_SPF, no_includes)
    assert verdict.status == RecordStatus.PASSED


def test_spf_missing_is_not_found() -> None:
    verdict = judge_spf(("some other text",), EXPECTED_SPF, no_includes)
    assert verdict.status == RecordStatus.NOT_FOUND
    assert "among 1 TXT records" in verdict.reason


def test_two_spf_records_fail() -> None:
    verdict = judge_spf((EXPECTED_SPF, "v=spf1 -all"), EXPECTED_SPF, no_includes)
    assert verdict.status == RecordStatus.FAILED
    assert "2 SPF records" in verdict.reason
    assert [d.kind for d in verdict.differences] == ["extra_record", "extra_record"]


def test_spf_that_does_not_authorise_names_what_is_missing() -> None:
    verdict = judge_spf(("v=spf1 include:other.example -all",), EXPECTED_SPF, no_includes)
    assert verdict.status == RecordStatus.FAILED
    assert verdict.reason == "does not authorise include:_spf.sender.example, ip4:192.0.2.10"
    # A softfail qualifier does not authorise either.
    soft = judge_spf(
        ("v=spf1 ~include:_spf.sender.example ~ip4:192.0.2.10 ~all",), EXPECTED_SPF, no_includes
    )
    assert soft.status == RecordStatus.FAILED


def test_spf_with_eleven_lookups_fails() -> None:
    terms = " ".join(f"include:s{i}.example" for i in range(9))
    record = f"v=spf1 include:_spf.sender.example ip4:192.0.2.10 {terms} mx ~all"
    verdict = judge_spf((record,), EXPECTED_SPF, no_includes)
    assert verdict.status == RecordStatus.FAILED
    assert verdict.differences[0].kind == "too_many_lookups"
    assert verdict.reason.startswith("11 DNS-querying terms")


def test_spf_lookups_are_counted_through_includes() -> None:
    nested = {
        "_spf.sender.example": ("v=spf1 include:a.example include:b.example ~all",),
        "a.example": ("v=spf1 a mx exists:%{i}.x.example ptr ~all",),
        "b.example": ("v=spf1 a mx redirect=c.example",),
        "c.example": ("v=spf1 ip4:192.0.2.0/24 a include:_spf.sender.example",),  # a loop
    }
    record = "v=spf1 include:_spf.sender.example ~all"
    verdict = judge_spf((record,), EXPECTED_SPF, lambda name: nested.get(name, ()))
    # 1 + 2 + 4 + 3 + 2 = 12: include, (include x2), (a mx exists ptr), (a mx redirect), (a include)
    assert verdict.status == RecordStatus.FAILED
    assert "12 DNS-querying terms" in verdict.reason


def test_spf_includes_that_authorise_the_address_count() -> None:
    nested = {"relay.example": ("v=spf1 ip4:192.0.2.0/25 include:_spf.sender.example -all",)}
    verdict = judge_spf(
        ("v=spf1 include:relay.example -all",), EXPECTED_SPF, lambda n: nested.get(n)
    )
    assert verdict.status == RecordStatus.PASSED


def test_spf_terms_parse() -> None:
    terms = parse_spf("v=spf1 -ip6:2001:db8::/32 ~a/24 mx:mail.example redirect=x.example")
    assert [(t.qualifier, t.name, t.argument, t.modifier) for t in terms] == [
        ("-", "ip6", "2001:db8::/32", False),
        ("~", "a", "", False),
        ("+", "mx", "mail.example", False),
        ("+", "redirect", "x.example", True),
    ]


EXPECTED_DMARC = "v=DMARC1; p=none; rua=mailto:dmarc@reports.example"


@pytest.mark.parametrize("policy", ["none", "quarantine", "reject"])
def test_dmarc_accepts_our_policy_or_a_stricter_one(policy: str) -> None:
    verdict = judge_dmarc(
        (f"v=DMARC1; p={policy}; rua=mailto:dmarc@reports.example",), EXPECTED_DMARC
    )
    assert verdict.status == RecordStatus.PASSED
    assert verdict.differences == ()


def test_dmarc_problems() -> None:
    assert judge_dmarc(("hello",), EXPECTED_DMARC).status == RecordStatus.NOT_FOUND
    two = judge_dmarc(("v=DMARC1; p=none", "v=DMARC1; p=reject"), EXPECTED_DMARC)
    assert two.status == RecordStatus.FAILED and "2 DMARC records" in two.reason
    no_policy = judge_dmarc(("v=DMARC1; rua=mailto:a@b.example",), EXPECTED_DMARC)
    assert no_policy.status == RecordStatus.FAILED
    assert no_policy.differences[0].kind == "missing_tag"
    assert judge_dmarc(("v=DMARC1; p=maybe",), EXPECTED_DMARC).status == RecordStatus.FAILED
    assert (
        judge_dmarc(("v=DMARC1; p=none; p=reject",), EXPECTED_DMARC).status == RecordStatus.FAILED
    )
    elsewhere = judge_dmarc(("v=DMARC1; p=none; rua=mailto:x@y.example",), EXPECTED_DMARC)
    assert elsewhere.status == RecordStatus.PASSED
    assert elsewhere.differences[0].kind == "different_rua"


def test_cname_and_mx_targets() -> None:
    assert (
        judge_cname(("Track.Sender.Example.",), "track.sender.example").status
        == RecordStatus.PASSED
    )
    wrong = judge_cname(("elsewhere.example",), "track.sender.example")
    assert wrong.status == RecordStatus.FAILED
    assert wrong.differences[0].kind == "wrong_target"
    assert wrong.reason == "points to elsewhere.example, expected track.sender.example"
    assert judge_mx(
        ("20 backup.example", "10 mx.sender.example"), "10 mx.sender.example"
    ).status == (RecordStatus.PASSED)
    mx = judge_mx(("10 mail.other.example",), "10 mx.sender.example")
    assert mx.status == RecordStatus.FAILED
    assert "mail.other.example" in mx.reason
