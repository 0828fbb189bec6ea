"""What the list page pattern looks like, pinned at 120x40 over fixed store rows.

Regenerate after an intended change with
``pytest tests/tui/test_snapshots_list_pattern.py --snapshot-update`` and look at the SVGs.
"""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input

from kootui.core.context import Context
from tests.support.list_pattern_apps import DomainListApp, seed_domains, settle

SIZE = (120, 40)


def sorted_app(context: Context, *, search_open: bool = False) -> DomainListApp:
    seed_domains(context)
    return DomainListApp(context, search_open=search_open)


def test_list_panel(snap_compare: Any, context: Context) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("s")  # sorted by Domain: the arrow shows in the header
        await settle(pilot)
        await pilot.press("down", "space", "space")  # two rows marked
        await settle(pilot)

    assert snap_compare(sorted_app(context), terminal_size=SIZE, run_before=run_before)


def test_list_panel_with_a_search_error(snap_compare: Any, context: Context) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        pilot.app.query_one("#search-created_from", Input).focus()
        await pilot.press(*"1 Nov", "enter")
        await settle(pilot)

    app = sorted_app(context, search_open=True)
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_form_dialog_with_a_field_error(snap_compare: Any, context: Context) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("a", *"localhost", "ctrl+s")
        await settle(pilot)

    assert snap_compare(sorted_app(context), terminal_size=SIZE, run_before=run_before)


def test_destructive_confirm_dialog(snap_compare: Any, context: Context) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("down", "x", *"news")
        await settle(pilot)

    assert snap_compare(sorted_app(context), terminal_size=SIZE, run_before=run_before)


def test_details_view(snap_compare: Any, context: Context) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)

    assert snap_compare(sorted_app(context), terminal_size=SIZE, run_before=run_before)
