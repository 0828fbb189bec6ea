"""`kootui webhook add|list|show|edit|test|log|disable|enable|remove|rotate-secret`
through kootui.cli.main, against a loopback receiver."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator

import pytest
from sqlalchemy import update

from kootui.cli import main
from kootui.cli.webhooks import EVENTS_HELP
from kootui.core.context import Context
from kootui.core.store import WebhookEndpoint
from kootui.core.webhooks import WEBHOOK_EVENTS, forget_subscriptions
from tests.support.webhook_receiver import Reply, WebhookReceiver, webhook_receiver
from tests.support.webhooks import verify


@pytest.fixture
def receiver(monkeypatch: pytest.MonkeyPatch) -> Iterator[WebhookReceiver]:
    monkeypatch.setenv("KOOTUI_WEBHOOKS_ALLOW_PRIVATE", "true")
    with webhook_receiver() as server:
        yield server


def test_the_help_names_every_event() -> None:
    assert all(event in EVENTS_HELP for event in WEBHOOK_EVENTS)


def test_add_prints_the_secret_once_and_test_signs_with_it(
    context: Context, receiver: WebhookReceiver, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["webhook", "add", receiver.url, "--events", "delivered,bounced"]) == 0
    captured = capsys.readouterr()
    secret = captured.out.strip()
    assert secret.startswith("whsec_") and "Created webhook endpoint 1" in captured.err
    assert main(["webhook", "test", "1"]) == 0
    assert " ok " in capsys.readouterr().out
    (request,) = receiver.received
    assert verify(secret, request.headers, request.body)
    assert main(["webhook", "show", "1"]) == 0
    shown = capsys.readouterr().out
    assert secret not in shown and "delivered, bounced" in shown
    assert main(["webhook", "list", "--json"]) == 0
    (listed,) = json.loads(capsys.readouterr().out)
    assert (listed["state"], listed["last_ok"], listed["last_status_code"]) == (
        "enabled",
        True,
        200,
    )
    assert main(["webhook", "rotate-secret", "1"]) == 0
    rotated = capsys.readouterr().out.strip()
    assert rotated != secret and rotated.startswith("whsec_")


def test_refusals_name_the_field(
    context: Context, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["webhook", "add", "https://10.0.0.1/in"]) == 1
    assert "url: 10.0.0.1 is a private address" in capsys.readouterr().err
    assert main(["webhook", "add", "https://hooks.example.net/in", "--events", "sent"]) == 1
    assert "events: unknown event sent" in capsys.readouterr().err
    assert main(["webhook", "show", "7"]) == 1
    assert "no webhook endpoint has the ID 7" in capsys.readouterr().err
    with pytest.raises(SystemExit) as stopped:
        main(["webhook", "show", "crm"])
    assert stopped.value.code == 2


def test_a_failing_test_the_log_and_the_disabled_notice(
    context: Context,
    receiver: WebhookReceiver,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    receiver.reset(default=Reply(500, b"no\x1b[2J"))
    main(["webhook", "add", receiver.url])
    assert main(["webhook", "test", "1"]) == 1
    assert "failed  500" in capsys.readouterr().out
    assert main(["webhook", "log", "1"]) == 0
    out = capsys.readouterr().out
    assert "no␛[2J" in out and "\x1b" not in out and "1 attempt(s)" in out
    table = WebhookEndpoint.__table__
    with context.store.writing() as connection:  # what the engines do after days
        connection.execute(
            update(table).values(
                enabled=False, disabled_at=context.clock.now(), disabled_reason="last: HTTP 500"
            )
        )
    forget_subscriptions(context.store.engine)
    assert main(["webhook", "list"]) == 0
    captured = capsys.readouterr()
    assert "disabled (failing)" in captured.out
    assert "notice: endpoint 1 was disabled" in captured.err
    assert "kootui webhook enable 1" in captured.err
    assert main(["webhook", "test", "1"]) == 1
    assert "the endpoint is disabled" in capsys.readouterr().err
    assert main(["webhook", "enable", "1"]) == 0
    assert main(["webhook", "disable", "1"]) == 0
    assert "disabled: no new events" in capsys.readouterr().out
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False, raising=False)
    with pytest.raises(SystemExit):
        main(["webhook", "remove", "1"])
    assert main(["webhook", "remove", "1", "--yes"]) == 0
    assert main(["webhook", "list"]) == 0
    assert "0 endpoint(s)" in capsys.readouterr().out
