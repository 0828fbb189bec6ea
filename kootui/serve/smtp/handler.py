"""The SMTP conversation of a submission: what each command may carry, and the replies.

Every rule of the message is the core's (``prepare_raw`` and the ``Intake``); this face
only reads the envelope, bounds it (recipients per message, size via aiosmtpd's SIZE) and
turns a ``KootuiError`` into a reply (``access.denied``: ``550 5.7.1`` naming the action
and the statement that refused it). ``250`` after DATA comes only once the intake has
committed the rows; a client that goes away before its final dot never reaches here.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session

from kootui.core.access import OWNER, Face, Principal
from kootui.core.apikeys import SmtpCredentialView
from kootui.core.config import SmtpSection
from kootui.core.context import Context
from kootui.core.errors import DailyLimitReached, KootuiError, LimitReached, StoreError
from kootui.core.recipients import RecipientValidator
from kootui.core.submissions import (
    ContentRefused,
    Intake,
    SubmissionChecker,
    prepare_read,
    read_raw,
    suppressed_recipients,
)

log = logging.getLogger("kootui.serve.smtp")
MAX_REPLY_CHARS = 400


def reply_text(error: KootuiError) -> str:
    """One printable ASCII line naming the field, fit for an SMTP reply."""
    text = " ".join(str(error).split())  # "field: message"
    text = text.encode("ascii", "replace").decode("ascii")
    return text[:MAX_REPLY_CHARS]


def session_principal(session: Session) -> Principal:
    """Who the session sends as: its login's principal (the login's user's policies), or
    the owner for a loopback session that did not log in."""
    login = session.auth_data
    principal = login.principal if isinstance(login, SmtpCredentialView) else None
    peer = session.peer[0] if isinstance(session.peer, tuple) else ""
    return (principal or OWNER).at(Face.SMTP, str(peer))


def refusal(error: KootuiError) -> str:
    """The reply for a refused message: temporary for the store's faults, else permanent."""
    if isinstance(error, StoreError):
        return f"451 4.3.0 {reply_text(error)}"
    if isinstance(error, DailyLimitReached):  # temporary: the next day has room again
        return f"451 4.7.1 {reply_text(error)}"
    if isinstance(error, LimitReached):
        return f"552 5.3.4 {reply_text(error)}"
    if error.field == "DATA" or isinstance(error, ContentRefused):
        return f"554 5.6.0 {reply_text(error)}"
    return f"550 5.7.1 {reply_text(error)}"


class SubmissionHandler:
    """aiosmtpd's handler for one listener's sessions (shared by all of them)."""

    def __init__(
        self,
        context: Context,
        settings: SmtpSection,
        checker: SubmissionChecker,
        intake: Intake,
    ) -> None:
        self.context = context
        self.settings = settings
        self.checker = checker
        self.intake = intake
        self._validator = RecipientValidator()
        self.in_flight = 0  # DATA commands waiting for their commit
        self.idle = asyncio.Event()
        self.idle.set()
        self.accepted = 0

    async def handle_EHLO(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        hostname: str,
        responses: list[str],
    ) -> list[str]:
        session.host_name = hostname
        # The relay transport sends 7bit only: 8BITMIME is not offered, and 8-bit data is
        # refused (the core says how to encode it). aiosmtpd reads one command at a time
        # and answers in order, which is all PIPELINING asks (RFC 2920).
        kept = [line for line in responses if "8BITMIME" not in line]
        return [*kept[:-1], "250-PIPELINING", kept[-1]]

    async def handle_MAIL(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        mail_options: list[str],
    ) -> str:
        if any(option.upper() == "BODY=8BITMIME" for option in mail_options):
            return "555 5.5.4 BODY=8BITMIME is not offered; send 7bit (quoted-printable or base64)"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 2.1.0 OK"

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if len(envelope.rcpt_tos) >= self.settings.max_recipients:
            return f"452 4.5.3 at most {self.settings.max_recipients} recipients per message"
        checked, reason = self._validator.check(address)
        if checked is None:
            return f"553 5.1.3 {' '.join(str(reason).split())[:MAX_REPLY_CHARS]}"
        if self.settings.suppressed == "refuse":
            try:
                found = await asyncio.to_thread(suppressed_recipients, self.context, [checked])
            except KootuiError as exc:
                return refusal(exc)
            if found:
                return f"550 5.7.1 {checked} is on the suppression list ({found[checked.lower()]})"
        envelope.rcpt_tos.append(checked)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        data = envelope.original_content
        if not isinstance(data, bytes):
            return "554 5.6.0 no message data"
        self.in_flight += 1
        self.idle.clear()
        try:
            message = read_raw(list(envelope.rcpt_tos), data)
            principal = session_principal(session)
            # A principal with policies may be refused, which writes the audit log.
            if self.checker.needs_store(message.request) or not principal.unrestricted:
                prepared = await asyncio.to_thread(prepare_read, self.checker, message, principal)
            else:  # the look-ups are fresh: microseconds, no thread hand-off
                prepared = prepare_read(self.checker, message, principal)
            receipt = await self.intake.submit(prepared)
        except KootuiError as exc:
            return refusal(exc)
        except Exception:
            log.exception("a submitted message was not stored")
            return "451 4.3.0 the message could not be stored; nothing was accepted, send again"
        finally:
            self.in_flight -= 1
            if self.in_flight == 0:
                self.idle.set()
        self.accepted += 1
        skipped = sum(1 for item in receipt.recipients if item.message_id is None)
        ids = ",".join(str(found) for found in receipt.message_ids[:5])
        note = f"; {skipped} suppressed recipient(s) skipped" if skipped else ""
        return f"250 2.0.0 queued as {ids or 'nothing'}{note}"


def peer_host(session: Session | Any) -> str:
    peer = getattr(session, "peer", None)
    if isinstance(peer, tuple) and peer:
        return str(peer[0])
    return str(peer or "")
