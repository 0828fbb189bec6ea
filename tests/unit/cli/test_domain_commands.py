"""`kootui domain rename|delete`: the console's rules and its confirmations."""

from __future__ import annotations

import sys

import pytest

from kootui.cli import main
from kootui.core.context import Context
from kootui.core.domains import find_domain
from kootui.core.errors import NotFound
from tests.support.task_seed import seed_sources


class _Terminal:
    """stdin as a terminal that answers the prompts with ``answers``."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, *answers: str) -> None:
        self.asked: list[str] = []
        replies = iter(answers)

        def answer(prompt: str = "") -> str:
            self.asked.append(prompt)
            return next(replies)

        monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
        monkeypatch.setattr("builtins.input", answer)


def _gone(context: Context, name: str) -> bool:
    try:
        find_domain(context, name)
    except NotFound:
        return True
    return False


def test_without_a_terminal_rename_and_delete_need_yes(
    context: Context, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    seed_sources(context)
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False, raising=False)
    for args in (
        ["rename", "mail.example.com", "news.example.com"],
        ["delete", "mail.example.com"],
    ):
        with pytest.raises(SystemExit) as stopped:
            main(["domain", *args])
        assert stopped.value.code == 2
        assert "pass --yes" in capsys.readouterr().err
    assert not _gone(context, "mail.example.com")


def test_rename_asks_and_restarts_verification(
    context: Context, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    seed_sources(context)
    _Terminal(monkeypatch, "n")
    assert main(["domain", "rename", "mail.example.com", "news.example.com"]) == 1
    assert "Nothing was renamed" in capsys.readouterr().out
    terminal = _Terminal(monkeypatch, "y")
    assert main(["domain", "rename", "mail.example.com", "News.Example.com"]) == 0
    out = capsys.readouterr().out
    assert "Verification starts over" in out and "Renamed to news.example.com" in out
    assert terminal.asked == ["Go ahead? [y/N] "]
    assert find_domain(context, "news.example.com").status == "verifying"
    assert _gone(context, "mail.example.com")


def test_delete_of_a_domain_in_use_wants_its_name_typed(
    context: Context, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    seed_sources(context)
    name = "new.example.net"
    _Terminal(monkeypatch, "y")  # y is not the name
    assert main(["domain", "delete", name]) == 1
    out = capsys.readouterr().out
    assert "used by 1 sender address(es)" in out and "deletes these addresses too" in out
    assert not _gone(context, name)
    _Terminal(monkeypatch, name)
    assert main(["domain", "delete", name]) == 0
    assert "and 1 sender address(es)" in capsys.readouterr().out
    assert _gone(context, name)


def test_delete_with_yes_and_the_cores_refusal(
    context: Context, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.support.task_seed import add_scheduled_task

    ids = seed_sources(context)
    add_scheduled_task(context, ids)
    assert main(["domain", "delete", "mail.example.com", "--yes"]) == 1
    assert "delete those tasks first" in capsys.readouterr().err
    assert main(["domain", "add", "spare.example.org"]) == 0
    spare = find_domain(context, "spare.example.org").id
    assert main(["domain", "delete", str(spare), "--yes"]) == 0  # named by its ID
    assert "Deleted spare.example.org." in capsys.readouterr().out
    assert _gone(context, "spare.example.org")
