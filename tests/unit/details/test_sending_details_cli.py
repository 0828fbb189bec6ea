"""``kootui messages …`` through kootui.cli.main, against a real store in KOOTUI_HOME."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from openpyxl import load_workbook

from kootui.cli import main
from kootui.core.bootstrap import open_context
from kootui.core.config import Settings
from tests.support.details_seed import add_messages, add_task
from tests.support.dispatch_seed import seed_sender


@pytest.fixture
def seeded(settings: Settings) -> dict[str, Any]:
    """Rows made with the real clock, since the command runs with it."""
    context = open_context(settings)
    try:
        now = context.clock.now()
        address = seed_sender(context, with_key=False)
        task, _ = add_task(context, address, name="Autumn sale", subject="Sale for {{name}}")
        ids = add_messages(
            context,
            task,
            [
                {"recipient": "ann@example.org", "status": "delivered",
                 "created_at": now - timedelta(hours=1), "received_at": now},
                {"recipient": "bob@example.com", "status": "rejected",
                 "created_at": now - timedelta(hours=2)},
                {"recipient": "old@example.com", "created_at": now - timedelta(days=3)},
            ],
        )  # fmt: skip
        return {"task": task, "ids": ids}
    finally:
        context.close()


def test_list_shows_the_last_24_hours_masked(seeded: dict[str, Any], capsys: Any) -> None:
    assert main(["messages", "list"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert len(lines) == 3 and lines[-1] == "rows 1–2 of 2"
    assert "Delivered" in lines[0] and "***@example.org" in lines[0] and "Sale for ann" in lines[0]
    assert "ann@" not in out and "old@" not in out


def test_list_json_with_filters(seeded: dict[str, Any], capsys: Any) -> None:
    code = main(["messages", "list", "--json", "--range", "all", "--task-id", str(seeded["task"]),
                 "--sort", "created", "--ascending"])  # fmt: skip
    assert code == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["total"] == 3
    assert [row["recipient"] for row in shown["rows"]] == [
        "***@example.com", "***@example.com", "***@example.org",
    ]  # fmt: skip
    assert shown["rows"][0]["status"] == "Pending"
    assert shown["rows"][2]["received"].endswith("+00:00")
    assert main(["messages", "list", "--json", "--status", "rejected"]) == 0
    [rejected] = json.loads(capsys.readouterr().out)["rows"]
    assert rejected["message_id"] == seeded["ids"][1]


@pytest.mark.parametrize(
    ("argv", "field"),
    [
        (["--status", "lost"], "status"),
        (["--task-id", "x"], "task_id"),
        (["--created-from", "23/11/2026"], "created_from"),
        (["--range", "forever"], "range"),
        (["--sort", "recipient"], "sort"),
    ],
)
def test_bad_values_exit_2_naming_the_field(
    seeded: dict[str, Any], capsys: Any, argv: list[str], field: str
) -> None:
    assert main(["messages", "list", *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("kootui: error: ") and field in err


def test_show_prints_fields_attempts_and_the_header_reason(
    seeded: dict[str, Any], capsys: Any
) -> None:
    assert main(["messages", "show", str(seeded["ids"][2])]) == 0
    out = capsys.readouterr().out
    assert "Recipient:" in out and "***@example.com" in out and "old@" not in out
    assert "Attempts (0):" in out and "Not composed yet" in out
    assert main(["messages", "show", str(seeded["ids"][2]), "--reveal"]) == 0
    assert "old@example.com" in capsys.readouterr().out
    assert main(["messages", "show", "987654"]) == 1
    assert "no message 987654" in capsys.readouterr().err


def test_export_writes_the_filter_masked_unless_revealed(
    seeded: dict[str, Any], capsys: Any, tmp_path: Any
) -> None:
    target = tmp_path / "details.xlsx"
    assert main(["messages", "export", str(target), "--range", "all"]) == 0
    assert "Wrote 3 messages" in capsys.readouterr().out
    rows = list(load_workbook(target).active.iter_rows(values_only=True))
    assert len(rows) == 4 and all(str(row[7]).startswith("***@") for row in rows[1:])
    assert main(["messages", "export", str(target), "--reveal-recipients"]) == 0
    rows = list(load_workbook(target).active.iter_rows(values_only=True))
    assert sorted(row[7] for row in rows[1:]) == ["ann@example.org", "bob@example.com"]
    assert main(["messages", "export", str(tmp_path / "details.csv")]) == 2
    assert "path" in capsys.readouterr().err
    assert main(["messages", "export", str(target), "--status", "nope"]) == 2
