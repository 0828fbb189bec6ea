"""`kootui iam` and `kootui audit` on the command line: policy problems as FILE:LINE:COL,
the owner's recovery of a locked-out user, the audit log's filters and shapes."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from kootui.cli import main
from kootui.core.access import Face, authenticate, create_user, enable_iam
from kootui.core.context import Context

PASSWORD = "a long enough password"


def _with_new_password(password: str, monkeypatch: pytest.MonkeyPatch) -> None:
    reading, writing = os.pipe()
    os.write(writing, f"{password}\n".encode())
    os.close(writing)
    monkeypatch.setenv("KOOTUI_NEW_PASSWORD_FD", str(reading))


def test_a_policy_file_is_checked_with_each_problem_at_its_place(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "policy.json"
    broken.write_text('{"Version": "1.1",\n "Statement": [{"Effect": "Alow", "Action": "x"}]}\n')
    assert main(["iam", "policy", "check", str(broken)]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f'{broken}:2:27: Effect must be "Allow" or "Deny" (this spelling)',
        f"{broken}:2:45: 'x' is not <service>:<resource>:<verb> (letters and *)",
    ]
    fine = tmp_path / "fine.json"
    fine.write_text('{"Version": "1.1", "Statement": [{"Effect": "Allow", "Action": "*:*:read"}]}')
    assert main(["iam", "policy", "check", str(fine)]) == 0


def test_the_owner_recovers_a_locked_out_user_and_the_audit_log_says_so(
    context: Context, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    enable_iam(context, "admin", PASSWORD)
    admin = context.acting_as(authenticate(context, "admin", PASSWORD, Face.CLI))
    create_user(admin, "ann", PASSWORD)
    _with_new_password("ann's fresh password", monkeypatch)
    assert main(["iam", "recover", "ann"]) == 0
    assert authenticate(context, "ann", "ann's fresh password", Face.CLI).name == "ann"
    capsys.readouterr()
    monkeypatch.setenv("KOOTUI_USER", "admin")
    reading, writing = os.pipe()
    os.write(writing, f"{PASSWORD}\n".encode())
    os.close(writing)
    monkeypatch.setenv("KOOTUI_PASSWORD_FD", str(reading))
    assert main(["audit", "--action", "kooMessage:user:*", "--json"]) == 0
    lines = json.loads(capsys.readouterr().out)
    assert [(line["principal"], line["action"], line["resource"]) for line in lines] == [
        ("owner", "kooMessage:user:update", "user/ann"),
        ("owner", "kooMessage:user:update", "user/ann"),
        ("admin", "kooMessage:user:create", "user/ann"),
    ]


def test_turning_sign_in_on_tells_the_next_console_to_sign_in_first(
    context: Context, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from kootui.tui.ui_state import sign_in_expected

    state_file = context.settings.paths.ui_state_file
    assert not sign_in_expected(state_file)
    _with_new_password(PASSWORD, monkeypatch)
    assert main(["iam", "enable", "admin"]) == 0
    assert sign_in_expected(state_file)
