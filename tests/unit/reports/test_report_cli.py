"""``kootui report`` and ``kootui workspace set --time-zone`` through kootui.cli.main,
against a real store in KOOTUI_HOME (the command runs with the real clock, so the
figures sit on a day three days back)."""

from __future__ import annotations

import csv
import json
import stat
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from kootui.cli import main
from kootui.core.context import Context
from kootui.core.packages import charge_table
from kootui.core.store import SenderAddress
from kootui.core.workspace import update_workspace
from tests.support.details_seed import add_task
from tests.support.dispatch_seed import seed_sender
from tests.support.report_seed import Figures, add_figures, add_task_names


@pytest.fixture
def seeded(context: Context) -> dict[str, Any]:
    """The prepared store in KOOTUI_HOME, which the command opens too; figures on a day
    three days before the real today (the command runs with the real clock)."""
    update_workspace(context, time_zone="UTC")
    day = (datetime.now(UTC) - timedelta(days=3)).date()
    ten = datetime.combine(day, time(10), tzinfo=UTC)
    address = seed_sender(context, with_key=False)  # news@example.com
    task, template = add_task(context, address, name="Autumn sale", template_title="Sale")
    with context.store.session() as session:
        sender = session.get(SenderAddress, address)
        assert sender is not None
        domain = sender.domain_id
    ours = {"task_id": task, "domain_id": domain, "address_id": address}
    ours["template_id"] = template
    add_figures(
        context,
        [
            Figures(ten, delivered=7, rejected=1, **ours),
            Figures(ten + timedelta(hours=2), delivered=1, failed=1, **ours),
            Figures(ten, delivered=4, task_id=-1, domain_id=7, address_id=8,
                    template_id=9, send_method="cli"),
        ],
    )  # fmt: skip
    add_task_names(context, {-1: "Old promo"})  # a deleted task's history
    # Charges: three pay-per-use that day (two of our domain), one from a package, one
    # pay-per-use the day before (outside the range).
    charges = [(1, None, domain, ten), (2, None, domain, ten), (3, None, 7, ten)]
    charges += [(4, 5, domain, ten), (5, None, domain, ten - timedelta(days=1))]
    with context.store.engine.begin() as connection:
        connection.execute(
            charge_table.insert(),
            [
                {"message_id": m, "package_id": p, "domain_id": d, "attempt": 1, "charged_at": at}
                for m, p, d, at in charges
            ],
        )
    return {"day": day.isoformat(), "task": task, "domain": domain}


def _one_line_refusal(capsys: Any) -> str:
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    return lines[0]


def test_the_table_shows_the_seeds_columns_and_the_totals(
    seeded: dict[str, Any], capsys: Any
) -> None:
    day = seeded["day"]
    assert main(["report", "--type", "daily", "--from", day, "--to", day]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == [
        "Time", "(UTC)", "Sent", "Successful", "Failed", "To", "send", "Rejected", "Bounced",
        "Complained", "Unsubscribed", "Opened", "(unique)", "Clicked", "(unique)", "Delivery",
        "rate",
    ]  # fmt: skip
    no_events = ["0"] * 5  # the seeded figures have no events
    assert lines[1].split() == [day, "14", "12", "1", "0", "1", *no_events, "85.71%"]
    assert lines[2].split() == ["Total", "14", "12", "1", "0", "1", *no_events, "85.71%"]
    assert lines[3:] == ["Billable (pay-per-use): 3 emails"]


def test_hourly_rows_show_a_dash_where_nothing_was_sent(
    seeded: dict[str, Any], capsys: Any
) -> None:
    day = seeded["day"]
    assert main(["report", "--type", "hourly", "--from", day, "--to", day]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 + 24 + 1 + 1  # the header, the hours, the totals, billable
    assert lines[1].split()[-1] == "—"
    assert lines[11].split()[:3] == [day, "10:00", "+00:00"]
    assert lines[11].split()[-1] == "91.67%"


def test_json_with_a_domain_and_a_deleted_task_by_name(seeded: dict[str, Any], capsys: Any) -> None:
    day = seeded["day"]
    base = ["report", "--json", "--from", day, "--to", day]
    assert main([*base, "--domain", "EXAMPLE.com"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["totals"]["sent"] == 10 and shown["totals"]["delivery_rate"] == "80.00"
    assert shown["filters"]["domain_ids"] == [seeded["domain"]]
    assert shown["rows"][0]["label"] == day and shown["time_zone"] == "UTC"
    assert shown["billable"] == 2  # the domain's pay-per-use charges of the day
    assert main([*base, "--task", "Old promo", "--method", "cli"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["totals"]["sent"] == 4 and shown["filters"]["task_ids"] == [-1]
    assert shown["billable"] is None  # charges are not split by task
    assert main([*base, "--task", str(seeded["task"]), "--template", "Sale"]) == 0
    assert json.loads(capsys.readouterr().out)["totals"]["sent"] == 10


def test_csv_and_xlsx_exports_are_private_and_hold_the_table(
    seeded: dict[str, Any], tmp_path: Path, capsys: Any
) -> None:
    day = seeded["day"]
    target = tmp_path / "report.csv"
    assert main(["report", "--from", day, "--to", day, "--csv", str(target)]) == 0
    assert "Wrote 1 daily rows and the totals" in capsys.readouterr().out
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    with target.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.reader(stream))
    no_events = ["0"] * 5
    assert rows == [
        ["Time (UTC)", "Sent", "Successful", "Failed", "To send", "Rejected", "Bounced",
         "Complained", "Unsubscribed", "Opened (unique)", "Clicked (unique)", "Delivery rate",
         "Note"],
        [day, "14", "12", "1", "0", "1", *no_events, "85.71", ""],
        ["Total", "14", "12", "1", "0", "1", *no_events, "85.71", ""],
    ]  # fmt: skip
    workbook_path = tmp_path / "report.xlsx"
    assert main(["report", "--from", day, "--to", day, "--xlsx", str(workbook_path)]) == 0
    assert stat.S_IMODE(workbook_path.stat().st_mode) == 0o600
    sheet = load_workbook(workbook_path).active
    assert sheet is not None
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[1][:11] == [day, 14, 12, 1, 0, 1, 0, 0, 0, 0, 0]
    assert values[1][11] == pytest.approx(0.8571)
    assert sheet.cell(row=2, column=12).number_format == "0.00%"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_refusals_are_one_line_naming_the_option(seeded: dict[str, Any], capsys: Any) -> None:
    too_old = (datetime.now(UTC) - timedelta(days=400)).date().isoformat()
    assert main(["report", "--from", too_old]) == 2
    assert _one_line_refusal(capsys).startswith(
        "kootui: error: --from: a report reaches at most one year back"
    )
    assert main(["report", "--domain", "nope.example"]) == 2
    assert "--domain: there is no sender domain 'nope.example'" in _one_line_refusal(capsys)
    assert main(["report", "--from", seeded["day"], "--to", "2020-01-01"]) == 2
    assert "--to: the range ends before it starts" in _one_line_refusal(capsys)
    with pytest.raises(SystemExit) as exited:
        main(["report", "--from", "yesterday"])
    assert exited.value.code == 2
    assert "'yesterday' is not a day (YYYY-MM-DD)" in _one_line_refusal(capsys)


def test_choices_list_deleted_tasks_and_an_empty_range_says_so(
    seeded: dict[str, Any], capsys: Any
) -> None:
    assert main(["report", "--choices"]) == 0
    out = capsys.readouterr().out
    assert "example.com" in out and "news@example.com" in out
    assert "-1  Old promo  (deleted)" in out
    far = (datetime.now(UTC) - timedelta(days=200)).date().isoformat()
    assert main(["report", "--from", far, "--to", far]) == 0
    assert "No messages were sent in this range" in capsys.readouterr().out


def test_the_workspace_time_zone_is_set_shown_and_checked(context: Context, capsys: Any) -> None:
    assert main(["workspace", "set", "--time-zone", "Europe/Berlin"]) == 0
    assert "time zone:          Europe/Berlin" in capsys.readouterr().out
    assert main(["workspace", "set", "--time-zone", "Mars/Olympus"]) == 1
    assert "time_zone: 'Mars/Olympus' is not a time zone name" in _one_line_refusal(capsys)
    assert main(["workspace", "set", "--time-zone", "machine"]) == 0
    assert "(this machine's)" in capsys.readouterr().out
