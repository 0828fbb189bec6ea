"""Snapshots of the console shell (dark) and the Overview page (dark and light), at 120x40.

Deterministic by construction: the demo rows seeded with the fixed clock, the
header's time from that clock, TZ=UTC (tests/conftest.py), no cursor blink.
Regenerate after a deliberate change with ``pytest tests/tui/test_snapshots_shell.py
--snapshot-update`` and look at the SVGs before committing them.
"""

from __future__ import annotations

import pytest

from tests.support.tui_shell import SIZE, build_app, settle

THEMES = ["kootui-dark", "kootui-light"]


@pytest.mark.parametrize("theme", THEMES)
def test_overview(snap_compare, demo, theme):
    assert snap_compare(build_app(demo, theme=theme), terminal_size=SIZE, run_before=settle)


def test_help_panel(snap_compare, demo):
    async def open_help(pilot):
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)

    assert snap_compare(
        build_app(demo, theme="kootui-dark"), terminal_size=SIZE, run_before=open_help
    )


def test_jump_prompt_while_typing(snap_compare, demo):
    async def type_part_of_a_name(pilot):
        await settle(pilot)
        await pilot.press("colon", *"sen")
        await settle(pilot)

    app = build_app(demo, theme="kootui-dark")
    assert snap_compare(app, terminal_size=SIZE, run_before=type_part_of_a_name)


def test_go_popup(snap_compare, demo):
    async def press_g(pilot):
        await settle(pilot)
        await pilot.press("g")
        await settle(pilot)

    app = build_app(demo, theme="kootui-dark")
    assert snap_compare(app, terminal_size=SIZE, run_before=press_g)
