"""Pilot test of a domain's warm-up plan on its details screen: shown, set, cleared."""

from __future__ import annotations

from textual.widgets import Checkbox, Input

from kootui.core.context import Context
from kootui.core.warmup import show_plan
from kootui.tui.pages.domains.details import DomainDetailsScreen
from kootui.tui.widgets import FormDialog
from tests.support import tui_domains as domains_support
from tests.support.dns_server import LoopbackDnsServer
from tests.support.tui_domains import add_domains, build_app, open_domains, settle, text_of
from tests.support.tui_shell import paste_into

dns_server = domains_support.dns_server
dns_context = domains_support.dns_context
SIZE = (120, 40)


async def test_the_domain_page_shows_and_sets_its_warm_up_plan(
    dns_context: Context, dns_server: LoopbackDnsServer
) -> None:
    (domain_id,) = add_domains(dns_context, "mail.example.com")
    app = build_app(dns_context)
    async with app.run_test(size=SIZE) as pilot:
        await open_domains(app, pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DomainDetailsScreen)
        assert "no plan: no daily cap  (p sets one)" in text_of(app, "#domain-warmup")
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(app.screen, FormDialog)
        await paste_into(pilot, app.screen.query_one("#field-target", Input), "lots")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "give a whole number" in text_of(app, "#error-target")
        await paste_into(pilot, app.screen.query_one("#field-target", Input), "1600")
        await paste_into(pilot, app.screen.query_one("#field-days", Input), "6")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, DomainDetailsScreen)
        line = text_of(app, "#domain-warmup")
        assert "day 1 of 6: 0 of 50 sent today" in line
        assert "50 doubling to 1,600 over 6 days" in line
        plan = show_plan(dns_context, domain_id)
        assert plan is not None and plan.caps == (50, 100, 200, 400, 800, 1600)

        await pilot.press("p")
        await settle(pilot)
        assert app.screen.query_one("#field-target", Input).value == "1600"
        app.screen.query_one("#field-clear", Checkbox).value = True
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert show_plan(dns_context, domain_id) is None
        assert "no plan" in text_of(app, "#domain-warmup")
