"""`kootui suppression list|add|remove|import|export` through kootui.cli.main."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from kootui.cli import main
from kootui.cli.suppression import REASONS as CLI_REASONS
from kootui.core.context import Context
from kootui.core.suppression import REASONS, add_suppression, count_suppressions


def test_the_cli_offers_the_cores_reasons() -> None:
    assert CLI_REASONS == REASONS


def test_add_list_masked_then_revealed(
    context: Context, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["suppression", "add", "Ann@Example.com", "--note", "asked by phone"]) == 0
    assert "Added ann@example.com (manual)" in capsys.readouterr().out
    assert main(["suppression", "add", "ann@example.com", "--reason", "complaint"]) == 1
    assert "address: is already on the suppression list" in capsys.readouterr().err
    assert main(["suppression", "add", "nobody", "--reason", "complaint"]) == 1
    assert capsys.readouterr().err.startswith("kootui: error: address: 'nobody' is not valid")
    assert main(["suppression", "list"]) == 0
    out = capsys.readouterr().out
    assert "***@example.com" in out and "ann@" not in out and "asked by phone" in out
    assert main(["suppression", "list", "--reveal", "--filter", "ann@"]) == 0
    assert "ann@example.com" in capsys.readouterr().out
    assert main(["suppression", "list", "--reason", "hard_bounce"]) == 0
    assert capsys.readouterr().out.strip() == "no rows of 0"


def test_remove_by_address_or_id_asks_unless_yes(
    context: Context, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    view = add_suppression(context, "bob@example.org", reason="hard_bounce")
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False, raising=False)
    with pytest.raises(SystemExit) as stopped:
        main(["suppression", "remove", "bob@example.org"])
    assert stopped.value.code == 2
    capsys.readouterr()
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr("builtins.input", lambda _prompt="": "n")
    assert main(["suppression", "remove", str(view.id)]) == 1
    out = capsys.readouterr().out
    assert "Remove ***@example.org (hard bounce" in out and "bob@" not in out
    assert main(["suppression", "remove", "BOB@example.org", "--yes"]) == 0
    assert "Removed bob@example.org" in capsys.readouterr().out
    assert count_suppressions(context) == 0
    assert main(["suppression", "remove", "bob@example.org", "--yes"]) == 1
    assert "there is no suppressed address" in capsys.readouterr().err


def test_import_then_export(context: Context, tmp_path: Path, capsys) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in (["email"], ["a@example.com"], ["b@example.com"], ["oops"]):
        sheet.append(row)
    source = tmp_path / "in.xlsx"
    workbook.save(source)
    code = main(["suppression", "import", str(source), "--reason", "complaint", "--note", "ESP"])
    assert code == 0, capsys.readouterr().err
    captured = capsys.readouterr()
    assert "in.xlsx: 2 added, 0 already on the list, 1 refused" in captured.out
    assert "row 4: oops:" in captured.err
    target = tmp_path / "out.xlsx"
    assert main(["suppression", "export", str(target), "--reason", "complaint"]) == 0
    assert "Wrote 2 addresses" in capsys.readouterr().out
    rows = list(load_workbook(target).active.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert [row[0] for row in rows[1:]] == ["***@example.com", "***@example.com"]
    assert main(["suppression", "export", str(target), "--reveal", "--sort", "address"]) == 0
    rows = list(load_workbook(target).active.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert [row[0] for row in rows[1:]] == ["b@example.com", "a@example.com"]


def test_a_bad_file_is_one_line(context: Context, tmp_path: Path, capsys) -> None:
    with pytest.raises(SystemExit):
        main(["suppression", "import", str(tmp_path / "missing.xlsx")])
    assert "no such file" in capsys.readouterr().err
    bad = tmp_path / "bad.xlsx"
    bad.write_text("not a zip")
    assert main(["suppression", "import", str(bad)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("kootui: error: xlsx:") and len(err.splitlines()) == 1


def test_task_create_and_show_say_how_many_are_suppressed(
    context: Context, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.support.task_seed import seed_sources

    ids = seed_sources(context)
    add_suppression(context, "bob@example.com", reason="unsubscribed")
    create = ["task", "create", "--name", "Notice", "--subject", "Notice"]
    refs = ["--template", str(ids["plain"]), "--sender", str(ids["sender"])]
    code = main([*create, *refs, "--to", "ann@example.com", "--to", "Bob@example.com"])
    assert code == 0, capsys.readouterr().err
    assert "2 messages (1 suppressed, not sent)" in capsys.readouterr().out
    assert main(["task", "show", "Notice"]) == 0
    assert "suppressed: 1 not sent (on the suppression list)" in capsys.readouterr().out


def test_list_as_json_masks_and_escapes(context: Context, capsys) -> None:
    import json

    add_suppression(context, "ann@example.com", note="bidi \u202e note")
    assert main(["suppression", "list", "--json"]) == 0
    out = capsys.readouterr().out
    assert "\\u202e" in out and "\u202e" not in out
    shown = json.loads(out)
    assert shown["total"] == 1
    assert shown["rows"][0]["address"] == "***@example.com"
    assert shown["rows"][0]["created_at"].startswith("2026-11-23T15:30")
