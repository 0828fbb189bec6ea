"""Issue 3's "done when", end to end: a new user adds a domain in the console, copies the
zone snippet, the loopback DNS server starts answering it, the user presses verify,
every record turns green and the domain becomes usable for sender addresses."""

from __future__ import annotations

from textual.widgets import Input

from kootui.core.context import Context
from kootui.core.domains import find_domain, require_verified_domain
from kootui.core.store import DomainStatus
from kootui.tui.pages.domains.details import DomainDetailsScreen
from kootui.tui.pages.domains.page import DomainsScreen
from kootui.tui.widgets import FormDialog
from kootui.tui.widgets.record_table import RecordTable
from tests.support import tui_domains as domains_support
from tests.support.dns_server import LoopbackDnsServer
from tests.support.tui_domains import (
    build_app,
    notices,
    settle,
    shown_rows,
    text_of,
)
from tests.support.tui_shell import type_into

# The loopback DNS server and a store whose settings point at it (pytest fixtures).
dns_server = domains_support.dns_server
dns_context = domains_support.dns_context


def record_statuses(app) -> list[str]:
    table = app.screen.query_one(RecordTable)
    return [str(table.get_row_at(i)[4]) for i in range(table.row_count)]


async def test_a_new_user_gets_a_domain_verified_through_the_console(
    dns_context: Context, dns_server: LoopbackDnsServer
) -> None:
    app = build_app(dns_context)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("g", "d")  # from the overview to Sender Domains
        await settle(pilot)
        assert isinstance(app.screen, DomainsScreen)

        await pilot.press("n")
        assert isinstance(app.screen, FormDialog)
        await type_into(pilot, app.screen.query_one("#field-name", Input), "bücher.example")
        await pilot.press("enter")
        await settle(pilot)

        # The details open on the records to publish; DNS knows none of them yet.
        assert isinstance(app.screen, DomainDetailsScreen)
        assert record_statuses(app) == ["● Not found"] * 7
        assert "Verification failed" in text_of(app, "#domain-heading")

        await pilot.press("c")  # copy the zone snippet (OSC 52) ...
        snippet = app.clipboard
        assert "kootui1._domainkey.xn--bcher-kva.example." in snippet
        # ... and paste it into the zone: the DNS server starts answering it.
        dns_server.load_bind(snippet, origin="xn--bcher-kva.example")

        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("v")  # verify now, from the list
        await settle(pilot)
        assert shown_rows(app)[0][:3] == ["bücher.example", "● Passed", "2/2"]
        assert any("bücher.example: Verification passed" in n for n in notices(app))

        await pilot.press("enter")
        await settle(pilot)
        assert record_statuses(app) == ["● Successful"] * 7
        assert "Verification passed" in text_of(app, "#domain-heading")

    domain = find_domain(dns_context, "bücher.example")
    assert domain.status == DomainStatus.PASSED
    assert require_verified_domain(dns_context, domain.id).name == "xn--bcher-kva.example"
