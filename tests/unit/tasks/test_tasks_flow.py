"""The issue's 'done when', through the core: xlsx upload, report, schedule, cancel, send now,
progress, and message rows the real dispatch engine sends (into the offline outbox)."""

from __future__ import annotations

import mailbox
from datetime import timedelta

from openpyxl import Workbook

from kootui.core.dispatch import run_until_idle
from kootui.core.recipients.xlsx import import_recipients, write_sample_xlsx
from kootui.core.store import SendType
from kootui.core.tasks import (
    TaskDraft,
    cancel_task,
    create_task,
    query_tasks,
    task_progress,
    template_parameters,
)
from tests.support.dispatch_seed import messages, seed_sender
from tests.support.task_seed import seed_sources


def test_from_sample_file_to_sent_messages(context, tmp_path):
    ids = seed_sources(context)
    sender = seed_sender(context, domain="example.org")
    parameters = template_parameters(context, ids["personal"])
    sample = write_sample_xlsx(tmp_path / "sample.xlsx", parameters)
    assert sample.exists()

    workbook = Workbook()
    for row in (
        ["Email", "Name", "Code"],
        ["ann@example.com", "Ann", "A-1"],
        ["not valid", "X", "0"],
        ["bob@example.com", "Bob", "B-2"],
        ["ann@example.com", "Ann again", "A-9"],
    ):
        workbook.active.append(row)
    workbook.save(tmp_path / "list.xlsx")
    report = import_recipients(tmp_path / "list.xlsx", parameters)
    assert report.summary() == "2 valid, 1 refused (1 bad address), 1 repeated address sent once"

    def draft(name: str, **changes: object) -> TaskDraft:
        base = TaskDraft(
            name=name,
            subject="Welcome {{ name }}",
            template_id=ids["personal"],
            address_id=sender,
            recipients=report.recipients,
        )
        for key, value in changes.items():
            setattr(base, key, value)
        return base

    later = context.clock.now() + timedelta(days=1)
    scheduled = create_task(
        context, draft("Tomorrow", send_type=SendType.SCHEDULED, scheduled_at=later)
    )
    cancel_task(context, scheduled.id)
    now_task = create_task(context, draft("Now"))
    report.close()

    assert task_progress(context, now_task.id).counts["pending"] == 2
    run_until_idle(context)

    progress = task_progress(context, now_task.id)
    assert progress.counts["delivered"] == 2 and progress.fraction == 1.0
    assert {m.status for m in messages(context, scheduled.id)} == {"cancelled"}
    box = mailbox.Maildir(context.settings.paths.outbox_dir, factory=None, create=False)
    subjects = sorted(str(message["Subject"]) for message in box)
    assert subjects == ["Welcome Ann", "Welcome Bob"]
    statuses = {row["name"]: row["status"] for row in query_tasks(context).rows}
    assert statuses == {"Tomorrow": "cancelled", "Now": "completed"}
