"""The Overview in the usual SSH window (80x24): the figures stay on screen while the
process guide, which has the focus, scrolls in its own box."""

from __future__ import annotations

from textual.widgets import OptionList, Static

from tests.support.tui_shell import SIZE, build_app, settle

SSH_SIZE = (80, 24)


def on_screen(app, selector: str) -> bool:  # type: ignore[no-untyped-def]
    """The widget is drawn whole inside the window."""
    widget = app.screen.query_one(selector)
    return bool(widget.display) and app.screen.region.contains_region(widget.region)


async def test_figures_stay_in_view_while_the_guide_has_the_focus(demo):
    app = build_app(demo)
    async with app.run_test(size=SSH_SIZE) as pilot:
        await settle(pilot)
        guide = app.screen.query_one("#guide", OptionList)
        assert guide.has_focus
        for selector in ("#overview-title", "#figures", "#allowance", "#guide-heading"):
            assert on_screen(app, selector), f"{selector} is off screen"
        assert app.screen.query_one("#overview-body").scroll_y == 0
        # The last step is reached by scrolling the guide, not the page.
        await pilot.press("end")
        await settle(pilot)
        assert guide.highlighted == guide.option_count - 1
        assert on_screen(app, "#figures")
        last = guide.region.y + guide.region.height - 1
        assert guide.scroll_y > 0 and last < app.screen.region.height - 1


async def test_a_tall_window_keeps_the_week(demo):
    app = build_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert on_screen(app, "#week")
        assert on_screen(app, "#card-today")
        text = str(app.screen.query_one("#card-today", Static).render())
        assert "Sent today" in text
