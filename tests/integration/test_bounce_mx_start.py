"""The bounce MX offers STARTTLS with a certificate (real MTAs then deliver DSNs encrypted),
and checks at start what it needs: the certificate and the deployment's bounce secret."""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from threading import Thread

import aiosmtplib
import pytest
from sqlalchemy import update

from kootui.cli import main
from kootui.core.context import Context
from kootui.core.errors import SettingsError
from kootui.core.mail import verp_address
from kootui.core.store import Message
from kootui.serve.mx import MxListener, check_mx
from tests.support.bounce_samples import gmail_hard_bounce
from tests.support.dispatch_seed import messages, seed_sender, seed_task
from tests.support.tls_certs import make_tls_contexts

RECIPIENTS = ["ann@example.org", "bob@example.org"]


def _mx_context(context: Context, **mx: object) -> Context:
    settings = context.settings.with_values(
        sending__mx_host="mx.sender.example",
        mx__listen="127.0.0.1:0",
        **{f"mx__{key}": value for key, value in mx.items()},
    )
    return Context(store=context.store, settings=settings, clock=context.clock)


def _delivered_return_paths(context: Context) -> dict[str, str]:
    """Two delivered messages and each one's VERP return path (which makes the secret, as
    the first engine to send does)."""
    seed_task(context, seed_sender(context), RECIPIENTS)
    table = Message.__table__
    with context.store.engine.begin() as connection:
        connection.execute(
            update(table).values(
                status="delivered", sent_at=context.clock.now(), message_id_header="<m@x>"
            )
        )
    return {
        row.recipient: verp_address(context.settings, "example.com", row.id or 0)
        for row in messages(context)
    }


@contextmanager
def _listening(context: Context) -> Iterator[int]:
    """The real listener on its own loop in a thread; yields its port."""
    loop = asyncio.new_event_loop()
    listener = MxListener(context, context.settings)
    loop.run_until_complete(listener.start())
    thread = Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        yield listener.port
    finally:
        asyncio.run_coroutine_threadsafe(listener.close(), loop).result(5)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        loop.close()


def test_the_mx_offers_starttls_and_takes_reports_over_it(context: Context, tmp_path: Path) -> None:
    _server, client_tls = make_tls_contexts(tmp_path)
    mx = _mx_context(
        context, tls_cert=str(tmp_path / "server.pem"), tls_key=str(tmp_path / "server.key")
    )
    paths = _delivered_return_paths(mx)
    ann, bob = RECIPIENTS
    with _listening(mx) as port:
        with smtplib.SMTP("127.0.0.1", port, timeout=5) as client:
            client.ehlo()
            assert client.has_extn("starttls")
            client.starttls(context=client_tls)
            client.ehlo()
            assert isinstance(client.sock, ssl.SSLSocket)
            assert client.sock.version() in {"TLSv1.2", "TLSv1.3"}
            refused = client.sendmail("", [paths[ann]], gmail_hard_bounce(paths[ann], ann, "<m@x>"))
            assert refused == {}

        async def through_aiosmtplib() -> tuple[int, str]:
            smtp = aiosmtplib.SMTP(
                hostname="127.0.0.1", port=port, tls_context=client_tls, start_tls=True, timeout=5
            )
            async with smtp:
                assert smtp.is_connected and smtp.get_transport_info("sslcontext") is not None
                response = await smtp.sendmail(
                    "", [paths[bob]], gmail_hard_bounce(paths[bob], bob, "<m@x>")
                )
            return 250, response[1]

        assert asyncio.run(through_aiosmtplib())[0] == 250
    assert {row.recipient: row.status for row in messages(mx)} == {ann: "bounced", bob: "bounced"}


def test_without_a_certificate_the_mx_takes_reports_in_clear(context: Context) -> None:
    mx = _mx_context(context)
    paths = _delivered_return_paths(mx)
    ann = RECIPIENTS[0]
    with _listening(mx) as port, smtplib.SMTP("127.0.0.1", port, timeout=5) as client:
        client.ehlo()
        assert not client.has_extn("starttls")
        client.sendmail("", [paths[ann]], gmail_hard_bounce(paths[ann], ann, "<m@x>"))
    assert messages(mx)[0].status == "bounced"


def test_a_certificate_the_mx_cannot_use_fails_its_start(context: Context, tmp_path: Path) -> None:
    _delivered_return_paths(context)  # the secret exists; only the certificate is wrong
    broken = tmp_path / "broken.pem"
    broken.write_text("not a certificate")
    with pytest.raises(SettingsError) as refused:
        check_mx(
            _mx_context(context, tls_cert=str(broken), tls_key=str(broken)).settings,
            create_secret=False,
        )
    assert (refused.value.code, refused.value.field) == ("mx.tls_files", "mx.tls_cert")
    with pytest.raises(SettingsError) as half:
        check_mx(_mx_context(context, tls_cert=str(broken)).settings, create_secret=False)
    assert half.value.field == "mx.tls_key"


def test_an_mx_without_the_deployments_bounce_secret_fails_at_start(context: Context) -> None:
    settings = _mx_context(context).settings
    secret = settings.paths.keys_dir / "bounce-secret"
    assert not secret.exists()
    with pytest.raises(SettingsError) as missing:
        asyncio.run(MxListener(context, settings).start())
    assert missing.value.code == "mx.bounce_secret_missing"
    assert str(secret) in missing.value.message and "copy it" in missing.value.message
    # Beside engines on the same keys folder, the start makes it.
    assert check_mx(settings, create_secret=True) is None
    assert secret.stat().st_mode & 0o077 == 0 and len(secret.read_bytes()) == 32


@pytest.mark.parametrize("damage", ["folder", "short"])
def test_an_unreadable_bounce_secret_fails_at_start(context: Context, damage: str) -> None:
    settings = _mx_context(context).settings
    secret = settings.paths.keys_dir / "bounce-secret"
    secret.parent.mkdir(parents=True, exist_ok=True)
    if damage == "folder":
        secret.mkdir()
    else:
        secret.write_bytes(b"too short")
    with pytest.raises(SettingsError) as refused:
        check_mx(settings, create_secret=True)
    assert refused.value.code == "mx.bounce_secret_unreadable"
    assert str(secret) in refused.value.message


def test_kootui_serve_without_engines_refuses_to_start_an_mx_with_no_secret(
    home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KOOTUI_MX_LISTEN", "127.0.0.1:0")
    monkeypatch.setenv("KOOTUI_SENDING_MX_HOST", "mx.sender.example")
    assert main(["serve", "--no-engine"]) == 2
    error = capsys.readouterr().err.strip()
    assert "bounce-secret" in error and "mx.listen" in error
    assert len(error.splitlines()) == 1
