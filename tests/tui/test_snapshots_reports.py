"""Snapshots of the Statistics Report page: the daily week of hand-chosen figures in the
dark, light and ANSI themes at 120x40, and the hourly day at 80x24 (the navigation folds
away); the Overview's week chart is in test_snapshots_shell's Overview snapshots.

Deterministic by construction: the figures are written for the fixed clock (Monday 23 Nov
2026 15:30, TZ=UTC), the chart is drawn by kootui from those figures, no cursor blink.
Regenerate after a deliberate change with ``pytest tests/tui/test_snapshots_reports.py
--snapshot-update`` and look at the SVGs.
"""

from __future__ import annotations

import pytest

from tests.support.tui_reports import open_report, report_app, seed_report
from tests.support.tui_shell import SIZE, settle

THEMES = ["kootui-dark", "kootui-light", "kootui-ansi"]


@pytest.mark.parametrize("theme", THEMES)
def test_daily_report(snap_compare, context, theme):
    seed_report(context)
    assert snap_compare(
        report_app(context, theme=theme), terminal_size=SIZE, run_before=open_report
    )


def test_hourly_report_at_80x24(snap_compare, context):
    seed_report(context)

    async def hourly(pilot):
        await open_report(pilot)
        await pilot.press("t", "t")  # daily → monthly → hourly
        await settle(pilot)

    app = report_app(context, theme="kootui-dark")
    assert snap_compare(app, terminal_size=(80, 24), run_before=hourly)
