"""Columns that end at the table's edge, one of them taking what is left (issue 17, item 8:
the Sending Details subject was 14 wide at any width)."""

from __future__ import annotations

import pytest

from kootui.core.store import Column
from kootui.tui.pages.details.page import DETAILS_FIT, page_columns
from kootui.tui.widgets.column_fit import CELL_PADDING, ColumnFit
from kootui.tui.widgets.page_grid import MARK_WIDTH

# The Sending Details table's width at each terminal width (its vertical scrollbar and,
# from 100 columns, the navigation taken off), then the mark column.
TABLE_WIDTHS = {80: 78, 100: 70, 120: 86, 160: 126, 200: 166}


def details_widths(terminal_columns: int) -> dict[str, int]:
    return DETAILS_FIT.widths(page_columns(), TABLE_WIDTHS[terminal_columns] - MARK_WIDTH)


def used(widths: dict[str, int], keys: list[str]) -> int:
    return MARK_WIDTH + sum(widths[key] + CELL_PADDING for key in keys)


MAIN = ["message_id", "task", "status", "subject", "recipient", "created"]


@pytest.mark.parametrize(
    ("terminal_columns", "whole", "subject"),
    [
        (80, MAIN[:-1], 20),  # Created gives way: the subject would be under 12
        (100, MAIN[:-1], 12),
        (120, MAIN, 14),
        (160, [*MAIN, "received"], 40),
        (200, [*MAIN, "received", "template"], 62),
    ],
)
def test_the_shown_columns_end_at_the_edge_and_the_subject_takes_what_is_left(
    terminal_columns: int, whole: list[str], subject: int
) -> None:
    widths = details_widths(terminal_columns)
    assert widths["subject"] == subject
    # Nothing is cut at the edge: the next column starts exactly there.
    assert used(widths, whole) == TABLE_WIDTHS[terminal_columns]


def test_the_task_narrows_before_a_main_column_gives_way() -> None:
    columns = page_columns()
    table = used({c.key: c.width or 0 for c in columns}, MAIN) - 14 + 12  # subject at 12
    exact = DETAILS_FIT.widths(columns, table - MARK_WIDTH)
    assert (exact["task"], exact["subject"]) == (13, 12)
    narrowed = DETAILS_FIT.widths(columns, table - 2 - MARK_WIDTH)
    assert (narrowed["task"], narrowed["subject"]) == (11, 12)
    assert used(narrowed, MAIN) == table - 2


def test_a_table_too_narrow_for_the_flexing_minimum_keeps_it_and_scrolls() -> None:
    fit = ColumnFit(flex="b", last_main="b", flex_min=12)
    columns = [Column("a", "A", width=30), Column("b", "B", width=5)]
    assert fit.widths(columns, 20) == {"a": 30, "b": 12}
