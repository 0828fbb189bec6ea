"""The Overview's figure cards fit their longest line at every width the console lays
them out in a row ("2 verified" once broke over two lines at 120 columns), and the page
opens at its top."""

from __future__ import annotations

import pytest
from textual.widgets import Static

from kootui.core.context import Context
from kootui.tui.pages.overview.page import CARDS
from tests.support.tui_shell import build_app, wait_until


@pytest.mark.parametrize(
    ("width", "height"), [(80, 24), (80, 40), (99, 40), (100, 24), (100, 40), (110, 40),
                          (119, 40), (120, 24), (120, 40), (160, 50)]
)  # fmt: skip
async def test_no_card_breaks_a_line(demo: Context, width: int, height: int) -> None:
    app = build_app(demo, theme="kootui-dark")
    async with app.run_test(size=(width, height)) as pilot:
        loaded = app.screen.query_one("#overview-loaded", Static)
        await wait_until(pilot, lambda: "figures as of" in str(loaded.render()), "figures")
        for card in CARDS:
            shown = app.screen.query_one(f"#card-{card}", Static)
            longest = max(len(line) for line in str(shown.render()).splitlines())
            assert longest <= shown.content_region.width, (card, width, height)


@pytest.mark.parametrize(("width", "height"), [(105, 32), (120, 34), (130, 38)])
async def test_the_overview_opens_at_its_top(demo: Context, width: int, height: int) -> None:
    """The guide has the focus, low on the page; focusing it does not scroll the page."""
    app = build_app(demo, theme="kootui-dark")
    async with app.run_test(size=(width, height)) as pilot:
        loaded = app.screen.query_one("#overview-loaded", Static)
        await wait_until(pilot, lambda: "figures as of" in str(loaded.render()), "figures")
        assert app.focused is app.screen.query_one("#guide")
        body = app.screen.query_one("#overview-body")
        assert body.scroll_y == 0
        await pilot.press("down")  # moving through the steps brings the guide into view
        await wait_until(pilot, lambda: body.scroll_y > 0 or body.max_scroll_y == 0, "scroll")
        guide = app.screen.query_one("#guide")
        assert guide.region.bottom <= body.region.bottom or body.scroll_y == body.max_scroll_y
