"""Export of the Sending Details filter to .xlsx: whole filter, safe cells, atomic, masked."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from kootui.core.context import Context
from kootui.core.details import DETAILS_COLUMNS, export_messages, neutralise
from kootui.core.errors import KootuiError, ValidationError
from kootui.core.store import PageRequest
from tests.support.details_seed import add_messages, add_task
from tests.support.dispatch_seed import seed_sender

HOUR = timedelta(hours=1)


@pytest.fixture
def filled(any_context: Context) -> Context:
    """60 ordinary rows and a few hostile ones, all in the last 24 hours."""
    context = any_context
    now = context.clock.now()
    address = seed_sender(context, with_key=False)
    plain, _ = add_task(context, address, name="Plain", subject="Hi {{name}}")
    hostile, _ = add_task(context, address, name='=HYPERLINK("http://evil.example","x")',
                          subject="{{name}}")  # fmt: skip
    add_messages(
        context,
        plain,
        [
            {"recipient": f"user{i:02d}@example.org", "created_at": now - timedelta(minutes=i + 1)}
            for i in range(60)
        ],
    )
    add_messages(
        context,
        hostile,
        [
            {"recipient": "=cmd@example.net", "params": {"name": "+1+2"}},
            {"recipient": "minus@example.net", "params": {"name": "-SUM(A1)"}},
            {"recipient": "at@example.net", "params": {"name": "@SUM(A1)"}},
            {"recipient": "tab@example.net", "params": {"name": "\t=1"}},
        ],
    )
    add_messages(context, plain, [{"recipient": "old@example.org", "created_at": now - 48 * HOUR}])
    return context


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """A folder of its own (tmp_path also holds the KOOTUI_HOME)."""
    folder = tmp_path / "exports"
    folder.mkdir()
    return folder


def _rows(path: Path) -> list[tuple[Any, ...]]:
    workbook = load_workbook(path)
    return [tuple(row) for row in workbook.active.iter_rows(values_only=True)]


def test_the_whole_filter_is_written_not_just_the_page(filled: Context, tmp_path: Path) -> None:
    reports: list[int] = []
    request = PageRequest(limit=10, offset=20, advanced={"task_name": "plain"})
    result = export_messages(filled, request, tmp_path / "plain.xlsx", progress=reports.append)
    assert result.rows == 60 and reports[-1] == 60
    rows = _rows(result.path)
    assert rows[0] == tuple(column.title for column in DETAILS_COLUMNS)
    assert len(rows) == 61
    # Newest first, as the page shows; the row outside the 24 hours is not there.
    created = [row[8] for row in rows[1:]]
    assert created == sorted(created, reverse=True)
    assert {row[7] for row in rows[1:]} == {"***@example.org"}
    assert rows[1][5] == "Hi user00"


def test_formula_looking_cells_are_neutralised(filled: Context, tmp_path: Path) -> None:
    request = PageRequest(advanced={"task_id": "2"}, sort_key="message_id")
    result = export_messages(filled, request, tmp_path / "hostile.xlsx", reveal_recipients=True)
    rows = _rows(result.path)[1:]
    tasks = {row[1] for row in rows}
    assert tasks == {'\'=HYPERLINK("http://evil.example","x") #2'}
    assert [row[5] for row in rows] == ["'+1+2", "'-SUM(A1)", "'@SUM(A1)", "'\t=1"]
    assert rows[0][7] == "'=cmd@example.net"
    assert neutralise("\r=1") == "'\r=1"
    assert neutralise("plain") == "plain"


def test_bidi_controls_and_invisible_characters_are_shown_in_a_cell() -> None:
    # A subject stored before the subject rules refused them reads in its own order.
    assert neutralise("Invoice \u202efdp.exe\u2069") == "Invoice \\u202efdp.exe\\u2069"
    assert neutralise("a\u200bb\U000e0041") == "a\\u200bb\\U000e0041"
    assert neutralise("Grüße 你好 \u200d") == "Grüße 你好 \u200d"  # ZWJ joins, stays


def test_recipients_are_masked_unless_revealed_for_this_export(
    filled: Context, tmp_path: Path
) -> None:
    masked = _rows(export_messages(filled, PageRequest(), tmp_path / "m.xlsx").path)
    assert all(str(row[7]).startswith("***@") for row in masked[1:])
    revealed = _rows(
        export_messages(filled, PageRequest(), tmp_path / "r.xlsx", reveal_recipients=True).path
    )
    assert "user00@example.org" in {row[7] for row in revealed[1:]}
    again = _rows(export_messages(filled, PageRequest(), tmp_path / "m2.xlsx").path)
    assert again == masked  # revealing once does not stick


def test_a_cancelled_export_leaves_the_old_file_and_no_temporary(
    filled: Context, out: Path
) -> None:
    target = out / "report.xlsx"
    target.write_bytes(b"the previous report")
    with pytest.raises(KootuiError) as caught:
        export_messages(filled, PageRequest(), target, cancelled=lambda: True)
    assert caught.value.code == "export.cancelled"
    assert target.read_bytes() == b"the previous report"
    assert sorted(p.name for p in out.iterdir()) == ["report.xlsx"]
    # Finished, the new workbook replaces the old file in one rename.
    result = export_messages(filled, PageRequest(), target)
    assert result.rows == 64
    assert len(_rows(target)) == 65
    assert sorted(p.name for p in out.iterdir()) == ["report.xlsx"]


def test_bad_paths_are_refused_naming_the_path(filled: Context, tmp_path: Path) -> None:
    folder = tmp_path / "folder.xlsx"
    folder.mkdir()
    read_only = tmp_path / "locked"
    read_only.mkdir()
    read_only.chmod(0o500)
    cases = [folder, tmp_path / "missing" / "out.xlsx", tmp_path / "out.csv"]
    if os.geteuid() != 0:  # root may write anywhere
        cases.append(read_only / "out.xlsx")
    for path in cases:
        with pytest.raises(ValidationError) as caught:
            export_messages(filled, PageRequest(), path)
        assert caught.value.field == "path", path
    assert not (tmp_path / "out.csv").exists()


def test_a_bad_filter_is_refused_before_any_file_is_made(filled: Context, out: Path) -> None:
    with pytest.raises(ValidationError) as caught:
        export_messages(filled, PageRequest(advanced={"status": "lost"}), out / "x.xlsx")
    assert caught.value.field == "status"
    assert list(out.iterdir()) == []
