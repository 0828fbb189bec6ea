"""Tasks skip suppressed addresses and say how many: the import count, the simulator, the
task's summary, and the engine's own stop for an address suppressed while it waited."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import select

from kootui.core.context import Context
from kootui.core.recipients import TypedRecipients
from kootui.core.recipients.xlsx import import_recipients
from kootui.core.store import Message, MessageStatus
from kootui.core.suppression import add_suppression
from kootui.core.tasks import (
    Simulator,
    TaskDraft,
    count_suppressed,
    create_task,
    estimated_duration,
    task_progress,
)
from tests.support.task_seed import seed_sources, write_recipients_xlsx


def test_the_import_the_simulator_and_the_task_count_suppressed_rows(
    context: Context, tmp_path: Path
) -> None:
    ids = seed_sources(context)
    path = write_recipients_xlsx(tmp_path / "r.xlsx", 6)
    with import_recipients(path, ["name", "code"]).recipients as recipients:
        assert count_suppressed(context, recipients) == 0  # an empty list: one query
        first, third = recipients.row(0)[0], recipients.row(2)[0]
        add_suppression(context, first.upper(), reason="unsubscribed")
        add_suppression(context, third, reason="hard_bounce")
        add_suppression(context, "nobody@elsewhere.example")
        assert count_suppressed(context, recipients) == 2
        draft = TaskDraft(
            name="Welcome",
            subject="Welcome {{ name }}",
            template_id=ids["personal"],
            address_id=ids["sender"],
            recipients=recipients,
        )
        simulator = Simulator.open(context, draft)
        assert (simulator.count, simulator.suppressed) == (6, 2)
        assert simulator.estimated_duration(1.0) == estimated_duration(4, 1.0)
        task = create_task(context, draft)
    progress = task_progress(context, task.id or 0)
    assert progress.suppressed == 2
    assert progress.counts[MessageStatus.CANCELLED] == 2


def test_the_summary_counts_a_message_the_engine_stopped(context: Context) -> None:
    ids = seed_sources(context)
    task = create_task(
        context,
        TaskDraft(
            name="Notice",
            subject="Notice",
            template_id=ids["plain"],
            address_id=ids["sender"],
            recipients=TypedRecipients(["ann@example.com", "bob@example.com"]),
        ),
    )
    assert task_progress(context, task.id or 0).suppressed == 0
    with context.store.session() as session:
        row = session.exec(select(Message).where(Message.recipient == "bob@example.com")).one()
        row.status = MessageStatus.FAILED
        row.last_reply = "recipient.suppressed: the recipient is suppressed (complaint)"
        session.add(row)
    assert task_progress(context, task.id or 0).suppressed == 1
