"""Reading what came back to a bounce host: what kind of report it is and what it says.

Three shapes are understood, tried in this order:

- RFC 3464 delivery status notifications (``multipart/report;
  report-type=delivery-status``): per recipient ``Action`` and ``Status``; a 5.x.x status
  is a hard bounce, a 4.x.x status (or ``Action: delayed``) a soft one; ``delivered``,
  ``relayed`` and ``expanded`` are news, not bounces. Gmail, Outlook/Exchange Online,
  Yahoo and Postfix all send this shape.
- RFC 5965 ARF complaints (``report-type=feedback-report``): a feedback loop's report
  that the recipient pressed "spam"; ``Feedback-Type: not-spam`` is no complaint.
- Anything else is a non-standard bounce only when it looks like one (a mailer-daemon or
  postmaster sender, or a failure subject such as "Undeliverable:") and its text holds an
  enhanced status code or an SMTP reply code; the class of that code decides hard or soft.
  Old Exchange and qmail bounces look like this.

An auto-reply (RFC 3834 ``Auto-Submitted: auto-replied``, ``X-Autoreply``, the usual
out-of-office subjects) is never a bounce, whatever its text quotes.

Why not flufl.bounce: its detectors find *which addresses* failed in non-standard bounces.
The VERP return path already names the message, and so its recipient; what is left to learn
is hard or soft and the reason, which the codes in the text tell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import Message
from enum import StrEnum

from kootui.core.printable import printable

MAX_TEXT_CHARS = 500
_ENHANCED = re.compile(r"(?<![\d.])([245])\.(\d{1,3})\.(\d{1,3})(?![\d.])")
_REPLY_CODE = re.compile(r"(?<![\d.-])([45])[0-5][0-9](?=[\s-])")
_DAEMON = re.compile(r"mailer-daemon|postmaster|mail delivery (sub)?system", re.IGNORECASE)
_FAILURE_SUBJECT = re.compile(
    r"undeliver|undelivered|delivery (status notification|has failed|failure|failed)|"
    r"returned mail|mail delivery failed|failure notice|could not be delivered|"
    r"nondeliverable|delivery problem",
    re.IGNORECASE,
)
_AUTO_REPLY_SUBJECT = re.compile(
    r"^\s*(out of (the )?office|automatic reply|auto(matic)?[- ]?(reply|response)|"
    r"abwesenheitsnotiz|absence|vacation|r[ée]ponse automatique)",
    re.IGNORECASE,
)
_AUTO_REPLY_HEADERS = ("X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress-Reply")


class ReportKind(StrEnum):
    HARD_BOUNCE = "hard_bounce"
    SOFT_BOUNCE = "soft_bounce"
    COMPLAINT = "complaint"
    AUTO_REPLY = "auto_reply"
    OTHER = "other"  # a delivery notice, a not-spam report, or nothing understood


@dataclass(frozen=True)
class InboundReport:
    """What one message to a bounce host says. ``text`` is short, printable and safe to
    show: the diagnostic of a bounce, the feedback type and agent of a complaint."""

    kind: ReportKind
    status: str = ""  # the enhanced status code, such as 5.1.1
    text: str = ""
    recipient: str = ""  # the failed or complaining address the report names, if any
    original_message_id: str = ""  # the Message-ID of the message it is about, if quoted
    original_senders: tuple[str, ...] = ()  # envelope senders it quotes (VERP addresses)

    @property
    def is_bounce(self) -> bool:
        return self.kind in (ReportKind.HARD_BOUNCE, ReportKind.SOFT_BOUNCE)


def _short(text: str) -> str:
    flat = " ".join(text.split())
    return printable(flat)[:MAX_TEXT_CHARS]


def _strip_type(value: str) -> str:
    """``rfc822; ann@example.org`` -> ``ann@example.org``."""
    return value.split(";", 1)[-1].strip().strip("<>")


def _header(message: Message, name: str) -> str:
    value = message.get(name)
    return str(value).strip() if value is not None else ""


def _quoted_message(report: Message) -> Message | None:
    """The original message (or its headers) a report quotes as its last part."""
    for part in report.walk():
        content_type = part.get_content_type()
        if content_type in ("message/rfc822", "message/global"):
            payload = part.get_payload()
            if isinstance(payload, list) and payload and isinstance(payload[0], Message):
                return payload[0]
        if content_type in ("text/rfc822-headers", "text/global-headers"):
            raw = part.get_payload(decode=True)
            if isinstance(raw, bytes):
                return message_from_bytes(raw, policy=policy.compat32)
    return None


def _original_fields(report: Message) -> tuple[str, tuple[str, ...]]:
    quoted = _quoted_message(report)
    if quoted is None:
        return "", ()
    senders = tuple(
        _strip_type(value) for value in (_header(quoted, "Return-Path"),) if _strip_type(value)
    )
    return _header(quoted, "Message-ID"), senders


def _part_of_type(report: Message, content_type: str) -> Message | None:
    for part in report.walk():
        if part.get_content_type() == content_type:
            return part
    return None


def _field_groups(part: Message) -> list[Message]:
    """The header groups of a message/delivery-status or message/feedback-report part.
    The email package parses the first as a list of groups and the second as one message."""
    payload = part.get_payload()
    if isinstance(payload, list):
        return [group for group in payload if isinstance(group, Message)]
    if isinstance(payload, str):
        return [
            message_from_bytes(block.encode("utf-8", "replace"), policy=policy.compat32)
            for block in re.split(r"\r?\n\r?\n", payload.strip())
            if block.strip()
        ]
    return []


def _delivery_status(report: Message) -> InboundReport:
    part = _part_of_type(report, "message/delivery-status")
    groups = _field_groups(part) if part is not None else []
    message_id, senders = _original_fields(report)
    worst: InboundReport | None = None
    for group in groups[1:] or groups:  # the first group is about the whole message
        action = _header(group, "Action").lower()
        status = _ENHANCED.search(_header(group, "Status"))
        code = ".".join(status.groups()) if status else ""
        recipient = _strip_type(_header(group, "Final-Recipient")) or _strip_type(
            _header(group, "Original-Recipient")
        )
        diagnostic = _header(group, "Diagnostic-Code")
        diagnostic = diagnostic.split(";", 1)[-1] if diagnostic else ""
        if action in ("delivered", "relayed", "expanded") or code.startswith("2"):
            kind = ReportKind.OTHER
        elif code.startswith("5") and action != "delayed":
            kind = ReportKind.HARD_BOUNCE
        elif code.startswith("4") or action in ("delayed", "failed"):
            kind = ReportKind.SOFT_BOUNCE if code or action == "delayed" else ReportKind.HARD_BOUNCE
        else:
            continue
        found = InboundReport(
            kind=kind,
            status=code,
            text=_short(diagnostic or f"{action} {code}".strip()),
            recipient=recipient,
            original_message_id=message_id,
            original_senders=senders,
        )
        if worst is None or _rank(found.kind) > _rank(worst.kind):
            worst = found
    return worst or InboundReport(
        ReportKind.OTHER,
        text="a delivery status notification naming no recipient",
        original_message_id=message_id,
        original_senders=senders,
    )


def _rank(kind: ReportKind) -> int:
    return {ReportKind.HARD_BOUNCE: 2, ReportKind.SOFT_BOUNCE: 1}.get(kind, 0)


def _feedback_report(report: Message) -> InboundReport:
    part = _part_of_type(report, "message/feedback-report")
    groups = _field_groups(part) if part is not None else []
    fields = groups[0] if groups else Message()
    feedback_type = _header(fields, "Feedback-Type").lower() or "abuse"
    message_id, senders = _original_fields(report)
    mail_from = _strip_type(_header(fields, "Original-Mail-From"))
    if mail_from:
        senders = (mail_from, *senders)
    agent = _header(fields, "User-Agent")
    text = f"{feedback_type} report" + (f" from {agent}" if agent else "")
    return InboundReport(
        kind=ReportKind.OTHER if feedback_type == "not-spam" else ReportKind.COMPLAINT,
        text=_short(text),
        recipient=_strip_type(_header(fields, "Original-Rcpt-To")),
        original_message_id=message_id,
        original_senders=senders,
    )


def _is_auto_reply(message: Message) -> bool:
    auto_submitted = _header(message, "Auto-Submitted").lower()
    if auto_submitted.startswith("auto-replied"):
        return True
    if any(message.get(name) is not None for name in _AUTO_REPLY_HEADERS):
        return True
    if _header(message, "Precedence").lower() == "auto_reply":
        return True
    return bool(_AUTO_REPLY_SUBJECT.match(_header(message, "Subject")))


def _plain_text(message: Message) -> str:
    texts: list[str] = []
    for part in message.walk():
        if part.get_content_type() != "text/plain":
            continue
        raw = part.get_payload(decode=True)
        if isinstance(raw, bytes):
            texts.append(raw.decode(part.get_content_charset() or "utf-8", "replace"))
    return "\n".join(texts)


def _non_standard(message: Message) -> InboundReport:
    looks_like_bounce = bool(
        _DAEMON.search(_header(message, "From"))
        or _FAILURE_SUBJECT.search(_header(message, "Subject"))
    )
    if not looks_like_bounce:
        return InboundReport(ReportKind.OTHER, text="not a bounce, a complaint or an auto-reply")
    text = _plain_text(message)
    enhanced = _ENHANCED.search(text)
    reply = _REPLY_CODE.search(text)
    first = min(
        (match for match in (enhanced, reply) if match is not None),
        key=lambda match: match.start(),
        default=None,
    )
    if first is None:
        return InboundReport(ReportKind.OTHER, text="a failure notice without a status code")
    status = ".".join(enhanced.groups()) if enhanced else ""
    line_start = text.rfind("\n", 0, first.start()) + 1
    line_end = text.find("\n", first.end())
    line = text[line_start : line_end if line_end != -1 else len(text)]
    permanent = (enhanced or reply or first).group(1) == "5"
    message_id, senders = _original_fields(message)
    return InboundReport(
        kind=ReportKind.HARD_BOUNCE if permanent else ReportKind.SOFT_BOUNCE,
        status=status,
        text=_short(line),
        original_message_id=message_id,
        original_senders=senders,
    )


def parse_report(data: bytes) -> InboundReport:
    """What ``data`` (one whole message as received) reports; never raises on bad input."""
    message = message_from_bytes(data, policy=policy.compat32)
    if message.get_content_type() == "multipart/report":
        report_type = (message.get_param("report-type") or "").__str__().lower()
        if report_type == "delivery-status":
            return _delivery_status(message)
        if report_type == "feedback-report":
            return _feedback_report(message)
    if _is_auto_reply(message):
        return InboundReport(ReportKind.AUTO_REPLY, text=_short(_header(message, "Subject")))
    return _non_standard(message)
