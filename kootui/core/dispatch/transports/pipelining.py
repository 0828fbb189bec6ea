"""RFC 2920 pipelining on a session that aiosmtplib has opened.

aiosmtplib does the greeting, EHLO, STARTTLS (with certificate checks) and AUTH.
When the server then advertises PIPELINING, this protocol takes over the same
transport (``transport.set_protocol``) and sends MAIL, RCPT and DATA as one write,
reading the three replies together: two round trips a message instead of four (one
when the relay sends the next envelope behind a body, see ``relay``), and less CPU
per message (bench/RESULTS.md; aiosmtplib's protocol keeps one reply pending at a
time, so it cannot pipeline). Errors are aiosmtplib's exception types, so callers
handle both paths alike. The aiosmtplib internals used (``SMTP.transport``, and the
relay's ``SMTPProtocol.read_response``) are pinned in pyproject.toml and checked by
tests/unit/contracts.
"""

from __future__ import annotations

import asyncio
from collections import deque

from aiosmtplib.errors import (
    SMTPReadTimeoutError,
    SMTPResponseException,
    SMTPServerDisconnected,
)

MAX_LINE = 8192  # RFC 5321 allows 512; be generous, but a 1 MB line is an attack
MAX_BUFFER = 64 * 1024


class PipelinedWire(asyncio.Protocol):
    def __init__(self, transport: asyncio.BaseTransport) -> None:
        self._transport: asyncio.WriteTransport = transport  # type: ignore[assignment]
        self._buffer = bytearray()
        self._lines: list[bytes] = []
        self._replies: deque[tuple[int, str]] = deque()
        self._waiter: asyncio.Future[None] | None = None
        self._error: Exception | None = None
        transport.set_protocol(self)

    @property
    def is_open(self) -> bool:
        return self._error is None and not self._transport.is_closing()

    # -- protocol callbacks ---------------------------------------------------------

    def data_received(self, data: bytes) -> None:
        if self._error is not None:
            return
        self._buffer.extend(data)
        try:
            self._parse()
        except SMTPResponseException as exc:
            self._fail(exc)
            self._transport.abort()
            return
        self._wake()

    def eof_received(self) -> bool:
        self._fail(SMTPServerDisconnected("Unexpected EOF received"))
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self._fail(SMTPServerDisconnected(f"Connection lost{f': {exc}' if exc else ''}"))

    # -- parsing --------------------------------------------------------------------

    def _parse(self) -> None:
        while True:
            end = self._buffer.find(b"\n")
            if end < 0:
                if len(self._buffer) > MAX_LINE:
                    raise SMTPResponseException(-1, "Response too long")
                return
            line = bytes(self._buffer[: end + 1])
            del self._buffer[: end + 1]
            if len(line) > MAX_LINE:
                raise SMTPResponseException(-1, "Response too long")
            code_text = line[:3]
            if not code_text.isdigit() or line[3:4] not in (b" ", b"-", b"\r", b"\n"):
                shown = line.decode("utf-8", "replace").strip()
                raise SMTPResponseException(-1, f"Malformed SMTP response line: {shown}")
            self._lines.append(line[4:].strip(b" \t\r\n"))
            if sum(len(part) for part in self._lines) > MAX_BUFFER:
                raise SMTPResponseException(-1, "Response too long")
            if line[3:4] != b"-":
                text = b"\n".join(self._lines).decode("utf-8", "surrogateescape")
                self._replies.append((int(code_text), text))
                self._lines = []

    def _fail(self, error: Exception) -> None:
        if self._error is None:
            self._error = error
        self._wake()

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    # -- use ------------------------------------------------------------------------

    def write(self, data: bytes) -> None:
        if not self.is_open:
            raise self._error or SMTPServerDisconnected("Connection lost")
        self._transport.write(data)

    async def reply(self, timeout: float) -> tuple[int, str]:
        """The next reply (code, text) in order; raises if the session broke first."""
        while not self._replies:
            if self._error is not None:
                raise self._error
            loop = asyncio.get_running_loop()
            waiter = self._waiter = loop.create_future()
            # A timer on the future itself: asyncio.wait_for wraps it in more futures and
            # callbacks, which at three replies a message was a measurable share of the CPU.
            timer = loop.call_later(timeout, _expire, waiter)
            try:
                await waiter
            except TimeoutError:
                raise SMTPReadTimeoutError("Timed out waiting for server response") from None
            finally:
                timer.cancel()
                self._waiter = None
        return self._replies.popleft()

    async def quit(self) -> None:
        try:
            if self.is_open:
                self.write(b"QUIT\r\n")
                await self.reply(5)
        except (SMTPResponseException, SMTPServerDisconnected, SMTPReadTimeoutError):
            pass
        finally:
            self.close()

    def close(self) -> None:
        if not self._transport.is_closing():
            self._transport.close()
        self._fail(SMTPServerDisconnected("Connection closed"))


def _expire(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_exception(TimeoutError())
