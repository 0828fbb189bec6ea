"""What the Statistics Report page tests share: a store with hand-chosen figures (two live
tasks on two domains, one deleted task kept by name), opening the page, reading it.

The fixed clock is Monday 23 Nov 2026 15:30 UTC (TZ=UTC, the workspace's zone), so the
default daily range is 17–23 Nov and the 15:00 hour and the 23rd are still running.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from rich.text import Text
from textual.widgets import DataTable

from kootui.core.context import Context
from kootui.core.store import SenderAddress, SenderDomain
from kootui.tui.app import KootuiApp
from kootui.tui.pages.reports.page import StatisticsReportScreen
from kootui.tui.shell.kootui_node import RefreshIntervals
from tests.support.details_seed import add_task
from tests.support.report_seed import Figures, add_figures, add_task_names
from tests.support.task_seed import seed_sources
from tests.support.tui_shell import build_app, settle

# For the live-refresh test: the report reads again at once (the others keep the default,
# so no read runs while they press keys).
REPORT_REFRESH = RefreshIntervals(statistics_report=0.05)
DELETED_TASK = 999


def hour(day: int, at: int, month: int = 11) -> datetime:
    return datetime(2026, month, day, at, tzinfo=UTC)


@dataclass(frozen=True)
class Seeded:
    newsletter: int  # task ids
    receipts: int
    main_domain: int  # domain ids
    other_domain: int
    newsletter_address: int
    receipts_address: int
    template: int


def seed_report(context: Context) -> Seeded:
    """Figures on 23 Nov (two hours, one running), 22 Nov, 20 Nov (the deleted task),
    12 Nov (the week before) and 10 Oct (the month before)."""
    ids = seed_sources(context)
    newsletter, template = add_task(context, ids["sender"], name="November newsletter")
    now = context.clock.now()
    with context.store.session() as session:
        other = SenderDomain(name="billing.example.org", created_at=now, updated_at=now)
        session.add(other)
        session.flush()
        address = SenderAddress(domain_id=other.id, local_part="receipts", created_at=now)
        session.add(address)
        session.flush()
        assert other.id is not None and address.id is not None
        other_domain, receipts_address = other.id, address.id
        main_domain = session.get(SenderAddress, ids["sender"]).domain_id  # type: ignore[union-attr]
    receipts, _ = add_task(context, receipts_address, name="Receipts", template_title="Receipt")
    seeded = Seeded(
        newsletter, receipts, main_domain, other_domain, ids["sender"], receipts_address, template
    )
    news = {
        "task_id": newsletter,
        "domain_id": main_domain,
        "address_id": ids["sender"],
        "template_id": template,
    }
    bills = {
        "task_id": receipts,
        "domain_id": other_domain,
        "address_id": receipts_address,
        "template_id": template,
        "send_method": "api",
    }
    gone = {**news, "task_id": DELETED_TASK}
    add_figures(
        context,
        [
            Figures(hour(23, 9), delivered=40, failed=2, rejected=1, **news),
            Figures(hour(23, 15), delivered=5, to_send=3, **bills),
            Figures(hour(22, 10), delivered=20, failed=5, **news),
            Figures(hour(20, 12), delivered=10, rejected=10, **gone),
            Figures(hour(12, 8), delivered=7, **news),
            Figures(hour(10, 8, month=10), delivered=100, **news),
        ],
    )
    add_task_names(
        context,
        {newsletter: "November newsletter", receipts: "Receipts", DELETED_TASK: "Spring sale"},
    )
    return seeded


def report_app(context: Context, *, live: bool = False, **kwargs: object) -> KootuiApp:
    if live:
        kwargs["refresh_intervals"] = REPORT_REFRESH
    return build_app(context, **kwargs)


async def open_report(pilot: object) -> StatisticsReportScreen:
    await settle(pilot)
    await pilot.press("g", "r")  # type: ignore[attr-defined]
    await settle(pilot)
    screen = pilot.app.screen  # type: ignore[attr-defined]
    assert isinstance(screen, StatisticsReportScreen)
    return screen


def table_text(app: KootuiApp) -> list[list[str]]:
    """The report table's rows as shown, the totals row last."""
    table = app.screen.query_one("#report-table", DataTable)
    rows = []
    for index in range(table.row_count):
        cells = table.get_row_at(index)
        rows.append(
            [(cell.plain if isinstance(cell, Text) else str(cell)).strip() for cell in cells]
        )
    return rows


def column(app: KootuiApp, title: str) -> list[str]:
    table = app.screen.query_one("#report-table", DataTable)
    titles = [str(col.label) for col in table.columns.values()]
    index = titles.index(title)
    return [row[index] for row in table_text(app)]
