"""What a remote reply means for the message and the recipient."""

from __future__ import annotations

import pytest

from kootui.core.mail import Outcome, bounded_text, classify_reply, enhanced_code


@pytest.mark.parametrize(
    ("code", "text", "outcome", "enhanced", "hard"),
    [
        (250, "2.0.0 Ok: queued as 4F2", Outcome.DELIVERED, "2.0.0", False),
        (421, "4.4.2 closing connection", Outcome.DEFERRED, "4.4.2", False),
        (450, "4.2.1 mailbox busy", Outcome.DEFERRED, "4.2.1", False),
        (451, "temporary local problem", Outcome.DEFERRED, "", False),
        (550, "5.1.1 <ghost@example.org>: no such user", Outcome.REJECTED, "5.1.1", True),
        (552, "5.2.2 mailbox full", Outcome.REJECTED, "5.2.2", False),
        (550, "5.7.1 message refused as spam", Outcome.REJECTED, "5.7.1", False),
        (550, "no such user here", Outcome.REJECTED, "", True),
        (554, "transaction failed", Outcome.REJECTED, "", False),
        (553, "5.1.3 bad address syntax", Outcome.REJECTED, "5.1.3", True),
        (-1, "garbage", Outcome.DEFERRED, "", False),
    ],
)
def test_replies_are_classified_by_basic_and_enhanced_code(
    code: int, text: str, outcome: Outcome, enhanced: str, hard: bool
) -> None:
    verdict = classify_reply(code, text)
    assert (verdict.outcome, verdict.enhanced_code, verdict.hard) == (outcome, enhanced, hard)


def test_an_enhanced_code_contradicting_the_basic_code_is_ignored() -> None:
    verdict = classify_reply(550, "4.2.2 odd server")
    assert verdict.outcome is Outcome.REJECTED
    assert verdict.enhanced_code == ""


def test_enhanced_codes_are_normalised() -> None:
    assert enhanced_code("5.01.001 odd zero padding") == "5.1.1"
    assert enhanced_code("no code here") == ""


def test_reply_text_is_bounded_and_free_of_control_characters() -> None:
    text = bounded_text("line one\r\nline\x00two\x1b[31m" + "x" * 2000)
    assert len(text) == 500
    assert "\x00" not in text and "\x1b" not in text and "\n" not in text
    assert text.startswith("line one / line two")
