"""Reading reports: the RFC 3464 and 5965 shapes, a non-standard bounce, an auto-reply."""

from __future__ import annotations

import pytest

from kootui.core.bounces import ReportKind, parse_report
from tests.support.bounce_samples import (
    arf_complaint,
    delayed_dsn,
    exchange_legacy_bounce,
    gmail_hard_bounce,
    out_of_office,
    outlook_hard_bounce,
)

VERP = "b-7-abcdefghijklmnopqrstuvwxyz@bounce.example.com"
ANN = "ann@example.org"
MID = "<0123abcd@example.com>"


@pytest.mark.parametrize(
    ("sample", "kind", "status", "words"),
    [
        (gmail_hard_bounce(VERP, ANN, MID), ReportKind.HARD_BOUNCE, "5.1.1", "does not exist"),
        (
            outlook_hard_bounce(VERP, ANN, MID),
            ReportKind.HARD_BOUNCE,
            "5.1.10",
            "RecipientNotFound",
        ),
        (delayed_dsn(VERP, ANN, MID), ReportKind.SOFT_BOUNCE, "4.4.1", "timed out"),
        (exchange_legacy_bounce(VERP, ANN), ReportKind.HARD_BOUNCE, "5.1.1", "RecipNotFound"),
        (arf_complaint(VERP, ANN, MID), ReportKind.COMPLAINT, "", "abuse report"),
        (out_of_office(VERP, ANN), ReportKind.AUTO_REPLY, "", "Automatic reply"),
    ],
    ids=["gmail", "outlook", "delayed", "exchange-legacy", "arf", "out-of-office"],
)
def test_each_shape_is_read_as_what_it_reports(
    sample: bytes, kind: ReportKind, status: str, words: str
) -> None:
    report = parse_report(sample)
    assert (report.kind, report.status) == (kind, status)
    assert words in report.text
    assert len(report.text) <= 500


def test_standard_reports_name_the_recipient_and_the_original() -> None:
    for sample in (gmail_hard_bounce(VERP, ANN, MID), outlook_hard_bounce(VERP, ANN, MID)):
        report = parse_report(sample)
        assert report.recipient == ANN
        assert report.original_message_id == MID
        assert report.original_senders == (VERP,)
    complaint = parse_report(arf_complaint(VERP, ANN, MID))
    assert (complaint.recipient, complaint.original_message_id) == (ANN, MID)
    assert complaint.original_senders[0] == VERP


def test_a_dsn_saying_delivered_and_a_not_spam_report_are_no_bounce() -> None:
    delivered = gmail_hard_bounce(VERP, ANN, MID).replace(b"Action: failed", b"Action: delivered")
    delivered = delivered.replace(b"Status: 5.1.1", b"Status: 2.0.0")
    assert parse_report(delivered).kind == ReportKind.OTHER
    not_spam = arf_complaint(VERP, ANN, MID).replace(
        b"Feedback-Type: abuse", b"Feedback-Type: not-spam"
    )
    assert parse_report(not_spam).kind == ReportKind.OTHER


def test_ordinary_mail_and_garbage_are_nothing_and_never_raise() -> None:
    assert parse_report(b"From: bob@example.org\r\nSubject: hi\r\n\r\nsee you 550 times").kind == (
        ReportKind.OTHER
    )
    assert parse_report(b"\x00\xff not a message at all").kind == ReportKind.OTHER
    broken = b"Content-Type: multipart/report; report-type=delivery-status\r\n\r\nno parts"
    assert parse_report(broken).kind == ReportKind.OTHER


def test_report_text_is_printable() -> None:
    sample = gmail_hard_bounce(VERP, ANN, MID).replace(
        b"does\r\n not exist", b"does \x1b[31m\xe2\x80\xae not exist"
    )
    text = parse_report(sample).text
    assert "\x1b" not in text and "\u202e" not in text
