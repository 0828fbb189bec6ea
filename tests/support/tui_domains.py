"""What the Sender Domains page tests share: a store whose DNS is a loopback server,
the console, and small readers of what is on screen."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from textual.widgets import Static

from kootui.core.context import Context
from kootui.core.domains import create_domain
from kootui.tui.app import KootuiApp
from kootui.tui.pages.domains.details import DomainDetailsScreen
from kootui.tui.shell.list_panel import ListPanel
from kootui.tui.widgets.page_grid import PageGrid
from tests.support.dns_server import LoopbackDnsServer
from tests.support.tui_shell import build_app, settle

SENDING = {
    "sending__spf_include": "_spf.sender.example",
    "sending__dmarc_rua": "dmarc@reports.example",
    "sending__mx_host": "mx.sender.example",
    "sending__tracking_host": "track.sender.example",
}


@pytest.fixture
def dns_server() -> Iterator[LoopbackDnsServer]:
    with LoopbackDnsServer() as server:
        server.set("_spf.sender.example", "TXT", "v=spf1 ip4:203.0.113.0/24 -all")
        yield server


def use_dns(context: Context, server: LoopbackDnsServer) -> Context:
    """Point the context's DNS at the loopback server (and fill the sending settings)."""
    context.settings = context.settings.with_values(
        dns__nameservers=["127.0.0.1"], dns__port=server.port, dns__timeout=1.0, **SENDING
    )
    return context


@pytest.fixture
def dns_context(context: Context, dns_server: LoopbackDnsServer) -> Context:
    return use_dns(context, dns_server)


async def open_domains(app: KootuiApp, pilot: object) -> None:
    await settle(pilot)
    app.go_page("domains")
    await settle(pilot)


def shown_rows(app: KootuiApp) -> list[list[str]]:
    """The list's rows as the user reads them (the page under any popups)."""
    page = app.page_screen
    assert page is not None
    grid = page.query_one(ListPanel).query_one(PageGrid)
    return [[str(cell) for cell in grid.get_row_at(i)[1:]] for i in range(grid.row_count)]


def text_of(app: KootuiApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


def notices(app: KootuiApp) -> list[str]:
    return [notification.message for notification in app._notifications]


def add_domains(context: Context, *names: str) -> list[int]:
    return [create_domain(context, name).id for name in names]


__all__ = ["build_app", "settle"]


async def settle_details(pilot: object) -> None:
    """Wait until the details screen has its doctor report and has read the store after it
    (the doctor's answer starts one more read)."""
    app = pilot.app  # type: ignore[attr-defined]
    for _attempt in range(50):
        await settle(pilot)
        screen = app.screen
        busy = any(worker.is_running for worker in app.workers)
        if isinstance(screen, DomainDetailsScreen) and screen.report is not None and not busy:
            await settle(pilot)
            return
    raise AssertionError("the details screen never finished its DNS check")
