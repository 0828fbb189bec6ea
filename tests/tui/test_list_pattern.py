"""The list page pattern driven by keys and clicks over a real SQLite store."""

from __future__ import annotations

from textual.widgets import Input, Select, Static

from kootui.core.context import Context
from kootui.core.store import PageRequest
from kootui.tui.shell.list_panel import ListPanel
from kootui.tui.widgets import DetailsPanel, DetailsScreen, FilterBar, PagedTable
from kootui.tui.widgets.page_grid import MARK_COLUMN, PageGrid
from tests.support.list_pattern_apps import (
    DOMAIN_NAMES,
    PAGE_SIZE,
    DomainListApp,
    after_typing,
    seed_domains,
    settle,
)


def shown_names(app: DomainListApp) -> list[str]:
    grid = app.query_one(PageGrid)
    return [str(grid.get_cell(row_key, "name")) for row_key in grid.rows]


def footer(app: DomainListApp) -> str:
    return str(app.query_one(".page-footer", Static).render())


async def test_the_list_shows_one_page_and_says_where_it_is(context: Context) -> None:
    seed_domains(context)
    app = DomainListApp(context)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert shown_names(app) == sorted(DOMAIN_NAMES)[:PAGE_SIZE]
        assert footer(app).startswith("rows 1–10 of 23")
        # Only one page was ever asked for, and only a page's worth of rows came back.
        assert [(r.offset, r.limit) for r in app.source.requests] == [(0, PAGE_SIZE)]
        assert app.query_one(PageGrid).row_count == PAGE_SIZE


async def test_brackets_page_forward_and_back(context: Context) -> None:
    seed_domains(context)
    app = DomainListApp(context)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert shown_names(app) == sorted(DOMAIN_NAMES)[10:20]
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert shown_names(app) == sorted(DOMAIN_NAMES)[20:]
        assert footer(app).startswith("rows 21–23 of 23")
        await pilot.press("right_square_bracket")  # no page after the last: nothing asked
        await settle(pilot)
        assert len(app.source.requests) == 3
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert footer(app).startswith("rows 11–20 of 23")


async def test_page_down_on_the_last_row_opens_the_next_page(context: Context) -> None:
    seed_domains(context)
    app = DomainListApp(context)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        grid = app.query_one(PageGrid)
        await pilot.press("pagedown")  # first: to the bottom of this page
        await settle(pilot)
        assert grid.cursor_row == PAGE_SIZE - 1 and footer(app).startswith("rows 1–10")
        await pilot.press("pagedown")
        await settle(pilot)
        assert footer(app).startswith("rows 11–20") and grid.cursor_row == 0
        await pilot.press("pageup")  # at the top row: back a page, cursor at its bottom
        await settle(pilot)
        assert footer(app).startswith("rows 1–10") and grid.cursor_row == PAGE_SIZE - 1


async def test_keys_cycle_the_sort_column_and_reverse_it(context: Context) -> None:
    seed_domains(context)
    app = DomainListApp(context)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("s")  # the first sortable column: Domain
        await settle(pilot)
        assert str(app.query_one(PageGrid).columns["name"].label) == "Domain ▲"
        await pilot.press("S")
        await settle(pilot)
        assert shown_names(app) == sorted(DOMAIN_NAMES, reverse=True)[:PAGE_SIZE]
        assert "sorted by Domain descending" in footer(app)
        await pilot.press("s")  # next sortable column: Status
        await settle(pilot)
        assert app.source.requests[-1].sort_key == "status"
        assert str(app.query_one(PageGrid).columns["status"].label) == "Status ▲"
        assert str(app.query_one(PageGrid).columns["name"].label) == "Domain"


async def test_clicking_a_header_sorts_and_clicking_again_reverses(context: Context) -> None:
    seed_domains(context)
    app = DomainListApp(context)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        grid = app.query_one(PageGrid)
        x = sum(c.get_render_width(grid) for c in grid.ordered_columns[:3]) + 2
        await pilot.click(PageGrid, offset=(x, 0))  # the Created header
        await settle(pilot)
        oldest_first = [n for n in DOMAIN_NAMES][:PAGE_SIZE]
        assert shown_names(app) == oldest_first
        await pilot.click(PageGrid, offset=(x, 0))
        await settle(pilot)
        assert shown_names(app) == list(reversed(DOMAIN_NAMES))[:PAGE_SIZE]
        assert str(grid.columns["created_at"].label) == "Created ▼"
        id_x = sum(c.get_render_width(grid) for c in grid.ordered_columns[:4]) + 1
        asked = len(app.source.requests)
        await pilot.click(PageGrid, offset=(id_x, 0))  # ID is not sortable: nothing happens
        await settle(pilot)
        assert len(app.source.requests) == asked


async def test_typing_in_the_filter_narrows_the_rows(context: Context) -> None:
    seed_domains(context)
    app = DomainListApp(context)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        assert isinstance(app.focused, FilterBar)
        # A pause longer than a loaded CI machine takes between two keys, so the test
        # shows coalescing rather than how fast the machine is.
        app.focused.debounce = 1.5
        await pilot.press(*"shop")
        await after_typing(pilot)
        expected = sorted(n for n in DOMAIN_NAMES if "shop" in n)
        assert shown_names(app) == expected
        assert footer(app).startswith(f"rows 1–{len(expected)} of {len(expected)}")
        # Typing fast is one query per pause, not one per key.
        assert [r.text_filter for r in app.source.requests] == ["", "shop"]
        await pilot.press("enter")  # back to the list
        assert isinstance(app.focused, PageGrid)


async def test_a_filter_matching_nothing_shows_the_empty_state(context: Context) -> None:
    seed_domains(context)
    app = DomainListApp(context)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"zzz_%")
        await after_typing(pilot)
        assert app.query_one(PageGrid).row_count == 0
        empty = app.query_one(".empty-state", Static)
        assert empty.display and str(empty.render()) == "Nothing matches the filter."
        await pilot.press("escape")  # clears the filter: all rows again
        await after_typing(pilot)
        assert footer(app).startswith("rows 1–10 of 23") and not empty.display


async def test_an_empty_store_says_how_to_start(context: Context) -> None:
    app = DomainListApp(context)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        empty = app.query_one(".empty-state", Static)
        assert str(empty.render()) == "No sender domains yet. Press a to add one."
        assert footer(app).startswith("no rows of 0")


async def test_advanced_search_filters_by_status_and_dates(context: Context) -> None:
    seed_domains(context)
    app = DomainListApp(context, search_open=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.query_one("#search-status", Select).value = "failed"  # a choice searches at once
        await settle(pilot)
        assert footer(app).startswith("rows 1–7 of 7")
        app.query_one("#search-created_from", Input).focus()
        await pilot.press(*"2026-11-06")
        await pilot.press("enter")
        await settle(pilot)
        # Failed domains are every third from Nov 3; from Nov 6 on: Nov 6, 9, ..., 21.
        expected = sorted(n for i, n in enumerate(DOMAIN_NAMES) if i % 3 == 2 and i >= 5)
        assert shown_names(app) == expected
        assert app.source.requests[-1].advanced == {
            "status": "failed",
            "created_from": "2026-11-06",
            "created_to": "",
        }
        await pilot.press("ctrl+l")  # clears every field and searches again
        await settle(pilot)
        assert footer(app).startswith("rows 1–10 of 23")
        assert app.query_one("#search-status", Select).value is Select.NULL


async def test_a_bad_date_is_shown_beside_its_field(context: Context) -> None:
    seed_domains(context)
    app = DomainListApp(context, search_open=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.query_one("#search-created_to", Input).focus()
        await pilot.press(*"31/12/2026", "enter")
        await settle(pilot)
        error = app.query_one("#search-error-created", Static)
        assert "must be a date like 2026-11-23" in str(error.render())
        assert app.query_one("#search-created_to", Input).value == "31/12/2026"
        assert shown_names(app) == sorted(DOMAIN_NAMES)[:PAGE_SIZE]  # the old rows stay
        await pilot.press(*["backspace"] * 10, *"2026-12-31", "enter")
        await settle(pilot)
        assert str(error.render()) == ""


async def test_space_marks_rows_across_pages(context: Context) -> None:
    seed_domains(context)
    app = DomainListApp(context)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        panel, grid = app.query_one(ListPanel), app.query_one(PageGrid)
        first, second = sorted(DOMAIN_NAMES)[:2]
        await pilot.press("space", "space")  # marks a row and moves on, k9s style
        assert grid.cursor_row == 2
        marked = [k for k in grid.rows if k.value in panel.marked]
        marked_names = {str(grid.get_cell(k, "name")) for k in marked}
        assert marked_names == {first, second}
        assert [str(grid.get_cell(k, MARK_COLUMN)) for k in list(grid.rows)[:3]] == ["✓", "✓", " "]
        assert "2 marked" in footer(app)
        await pilot.press("right_square_bracket", "space")
        await settle(pilot)
        await pilot.press("space")
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert len(panel.marked) == 4  # marks are kept by row key, across pages
        assert [str(grid.get_cell(k, MARK_COLUMN)) for k in list(grid.rows)[:2]] == ["✓", "✓"]
        assert grid.cursor_row == PAGE_SIZE - 1  # back a page: the cursor comes in at the bottom
        await pilot.press("pageup", "space")  # to the top row, and unmark it
        assert len(panel.marked) == 3
        assert str(grid.get_cell_at((0, 0))) == " "
        await pilot.press("ctrl+backslash")
        assert panel.marked == frozenset() and "marked" not in footer(app)


async def test_enter_opens_the_details_of_the_highlighted_row(context: Context) -> None:
    seed_domains(context)
    app = DomainListApp(context)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, DetailsScreen)
        panel = app.screen.query_one(DetailsPanel)
        labels = [str(w.render()) for w in panel.query(".detail-label").results(Static)]
        values = [str(w.render()) for w in panel.query(".detail-value").results(Static)]
        name = sorted(DOMAIN_NAMES)[1]
        assert labels == ["Domain", "Status", "Created", "ID"]
        assert values[0] == name and values[2].startswith("2026-11-")
        await pilot.press("escape")
        assert not isinstance(app.screen, DetailsScreen)


async def test_an_action_button_runs_the_bound_action_and_shows_its_key(context: Context) -> None:
    seed_domains(context)
    app = DomainListApp(context)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        labels = [str(b.label) for b in app.query(".list-action").results()]
        assert labels == ["a Add domain", "x Delete"]
        app.set_keymap({"domains.add": "n"})
        app.query_one(ListPanel).refresh_action_labels()
        labels = [str(b.label) for b in app.query(".list-action").results()]
        assert labels[0] == "n Add domain"
        await pilot.click(".list-action")
        await pilot.pause()
        assert type(app.screen).__name__ == "FormDialog"


async def test_reload_reads_the_store_again_and_keeps_the_cursor(context: Context) -> None:
    seed_domains(context)
    app = DomainListApp(context)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("down", "down")
        seed_domains(context, ["aaa.example.com"])  # sorts first: the old rows move down
        app.query_one(ListPanel).reload()
        await settle(pilot)
        table = app.query_one(PagedTable)
        assert footer(app).startswith("rows 1–10 of 24")
        assert table.highlighted_row is not None
        assert table.highlighted_row["name"] == sorted(DOMAIN_NAMES)[2]
        assert app.source.requests[-1] == PageRequest(limit=PAGE_SIZE)


async def test_actions_act_on_the_marked_rows_or_else_the_cursor_row(context: Context) -> None:
    seed_domains(context)
    app = DomainListApp(context)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        panel = app.query_one(ListPanel)
        first_key = panel.highlighted_row.key if panel.highlighted_row else ""
        assert panel.target_keys() == [first_key]
        await pilot.press("down", "space", "space")
        assert len(panel.target_keys()) == 2 and first_key not in panel.target_keys()
        panel.reload(clear_marks=True)
        await settle(pilot)
        assert panel.marked == frozenset() and len(panel.target_keys()) == 1
