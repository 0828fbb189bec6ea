"""SMTP credentials: shown once, stored as a hash, refused alike when wrong; the throttle."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import select

from kootui.cli import main
from kootui.core.apikeys import (
    KeyRefused,
    LoginRefused,
    LoginThrottle,
    authenticate,
    authenticate_smtp,
    create_smtp_credential,
    find_smtp_credential,
    list_smtp_credentials,
    revoke_smtp_credential,
)
from kootui.core.context import Context
from kootui.core.errors import InvalidState, NotFound
from kootui.core.store import SmtpCredential


def test_only_the_hash_is_stored_and_the_login_works_until_revoked(context: Context) -> None:
    created = create_smtp_credential(context, "  billing   app ")
    login = created.credential.username
    assert login.startswith("kts_") and created.credential.name == "billing app"
    with context.store.engine.connect() as connection:
        [row] = connection.execute(select(SmtpCredential.__table__)).all()
    assert created.password not in repr(tuple(row))
    assert row.secret_hash == hashlib.sha256(created.password.encode()).hexdigest()
    assert authenticate_smtp(context, login.upper(), created.password).id == row.id
    assert list_smtp_credentials(context)[0].last_used_at == context.clock.now()
    assert find_smtp_credential(context, login[4:]).id == find_smtp_credential(context, "1").id
    revoke_smtp_credential(context, login)
    with pytest.raises(LoginRefused):
        authenticate_smtp(context, login, created.password)
    with pytest.raises(InvalidState):
        revoke_smtp_credential(context, login)
    assert list_smtp_credentials(context, include_revoked=False) == []


@pytest.mark.parametrize("which", ["password", "name", "shape"])
def test_a_wrong_login_is_refused_in_the_same_words(context: Context, which: str) -> None:
    created = create_smtp_credential(context, "app")
    login, password = created.credential.username, created.password
    if which == "password":
        password = password[:-1] + ("A" if password[-1] != "A" else "B")
    elif which == "name":
        login = "kts_00000000" if login != "kts_00000000" else "kts_00000001"
    else:
        password = "short"
    with pytest.raises(LoginRefused, match=r"^the user name or password is wrong$"):
        authenticate_smtp(context, login, password)


def test_an_smtp_password_never_opens_the_api(context: Context) -> None:
    created = create_smtp_credential(context, "app")
    with pytest.raises(KeyRefused):
        authenticate(context, created.password)
    with pytest.raises(NotFound):
        find_smtp_credential(context, "kts_ffffffff")


def test_failed_logins_slow_down_per_client_and_success_or_quiet_forgets() -> None:
    throttle = LoginThrottle()
    assert throttle.delay("10.0.0.1", 0.0) == 0.0
    delays = []
    for attempt in range(6):
        throttle.failed("10.0.0.1", float(attempt))
        delays.append(throttle.delay("10.0.0.1", float(attempt)))
    assert delays == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    assert throttle.delay("10.0.0.2", 6.0) == 0.0
    assert throttle.delay("10.0.0.1", 6.0 + 901) == 0.0
    throttle.succeeded("10.0.0.1")
    assert throttle.delay("10.0.0.1", 7.0) == 0.0


def test_the_cli_prints_the_password_once_and_lists_and_revokes(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["smtp-credential", "create", "billing app"]) == 0
    created = capsys.readouterr()
    username, password = created.out.splitlines()
    assert username.startswith("kts_") and len(password) == 43
    assert "not shown again" in created.err
    assert main(["smtp-credential", "list"]) == 0
    listing = capsys.readouterr().out
    assert username in listing and "billing app" in listing and password not in listing
    assert main(["smtp-credential", "revoke", username]) == 0
    assert f"Revoked SMTP credential 1 ({username}, billing app)" in capsys.readouterr().out
    assert main(["smtp-credential", "revoke", username]) == 1
    assert "already revoked" in capsys.readouterr().err
