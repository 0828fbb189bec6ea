"""Snapshots of the Suppression List page in the dark theme, at 120x40 and 80x24.

Regenerate after a deliberate change with ``pytest tests/tui/test_snapshots_suppression.py
--snapshot-update`` and look at the SVGs.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from kootui.core.context import Context
from kootui.core.suppression import add_suppression
from tests.support.tui_shell import SIZE, build_app, settle


def _seed(context: Context) -> None:
    entries = (
        ("ana.silva@example.com", "unsubscribed", 1201, ""),
        ("ghost@example.org", "hard_bounce", 1188, ""),
        ("angry@example.net", "complaint", None, "reported as spam via the ESP"),
        ("ceo@competitor.example", "manual", None, "asked by phone, 2 Dec"),
    )
    for index, (address, reason, message_id, note) in enumerate(entries):
        context.clock.advance(timedelta(minutes=7 * index))  # type: ignore[attr-defined]
        add_suppression(context, address, reason=reason, note=note, message_id=message_id)


async def _open(pilot) -> None:
    await settle(pilot)
    await pilot.press("g", "u")
    await settle(pilot)
    await pilot.press("r")  # reveal the newest row
    await settle(pilot)


@pytest.mark.parametrize("size", [SIZE, (80, 24)], ids=["120x40", "80x24"])
def test_suppression_page(snap_compare, context: Context, size: tuple[int, int]) -> None:
    _seed(context)
    app = build_app(context, theme="kootui-dark")
    assert snap_compare(app, terminal_size=size, run_before=_open)
