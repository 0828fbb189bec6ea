"""The relay: a pool of persistent aiosmtplib connections to the configured smart host.

Each of ``relay.concurrency`` connections takes messages from one shared queue and
sends several per session. MAIL, RCPT and DATA are issued as plain commands with
pre-built bytes (aiosmtplib's ``send_message`` re-parses addresses per message);
the message body is written and the final "." reply awaited separately, so a drop
after the "." is told apart ("unknown": maybe delivered) from one before it.
When the server offers PIPELINING, the transaction is pipelined (see
``pipelining``). RFC 5321 §4.5.3.2 timeouts apply per stage. TLS is never
downgraded: when STARTTLS is required and not offered, every message is deferred
with that reason. After a failed session setup the relay counts as down for a short
while and messages are deferred at once, instead of each waiting out a timeout.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import ssl
import time
from dataclasses import dataclass

import aiosmtplib
from aiosmtplib.errors import SMTPException, SMTPResponseException, SMTPTimeoutError

from kootui.core.clock import Clock
from kootui.core.dispatch.transports.base import OutgoingMessage, Report, SendResult, TokenBucket
from kootui.core.dispatch.transports.pipelining import PipelinedWire
from kootui.core.dispatch.transports.shaper import Gate, Shaper
from kootui.core.errors import SettingsError
from kootui.core.mail import Outcome, Stage, bounded_text, classify_reply
from kootui.core.shaping import LiveLimits, Throttle

log = logging.getLogger("kootui.relay")
DOWN_SECONDS = 30.0  # how long a failed session setup marks the relay as down


@dataclass(frozen=True)
class RelayConfig:
    host: str
    port: int
    tls: str  # implicit, starttls, none
    username: str = ""
    password: str = ""
    concurrency: int = 4
    rate: float = 0.0
    connect_timeout: float = 300.0  # the 220 greeting (RFC 5321: 5 minutes)
    command_timeout: float = 300.0  # MAIL, RCPT (5 minutes), DATA (2 minutes, we use this)
    dot_timeout: float = 600.0  # the reply to the final "." (10 minutes)
    local_hostname: str | None = None

    def __repr__(self) -> str:
        # The password never reaches a log line through this object.
        return (
            f"RelayConfig(host={self.host!r}, port={self.port}, tls={self.tls!r}, "
            f"username={self.username!r}, concurrency={self.concurrency}, rate={self.rate})"
        )


def is_loopback(host: str) -> bool:
    if host.lower() in {"localhost", "localhost.localdomain"}:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_relay_config(config: RelayConfig) -> None:
    if config.tls not in {"implicit", "starttls", "none"}:
        raise SettingsError("relay.tls must be implicit, starttls or none", field="relay.tls")
    if config.tls == "none" and not is_loopback(config.host):
        raise SettingsError(
            f"relay.tls = none is allowed only for a loopback host, not {config.host!r}",
            field="relay.tls",
            code="settings.plaintext_relay",
        )
    if not 1 <= config.port <= 65535:
        raise SettingsError("relay.port must be 1 to 65535", field="relay.port")
    if config.concurrency < 1:
        raise SettingsError("relay.concurrency must be at least 1", field="relay.concurrency")


class _SessionError(Exception):
    """A session-level failure: every message it touched gets the same verdict."""

    def __init__(self, stage: Stage, code: int | None, text: str) -> None:
        super().__init__(text)
        self.stage = stage
        self.code = code
        self.text = text


async def _authenticate(smtp: aiosmtplib.SMTP, username: str, password: str) -> None:
    """One AUTH attempt with the best plain-text mechanism offered (the session is TLS
    or loopback): trying every mechanism in turn doubles failed logins on the server."""
    methods = smtp.supported_auth_methods
    if "plain" in methods:
        await smtp.auth_plain(username, password)
    elif "login" in methods:
        await smtp.auth_login(username, password)
    else:
        await smtp.login(username, password)


def _stuffed(data: bytes) -> bytes:
    """RFC 5321 §4.5.2 dot-stuffing plus the end-of-data line."""
    body = data.replace(b"\r\n.", b"\r\n..")
    if body.startswith(b"."):
        body = b"." + body
    if not body.endswith(b"\r\n"):
        body += b"\r\n"
    return body + b".\r\n"


def _envelope(item: OutgoingMessage) -> bytes:
    return (
        b"MAIL FROM:<" + item.sender.encode("ascii") + b">\r\n"
        b"RCPT TO:<" + item.recipient.encode("ascii") + b">\r\nDATA\r\n"
    )


class RelayTransport:
    name = "relay"

    def __init__(
        self, config: RelayConfig, clock: Clock, *, tls_context: ssl.SSLContext | None = None
    ) -> None:
        check_relay_config(config)
        self.config = config
        self._clock = clock
        self._tls_context = tls_context or ssl.create_default_context()
        self._shaper = Shaper(capacity=config.concurrency * 4)
        self._bucket = TokenBucket(config.rate)
        self._connections: list[asyncio.Task[None]] = []
        self._report: Report | None = None
        self._down_until = 0.0
        self._down: _SessionError | None = None

    async def start(self, report: Report) -> None:
        self._report = report
        self._connections = [
            asyncio.create_task(self._connection_loop(), name=f"relay-{index}")
            for index in range(self.config.concurrency)
        ]

    async def submit(self, item: OutgoingMessage) -> float | None:
        """Queue a message; or, when its destination has a full line, say after how many
        seconds to offer it again (see ``shaper``)."""
        return await self._shaper.put(item)

    def apply_limits(self, limits: LiveLimits, share: int) -> None:
        """Follow the workspace rate and the destination limits read from the store,
        taking ``1/share`` of each (see ``dispatch.rate``)."""
        self._bucket.set_rate(limits.workspace_rate / max(1, share))
        self._shaper.apply(limits, share)

    def throttles(self) -> list[Throttle]:
        """Destinations that throttled since the last call (``shaping.adaptive``)."""
        return self._shaper.throttles()

    def set_window(self, in_flight: int) -> None:
        """The engine's in-flight window, which bounds each destination's line."""
        self._shaper.set_window(in_flight)

    def withdraw(self) -> list[OutgoingMessage]:
        """Messages still waiting for a limited destination, taken back (see ``shaper``)."""
        return self._shaper.withdraw()

    async def close(self) -> None:
        self._shaper.close()
        await asyncio.gather(*self._connections, return_exceptions=True)
        self._connections = []

    # -- one connection -------------------------------------------------------------

    async def _open(self) -> _Session:
        config = self.config
        implicit = config.tls == "implicit"
        smtp = aiosmtplib.SMTP(
            hostname=config.host,
            port=config.port,
            use_tls=implicit,
            start_tls=False,
            validate_certs=True,
            tls_context=self._tls_context if implicit else None,
            timeout=config.command_timeout,
            local_hostname=config.local_hostname,
        )
        try:
            await smtp.connect(timeout=config.connect_timeout)
        except SMTPResponseException as exc:
            raise _SessionError(Stage.CONNECT, exc.code, exc.message) from None
        except (SMTPException, OSError) as exc:
            raise _SessionError(Stage.CONNECT, None, f"connect failed: {exc}") from None
        try:
            await smtp.ehlo()
            if config.tls == "starttls":
                if not smtp.supports_extension("starttls"):
                    raise _SessionError(
                        Stage.HELO, None, "STARTTLS is required but the server does not offer it"
                    )
                await smtp.starttls(tls_context=self._tls_context)
                await smtp.ehlo()
            if config.username:
                await _authenticate(smtp, config.username, config.password)
        except _SessionError:
            smtp.close()
            raise
        except SMTPResponseException as exc:
            smtp.close()
            # Never echo what we sent: an AUTH failure reply is kept, the password is not.
            raise _SessionError(Stage.HELO, exc.code, exc.message) from None
        except (SMTPException, OSError, ssl.SSLError) as exc:
            smtp.close()
            raise _SessionError(Stage.HELO, None, f"session setup failed: {exc}") from None
        return _Session(smtp, implicit or config.tls == "starttls")

    def _result(
        self,
        item: OutgoingMessage,
        outcome: Outcome,
        stage: Stage,
        code: int | None,
        text: str,
        tls: bool,
    ) -> SendResult:
        verdict = classify_reply(code, text) if code is not None and code > 0 else None
        return SendResult(
            row_id=item.row_id,
            outcome=outcome,
            stage=stage,
            reply_code=code if code is not None and code > 0 else None,
            enhanced_code=verdict.enhanced_code if verdict else "",
            reply_text=bounded_text(text),
            remote_host=f"{self.config.host}:{self.config.port}",
            tls=tls,
            hard=bool(verdict and verdict.hard),
            finished_at=self._clock.now(),
        )

    async def _send_one(
        self,
        session: _Session,
        item: OutgoingMessage,
        needs_reset: bool,
        carry: list[tuple[OutgoingMessage, bool, Gate]] | None = None,
        envelope_sent: bool = False,
    ) -> tuple[SendResult, bool]:
        """Send one message on an open session: (result, whether the session is reusable).

        ``carry``: on a pipelined session, the next waiting message whose envelope went out
        behind this one's body is appended to it; ``envelope_sent``: this message is such
        a one, sent on the same session (see ``_transaction_pipelined``)."""
        progress = [Stage.MAIL]
        tls = session.tls
        try:
            if session.wire is not None:
                code, text = await self._transaction_pipelined(
                    session.wire, item, needs_reset, progress, carry, envelope_sent
                )
            else:
                code, text = await self._transaction_classic(
                    session.smtp, item, needs_reset, progress
                )
        except SMTPResponseException as exc:
            # A malformed or over-long reply: the session's state is unknown, drop it.
            session.close()
            outcome = Outcome.UNKNOWN if progress[0] is Stage.DOT else Outcome.DEFERRED
            return self._result(item, outcome, progress[0], None, exc.message, tls), False
        except (SMTPTimeoutError, SMTPException, OSError, UnicodeEncodeError) as exc:
            session.close()
            if isinstance(exc, UnicodeEncodeError):
                text = "address needs SMTPUTF8, which kootui does not send"
                return self._result(item, Outcome.REJECTED, progress[0], None, text, tls), False
            outcome = Outcome.UNKNOWN if progress[0] is Stage.DOT else Outcome.DEFERRED
            kind = "timed out" if isinstance(exc, SMTPTimeoutError | TimeoutError) else "dropped"
            return self._result(item, outcome, progress[0], None, f"{kind}: {exc}", tls), False
        stage = progress[0]
        verdict = classify_reply(code, text)
        outcome = verdict.outcome
        if stage is not Stage.DOT and outcome is Outcome.DELIVERED:
            outcome = Outcome.DEFERRED  # a 2xx where 354 was due: nothing was sent
        if code == 421:
            session.close()  # the server is closing the session (RFC 5321 §3.8)
        return self._result(item, outcome, stage, code, text, tls), session.is_open

    async def _transaction_classic(
        self,
        smtp: aiosmtplib.SMTP,
        item: OutgoingMessage,
        needs_reset: bool,
        progress: list[Stage],
    ) -> tuple[int, str]:
        """One command at a time (the server did not offer PIPELINING)."""
        timeout = self.config.command_timeout
        if needs_reset:
            # RFC 5321 §4.1.1.5: clear a half-done transaction before the next one.
            await smtp.rset(timeout=timeout)
        reply = await smtp.execute_command(
            b"MAIL", b"FROM:<" + item.sender.encode("ascii") + b">", timeout=timeout
        )
        if reply.code != 250:
            return reply.code, reply.message
        progress[0] = Stage.RCPT
        reply = await smtp.execute_command(
            b"RCPT", b"TO:<" + item.recipient.encode("ascii") + b">", timeout=timeout
        )
        if reply.code not in (250, 251):
            return reply.code, reply.message
        progress[0] = Stage.DATA
        reply = await smtp.execute_command(b"DATA", timeout=timeout)
        if reply.code != 354:
            return reply.code, reply.message
        protocol = smtp.protocol
        if protocol is None:
            raise aiosmtplib.SMTPServerDisconnected("connection lost before the message")
        protocol.write(_stuffed(item.data))
        progress[0] = Stage.DOT
        reply = await protocol.read_response(timeout=self.config.dot_timeout)
        return reply.code, reply.message

    async def _transaction_pipelined(
        self,
        wire: PipelinedWire,
        item: OutgoingMessage,
        needs_reset: bool,
        progress: list[Stage],
        carry: list[tuple[OutgoingMessage, bool, Gate]] | None = None,
        envelope_sent: bool = False,
    ) -> tuple[int, str]:
        """RSET (when needed), MAIL, RCPT and DATA in one write (RFC 2920); the body and
        the final "." in a second, followed by the next waiting message's MAIL, RCPT and
        DATA when there is one (RFC 2920 §3.1: the end of data may be followed by more
        commands in the same group). That next message is put in ``carry``; it is sent
        next on this session with ``envelope_sent``, only its replies left to read."""
        timeout = self.config.command_timeout
        needs_reset = needs_reset and not envelope_sent  # a "." ends any transaction
        if not envelope_sent:
            wire.write((b"RSET\r\n" if needs_reset else b"") + _envelope(item))
        if needs_reset:
            code, text = await wire.reply(timeout)
            if code != 250:
                raise SMTPResponseException(code, text)
        mail = await wire.reply(timeout)
        progress[0] = Stage.RCPT
        rcpt = await wire.reply(timeout)
        progress[0] = Stage.DATA
        data = await wire.reply(timeout)
        failure: tuple[Stage, tuple[int, str]] | None = None
        if mail[0] != 250:
            failure = (Stage.MAIL, mail)
        elif rcpt[0] not in (250, 251):
            failure = (Stage.RCPT, rcpt)
        if failure is not None:
            if data[0] == 354:
                # The server wants a message although the transaction failed: end it empty.
                wire.write(b".\r\n")
                await wire.reply(self.config.dot_timeout)
            progress[0] = failure[0]
            return failure[1]
        if data[0] != 354:
            return data
        follow = self._take_waiting() if carry is not None else None
        envelope = b""
        if carry is not None and follow is not None:
            try:
                envelope = _envelope(follow[0])
            except UnicodeEncodeError:
                envelope = b""  # its own transaction reports the address, not this one
            carry.append((follow[0], bool(envelope), follow[1]))
        wire.write(_stuffed(item.data) + envelope)
        progress[0] = Stage.DOT
        return await wire.reply(self.config.dot_timeout)

    def _take_waiting(self) -> tuple[OutgoingMessage, Gate] | None:
        """A queued message its destination lets go at once, when no workspace rate
        applies; else None."""
        if self._bucket.rate > 0:
            return None
        return self._shaper.take_now()

    async def _connection_loop(self) -> None:
        assert self._report is not None
        session: _Session | None = None
        needs_reset = False
        carry: list[tuple[OutgoingMessage, bool, Gate]] = []
        while True:
            envelope_sent = False
            if carry:
                # Its MAIL, RCPT and DATA went out behind the last body: on the same open
                # session only their replies remain; on a new one it starts afresh.
                item, sent, gate = carry.pop()
                envelope_sent = sent and session is not None and session.is_open
            else:
                handed = await self._shaper.next()
                if handed is None:
                    break
                item, gate = handed
                await self._bucket.take()
            if session is not None and not session.is_open:
                session = None
            if session is None:
                needs_reset = False
                try:
                    if self._down is not None and time.monotonic() < self._down_until:
                        raise self._down
                    session = await self._open()
                    self._down = None
                except _SessionError as exc:
                    if exc is not self._down:
                        log.warning("relay %s: %s", self.config.host, bounded_text(exc.text, 200))
                        self._down, self._down_until = exc, time.monotonic() + DOWN_SECONDS
                    # Even a 5xx here (bad AUTH, a refusing greeting) is about the session,
                    # not this recipient: defer and retry rather than reject the address.
                    failed = self._result(
                        item, Outcome.DEFERRED, exc.stage, exc.code, exc.text, False
                    )
                    self._shaper.done(gate, failed)
                    self._report(failed)
                    continue
            result, reusable = await self._send_one(
                session, item, needs_reset, carry, envelope_sent
            )
            self._shaper.done(gate, result)
            self._report(result)
            needs_reset = result.outcome is not Outcome.DELIVERED
            if not reusable:
                session.close()
                session = None
        if session is not None:
            await session.quit()


class _Session:
    """An open connection: aiosmtplib's client, plus the pipelined wire when offered."""

    def __init__(self, smtp: aiosmtplib.SMTP, tls: bool) -> None:
        self.smtp = smtp
        self.tls = tls
        self.wire: PipelinedWire | None = None
        transport = smtp.transport
        if smtp.supports_extension("pipelining") and transport is not None:
            self.wire = PipelinedWire(transport)

    @property
    def is_open(self) -> bool:
        if self.wire is not None:
            return self.wire.is_open
        return self.smtp.is_connected

    def close(self) -> None:
        if self.wire is not None:
            self.wire.close()
        else:
            self.smtp.close()

    async def quit(self) -> None:
        if self.wire is not None:
            await self.wire.quit()
            return
        try:
            await self.smtp.quit(timeout=10)
        except (SMTPException, OSError):
            self.smtp.close()
