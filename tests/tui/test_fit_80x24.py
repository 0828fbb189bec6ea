"""The console at 80x24, the usual SSH window: what a user must still see there."""

from __future__ import annotations

from textual.widgets import Input
from textual.widgets._footer import FooterKey

from kootui.tui.widgets.advanced_search import AdvancedSearch
from kootui.tui.widgets.fitting_footer import FittingFooter
from kootui.tui.widgets.record_table import RecordTable
from tests.support.outside_text import drawn_text
from tests.support.tui_details import message_list, open_details
from tests.support.tui_shell import build_app, settle

SSH_SIZE = (80, 24)


def footer_keys(app) -> list[str]:  # type: ignore[no-untyped-def]
    """The footer's keys as shown, each whole inside the footer, or an AssertionError."""
    footer = app.screen.query_one(FittingFooter)
    shown = []
    for key in footer.query(FooterKey):
        if key.display:
            assert footer.region.contains_region(key.region), f"{key.description!r} is cut"
            shown.append(f"{key.key_display} {key.description}".strip())
    return shown


async def test_a_search_in_a_short_window_folds_to_show_its_rows(demo):
    app = build_app(demo)
    async with app.run_test(size=SSH_SIZE) as pilot:
        await open_details(app, pilot)
        search = app.screen.query_one(AdvancedSearch)
        search.collapsed = False
        await settle(pilot)
        field = app.screen.query_one("#search-task_name", Input)
        field.value = "newsletter"
        field.focus()
        await pilot.press("enter")
        await settle(pilot)
        panel = message_list(app)
        assert search.collapsed, "the rows, not the fields, fill the window"
        assert panel.table.grid.has_focus
        assert panel.table.grid.row_count > 0
        assert str(search.title) == "Advanced search · 1 set"
        # A refused value opens it again, beside its field.
        search.collapsed = False
        await settle(pilot)
        task_id = app.screen.query_one("#search-task_id", Input)
        task_id.value = "12a"
        task_id.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert not search.collapsed


async def test_domains_keep_whole_footer_keys_and_the_records_status(demo):
    app = build_app(demo)
    async with app.run_test(size=SSH_SIZE) as pilot:
        await settle(pilot)
        await pilot.press("g", "d")
        await settle(pilot)
        shown = footer_keys(app)
        assert "n New" in shown and "? Help" in shown
        await pilot.press("enter")  # a domain's details: more keys than room
        await settle(pilot)
        shown = footer_keys(app)
        assert shown[:3] == ["c Copy snippet", "w Save snippet", "v Check DNS"]
        assert "esc Back" in shown and "? Help" in shown, "the way out and to the rest"
        assert "r Rotate DKIM key" not in shown and "g Go to" not in shown
        table = app.screen.query_one(RecordTable)
        right_edge = sum(column.get_render_width(table) for column in table.columns.values())
        assert right_edge <= table.size.width, "every column, Status the last, is on screen"
        assert table.widths["status"] == 29
        drawn = drawn_text(table)
        assert "● Could not check, will retry" in drawn and "kootui1._doma…" in drawn
