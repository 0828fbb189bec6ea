"""Access control through every face kootui controls: the core refuses, and the CLI, the
API (a user's key, a narrowed key) and SMTP submission (a user's login) report the same
refusal, naming the action and the statement; the audit log keeps each refusal. The last
test is the issue's "Done when" without the console."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Iterator
from pathlib import Path

import aiosmtplib
import httpx
import pytest

from kootui.cli import main
from kootui.core.access import (
    AuditFilter,
    Face,
    add_member,
    attach_policy,
    authenticate,
    create_group,
    create_policy,
    create_user,
    enable_iam,
    explain_user,
    query_audit,
)
from kootui.core.apikeys import (
    create_api_key,
    create_smtp_credential,
    set_key_daily_limit,
    set_login_daily_limit,
)
from kootui.core.context import Context
from kootui.core.submissions import Intake, SubmissionChecker
from kootui.serve.smtp import SmtpListeners
from tests.support.api_server import RunningApi, api_context, running_api
from tests.support.prepared_stores import PreparedStores
from tests.support.smtp_server import free_port
from tests.support.task_seed import seed_sources

ADMIN_PASSWORD = "administrator password"
BOB_PASSWORD = "bob's long password"
SENDER = "news@mail.example.com"
SEND_NO_DOMAIN_CHANGES = """{
  "Version": "1.1",
  "Statement": [
    {"Effect": "Allow", "Action": ["KooMessage:*:*"]},
    {"Effect": "Deny",
     "Action": ["kooMessage:domain:create", "kooMessage:domain:update",
                "kooMessage:domain:delete"]}
  ]
}"""
ONLY_READ_MESSAGES = json.dumps(
    {"Version": "1.1", "Statement": [{"Effect": "Allow", "Action": "kooMessage:message:read"}]}
)
DENY_STATEMENT = "Send, no domain changes statement 2 (Deny)"


def _set_up_bob(context: Context) -> Context:
    """Sign-in on; bob in the group "senders", which holds the scenario's policy. Returns
    the administrator's context."""
    enable_iam(context, "admin", ADMIN_PASSWORD)
    admin = context.acting_as(authenticate(context, "admin", ADMIN_PASSWORD, Face.CLI))
    create_group(admin, "senders")
    create_user(admin, "bob", BOB_PASSWORD)
    add_member(admin, "senders", "bob")
    create_policy(admin, "Send, no domain changes", SEND_NO_DOMAIN_CHANGES)
    attach_policy(admin, "Send, no domain changes", group="senders")
    return admin


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory, prepared_stores: PreparedStores
) -> Iterator[RunningApi]:
    home = tmp_path_factory.mktemp("access-home")
    with api_context(home, prepared_stores) as context:
        seed_sources(context)
        admin = _set_up_bob(context)
        context.admin = admin  # type: ignore[attr-defined]
        context.home = home  # type: ignore[attr-defined]
        with running_api(context) as running:
            yield running


def _problem(response: httpx.Response) -> dict[str, object]:
    assert response.status_code == 403, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return dict(response.json())


def test_a_users_key_sends_and_is_refused_what_the_users_policy_denies(
    served: RunningApi,
) -> None:
    admin: Context = served.context.admin  # type: ignore[attr-defined]
    bobs_key = create_api_key(admin, "bob's app", owner="bob")
    assert bobs_key.key.owner == "bob"
    headers = {"Authorization": f"Bearer {bobs_key.secret}"}
    message = {
        "sender": SENDER,
        "to": ["ann@example.org"],
        "subject": "Hello",
        "text": "Hi {{name}}",
        "params": {"name": "Ann"},
    }
    sent = httpx.post(f"{served.url}/v1/messages", json=message, headers=headers)
    assert sent.status_code == 202, sent.text
    assert httpx.get(f"{served.url}/v1/domains", headers=headers).status_code == 200
    # The API has no route that changes a domain: the key's principal, asked by the core,
    # meets the same Deny statement the CLI and the console meet.
    decision = explain_user(admin, "bob", "kooMessage:domain:update", face=Face.API)
    assert decision.explanation == f"bob: kooMessage:domain:update is refused: {DENY_STATEMENT}"


def test_a_narrowed_key_is_refused_with_a_403_naming_the_action(served: RunningApi) -> None:
    narrow = create_api_key(served.context, "reader", narrowing_policy=ONLY_READ_MESSAGES)
    headers = {"Authorization": f"Bearer {narrow.secret}"}
    assert httpx.get(f"{served.url}/v1/messages", headers=headers).status_code == 200
    body = _problem(httpx.get(f"{served.url}/v1/tasks", headers=headers))
    assert body["code"] == "access.denied"
    assert "kooMessage:devSendTask:read is refused" in str(body["detail"])
    assert "reader narrowing does not allow it" not in str(body["detail"])  # names the key
    assert narrow.key.display_prefix in str(body["detail"])
    refused = query_audit(served.context, AuditFilter(action="kooMessage:devSendTask:read"))
    assert refused and refused[0].face == "api" and refused[0].address == "127.0.0.1"
    assert not refused[0].allowed


def test_an_smtp_login_is_refused_with_550_5_7_1_naming_the_action(
    served: RunningApi, tmp_path: Path
) -> None:
    context = served.context
    narrowing = json.dumps(
        {
            "Version": "1.1",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "kooMessage:message:send",
                    "Resource": "sender/*@other.example",
                }
            ],
        }
    )
    login = create_smtp_credential(
        context.admin,
        "bob's mailer",
        owner="bob",  # type: ignore[attr-defined]
        narrowing_policy=narrowing,
    )
    settings = context.settings.with_values(
        smtp__listen=f"127.0.0.1:{free_port()}", smtp__loopback_auth="required"
    )
    message = (f"From: <{SENDER}>\r\nTo: ann@example.org\r\nSubject: Hi\r\n\r\nHello.\r\n").encode()

    async def submit() -> aiosmtplib.SMTPResponseException:
        intake = Intake(context)
        listeners = SmtpListeners(context, settings, SubmissionChecker(context), intake)
        await listeners.start()
        try:
            client = aiosmtplib.SMTP(
                hostname="127.0.0.1", port=listeners.ports["loopback"], start_tls=False
            )
            async with client:
                await client.ehlo()
                await client.auth_plain(login.credential.username, login.password)
                with pytest.raises(aiosmtplib.SMTPResponseException) as refused:
                    await client.sendmail(SENDER, ["ann@example.org"], message)
                return refused.value
        finally:
            await listeners.close(wait=5)
            await intake.close()

    refused = asyncio.run(submit())
    assert refused.code == 550
    assert refused.message.startswith("5.7.1 bob's SMTP login kts_")
    assert "kooMessage:message:send on sender/news@mail.example.com is refused" in refused.message
    lines = query_audit(context, AuditFilter(user_name="bob", action="kooMessage:message:send"))
    assert lines[0].face == "smtp" and not lines[0].allowed


def test_daily_limits_are_a_429_from_the_api_and_a_451_4_7_1_from_smtp(
    served: RunningApi,
) -> None:
    context = served.context
    admin: Context = context.admin  # type: ignore[attr-defined]
    key = create_api_key(admin, "bob's limited app", owner="bob")
    set_key_daily_limit(admin, key.key.display_prefix, 2)
    headers = {"Authorization": f"Bearer {key.secret}"}
    message = {"sender": SENDER, "subject": "Hello", "text": "Hi"}
    two = {**message, "to": ["ann@example.org", "al@example.org"]}
    assert httpx.post(f"{served.url}/v1/messages", json=two, headers=headers).status_code == 202
    one_more = {**message, "to": ["cy@example.org"]}
    refused = httpx.post(f"{served.url}/v1/messages", json=one_more, headers=headers)
    assert refused.status_code == 429, refused.text
    body = refused.json()
    assert (body["code"], body["field"]) == ("limit.credential_daily", "credential")
    assert "daily limit of 2 messages" in body["detail"]
    login = create_smtp_credential(admin, "bob's limited mailer", owner="bob")
    set_login_daily_limit(admin, login.credential.username, 0)
    settings = context.settings.with_values(
        smtp__listen=f"127.0.0.1:{free_port()}", smtp__loopback_auth="required"
    )
    raw = (f"From: <{SENDER}>\r\nTo: ann@example.org\r\nSubject: Hi\r\n\r\nHello.\r\n").encode()

    async def submit() -> aiosmtplib.SMTPResponseException:
        intake = Intake(context)
        listeners = SmtpListeners(context, settings, SubmissionChecker(context), intake)
        await listeners.start()
        try:
            client = aiosmtplib.SMTP(
                hostname="127.0.0.1", port=listeners.ports["loopback"], start_tls=False
            )
            async with client:
                await client.ehlo()
                await client.auth_plain(login.credential.username, login.password)
                with pytest.raises(aiosmtplib.SMTPResponseException) as answer:
                    await client.sendmail(SENDER, ["ann@example.org"], raw)
                return answer.value
        finally:
            await listeners.close(wait=5)
            await intake.close()

    answer = asyncio.run(submit())
    assert answer.code == 451
    assert answer.message.startswith("4.7.1 credential: the daily limit of 0 messages")


def test_the_cli_and_a_key_of_the_same_user_are_refused_in_the_same_words(
    served: RunningApi, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    admin: Context = served.context.admin  # type: ignore[attr-defined]
    no_tasks = json.dumps(
        {
            "Version": "1.1",
            "Statement": [
                {"Effect": "Allow", "Action": "kooMessage:*:read"},
                {"Effect": "Deny", "Action": "kooMessage:devSendTask:*"},
            ],
        }
    )
    create_user(admin, "rita", BOB_PASSWORD)
    create_policy(admin, "Reads, no tasks", no_tasks)
    attach_policy(admin, "Reads, no tasks", user="rita")
    refusal = "kooMessage:devSendTask:read is refused: Reads, no tasks statement 2 (Deny)"
    monkeypatch.setenv("KOOTUI_HOME", str(served.context.home))  # type: ignore[attr-defined]
    status, _, err = _run_cli_as("rita", BOB_PASSWORD, ["task", "list"], capsys)
    assert (status, err.strip()) == (1, f"kootui: error: rita: {refusal}")
    key = create_api_key(admin, "rita's report", owner="rita")
    headers = {"Authorization": f"Bearer {key.secret}"}
    body = _problem(httpx.get(f"{served.url}/v1/tasks", headers=headers))
    assert (body["code"], body["detail"]) == (
        "access.denied",
        f"rita's API key {key.key.display_prefix}: {refusal}",
    )


def _run_cli_as(
    user: str, password: str, args: list[str], capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, str]:
    reading, writing = os.pipe()
    os.write(writing, f"{password}\n".encode())
    os.close(writing)
    os.environ.update(KOOTUI_USER=user, KOOTUI_PASSWORD_FD=str(reading))
    try:
        status = main(args)
    finally:
        del os.environ["KOOTUI_USER"], os.environ["KOOTUI_PASSWORD_FD"]
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_done_when_sign_in_a_user_in_a_group_sends_and_is_refused_a_domain_change(
    context: Context, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # An administrator turns sign-in on (the CLI then needs a user for every command).
    assert main(["iam", "status"]) == 0
    seed_sources(context)
    _set_up_bob(context)
    capsys.readouterr()
    assert main(["iam", "status"]) == 1
    assert "sign-in is on" in capsys.readouterr().err
    # bob signs in and may send: his task list and a send go through.
    status, out, _ = _run_cli_as("bob", BOB_PASSWORD, ["task", "list"], capsys)
    assert status == 0, out
    # ... and is refused a domain change, with the Deny statement named.
    status, _, err = _run_cli_as("bob", BOB_PASSWORD, ["domain", "add", "new.example"], capsys)
    assert status == 1
    assert err.strip().endswith(
        f"bob: kooMessage:domain:create on domain/new.example is refused: {DENY_STATEMENT}"
    )
    status, out, _ = _run_cli_as(
        "admin",
        ADMIN_PASSWORD,
        ["iam", "explain", "--user", "bob", "kooMessage:domain:update"],
        capsys,
    )
    assert (status, out.strip()) == (
        3,
        f"bob: kooMessage:domain:update is refused: {DENY_STATEMENT}",
    )
    # bob's API key is refused the same way (the principal the HTTP face builds for it).
    admin = context.acting_as(authenticate(context, "admin", ADMIN_PASSWORD, Face.CLI))
    key = create_api_key(admin, "bob's app", owner="bob")
    from kootui.core.apikeys import authenticate as authenticate_key
    from kootui.core.domains import create_domain
    from kootui.core.errors import AccessDenied

    bobs_key = authenticate_key(context, key.secret).principal
    assert bobs_key is not None
    with pytest.raises(AccessDenied) as refused:
        create_domain(context.acting_as(bobs_key.at(Face.API, "127.0.0.1")), "new.example")
    assert refused.value.explanation.endswith(DENY_STATEMENT)
    # The audit log shows it all: sign-ins, the refusals, the administrator's writes.
    status, out, _ = _run_cli_as("admin", ADMIN_PASSWORD, ["audit", "--refused", "--json"], capsys)
    assert status == 0
    refused_lines = json.loads(out)
    # (sorted: the CLI's own context reads the wall clock, the test's is fixed)
    assert sorted((line["principal"], line["action"], line["face"]) for line in refused_lines) == [
        ("bob", "kooMessage:domain:create", "cli"),
        (f"bob's API key {key.key.display_prefix}", "kooMessage:domain:create", "api"),
    ]
    assert all(line["decided_by"] == DENY_STATEMENT for line in refused_lines)
    sign_ins = query_audit(context, AuditFilter(user_name="bob", action="*session*"))
    assert len(sign_ins) == 2 and all(line.allowed for line in sign_ins)
