"""SMTP submission against the real listeners (aiosmtpd on loopback), with smtplib,
aiosmtplib and a bare socket: logins and TLS, the core's refusals, the envelope's bounds,
pipelining, a client gone mid-DATA, and the message then sent by the engine, signed."""

from __future__ import annotations

import asyncio
import base64
import os
import signal
import smtplib
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import aiosmtplib
import dkim
import pytest
from sqlalchemy import func, select

from kootui.core.apikeys import create_smtp_credential
from kootui.core.bootstrap import open_context
from kootui.core.clock import SystemClock
from kootui.core.config import Settings, SmtpSection
from kootui.core.context import Context
from kootui.core.dispatch import run_until_idle
from kootui.core.errors import SettingsError
from kootui.core.store import Message, SubmittedMime, Suppression
from kootui.core.submissions import Intake, SubmissionChecker
from kootui.serve.smtp import SmtpListeners, bind_smtp_sockets
from tests.support.dispatch_seed import dns_for, relay_settings, seed_sender
from tests.support.smtp_server import RecordingHandler, RecordingServer, free_port
from tests.support.task_seed import seed_sources
from tests.support.tls_certs import make_tls_contexts

MESSAGE = (
    b"From: App <news@example.com>\r\nTo: ann@example.org\r\nSubject: Hi\r\n"
    b"Bcc: secret@example.org\r\n\r\nHello from an application.\r\n"
)


@dataclass
class Served:
    listeners: SmtpListeners
    intake: Intake
    client_tls: ssl.SSLContext
    username: str
    password: str

    def port(self, name: str) -> int:
        return self.listeners.ports[name]


@asynccontextmanager
async def serving(context: Context, folder: Path, **smtp: object) -> AsyncIterator[Served]:
    _, client_tls = make_tls_contexts(folder)
    values: dict[str, object] = {
        "smtp__listen": f"127.0.0.1:{free_port()}",
        "smtp__submission_listen": f"127.0.0.1:{free_port()}",
        "smtp__tls_listen": f"127.0.0.1:{free_port()}",
        "smtp__tls_cert": str(folder / "server.pem"),
        "smtp__tls_key": str(folder / "server.key"),
        "smtp__hostname": "mx.test",
        # The envelope tests talk to loopback without a login (the opt-out); the login
        # tests ask for the default, "required".
        "smtp__loopback_auth": "optional",
    }
    values.update({f"smtp__{name}": value for name, value in smtp.items()})
    settings = context.settings.with_values(**values)
    created = create_smtp_credential(context, "app")
    intake = Intake(context)
    listeners = SmtpListeners(context, settings, SubmissionChecker(context), intake)
    await listeners.start()
    try:
        yield Served(listeners, intake, client_tls, created.credential.username, created.password)
    finally:
        await listeners.close(wait=5)
        await intake.close()


def _count(context: Context, model: type[Message] | type[SubmittedMime]) -> int:
    with context.store.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(model)).scalar_one())


async def _talk(port: int, *lines: bytes) -> list[bytes]:
    """Send ``lines`` in one write (pipelined) and read a reply per line plus the greeting."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"".join(lines))
    await writer.drain()
    replies = []
    for _ in range(len(lines) + 1):
        reply = await _reply(reader)
        replies.append(reply)
    writer.close()
    return replies


async def _reply(reader: asyncio.StreamReader) -> bytes:
    reply = b""
    while True:
        line = await asyncio.wait_for(reader.readline(), 10)
        reply += line
        if len(line) < 4 or line[3:4] != b"-":
            return reply


@pytest.fixture
def sender(context: Context) -> int:
    return seed_sender(context)


async def test_a_message_over_loopback_is_committed_then_sent_by_the_engine_signed(
    context: Context, sender: int, tmp_path: Path
) -> None:
    async with serving(context, tmp_path) as served:
        client = aiosmtplib.SMTP(
            hostname="127.0.0.1", port=served.port("loopback"), start_tls=False
        )
        async with client:
            errors, reply = await client.sendmail(
                "app@example.com", ["ann@example.org", "secret@example.org"], MESSAGE
            )
            assert errors == {} and reply.startswith("2.0.0 queued as")
            assert "pipelining" in client.esmtp_extensions
            assert "8bitmime" not in client.esmtp_extensions
            assert client.esmtp_extensions["size"] == str(10 * 1024 * 1024)
        assert _count(context, SubmittedMime) == 2  # committed before the 250
    with RecordingServer(RecordingHandler()) as relay:
        await asyncio.to_thread(run_until_idle, relay_settings(context, relay.port))
        received = sorted(relay.received, key=lambda item: item.recipients[0])
    assert [item.recipients for item in received] == [["ann@example.org"], ["secret@example.org"]]
    for item in received:
        assert dkim.verify(item.data, dnsfunc=dns_for(context))
        assert b"Bcc" not in item.data and item.data.endswith(b"Hello from an application.\r\n")
        assert item.parsed()["Message-ID"] and item.parsed()["Date"]


async def test_auth_needs_starttls_on_submission_and_works_after_it(
    context: Context, sender: int, tmp_path: Path
) -> None:
    async with serving(context, tmp_path) as served:

        def submit() -> dict[str, tuple[int, bytes]]:
            with smtplib.SMTP("127.0.0.1", served.port("submission"), timeout=10) as client:
                client.ehlo("app.test")
                assert not client.has_extn("auth")
                code, _ = client.docmd("AUTH", "PLAIN AGFiYwBkZWY=")
                assert code == 530  # STARTTLS first
                client.starttls(context=served.client_tls)
                client.ehlo("app.test")
                client.login(served.username, served.password)
                refused = client.sendmail("app@example.com", ["ann@example.org"], MESSAGE)
                return refused

        assert await asyncio.to_thread(submit) == {}
    assert _count(context, Message) == 1


async def test_implicit_tls_logs_in_with_login_and_mail_before_login_is_refused(
    context: Context, sender: int, tmp_path: Path
) -> None:
    async with serving(context, tmp_path) as served:
        client = aiosmtplib.SMTP(
            hostname="127.0.0.1",
            port=served.port("tls"),
            use_tls=True,
            tls_context=served.client_tls,
        )
        async with client:
            await client.ehlo()
            with pytest.raises(aiosmtplib.SMTPSenderRefused) as before:
                await client.mail("app@example.com")
            assert before.value.code == 530
            await client.auth_login(served.username, served.password)
            await client.sendmail("app@example.com", ["ann@example.org"], MESSAGE)
    assert _count(context, Message) == 1


async def test_loopback_requires_a_login_by_default(
    context: Context, sender: int, tmp_path: Path
) -> None:
    assert SmtpSection().loopback_auth == "required"
    async with serving(context, tmp_path, loopback_auth="required") as served:
        client = aiosmtplib.SMTP(
            hostname="127.0.0.1", port=served.port("loopback"), start_tls=False
        )
        async with client:
            await client.ehlo()
            assert "auth" in client.esmtp_extensions  # offered in clear on loopback only
            with pytest.raises(aiosmtplib.SMTPSenderRefused) as anonymous:
                await client.mail("app@example.com")
            assert anonymous.value.code == 530
            await client.auth_plain(served.username, served.password)
            errors, _reply = await client.sendmail("app@example.com", ["ann@example.org"], MESSAGE)
            assert errors == {}
    assert _count(context, Message) == 1


async def test_wrong_credentials_are_refused_and_slow_the_client_down(
    context: Context, sender: int, tmp_path: Path
) -> None:
    async with serving(context, tmp_path, loopback_auth="required") as served:
        client = aiosmtplib.SMTP(
            hostname="127.0.0.1", port=served.port("loopback"), start_tls=False
        )
        async with client:
            await client.ehlo()
            with pytest.raises(aiosmtplib.SMTPAuthenticationError) as caught:
                await client.auth_plain(served.username, served.password[:-1] + "x")
            assert caught.value.code == 535
            assert served.listeners.throttle.delay("127.0.0.1", time.monotonic()) > 0
            with pytest.raises(aiosmtplib.SMTPSenderRefused) as unauthenticated:
                await client.mail("app@example.com")
            assert unauthenticated.value.code == 530
    assert _count(context, Message) == 0


async def test_an_unverified_from_is_refused_naming_why(context: Context, tmp_path: Path) -> None:
    seed_sources(context)
    message = MESSAGE.replace(b"news@example.com", b"hello@new.example.net")
    async with serving(context, tmp_path) as served:
        replies = await _talk(
            served.port("loopback"),
            b"EHLO app.test\r\n",
            b"MAIL FROM:<app@example.com>\r\n",
            b"RCPT TO:<ann@example.org>\r\n",
            b"DATA\r\n",
            message + b".\r\n",
        )
    assert replies[-1].startswith(b"550 5.7.1 From: hello@new.example.net cannot send")
    assert b"not verified" in replies[-1]
    assert _count(context, Message) == 0


async def test_pipelined_commands_are_answered_in_order_and_bare_lf_is_refused(
    context: Context, sender: int, tmp_path: Path
) -> None:
    envelope = [b"MAIL FROM:<app@example.com>\r\n", b"RCPT TO:<ann@example.org>\r\n", b"DATA\r\n"]
    async with serving(context, tmp_path) as served:
        replies = await _talk(
            served.port("loopback"),
            b"EHLO app.test\r\n",
            *envelope,
            MESSAGE + b".\r\n",
            *envelope,
            MESSAGE.replace(b"Subject: Hi\r\n", b"Subject: Hi\n") + b".\r\n",
        )
    codes = [reply[:3] for reply in replies]
    assert codes == [b"220", b"250", b"250", b"250", b"354", b"250", b"250", b"250", b"354", b"554"]
    assert b"bare CR or LF" in replies[-1]
    assert _count(context, Message) == 1


def _encoded(text: str) -> bytes:
    return f"=?utf-8?b?{base64.b64encode(text.encode()).decode()}?=".encode()


async def test_hidden_characters_in_shown_headers_are_refused_naming_the_header(
    context: Context, sender: int, tmp_path: Path
) -> None:
    envelope = [b"MAIL FROM:<app@example.com>\r\n", b"RCPT TO:<ann@example.org>\r\n", b"DATA\r\n"]
    hidden = [
        # A bidi override in an encoded word: "Invoice gpj.exe" shown reversed.
        MESSAGE.replace(b"Subject: Hi", b"Subject: " + _encoded("Invoice \u202egpj.exe")),
        # An invisible character in the From display name, folded onto a second line.
        MESSAGE.replace(b"From: App", b"From:\r\n " + _encoded("Bank\u200b Support")),
        # A terminal escape as written.
        MESSAGE.replace(b"Subject: Hi", b"Subject: Hi\x1b[2J"),
    ]
    fine = MESSAGE.replace(b"Subject: Hi", b"Subject: " + _encoded("Gr\u00fc\u00dfe \U0001f44b"))
    async with serving(context, tmp_path) as served:
        replies = await _talk(
            served.port("loopback"),
            b"EHLO app.test\r\n",
            *(line for message in hidden for line in (*envelope, message + b".\r\n")),
            *envelope,
            fine + b".\r\n",
        )
    answers = [replies[i + 1] for i, reply in enumerate(replies) if reply.startswith(b"354")]
    assert len(answers) == 4
    assert answers[0].startswith(b"554 5.6.0 Subject: the Subject header must not contain")
    assert b"U+202E" in answers[0]
    assert answers[1].startswith(b"554 5.6.0 From: the From header") and b"U+200B" in answers[1]
    assert answers[2].startswith(b"554 5.6.0 Subject:") and b"U+001B" in answers[2]
    assert answers[3].startswith(b"250")
    assert _count(context, Message) == 1


@pytest.mark.parametrize("mode", ["skip", "refuse"])
async def test_suppressed_recipients_are_skipped_or_refused_per_the_setting(
    context: Context, sender: int, tmp_path: Path, mode: str
) -> None:
    with context.store.session() as session:
        now = context.clock.now()
        session.add(Suppression(address="bob@example.org", reason="hard_bounce", created_at=now))
    async with serving(context, tmp_path, suppressed=mode) as served:
        replies = await _talk(
            served.port("loopback"),
            b"EHLO app.test\r\n",
            b"MAIL FROM:<app@example.com>\r\n",
            b"RCPT TO:<ann@example.org>\r\n",
            b"RCPT TO:<bob@example.org>\r\n",
            b"DATA\r\n",
            MESSAGE + b".\r\n",
        )
    if mode == "refuse":
        assert replies[4].startswith(b"550 5.7.1 bob@example.org is on the suppression list")
        assert replies[-1].startswith(b"250 ") and b"suppressed" not in replies[-1]
    else:
        assert replies[4].startswith(b"250")
        assert b"1 suppressed recipient(s) skipped" in replies[-1]
    assert _count(context, Message) == 1


async def test_the_envelope_is_bounded_size_recipients_sessions_and_8bit(
    context: Context, sender: int, tmp_path: Path
) -> None:
    async with serving(
        context, tmp_path, max_message_bytes=2048, max_recipients=2, max_sessions_per_client=2
    ) as served:
        port = served.port("loopback")
        replies = await _talk(
            port,
            b"EHLO app.test\r\n",
            b"MAIL FROM:<app@example.com> SIZE=5000\r\n",
            b"MAIL FROM:<app@example.com> BODY=8BITMIME\r\n",
            b"MAIL FROM:<app@example.com>\r\n",
            b"RCPT TO:<a@example.org>\r\n",
            b"RCPT TO:<b@example.org>\r\n",
            b"RCPT TO:<c@example.org>\r\n",
            b"DATA\r\n",
            MESSAGE.replace(b"Hello", b"x" * 70 + b"\r\n") * 20 + b".\r\n",
            b"MAIL FROM:<app@example.com>\r\n",
            b"RCPT TO:<a@example.org>\r\n",
            b"DATA\r\n",
            MESSAGE.replace(b"Hello", "Grüß".encode()) + b".\r\n",
        )
        codes = [reply[:3] for reply in replies]
        assert codes == [
            *(b"220", b"250", b"552", b"555", b"250", b"250", b"250", b"452", b"354", b"552"),
            *(b"250", b"250", b"354", b"554"),
        ]
        assert b"8-bit" in replies[-1]
        first = await asyncio.open_connection("127.0.0.1", port)
        second = await asyncio.open_connection("127.0.0.1", port)
        third = await asyncio.open_connection("127.0.0.1", port)
        assert (await _reply(first[0]))[:3] == (await _reply(second[0]))[:3] == b"220"
        assert (await _reply(third[0])).startswith(b"421 4.7.0 too many sessions")
        for _, writer in (first, second, third):
            writer.close()
    assert _count(context, Message) == 0


async def test_a_client_gone_mid_data_leaves_nothing_stored(
    context: Context, sender: int, tmp_path: Path
) -> None:
    async with serving(context, tmp_path) as served:
        reader, writer = await asyncio.open_connection("127.0.0.1", served.port("loopback"))
        writer.write(
            b"EHLO app.test\r\nMAIL FROM:<app@example.com>\r\nRCPT TO:<ann@example.org>\r\n"
            b"DATA\r\n" + MESSAGE[:40]
        )
        for _ in range(5):
            await _reply(reader)  # greeting, EHLO, MAIL, RCPT, 354
        writer.transport.abort()
        # The session is gone once the listener has forgotten it; nothing reached the intake.
        for _ in range(200):
            if not served.listeners._sessions.live:
                break
            await asyncio.sleep(0.01)
        assert not served.listeners._sessions.live
    assert served.intake.batches == 0
    assert _count(context, Message) == _count(context, SubmittedMime) == 0


async def _pour(port: int, worker: int, accepted: list[int], stop: asyncio.Event) -> None:
    """One session sending pipelined transactions until ``stop`` or the server goes away;
    the ids of every ``250`` after DATA are noted."""
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        await _reply(reader)
        writer.write(b"EHLO load.test\r\n")
        await _reply(reader)
        n = 0
        while not stop.is_set():
            n += 1
            to = f"w{worker}-{n}@example.org".encode()
            writer.write(
                b"MAIL FROM:<app@example.com>\r\nRCPT TO:<"
                + to
                + b">\r\nDATA\r\n"
                + MESSAGE
                + b".\r\n"
            )
            replies = [await _reply(reader) for _ in range(4)]
            final = replies[-1]
            if final.startswith(b"250 "):
                accepted.append(int(final.split(b"queued as ")[1].split()[0].split(b",")[0]))
    except (OSError, asyncio.IncompleteReadError, TimeoutError, ValueError):
        return  # the server went away: what it answered is what counts


@pytest.mark.slow
@pytest.mark.parametrize("stop_signal", [signal.SIGKILL, signal.SIGTERM], ids=["kill", "term"])
async def test_every_250_is_a_stored_message_when_kootui_serve_is_killed_or_stopped(
    settings: Settings, home: Path, stop_signal: signal.Signals
) -> None:
    context = open_context(settings, clock=SystemClock())
    seed_sender(context)
    context.close()
    port = free_port()
    env = dict(
        os.environ,
        KOOTUI_HOME=str(home),
        KOOTUI_HTTP_LISTEN=f"127.0.0.1:{free_port()}",
        KOOTUI_SMTP_LISTEN=f"127.0.0.1:{port}",
        # The pouring sessions do not log in: as a local application may when allowed.
        KOOTUI_SMTP_LOOPBACK_AUTH="optional",
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "kootui", "serve", "--no-engine"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None and time.monotonic() < deadline
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                await asyncio.sleep(0.05)
        accepted: list[int] = []
        stop = asyncio.Event()
        senders = [asyncio.create_task(_pour(port, worker, accepted, stop)) for worker in range(8)]
        while len(accepted) < 200 and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        server.send_signal(stop_signal)
        await asyncio.wait_for(asyncio.gather(*senders), 60)
        code = await asyncio.to_thread(server.wait, 60)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    assert code == (0 if stop_signal == signal.SIGTERM else -signal.SIGKILL)
    context = open_context(settings)
    try:
        with context.store.engine.connect() as connection:
            stored = {row[0] for row in connection.execute(select(SubmittedMime.message_id))}
    finally:
        context.close()
    assert len(accepted) >= 200
    assert set(accepted) <= stored  # no 250 without its commit


def test_a_port_in_use_or_a_clear_text_listen_elsewhere_is_one_settings_error(
    context: Context,
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        settings = context.settings.with_values(smtp__listen=f"127.0.0.1:{port}")
        with pytest.raises(SettingsError) as in_use:
            bind_smtp_sockets(settings.smtp)
    assert (in_use.value.field, in_use.value.code) == ("smtp.listen", "smtp.bind")
    outside = context.settings.with_values(smtp__listen="0.0.0.0:2525")
    with pytest.raises(SettingsError) as clear:
        bind_smtp_sockets(outside.smtp)
    assert clear.value.code == "smtp.clear_text_listen"
    off = context.settings.with_values(smtp__listen="")
    assert bind_smtp_sockets(off.smtp) == {}  # no certificate: 587 and 465 stay off too
