"""What an SMTP reply means for a message: delivered, deferred, rejected (hard or soft).

RFC 5321 gives the basic code (2xx, 4xx, 5xx); RFC 3463 the enhanced status code
(``5.1.1``) that tells a dead mailbox (hard: stop mailing it) from a full one or a
policy block (soft: the address itself is fine). Reply text comes from a remote
server, so it is bounded and stripped of control characters before it is stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

REPLY_TEXT_LIMIT = 500
_ENHANCED = re.compile(r"^\s*([245])\.(\d{1,3})\.(\d{1,3})\b")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

# Enhanced codes that say the address itself is bad: the recipient is suppressed.
_HARD_ENHANCED = {
    "5.1.1",  # bad destination mailbox
    "5.1.2",  # bad destination system
    "5.1.3",  # bad destination mailbox address syntax
    "5.1.6",  # mailbox has moved
    "5.1.10",  # recipient address has null MX
    "5.2.1",  # mailbox disabled
}
# Without an enhanced code, these basic codes mean "no such user" in practice.
_HARD_BASIC = {550, 551, 553}


class Outcome(StrEnum):
    DELIVERED = "delivered"
    DEFERRED = "deferred"
    REJECTED = "rejected"
    UNKNOWN = "unknown"  # the connection dropped after the final "." was sent
    FAILED = "failed"  # could not be built (a missing parameter): no retry will help


class Stage(StrEnum):
    CONNECT = "connect"
    HELO = "helo"  # greeting, EHLO, STARTTLS and AUTH
    MAIL = "mail"
    RCPT = "rcpt"
    DATA = "data"  # DATA command and the message bytes
    DOT = "dot"  # waiting for the reply to the final "."
    OUTBOX = "outbox"
    COMPOSE = "compose"


@dataclass(frozen=True)
class Verdict:
    outcome: Outcome
    enhanced_code: str
    hard: bool  # only meaningful for REJECTED


def bounded_text(text: str, limit: int = REPLY_TEXT_LIMIT) -> str:
    """Reply text safe to store and show: no control characters, at most ``limit`` chars."""
    cleaned = _CONTROL.sub(" ", text.replace("\r", "").replace("\n", " / "))
    if len(cleaned) > limit:
        return cleaned[: limit - 1] + "…"
    return cleaned


def enhanced_code(text: str) -> str:
    """The RFC 3463 code at the start of the reply text ("5.1.1"), or ""."""
    match = _ENHANCED.match(text)
    if match is None:
        return ""
    return ".".join(str(int(part)) for part in match.groups())


def is_hard_rejection(code: int, enhanced: str) -> bool:
    if enhanced:
        return enhanced in _HARD_ENHANCED
    return code in _HARD_BASIC


def classify_reply(code: int, text: str) -> Verdict:
    """The verdict for a final reply ``code`` with ``text`` (code -1: unparseable)."""
    enhanced = enhanced_code(text)
    if enhanced and enhanced[0] != str(code)[:1]:
        # An enhanced class that contradicts the basic code is ignored (RFC 3463 §2).
        enhanced = ""
    if 200 <= code < 300:
        return Verdict(Outcome.DELIVERED, enhanced, False)
    if 500 <= code < 600:
        return Verdict(Outcome.REJECTED, enhanced, is_hard_rejection(code, enhanced))
    # 4xx, and anything a broken server sends that is not a valid code, is temporary.
    return Verdict(Outcome.DEFERRED, enhanced, False)
