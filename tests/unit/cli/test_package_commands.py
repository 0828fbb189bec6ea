"""`kootui package add|list|show|remove|policy` and `kootui warmup set|show|clear`."""

from __future__ import annotations

import pytest

from kootui.cli import main
from kootui.core.context import Context
from tests.support.dispatch_seed import seed_sender


def test_add_list_show_remove_and_policy(
    context: Context, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["package", "add", "Winter", "--emails", "5000", "--from", "2026-01-01"]
    assert main([*args, "--until", "2099-12-31", "--reference", "INV-7", "--by", "ann"]) == 0
    out = capsys.readouterr().out
    assert "Added package 1." in out and "0 used of 5,000, 5,000 left" in out
    assert "by ann" in out and "reference:  INV-7" in out
    with pytest.raises(SystemExit):  # argparse: --until is required
        main(["package", "add", "Bad", "--emails", "5", "--from", "2026-02-30"])
    capsys.readouterr()
    assert main(["package", "add", "Bad", "--emails", "5", *args[5:], "--until", "2025-1-1"]) == 1
    assert "until: '2025-1-1' is not a date" in capsys.readouterr().err
    assert main(["package", "list"]) == 0
    out = capsys.readouterr().out
    assert "Winter" in out and "left in packages now:   5,000" in out
    assert "beyond the packages:    pay-per-use; warn below 1,000" in out
    assert main(["package", "policy", "--hard-stop", "on", "--warn-below", "6000"]) == 0
    out = capsys.readouterr().out
    assert "hold messages (hard stop)" in out
    assert "warning: Only 5,000 emails left in packages; then sending waits" in out
    assert main(["package", "show", "winter"]) == 0
    assert "package:    1  Winter" in capsys.readouterr().out
    assert main(["package", "remove", "2", "--yes"]) == 1
    assert "package: there is no package with ID 2" in capsys.readouterr().err
    assert main(["package", "remove", "Winter", "--yes"]) == 0
    assert main(["package", "list"]) == 0
    assert "No packages." in capsys.readouterr().out


def test_warmup_set_show_clear(context: Context, capsys: pytest.CaptureFixture[str]) -> None:
    seed_sender(context, domain="news.example.com", with_key=False)
    assert main(["warmup", "show", "news.example.com"]) == 0
    assert "has no warm-up plan" in capsys.readouterr().out
    assert main(["warmup", "set", "news.example.com", "--target", "800", "--days", "5"]) == 0
    out = capsys.readouterr().out
    assert "50 doubling to 800 over 5 days" in out and "day 1 of 5: 0 sent of 50" in out
    assert main(["warmup", "set", "news.example.com", "--caps", "10 20 40"]) == 0
    assert "own table: 10, 20, 40 (3 days)" in capsys.readouterr().out
    assert main(["warmup", "set", "nope.example.com", "--caps", "10"]) == 1
    assert "nope.example.com is not a sender domain" in capsys.readouterr().err
    assert main(["warmup", "clear", "news.example.com"]) == 0
    assert "Removed the warm-up plan" in capsys.readouterr().out
