"""Esc means one thing everywhere (issue 17, item 16): close the popup, else leave the
field (a filter with text is emptied first), else go up one level. A record's view going
up to its list is in the domain details and task progress tests."""

from __future__ import annotations

from textual.widgets import Input

from kootui.core.domains import create_domain
from kootui.tui.widgets.filter_bar import FilterBar
from kootui.tui.widgets.form import FormDialog
from tests.support import tui_domains as domains_support
from tests.support.tui_shell import SIZE, build_app, settle

# The loopback DNS server and a store whose settings point at it (pytest fixtures).
dns_server = domains_support.dns_server
dns_context = domains_support.dns_context


async def test_escape_closes_then_leaves_the_field_then_goes_up(dns_context) -> None:
    create_domain(dns_context, "mail.example.com")
    app = build_app(dns_context)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.go_page("domains")
        await settle(pilot)

        await pilot.press("n")  # a popup: esc closes it, whatever field holds focus
        await settle(pilot)
        assert isinstance(app.screen, FormDialog)
        assert isinstance(app.focused, Input)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is app.page_screen and app.current_mode == "domains"

        await pilot.press("slash", "x")  # a field: emptied, then left, then up a level
        await settle(pilot)
        assert isinstance(app.focused, FilterBar)
        await pilot.press("escape")
        assert app.focused.value == "" and isinstance(app.focused, FilterBar)
        await pilot.press("escape")
        assert not isinstance(app.focused, Input) and app.current_mode == "domains"

        await pilot.press("escape")  # a page: back to the one before
        await settle(pilot)
        assert app.current_mode == "overview"
