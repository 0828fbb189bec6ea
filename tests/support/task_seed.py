"""Seeding task tests: sources (domains, addresses, templates), recipient workbooks,
scheduled tasks and direct edits of a task row."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import update

from kootui.core.context import Context
from kootui.core.recipients import TypedRecipients
from kootui.core.store import (
    DomainStatus,
    SenderAddress,
    SenderDomain,
    SendType,
    Task,
    Template,
    TemplateStatus,
)
from kootui.core.tasks import (
    TaskDraft,
    create_task,
)


def seed_sources(context: Context) -> dict[str, int]:
    """A verified and an unverified domain, one address on each, and four templates; the
    deployment has a tracking host, which templates with an unsubscribe link need."""
    context.settings = context.settings.with_values(sending__tracking_host="track.example.net")
    now = context.clock.now()
    with context.store.session() as session:
        good = SenderDomain(
            name="mail.example.com",
            status=DomainStatus.PASSED,
            created_at=now,
            updated_at=now,
            verified_at=now,
        )
        bad = SenderDomain(
            name="new.example.net", status=DomainStatus.VERIFYING, created_at=now, updated_at=now
        )
        session.add_all([good, bad])
        session.flush()
        sender = SenderAddress(
            domain_id=good.id, local_part="news", alias="Example News", created_at=now
        )
        unverified = SenderAddress(domain_id=bad.id, local_part="hello", created_at=now)
        plain = Template(
            title="Plain notice",
            subject="Notice",
            body_type="text",
            body="Hello, this is a notice.",
            parameters=[],
            status=TemplateStatus.APPROVED,
            created_at=now,
            updated_at=now,
        )
        personal = Template(
            title="Welcome",
            subject="Welcome {{ name }}",
            body_type="html",
            body="<p>Hi {{ name }}, your code is {{ code }}.</p>",
            text_body="Hi {{ name }}, your code is {{ code }}.",
            parameters=["name", "code"],
            support_unsubscribe=True,
            status=TemplateStatus.APPROVED,
            created_at=now,
            updated_at=now,
        )
        pending = Template(
            title="Waiting",
            subject="x",
            body_type="text",
            body="x",
            status=TemplateStatus.APPROVING,
            created_at=now,
            updated_at=now,
        )
        session.add_all([sender, unverified, plain, personal, pending])
        session.flush()
        return {
            "sender": sender.id,
            "unverified_sender": unverified.id,
            "plain": plain.id,
            "personal": personal.id,
            "pending": pending.id,
        }


def write_recipients_xlsx(path: Path, count: int, header=("email", "name", "code")) -> Path:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(list(header))
    for i in range(count):
        sheet.append([f"user{i}@example.com", f"Person {i}", f"C{i:06d}"])
    workbook.save(path)
    return path


def add_scheduled_task(context, ids, name="Task", count=3, scheduled=True, template="plain"):
    later = context.clock.now() + timedelta(hours=1)
    return create_task(
        context,
        TaskDraft(
            name=name,
            subject="Subject",
            template_id=ids[template],
            address_id=ids["sender"],
            recipients=TypedRecipients([f"u{i}@example.com" for i in range(count)]),
            send_type=SendType.SCHEDULED if scheduled else SendType.NOW,
            scheduled_at=later if scheduled else None,
        ),
    )


def set_task_values(context, task_id, **values):
    with context.store.session() as session:
        session.connection().execute(
            update(Task.__table__).where(Task.__table__.c.id == task_id).values(**values)
        )


def set_template_values(context, template_id, **values):
    with context.store.session() as session:
        session.connection().execute(
            update(Template.__table__)
            .where(Template.__table__.c.id == template_id)
            .values(**values)
        )
