"""Snapshots of the Webhooks page in the dark theme, at 120x40 and 80x24: three endpoints
(delivering, failing, disabled after days of failures, named in the notice).

Regenerate after a deliberate change with ``pytest tests/tui/test_snapshots_webhooks.py
--snapshot-update`` and look at the SVGs.
"""

from __future__ import annotations

import pytest

from kootui.core.context import Context
from tests.support.tui_shell import SIZE, build_app, settle
from tests.support.tui_webhooks import seed_endpoints


async def _open(pilot) -> None:
    await settle(pilot)
    await pilot.press("g", "w")
    await settle(pilot)
    await pilot.press("down")
    await settle(pilot)


@pytest.mark.parametrize("size", [SIZE, (80, 24)], ids=["120x40", "80x24"])
def test_webhooks_page(snap_compare, context: Context, size: tuple[int, int]) -> None:
    seed_endpoints(context)
    app = build_app(context, theme="kootui-dark")
    assert snap_compare(app, terminal_size=size, run_before=_open)
