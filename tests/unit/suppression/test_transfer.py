"""Import and export of the suppression list as .xlsx: the recipients reader's safety on
the way in, the details export's guards on the way out."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from kootui.core.context import Context
from kootui.core.errors import ValidationError
from kootui.core.store import PageRequest
from kootui.core.suppression import (
    add_suppression,
    count_suppressions,
    export_suppressions,
    import_suppressions,
    list_suppressions,
)


def _workbook(path: Path, rows: list[list[object]]) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def test_import_adds_new_addresses_keeps_known_ones_and_lists_refusals(
    any_context: Context, tmp_path: Path
) -> None:
    add_suppression(any_context, "known@example.com", reason="hard_bounce")
    path = _workbook(
        tmp_path / "list.xlsx",
        [
            ["Email", "why"],
            ["new@example.com", "ignored column"],
            ["KNOWN@example.com", ""],
            ["not an address", ""],
            ['=HYPERLINK("x")', ""],
            ["New@Example.com", ""],
            ["other@example.org", ""],
        ],
    )
    result = import_suppressions(any_context, path, reason="complaint", note="from the ESP")
    assert (result.added, result.already, result.refused_count, result.repeated) == (2, 1, 2, 1)
    assert [entry.row for entry in result.refused] == [4, 5]
    assert result.summary().startswith("2 added, 1 already on the list, 2 refused")
    page = list_suppressions(any_context, PageRequest(sort_key="address"), reveal=True)
    assert [(row["address"], row["reason"], row["note"]) for row in page.rows] == [
        ("known@example.com", "hard_bounce", ""),  # an entry keeps its first reason
        ("new@example.com", "complaint", "from the ESP"),
        ("other@example.org", "complaint", "from the ESP"),
    ]


def test_an_unsafe_or_wrong_file_is_refused_before_anything_is_added(
    context: Context, tmp_path: Path
) -> None:
    fake = tmp_path / "fake.xlsx"
    fake.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 600)  # an old .xls, not a zip
    with pytest.raises(ValidationError) as refused:
        import_suppressions(context, fake)
    assert refused.value.field == "xlsx"
    no_email = _workbook(tmp_path / "no-email.xlsx", [["address"], ["a@example.com"]])
    with pytest.raises(ValidationError, match="no 'email' column"):
        import_suppressions(context, no_email)
    with pytest.raises(ValidationError) as bad_reason:
        import_suppressions(context, no_email, reason="whatever")
    assert bad_reason.value.field == "reason"
    assert count_suppressions(context) == 0


def test_export_masks_unless_revealed_guards_formulas_and_is_private(
    context: Context, tmp_path: Path
) -> None:
    add_suppression(context, "ann@example.com", note="=cmd|' /C calc'!A0")
    add_suppression(context, "bob@example.org", reason="hard_bounce", message_id=7)
    target = tmp_path / "suppressed.xlsx"
    result = export_suppressions(context, PageRequest(sort_key="address"), target)
    assert result.rows == 2
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    rows = list(load_workbook(target).active.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert rows[0] == ("Address", "Reason", "Since", "Message ID", "Note")
    assert rows[1][0] == "***@example.com" and rows[1][4] == "'=cmd|' /C calc'!A0"
    assert rows[2][:2] == ("***@example.org", "Hard bounce") and rows[2][3] == 7
    filtered = PageRequest(advanced={"reason": "hard_bounce"})
    export_suppressions(context, filtered, target, reveal=True)
    rows = list(load_workbook(target).active.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert [row[0] for row in rows[1:]] == ["bob@example.org"]
    assert list(tmp_path.glob("*.part")) == []


def test_an_exported_list_imports_back_when_revealed(context: Context, tmp_path: Path) -> None:
    add_suppression(context, "ann@example.com")
    target = tmp_path / "out.xlsx"
    export_suppressions(context, PageRequest(), target, reveal=True)
    # The export's header says "Address"; the import reads the "email" column.
    sheet = load_workbook(target)
    sheet.active["A1"] = "email"  # type: ignore[index]
    sheet.save(target)
    result = import_suppressions(context, target)
    assert (result.added, result.already) == (0, 1)
