"""Snapshots of the Sending Details page in the dark theme, at 120x40: the message list of the
demo workspace (and at 160x40, where the subject widens), the advanced search panel open
with a refused value beside its field, and a message's detail view (a deferral, then
delivery; its headers masked).

Deterministic by construction: the demo rows and the detail's store are made with the fixed
clock, and the detail view's header block is fixed text (the demo's own blocks carry a
fresh DKIM signature and MIME boundary each time they are composed). Regenerate after a
deliberate change with ``pytest tests/tui/test_snapshots_details.py --snapshot-update`` and
look at the SVGs.
"""

from __future__ import annotations

from textual.widgets import Input

from kootui.tui.widgets.advanced_search import AdvancedSearch
from tests.support.tui_details import highlight, seed_details
from tests.support.tui_shell import SIZE, build_app, settle


async def open_details(pilot) -> None:
    await settle(pilot)
    await pilot.press("g", "e")
    await settle(pilot)


def test_message_list(snap_compare, demo):
    assert snap_compare(
        build_app(demo, theme="kootui-dark"), terminal_size=SIZE, run_before=open_details
    )


def test_message_list_at_160_columns(snap_compare, demo):
    # Wider than 120, the subject takes what the other columns leave (40) and Received
    # joins them; every column shown ends whole at the table's edge.
    assert snap_compare(
        build_app(demo, theme="kootui-dark"), terminal_size=(160, 40), run_before=open_details
    )


def test_search_panel_with_a_refused_value(snap_compare, demo):
    async def search(pilot):
        await open_details(pilot)
        screen = pilot.app.screen
        screen.query_one(AdvancedSearch).collapsed = False
        await pilot.pause()
        screen.query_one("#search-task_name", Input).value = "newsletter"
        field = screen.query_one("#search-task_id", Input)
        field.value = "12a"
        field.focus()
        await pilot.press("enter")
        await settle(pilot)
        screen.query_one("#message-list").table.grid.focus()
        await settle(pilot)

    app = build_app(demo, theme="kootui-dark")
    assert snap_compare(app, terminal_size=SIZE, run_before=search)


def test_message_detail(snap_compare, context):
    seeded = seed_details(context)

    async def open_message(pilot):
        await open_details(pilot)
        await highlight(pilot.app, seeded.delivered)
        await pilot.press("enter")
        await settle(pilot)

    app = build_app(context, theme="kootui-dark")
    assert snap_compare(app, terminal_size=SIZE, run_before=open_message)
