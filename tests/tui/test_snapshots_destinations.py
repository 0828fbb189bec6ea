"""Snapshot of the Destinations page in the dark theme, at 120x40: two groups, the default
rule, the workspace rate set live and one destination being slowed.

Regenerate after a deliberate change with ``pytest tests/tui/test_snapshots_destinations.py
--snapshot-update`` and look at the SVG.
"""

from __future__ import annotations

from kootui.core.context import Context
from kootui.core.shaping import Throttle, add_rule, set_rule, set_workspace_rate, slow_down
from tests.support.tui_shell import SIZE, build_app, settle


def test_destinations_page(snap_compare, context: Context):
    google = add_rule(context, "Google", ["gmail.com", "googlemail.com"], 10, 4)
    add_rule(context, "Microsoft", ["outlook.com", "hotmail.com", "live.com"], 5)
    set_rule(context, "default", rate=20, max_connections=2)
    set_workspace_rate(context, 100)
    slow_down(
        context.store,
        [Throttle(f"rule:{google.id}", "Google", "421 4.7.0 Try again later", 10, 10)],
        context.clock.now(),
    )

    async def open_destinations(pilot) -> None:
        await settle(pilot)
        await pilot.press("g", "l")
        await settle(pilot)
        await pilot.press("down")
        await settle(pilot)

    app = build_app(context, theme="kootui-dark")
    assert snap_compare(app, terminal_size=SIZE, run_before=open_destinations)
