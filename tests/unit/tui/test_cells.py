"""Cutting text to fit: cells end in an ellipsis, counts are abbreviated, never cut, and
footers and the records table give up room in a stated order."""

from __future__ import annotations

import io

from rich.console import Console
from rich.text import Text

from kootui.core.store import Column
from kootui.tui.widgets.cells import fit_cell, fraction_cell, short_count
from kootui.tui.widgets.fitting_footer import keys_that_fit, rank_of
from kootui.tui.widgets.page_grid import render_cell
from kootui.tui.widgets.record_table import FULL_WIDTHS, column_widths

LONG_DOMAIN = "a-very-long-sender-domain-name-for-the-marketing-team.example.com"  # 61+


def drawn(cell: Text, width: int) -> str:
    """The cell as a table draws it (DataTable renders its cells with ``render_lines``)."""
    console = Console(width=width, file=io.StringIO(), color_system=None)
    lines = console.render_lines(cell, console.options)
    return "\n".join("".join(segment.text for segment in line).rstrip() for line in lines)


def test_a_long_value_is_drawn_with_an_ellipsis_at_the_column_width():
    cell = render_cell(Column("display_name", "Domain", width=28), LONG_DOMAIN, {})
    assert isinstance(cell, Text)
    assert cell.plain == LONG_DOMAIN, "the value stays whole; only what is drawn is cut"
    assert drawn(cell, 28) == LONG_DOMAIN[:27] + "…"
    short = render_cell(Column("name", "Name", width=28), "short", {})
    assert isinstance(short, Text) and drawn(short, 28) == "short"
    assert drawn(fit_cell(Text("one\ntwo")), 20) == "one two"
    assert drawn(fit_cell(Text("wide 漢字漢字")), 8) == "wide 漢…"  # by cells, not characters


def test_counts_are_abbreviated_rounding_down():
    shown = {n: short_count(n) for n in (9_999, 10_000, 19_999, 199_999, 1_250_000, 10**9)}
    assert shown == {
        9_999: "9,999",
        10_000: "10k",
        19_999: "19.9k",  # never "20k": that would read as all sent
        199_999: "199k",
        1_250_000: "1.2M",
        10**9: "1G",
    }
    assert fraction_cell(5, 15, 9) == "5/15"
    assert fraction_cell(1_234, 5_678, 11) == "1,234/5,678"
    assert fraction_cell(20_000, 20_000, 9) == "20k/20k"
    assert fraction_cell(19_999, 20_000, 9) == "19.9k/20k"


def test_the_footer_keeps_keys_by_rank_and_help_always():
    # help, a page key, an exit key, a list key, quit
    widths, ranks = [7, 12, 9, 8, 7], [0, 2, 1, 5, 6]
    assert keys_that_fit(widths, ranks, 100) == {0, 1, 2, 3, 4}
    assert keys_that_fit(widths, ranks, 28) == {0, 1, 2}
    assert keys_that_fit(widths, ranks, 20) == {0, 2}, "a smaller key never jumps the queue"
    assert keys_that_fit(widths, ranks, 3) == {0}
    assert [rank_of(i) for i in ("help", "domain-details-close", "domains-new", "quit")] == [
        0,
        1,
        2,
        6,
    ]


def test_the_records_table_shrinks_names_and_values_before_the_status():
    assert column_widths(200) == FULL_WIDTHS
    narrow = column_widths(76)
    assert narrow["status"] == FULL_WIDTHS["status"] and narrow["type"] == FULL_WIDTHS["type"]
    assert sum(narrow.values()) + 2 * len(narrow) <= 76
    assert narrow["name"] < FULL_WIDTHS["name"]
