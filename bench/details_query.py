"""Sending Details benchmark: each filter of the details page over 1,000,000 messages.

    python bench/details_query.py [--messages 1000000] [--tasks 50]
                                  [--postgres-url URL]   (or KOOTUI_TEST_POSTGRES_URL)
                                  [--skip-sqlite]

Builds a temporary store (a temporary KOOTUI_HOME, schema by the app's own
migrations) holding N messages across ~50 tasks, one task every 14 hours over
about a month, with bulk inserts. Then, for each filter the page offers, prints

    <filter>: first page X ms, count Y ms

``first page`` is the page query (50 rows, in the page's order) plus reading the
page's tasks and rendering each row's subject, as ``query_messages`` does;
``count`` is the total the footer shows. Each figure is the median of 5 runs after
one warm-up. SQLite is measured as the app meets it (no ANALYZE); PostgreSQL after
ANALYZE, which autovacuum would have done on a store this size. The load average
is printed too: the machine may be shared.
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

from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url

NOW = datetime(2026, 11, 23, 15, 30, tzinfo=UTC)
TASK_EVERY = timedelta(hours=14)
STATUSES = (
    ["delivered"] * 90 + ["deferred"] * 3 + ["rejected"] * 3 + ["failed"] * 2 + ["pending"] * 2
)
RECIPIENT_DOMAINS = [f"mail{index}.example" for index in range(20)]
CHUNK = 20_000


def seed(context: Any, messages: int, tasks: int) -> None:
    from kootui.core.store import DomainStatus, Message, SenderAddress, SenderDomain, Task, Template

    with context.store.session() as session:
        domain = SenderDomain(
            name="shop.example.com", status=DomainStatus.PASSED, created_at=NOW, updated_at=NOW
        )
        session.add(domain)
        session.flush()
        assert domain.id is not None
        address = SenderAddress(
            domain_id=domain.id, local_part="news", alias="Shop News", created_at=NOW
        )
        session.add(address)
        session.flush()
        task_ids: list[tuple[int, datetime]] = []
        for index in range(tasks):
            created = NOW - TASK_EVERY * (tasks - 1 - index) - timedelta(minutes=30)
            template = Template(
                title=f"Campaign template {index}",
                subject=f"Offer {index} for {{{{name}}}}",
                body="<p>Hello {{name}}</p>",
                parameters=["name"],
                created_at=created,
                updated_at=created,
            )
            session.add(template)
            session.flush()
            assert template.id is not None and address.id is not None
            task = Task(
                name=f"Campaign {index:02d}",
                subject=f"Offer {index} for {{{{name}}}}",
                template_id=template.id,
                address_id=address.id,
                status="completed",
                scheduled_at=created,
                recipient_count=messages // tasks,
                created_at=created,
            )
            session.add(task)
            session.flush()
            assert task.id is not None
            task_ids.append((task.id, created))
    table: Any = Message.__table__
    per_task = messages // tasks
    number = 0
    started = time.monotonic()
    for task_id, created in task_ids:
        for start in range(0, per_task, CHUNK):
            rows = []
            for offset in range(start, min(per_task, start + CHUNK)):
                status = STATUSES[number % len(STATUSES)]
                # A task's rows are created while its recipient list is stored: spread over
                # a few minutes, in id order.
                at = created + timedelta(milliseconds=offset * 10)
                rows.append(
                    {
                        "task_id": task_id,
                        "recipient": f"user{number}@{RECIPIENT_DOMAINS[number % 20]}",
                        "params": {"name": f"Reader {number}"},
                        "status": status,
                        "send_method": "console",
                        "message_id_header": "",
                        "unsubscribe_token": "",
                        "attempts": 1,
                        "next_attempt_at": at,
                        "created_at": at,
                        "sent_at": at,
                        "received_at": at + timedelta(seconds=2) if status == "delivered" else None,
                        "last_reply": "",
                    }
                )
                number += 1
            with context.store.engine.begin() as connection:
                connection.execute(insert(table), rows)
        print(f"\rinserted {number:,} messages", end="", file=sys.stderr, flush=True)
    print(f"\rinserted {number:,} messages in {time.monotonic() - started:.0f} s", file=sys.stderr)


def timed(action: Callable[[], object], runs: int = 5) -> float:
    action()  # warm-up: the first run pays for reading pages into the cache
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        action()
        samples.append((time.perf_counter() - began) * 1000)
    return statistics.median(samples)


def measure(context: Any, label: str, request: Any) -> None:
    from kootui.core.details import details_query, load_task_facts, prepared_request, present_row
    from kootui.core.store import count_rows, ordered_statement

    prepared = prepared_request(request)
    now, dialect = context.clock.now(), context.store.dialect

    def first_page() -> None:
        # As query_messages: task filters list the matching task ids (read here).
        with context.store.session() as session:
            connection = session.connection()
            query = details_query(now, dialect, connection)
            rows = connection.execute(ordered_statement(query, prepared).limit(50)).mappings().all()
            facts = load_task_facts(connection, {row["task_id"] for row in rows})
            [present_row(row, facts) for row in rows]

    def count() -> int:
        with context.store.session() as session:
            query = details_query(now, dialect, session.connection())
            return count_rows(session, query, prepared)

    page_ms = timed(first_page)
    count_ms = timed(count)
    print(f"{label}: first page {page_ms:.1f} ms, count {count_ms:.1f} ms ({count():,} rows)")


def run(url: str | None, messages: int, tasks: int) -> None:
    from kootui.core.bootstrap import open_context
    from kootui.core.clock import FixedClock
    from kootui.core.config import load_settings
    from kootui.core.store import PageRequest

    settings = load_settings()
    if url:
        settings = settings.with_values(database__url=url)
    context = open_context(settings, clock=FixedClock(NOW))
    try:
        seed(context, messages, tasks)
        if context.store.dialect == "postgresql":
            with context.store.engine.begin() as connection:
                connection.execute(text("ANALYZE"))
        print(f"-- {context.store.dialect}, {messages:,} messages, {tasks} tasks")
        print(f"load average {os.getloadavg()[0]:.2f}")
        middle = tasks // 2
        cases: list[tuple[str, dict[str, str], str | None]] = [
            ("default 24 h view", {}, None),
            ("status=rejected (24 h)", {"status": "rejected"}, None),
            ("status=rejected (all)", {"status": "rejected", "range": "all"}, None),
            ("task name 'Campaign 25' (all)", {"task_name": f"Campaign {middle}", "range": "all"},
             None),
            ("task id (all)", {"task_id": str(middle + 1), "range": "all"}, None),
            ("template id (all)", {"template_id": "placeholder", "range": "all"}, None),
            ("sender 'news@' (24 h)", {"sender": "news@"}, None),
            ("recipient 'user4242' (24 h)", {"recipient": "user4242"}, None),
            ("recipient 'user4242' (30 d)", {"recipient": "user4242", "range": "30d"}, None),
            ("recipient 'user4242' (all)", {"recipient": "user4242", "range": "all"}, None),
            ("recipient whole address (all)",
             {"recipient": f"User4242@{RECIPIENT_DOMAINS[4242 % 20]}", "range": "all"}, None),
            ("quick filter, whole address (all)", {"range": "all", "quick": "whole"}, None),
            ("subject 'Offer 49' (all)", {"subject": f"Offer {tasks - 1} ", "range": "all"}, None),
            ("created 2026-11-10..2026-11-12", {"created_from": "2026-11-10",
                                                "created_to": "2026-11-12"}, None),
            ("sort by received (24 h)", {}, "received"),
            ("sort by received (all)", {"range": "all"}, "received"),
        ]  # fmt: skip
        with context.store.engine.connect() as connection:
            template_id = connection.execute(
                text("SELECT template_id FROM task WHERE name = :name"),
                {"name": f"Campaign {middle}"},
            ).scalar_one()
        for label, advanced, sort_key in cases:
            if advanced.get("template_id") == "placeholder":
                advanced["template_id"] = str(template_id)
            quick = ""
            if advanced.pop("quick", None):
                quick = f"user4242@{RECIPIENT_DOMAINS[4242 % 20]}"
            request = PageRequest(
                advanced=advanced,
                sort_key=sort_key or "created",
                descending=True,
                text_filter=quick,
            )
            measure(context, label, request)
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
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--tasks", type=int, default=50)
    parser.add_argument(
        "--postgres-url", default=os.environ.get("KOOTUI_TEST_POSTGRES_URL", ""),
        help="also run on a new database on this PostgreSQL server",
    )  # fmt: skip
    parser.add_argument("--skip-sqlite", action="store_true", help="measure PostgreSQL only")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kootui-details-bench-") as home:
        os.environ["KOOTUI_HOME"] = str(Path(home))
        os.environ["TZ"] = "UTC"
        time.tzset()
        if not args.skip_sqlite:
            run(None, args.messages, args.tasks)
        if args.postgres_url:
            url, drop = postgres_database(args.postgres_url)
            try:
                run(url, args.messages, args.tasks)
            finally:
                drop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
