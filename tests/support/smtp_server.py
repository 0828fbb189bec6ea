"""Real SMTP servers on loopback for the engine tests.

``RecordingServer``: aiosmtpd in its own thread; its handler records every message
it accepts and answers RCPT or DATA from a per-recipient script ("451 4.3.0 busy",
then "250 OK", ...), or drops the connection after the final "." when told. It can also
hold its replies once it has a given number of messages (``hold_replies_from``), which
stops a client at a known point, however fast or slow it runs.

``ScriptedServer``: a raw asyncio server for misbehaviour aiosmtpd will not do: no
greeting, a dropped connection in the middle of DATA, garbage or a 1 MB reply line.
Each new connection takes the next mode from its plan; once the plan is used up it
behaves like a plain, recording server.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import re
import socket
import ssl
import threading
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, Session

_MESSAGE_ID = re.compile(rb"^Message-ID:\s*(\S+)", re.IGNORECASE | re.MULTILINE)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def message_id_of(data: bytes) -> str:
    match = _MESSAGE_ID.search(data)
    return match.group(1).decode() if match else ""


@dataclass
class Received:
    sender: str
    recipients: list[str]
    data: bytes

    @property
    def message_id(self) -> str:
        return message_id_of(self.data)

    def parsed(self) -> EmailMessage:
        return email.message_from_bytes(self.data, policy=email.policy.default)  # type: ignore[return-value]


@dataclass
class RecordingHandler:
    rcpt_script: dict[str, list[str]] = field(default_factory=dict)
    data_script: dict[str, list[str]] = field(default_factory=dict)
    drop_after_dot: dict[str, int] = field(default_factory=dict)  # recipient -> times
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    pipelining: bool = False  # advertise RFC 2920 (aiosmtpd reads commands in order anyway)
    # Once ``received`` holds this many messages, every DATA is recorded and its reply held
    # until ``released`` is set; ``holding`` says that point was reached.
    hold_from: int | None = None
    # Once ``received`` holds this many messages, every RCPT gets ``throttle_reply`` (a
    # receiver's "slow down"), until ``throttle_from`` is set back to None.
    throttle_from: int | None = None
    throttle_reply: str = "421 4.7.0 Too many messages, slow down"
    holding: threading.Event = field(default_factory=threading.Event)
    released: asyncio.Event = field(default_factory=asyncio.Event)

    async def handle_EHLO(
        self, server: SMTP, session: Session, envelope: Envelope, hostname: str, responses: list
    ) -> list:
        session.host_name = hostname
        if self.pipelining:
            responses.insert(-1, "250-PIPELINING")
        return responses

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list
    ) -> str:
        if self.throttle_from is not None and len(self.received) >= self.throttle_from:
            return self.throttle_reply
        script = self.rcpt_script.get(address)
        if script:
            reply = script.pop(0)
            if not reply.startswith("2"):
                return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        recipient = envelope.rcpt_tos[0]
        script = self.data_script.get(recipient)
        if script:
            reply = script.pop(0)
            if not reply.startswith("2"):
                return reply
        data = envelope.original_content or b""
        with self.lock:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), data))
            held = self.hold_from is not None and len(self.received) >= self.hold_from
        if held:
            self.holding.set()
            await self.released.wait()
        if self.drop_after_dot.get(recipient, 0) > 0:
            self.drop_after_dot[recipient] -= 1
            assert server.transport is not None
            server.transport.abort()
        return "250 2.0.0 queued"


class RecordingServer:
    """``starttls``: offer STARTTLS with this context (and require it); ``implicit``:
    TLS from the first byte. ``logins``: user -> password for AUTH (over TLS only)."""

    def __init__(
        self,
        handler: RecordingHandler | None = None,
        *,
        starttls: ssl.SSLContext | None = None,
        implicit: ssl.SSLContext | None = None,
        logins: dict[str, str] | None = None,
    ) -> None:
        self.handler = handler or RecordingHandler()
        self.logins = logins or {}
        options: dict[str, object] = {}
        if starttls is not None:
            options.update(tls_context=starttls, require_starttls=True)
        if implicit is not None:
            options.update(ssl_context=implicit)
        if logins is not None:
            options.update(authenticator=self._authenticate, auth_required=True)
        # aiosmtpd's start() connects to its own port to check it is up, so it needs a
        # real port number rather than 0.
        self._controller = Controller(
            self.handler, hostname="127.0.0.1", port=free_port(), decode_data=False, **options
        )

    def _authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth: object
    ) -> AuthResult:
        login = getattr(auth, "login", b"").decode()
        password = getattr(auth, "password", b"").decode()
        return AuthResult(success=self.logins.get(login) == password, handled=False)

    def __enter__(self) -> RecordingServer:
        self._controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release_replies()
        self._controller.stop()

    @property
    def port(self) -> int:
        return int(self._controller.port)

    def hold_replies_from(self, count: int) -> None:
        """Hold every DATA reply once ``count`` messages are in (``wait_holding`` returns
        then), until ``release_replies``."""
        handler = self.handler
        handler.holding.clear()
        handler.released = asyncio.Event()
        handler.hold_from = count

    def wait_holding(self, timeout: float) -> bool:
        return self.handler.holding.wait(timeout)

    def release_replies(self) -> None:
        handler = self.handler
        handler.hold_from = None
        self._controller.loop.call_soon_threadsafe(handler.released.set)

    @property
    def received(self) -> list[Received]:
        with self.handler.lock:
            return list(self.handler.received)

    def counts_by_message_id(self) -> Counter[str]:
        return Counter(item.message_id for item in self.received)


class ScriptedServer:
    """Modes: hang_greeting, drop_mid_data, garbage, huge_line, ok."""

    def __init__(self, plan: list[str]) -> None:
        self.plan = list(plan)
        self.received: list[Received] = []
        self.connections: Counter[str] = Counter()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.AbstractServer | None = None
        self._lock = threading.Lock()
        self.by_mode: dict[str, int] = defaultdict(int)

    def __enter__(self) -> ScriptedServer:
        self._thread.start()
        future = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._serve, "127.0.0.1", 0), self._loop
        )
        self._server = future.result(5)
        return self

    def __exit__(self, *exc: object) -> None:
        async def close() -> None:
            assert self._server is not None
            self._server.close()
            current = asyncio.current_task()
            sessions = [task for task in asyncio.all_tasks() if task is not current]
            for task in sessions:
                task.cancel()
            await asyncio.gather(*sessions, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(close(), self._loop).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.sockets[0].getsockname()[1])

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with self._lock:
            mode = self.plan.pop(0) if self.plan else "ok"
            self.by_mode[mode] += 1
        try:
            await self._session(mode, reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    async def _session(
        self, mode: str, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        if mode == "hang_greeting":
            await asyncio.sleep(30)
            return
        writer.write(b"220 scripted ESMTP\r\n")
        sender, recipients = "", []
        while True:
            line = await reader.readline()
            if not line:
                return
            verb = line[:4].upper()
            if verb in (b"EHLO", b"HELO"):
                writer.write(b"250-scripted\r\n250 PIPELINING\r\n")
            elif verb == b"MAIL":
                sender, recipients = line[10:].strip().strip(b"<>").decode(), []
                writer.write(b"250 OK\r\n")
            elif verb == b"RCPT":
                recipients.append(line[8:].strip().strip(b"<>").decode())
                if mode == "garbage":
                    writer.write(b"\x00\xffthis is not smtp at all\r\n")
                    await writer.drain()
                    continue
                if mode == "huge_line":
                    writer.write(b"250 " + b"x" * (1024 * 1024) + b"\r\n")
                    await writer.drain()
                    continue
                writer.write(b"250 OK\r\n")
            elif verb == b"DATA":
                writer.write(b"354 go ahead\r\n")
                await writer.drain()
                if mode == "drop_mid_data":
                    await reader.read(100)  # a little of the message, then hang up
                    return
                data = bytearray()
                while True:
                    chunk = await reader.readline()
                    if not chunk:
                        return  # the client hung up mid-message: nothing was delivered
                    if chunk == b".\r\n":
                        break
                    data.extend(chunk[1:] if chunk.startswith(b"..") else chunk)
                with self._lock:
                    self.received.append(Received(sender, recipients, bytes(data)))
                writer.write(b"250 2.0.0 accepted\r\n")
            elif verb == b"RSET":
                writer.write(b"250 OK\r\n")
            elif verb == b"QUIT":
                writer.write(b"221 bye\r\n")
                await writer.drain()
                return
            else:
                writer.write(b"502 5.5.1 unknown command\r\n")
            await writer.drain()
