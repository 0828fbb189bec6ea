"""A whole message from an SMTP client, checked by the same rules as an API submission.

The listener hands over the envelope recipients and the DATA bytes; ``prepare_raw`` reads
the From field and asks ``SubmissionChecker.prepare`` - the one place the rules live -
with that sender, those recipients and the workspace's *SMTP submission* template (made
once by the templates core, so a workspace that reviews templates reviews it too). The
prepared rows then carry the bytes (less Bcc) for the intake to store beside each row
(``submitted_mime``), and the client's Message-ID when it gave one.
"""

from __future__ import annotations

import email.errors
import email.header
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlalchemy import select

from kootui.core.access import OWNER, Act, Principal, requires
from kootui.core.context import Context
from kootui.core.errors import KootuiError, NotFound, ValidationError
from kootui.core.mail import (
    field_value,
    first_control,
    has_bare_line_ending,
    header_fields,
    mailbox_addresses,
    split_head,
    without_fields,
)
from kootui.core.store import SendMethod, Suppression
from kootui.core.submissions.request import (
    PreparedSubmission,
    RecipientInput,
    SubmissionChecker,
    SubmissionRequest,
)

# The template every SMTP channel task names: the engine sends the submitted bytes, so
# only its subject shows (in Sending Tasks and Details), never its body.
SMTP_SUBJECT = "Submitted over SMTP"
SMTP_TEXT = "Messages submitted over SMTP are sent as the application wrote them."
MAX_MESSAGE_ID_CHARS = 255
_DROPPED = frozenset({"bcc", "resent-bcc"})
# The fields a mail client shows its reader: what the console's cores refuse in a subject
# or a sender's name (a bidi override, an invisible character) is refused here too.
_SHOWN = {
    "subject": "Subject",
    "from": "From",
    "sender": "Sender",
    "reply-to": "Reply-To",
    "to": "To",
    "cc": "Cc",
}


class SubmissionRefused(KootuiError):
    """The message breaks a rule of the workspace; the listener answers ``550 5.7.1``."""

    code = "smtp.refused"
    http_status = 422


@requires(Act.MESSAGE_SEND)
def suppressed_recipients(context: Context, addresses: Sequence[str]) -> dict[str, str]:
    """The addresses (lower-cased) on the suppression list, with the reason: for a
    listener told to refuse them at RCPT TO (the intake skips them otherwise)."""
    wanted = sorted({address.lower() for address in addresses})
    if not wanted:
        return {}
    table = Suppression.__table__
    with context.store.engine.connect() as connection:
        rows = connection.execute(
            select(table.c.address, table.c.reason).where(table.c.address.in_(wanted))
        ).all()
    return {row.address: row.reason for row in rows}


class ContentRefused(ValidationError):
    """The message's content breaks a rule of form; the listener answers ``554 5.6.0``
    naming the header (the field)."""

    code = "smtp.header_control"


def _decoded(value: str) -> str:
    """A field's value with its RFC 2047 words decoded (as a reader's client shows it);
    a word that does not decode stays as written."""
    try:
        return str(email.header.make_header(email.header.decode_header(value)))
    except (email.errors.HeaderParseError, LookupError, UnicodeError, ValueError):
        return value


def _refuse_hidden_characters(fields: Sequence[tuple[str, bytes]]) -> None:
    """Refuse a shown header holding a control or invisible formatting character, as
    written or inside an encoded word: the bytes go out unchanged, so what the reader
    sees must be what it is."""
    for name, text in fields:
        shown = _SHOWN.get(name)
        if shown is None:
            continue
        raw = text.split(b":", 1)[1] if b":" in text else b""
        # Unfolded (a fold is CRLF then a space or TAB), and a TAB is a space in a header.
        value = raw.decode("ascii").replace("\r\n", "").replace("\t", " ").strip()
        for candidate in (value, _decoded(value)):
            found = first_control(candidate)
            if found is not None:
                raise ContentRefused(
                    f"the {shown} header must not contain control or invisible formatting "
                    f"characters (found U+{ord(candidate[found]):04X})",
                    field=shown,
                )


@dataclass(frozen=True)
class RawMessage:
    """A submitted message read: the request the checker judges, and what rides along."""

    request: SubmissionRequest
    content: bytes  # as submitted, less Bcc
    message_id: str


def prepare_raw(
    checker: SubmissionChecker,
    recipients: Sequence[str],
    data: bytes,
    principal: Principal = OWNER,
) -> PreparedSubmission:
    """The message as rows in waiting, or the rule it breaks (a ``KootuiError`` naming the
    header or envelope field)."""
    return prepare_read(checker, read_raw(recipients, data), principal)


def read_raw(recipients: Sequence[str], data: bytes) -> RawMessage:
    """The message's form checked (CRLF only, 7bit, no hidden characters in the headers a
    reader sees, one From, a sane Message-ID) and read;
    no store access, so an event loop may run it."""
    if has_bare_line_ending(data):
        raise ValidationError(
            "the message holds a bare CR or LF; end every line with CRLF",
            field="DATA",
            code="smtp.bare_line_ending",
        )
    if not data.isascii():
        # The relay transport sends 7bit only (no BODY=8BITMIME), so 8-bit data would reach
        # the next server undeclared: refused here rather than mangled there.
        raise ValidationError(
            "the message holds 8-bit bytes; encode the body as quoted-printable or base64 "
            "and non-ASCII headers as RFC 2047 words",
            field="DATA",
            code="smtp.eight_bit_data",
        )
    head, body = split_head(data)
    fields = header_fields(head)
    _refuse_hidden_characters(fields)
    from_fields = [text for name, text in fields if name == "from"]
    if len(from_fields) != 1:
        raise ValidationError(
            "the message needs exactly one From header", field="From", code="smtp.from_missing"
        )
    senders = mailbox_addresses(field_value(from_fields[0]))
    if len(senders) != 1:
        raise ValidationError(
            "the From header must name exactly one address", field="From", code="smtp.from_many"
        )
    message_id = ""
    for name, text in fields:
        if name == "message-id":
            message_id = field_value(text)
            break
    if len(message_id) > MAX_MESSAGE_ID_CHARS or not message_id.isascii():
        raise ValidationError(
            f"the Message-ID must be ASCII and at most {MAX_MESSAGE_ID_CHARS} characters",
            field="Message-ID",
            code="smtp.bad_message_id",
        )
    request = SubmissionRequest(
        sender=senders[0],
        recipients=[RecipientInput(address) for address in recipients],
        subject=SMTP_SUBJECT,
        text=SMTP_TEXT,
        send_method=SendMethod.SMTP,
    )
    kept = without_fields(head, _DROPPED) if any(n in _DROPPED for n, _ in fields) else head
    return RawMessage(request, kept + body, message_id)


def prepare_read(
    checker: SubmissionChecker, message: RawMessage, principal: Principal = OWNER
) -> PreparedSubmission:
    """The read message judged by the checker's rules, for the login's ``principal`` (may
    read the store: see ``SubmissionChecker.needs_store``)."""
    try:
        prepared = checker.prepare(message.request, principal)
    except NotFound:
        raise SubmissionRefused(
            f"{message.request.sender} is not a sender address of this workspace",
            field="From",
            code="smtp.unknown_sender",
        ) from None
    except KootuiError as exc:
        if exc.field == "sender":
            exc.field = "From"
        raise
    channel = prepared.channel
    # Its own channel task: an API request with the same text must not ride a task whose
    # rows the engine sends from stored bytes.
    key = hashlib.sha256(f"smtp:{channel.key}".encode()).hexdigest()
    return replace(
        prepared,
        channel=replace(channel, key=key, send_method=SendMethod.SMTP),
        raw=message.content,
        message_id_header=message.message_id,
    )
