"""Statistics Report benchmark: a year of hourly figures of 50 tasks on 10 domains.

    python bench/reports.py [--tasks 50] [--domains 10]
                            [--postgres-url URL]   (or KOOTUI_TEST_POSTGRES_URL)
                            [--skip-sqlite]

Builds a temporary store (a temporary KOOTUI_HOME, schema by the app's own migrations)
whose statistics table holds one row for every hour of the last 365 days for every
task (50 tasks x 8,760 hours = 438,000 rows; each task sends from one of 20 addresses
on one of the 10 domains, with one of 10 templates, by one of 3 send methods), written
with bulk inserts. Beside it, a table with no dimensions: the same figures summed per
hour (8,760 rows). Then, in the same run:

    report: X ms (cpu x ms)      the year of hourly figures with a filter (one domain)
    reference: Y ms (cpu y ms)   the same query over the table with no dimensions

and, for information, the year unfiltered and with the other filters, and the year by
day and by month. Each figure is ``statistics_report`` as the page calls it (the query,
the gathering into periods, the rows and totals), the median of 7 runs after one
warm-up, in wall time and in this process's CPU time (SQLite runs in the process; a
PostgreSQL server's work shows in the wall time only). SQLite is measured as the app
meets it (no ANALYZE); PostgreSQL after ANALYZE, which autovacuum would have done. The
load average is printed: the machine may be shared.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Integer, MetaData, Table, create_engine, text
from sqlalchemy.engine import make_url

NOW = datetime(2026, 11, 23, 15, 30, tzinfo=UTC)
HOURS = 365 * 24
CHUNK = 20_000
METHODS = ("console", "cli", "api")


def seed(context: Any, tasks: int, domains: int) -> dict[str, int]:
    """Senders, templates and tasks, then the year of statistics; returns one id of each
    dimension to filter by."""
    from kootui.core.store import (
        DomainStatus,
        HourlyStat,
        SenderAddress,
        SenderDomain,
        Task,
        Template,
        insert_rows,
        stored_id,
    )

    with context.store.session() as session:
        domain_ids = []
        for index in range(domains):
            domain = SenderDomain(
                name=f"shop{index}.example.com",
                status=DomainStatus.PASSED,
                created_at=NOW,
                updated_at=NOW,
            )
            session.add(domain)
            session.flush()
            domain_ids.append(stored_id(domain))
        addresses = []
        for index in range(domains * 2):
            address = SenderAddress(
                domain_id=domain_ids[index % domains], local_part=f"news{index}", created_at=NOW
            )
            session.add(address)
            session.flush()
            addresses.append((stored_id(address), address.domain_id))
        templates = []
        for index in range(10):
            template = Template(
                title=f"Template {index}", body="<p>Hi</p>", created_at=NOW, updated_at=NOW
            )
            session.add(template)
            session.flush()
            templates.append(stored_id(template))
        task_rows = []
        for index in range(tasks):
            address_id, domain_id = addresses[index % len(addresses)]
            task = Task(
                name=f"Campaign {index:02d}",
                subject="Offer",
                template_id=templates[index % len(templates)],
                address_id=address_id,
                status="completed",
                scheduled_at=NOW,
                created_at=NOW,
            )
            session.add(task)
            session.flush()
            task_rows.append(
                (stored_id(task), domain_id, address_id, task.template_id, METHODS[index % 3])
            )
    first_hour = NOW.replace(minute=0) - timedelta(hours=HOURS - 1)
    columns = (
        "hour", "task_id", "domain_id", "address_id", "template_id", "send_method",
        "sent", "delivered", "failed", "to_send", "rejected",
        "bounced", "complained", "unsubscribed", "opened", "clicked",
    )  # fmt: skip
    started = time.monotonic()
    rows: list[tuple[Any, ...]] = []
    written = 0
    for offset in range(HOURS):
        hour = first_hour + timedelta(hours=offset)
        for number, (task_id, domain_id, address_id, template_id, method) in enumerate(task_rows):
            delivered = 40 + (offset * 7 + number * 13) % 60
            rejected = (offset + number) % 3
            failed = int((offset + number) % 5 == 0)
            # The event measures (revision 0010) at rates a newsletter sees.
            opened = delivered // 4 + offset % 5
            events = (
                int((offset + number) % 4 == 0),
                int((offset * 3 + number) % 50 == 0),
                (offset + number * 7) % 3,
                opened,
                opened // 3,
            )
            rows.append(
                (hour, task_id, domain_id, address_id, template_id, method,
                 delivered + rejected + failed, delivered, failed, 0, rejected, *events)
            )  # fmt: skip
        if len(rows) >= CHUNK or offset == HOURS - 1:
            with context.store.engine.begin() as connection:
                insert_rows(connection, HourlyStat.__table__, columns, rows)
            written += len(rows)
            rows = []
            print(f"\rinserted {written:,} statistics rows", end="", file=sys.stderr, flush=True)
    elapsed = time.monotonic() - started
    print(f"\rinserted {written:,} statistics rows in {elapsed:.0f} s", file=sys.stderr)
    task_id, domain_id, address_id, template_id, _ = task_rows[len(task_rows) // 2]
    return {
        "domain": domain_id,
        "address": address_id,
        "template": template_id,
        "task": task_id,
    }


def reference_table(context: Any) -> Table:
    """The figures summed per hour in a table with no dimensions (as before revision 0004)."""
    from kootui.core.store import UTCDateTime

    table = Table(
        "bench_reference_hours",
        MetaData(),
        Column("hour", UTCDateTime(), primary_key=True),
        *(Column(name, Integer, nullable=False) for name in _measures()),
    )
    with context.store.engine.begin() as connection:
        table.create(connection)
        sums = ", ".join(f"SUM({name})" for name in _measures())
        connection.execute(
            text(
                f"INSERT INTO {table.name} (hour, {', '.join(_measures())}) "
                f"SELECT hour, {sums} FROM hourly_stat GROUP BY hour"
            )
        )
    return table


def _measures() -> list[str]:
    from kootui.core.reports import present_measures

    return [measure.name for measure in present_measures()]


def timed(action: Callable[[], object], runs: int = 7) -> str:
    """The median wall time, and the median CPU time of this process (on a shared machine
    the wall time also holds the time other processes had the core)."""
    action()  # warm-up: the first run pays for reading pages into the cache
    wall, cpu = [], []
    for _ in range(runs):
        began, began_cpu = time.perf_counter(), time.process_time()
        action()
        wall.append((time.perf_counter() - began) * 1000)
        cpu.append((time.process_time() - began_cpu) * 1000)
    return f"{statistics.median(wall):.1f} ms (cpu {statistics.median(cpu):.1f} ms)"


def run(url: str | None, tasks: int, domains: int) -> None:
    from kootui.core.bootstrap import open_context
    from kootui.core.clock import FixedClock
    from kootui.core.config import load_settings
    from kootui.core.reports import ReportFilters, ReportQuery, ReportType, statistics_report
    from kootui.core.reports import query as report_query
    from kootui.core.workspace import update_workspace

    settings = load_settings()
    if url:
        settings = settings.with_values(database__url=url)
    context = open_context(settings, clock=FixedClock(NOW))
    try:
        update_workspace(context, time_zone="Europe/Berlin")
        ids = seed(context, tasks, domains)
        reference = reference_table(context)
        if context.store.dialect == "postgresql":
            with context.store.engine.begin() as connection:
                connection.execute(text("ANALYZE"))
        print(f"-- {context.store.dialect}, {tasks} tasks, {domains} domains, {HOURS:,} hours")
        print(f"load average {os.getloadavg()[0]:.2f}")
        start, end = (NOW - timedelta(days=364)).date(), NOW.date()

        def report(kind: ReportType, filters: ReportFilters) -> Callable[[], object]:
            return lambda: statistics_report(context, ReportQuery(kind, start, end, filters))

        hourly = ReportType.HOURLY
        by_domain = ReportFilters(domain_ids=(ids["domain"],))
        rows = len(statistics_report(context, ReportQuery(hourly, start, end, by_domain)).rows)
        print(f"report: {timed(report(hourly, by_domain))}, {rows:,} hourly rows, one domain")
        # The same function over the table with no dimensions: the query reads its table
        # from this module attribute, and the reference has every column it selects.
        original = report_query.stat_table
        report_query.stat_table = reference
        try:
            print(f"reference: {timed(report(hourly, ReportFilters()))}")
        finally:
            report_query.stat_table = original
        others = [
            ("hourly, no filter", hourly, ReportFilters()),
            ("hourly, one task", hourly, ReportFilters(task_ids=(ids["task"],))),
            ("hourly, one address", hourly, ReportFilters(address_ids=(ids["address"],))),
            ("hourly, one template", hourly, ReportFilters(template_ids=(ids["template"],))),
            ("hourly, send method cli", hourly, ReportFilters(send_methods=("cli",))),
            ("daily, one sender domain", ReportType.DAILY, by_domain),
            ("monthly, no filter", ReportType.MONTHLY, ReportFilters()),
        ]
        for label, kind, filters in others:
            print(f"  {label}: {timed(report(kind, filters))}")
    finally:
        context.close()


def postgres_database(url: str) -> tuple[str, Callable[[], None]]:
    """A new database on the server at ``url`` and a function dropping it."""
    name = f"kootui_bench_{os.getpid()}"
    admin = create_engine(
        make_url(url).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return make_url(url).set(database=name).render_as_string(hide_password=False), drop


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--tasks", type=int, default=50)
    parser.add_argument("--domains", type=int, default=10)
    parser.add_argument(
        "--postgres-url", default=os.environ.get("KOOTUI_TEST_POSTGRES_URL", ""),
        help="also run on a new database on this PostgreSQL server",
    )  # fmt: skip
    parser.add_argument("--skip-sqlite", action="store_true", help="measure PostgreSQL only")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kootui-reports-bench-") as home:
        os.environ["KOOTUI_HOME"] = str(Path(home))
        if not args.skip_sqlite:
            run(None, args.tasks, args.domains)
        if args.postgres_url:
            url, drop = postgres_database(args.postgres_url)
            try:
                run(url, args.tasks, args.domains)
            finally:
                drop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
