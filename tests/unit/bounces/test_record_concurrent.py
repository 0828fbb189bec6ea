"""A report is recorded while another connection writes: the report's transaction takes
its write turn before it reads, so a commit that lands between its read and its write
cannot make it fail (SQLite's "busy snapshot", which the MX answers with a 451)."""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import event, update

from kootui.core.bounces import InboundReport, ReportKind, record_report
from kootui.core.context import Context
from kootui.core.store import Message
from tests.support.dispatch_seed import messages, seed_sender, seed_task

HARD = InboundReport(ReportKind.HARD_BOUNCE, status="5.1.1", text="user unknown")


def test_a_commit_during_the_reports_reads_does_not_fail_it(context: Context) -> None:
    seed_task(context, seed_sender(context), ["ann@example.org", "bob@example.org"])
    ann, bob = (row.id or 0 for row in messages(context))
    table = Message.__table__
    with context.store.session() as session:
        session.connection().execute(
            update(table).values(status="delivered", sent_at=context.clock.now())
        )
    other_writes: list[str] = []

    def write_elsewhere(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        # The report's read of its message: another writer commits right now.
        if not statement.startswith("SELECT message.recipient") or other_writes:
            return
        database = str(context.store.engine.url.database)
        other = sqlite3.connect(database, timeout=0.05, isolation_level=None)
        try:
            other.execute("UPDATE message SET last_reply = 'other writer' WHERE id = ?", (bob,))
            other_writes.append("committed")
        except sqlite3.OperationalError as exc:  # the report holds the write turn
            other_writes.append(str(exc))
        finally:
            other.close()

    event.listen(context.store.engine, "before_cursor_execute", write_elsewhere)
    try:
        outcome = record_report(context, ann, HARD)
    finally:
        event.remove(context.store.engine, "before_cursor_execute", write_elsewhere)
    assert outcome.message_id == ann and outcome.suppressed == "ann@example.org"
    assert other_writes == ["database is locked"]
    assert {row.id: row.status for row in messages(context)} == {ann: "bounced", bob: "delivered"}
