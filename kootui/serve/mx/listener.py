"""The inbound MX listener (aiosmtpd) behind ``sending.mx_host``.

It receives only for known bounce addresses: a RCPT whose VERP local part carries a valid
mac for a message that exists (``mail.verp``); anything else is ``550 5.1.1``, so it is no
open mailbox for spam. Size is bounded (``mx.max_message_bytes``, advertised with SIZE,
``552`` beyond), so are the recipients of one message and the idle time of a session.

The report is parsed and applied (status, suppression, events; ``core.bounces``) before
the reply to DATA, and ``250`` is sent only after that transaction committed. That costs
the sender a few milliseconds per report but needs no inbox table of its own: a crash or a
store fault before the commit answers nothing or ``451``, and the sending MTA keeps the
report and tries again. Bounces come at the pace of sending, not in bursts an MTA's retry
could not absorb.

With ``mx.tls_cert`` and ``mx.tls_key`` the MX offers STARTTLS (never requires it: an MTA
that cannot encrypt must still be able to report). The bounce secret and the certificate
are checked when the listener starts (``check_mx``), so a deployment that forgot to share
the secret fails at start in one line instead of refusing every bounce later.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session
from sqlalchemy.exc import OperationalError

from kootui.core.bounces import message_exists, receive_report
from kootui.core.config import Settings
from kootui.core.context import Context
from kootui.core.errors import KootuiError, SettingsError
from kootui.core.mail import check_bounce_secret, verp_message_id
from kootui.serve.tls import server_tls_context

log = logging.getLogger("kootui.serve.mx")
UNKNOWN_ADDRESS = "550 5.1.1 no such bounce address here"
TOO_MANY_RECIPIENTS = "452 4.5.3 too many recipients"
TRY_AGAIN = "451 4.3.0 could not record the report; try again later"
RECORDED = "250 2.0.0 report recorded"


class MxHandler:
    """aiosmtpd's handler: checks each RCPT, then records the report before answering."""

    def __init__(self, context: Context, settings: Settings) -> None:
        self.context = context
        self.settings = settings

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if len(envelope.rcpt_tos) >= self.settings.mx.max_recipients:
            return TOO_MANY_RECIPIENTS
        message_id = verp_message_id(self.settings, address)
        if message_id is None:
            return UNKNOWN_ADDRESS
        try:
            known = await asyncio.to_thread(message_exists, self.context, message_id)
        except (KootuiError, OperationalError):
            return TRY_AGAIN
        if not known:  # the task was deleted since: nothing left to record on
            return UNKNOWN_ADDRESS
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        data = envelope.original_content or b""
        ids = [verp_message_id(self.settings, address) for address in envelope.rcpt_tos]
        message_ids = [message_id for message_id in ids if message_id is not None]
        try:
            outcomes = await asyncio.to_thread(receive_report, self.context, message_ids, data)
        except (KootuiError, OperationalError) as exc:
            log.warning("a report for message(s) %s was not recorded: %s", message_ids, exc)
            return TRY_AGAIN
        for outcome in outcomes:
            log.info("message %s: %s", outcome.message_id, outcome.kind)
        return RECORDED


def check_mx(settings: Settings, *, create_secret: bool) -> ssl.SSLContext | None:
    """What the MX needs before it listens: the bounce secret (made when ``create_secret``:
    engines beside it share this keys folder) and its certificate when one is configured;
    returns the TLS context. Each missing piece is a ``SettingsError`` naming it."""
    check_bounce_secret(settings, create=create_secret)
    mx = settings.mx
    if not (mx.tls_cert or mx.tls_key):
        return None
    return server_tls_context(mx.tls_cert, mx.tls_key, "mx")


class MxListener:
    """The listening server on ``mx.listen``; started and closed by ``kootui serve``."""

    def __init__(self, context: Context, settings: Settings) -> None:
        self.context = context
        self.settings = settings
        self.handler = MxHandler(context, settings)
        self._server: asyncio.Server | None = None
        self._tls: ssl.SSLContext | None = None

    def _protocol(self) -> SMTP:
        mx = self.settings.mx
        return SMTP(
            self.handler,
            hostname=self.settings.sending.mx_host or "localhost",
            data_size_limit=mx.max_message_bytes,
            timeout=mx.timeout_seconds,
            enable_SMTPUTF8=False,  # reports are ASCII; an 8-bit body still arrives whole
            decode_data=False,
            ident="kootui bounce MX",
            tls_context=self._tls,  # STARTTLS offered when set, never required
            require_starttls=False,
        )

    async def start(self) -> None:
        """Listen on ``mx.listen``. The bounce secret must exist by now (``kootui serve``
        makes it before, when it runs engines too)."""
        mx = self.settings.mx
        self._tls = check_mx(self.settings, create_secret=False)
        loop = asyncio.get_running_loop()
        try:
            self._server = await loop.create_server(self._protocol, host=mx.host, port=mx.port)
        except OSError as exc:
            raise SettingsError(
                f"cannot listen on {mx.listen} for bounces: {exc.strerror}",
                field="mx.listen",
                code="mx.bind",
            ) from None
        log.info("the bounce MX listens on %s", mx.listen)

    @property
    def port(self) -> int:
        """The bound port (the configured one, or the one the system chose for port 0)."""
        assert self._server is not None
        address: Any = self._server.sockets[0].getsockname()
        return int(address[1])

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
