"""What the Sending Details page tests share: a store with tasks and messages of every age
and status (made with create_task, then aged and finished as the engine would leave them),
and readers of what is on screen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update

from kootui.core.context import Context
from kootui.core.recipients import TypedRecipients
from kootui.core.store import DeliveryAttempt, Message, MessageHeader, MessageStatus
from kootui.core.tasks import TaskDraft, create_task
from kootui.tui.app import KootuiApp
from kootui.tui.pages.details.page import SendingDetailsScreen
from kootui.tui.shell.list_panel import ListPanel
from tests.support.task_seed import seed_sources
from tests.support.tui_domains import notices, shown_rows
from tests.support.tui_shell import build_app, settle

RECENT = ["ann@example.com", "bob@example.org", "cy@example.net", "dee@example.com"]
OLD = ["old.one@archive.example", "old.two@archive.example"]
HEADERS = (
    "Message-ID: <welcome.1@mail.example.com>\n"
    "Date: Mon, 23 Nov 2026 15:20:00 +0000\n"
    "From: Example News <news@mail.example.com>\n"
    "To: ann@example.com\n"
    "Subject: Notice\n"
    "MIME-Version: 1.0\n"
    "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=mail.example.com; s=k1\n"
)


@dataclass
class Seeded:
    recent_task: int
    old_task: int
    bulk_task: int
    delivered: int  # ann's message: a deferral, then delivered; headers stored
    rejected: int  # bob's message: 550 5.1.1


def _task(context: Context, ids: dict[str, int], name: str, addresses: list[str]) -> int:
    draft = TaskDraft(
        name=name,
        subject="Notice",
        template_id=ids["plain"],
        address_id=ids["sender"],
        recipients=TypedRecipients(addresses),
    )
    return create_task(context, draft).id or 0


def seed_details(context: Context, *, bulk: int = 0) -> Seeded:
    """A recent task of four (delivered after a deferral, rejected, two pending), a task of
    two created three days ago, and ``bulk`` more delivered messages of a third task."""
    ids = seed_sources(context)
    now = context.clock.now()
    recent = _task(context, ids, "Welcome wave", RECENT)
    old = _task(context, ids, "Autumn archive", OLD)
    bulk_task = _task(context, ids, "Bulk notice", ["first@bulk.example"]) if bulk else 0
    with context.store.session() as session:
        by_address = {
            m.recipient: m
            for m in session.scalars(select(Message).where(Message.task_id == recent)).all()
        }
        ann, bob = by_address[RECENT[0]], by_address[RECENT[1]]
        ann.status, ann.received_at = MessageStatus.DELIVERED, now - timedelta(minutes=5)
        ann.sent_at, ann.message_id_header = now - timedelta(minutes=20), HEADERS.split()[1]
        bob.status, bob.last_reply_code = MessageStatus.REJECTED, 550
        bob.last_reply = "5.1.1 User unknown"
        session.add_all(
            [
                _attempt(ann.id, now - timedelta(minutes=20), "deferred", 451, "4.7.1", "later"),
                _attempt(ann.id, now - timedelta(minutes=5), "delivered", 250, "2.0.0", "Ok"),
                _attempt(bob.id, now - timedelta(minutes=19), "rejected", 550, "5.1.1", "unknown"),
            ]
        )
        session.flush()
        delivered, rejected = ann.id or 0, bob.id or 0
        _store_headers(session, delivered, HEADERS, now - timedelta(minutes=5))
        session.execute(  # made half an hour ago, before their first attempts
            update(Message)
            .where(Message.task_id == recent)
            .values(created_at=now - timedelta(minutes=30))
        )
        session.execute(
            update(Message)
            .where(Message.task_id == old)
            .values(created_at=now - timedelta(days=3), status=MessageStatus.DELIVERED)
        )
        for index in range(1, bulk):
            session.add(
                Message(
                    task_id=bulk_task,
                    recipient=f"reader{index:03d}@bulk.example",
                    status=MessageStatus.DELIVERED,
                    next_attempt_at=now,
                    created_at=now - timedelta(minutes=index),
                    received_at=now - timedelta(minutes=index) + timedelta(seconds=3),
                )
            )
    return Seeded(recent, old, bulk_task, delivered, rejected)


def _attempt(
    message_id: int | None, at, outcome: str, code: int, enhanced: str, text: str
) -> DeliveryAttempt:
    return DeliveryAttempt(
        message_id=message_id or 0,
        started_at=at,
        finished_at=at + timedelta(milliseconds=180),
        stage="dot" if outcome != "rejected" else "rcpt",
        outcome=outcome,
        reply_code=code,
        enhanced_code=enhanced,
        reply_text=f"{code} {enhanced} {text}",
        remote_host="mx.example.com",
        tls=True,
    )


def _store_headers(session: object, message_id: int, headers: str, composed_at) -> None:
    session.add(  # type: ignore[attr-defined]
        MessageHeader(message_id=message_id, headers=headers, composed_at=composed_at)
    )


async def open_details(app: KootuiApp, pilot: object) -> SendingDetailsScreen:
    await settle(pilot)
    app.go_page("details")
    await settle(pilot)
    page = app.page_screen
    assert isinstance(page, SendingDetailsScreen)
    return page


def message_list(app: KootuiApp) -> ListPanel:
    page = app.page_screen
    assert page is not None
    return page.query_one("#message-list", ListPanel)


def shown_column(app: KootuiApp, key: str) -> list[str]:
    """One column of the shown rows, as the user reads it."""
    panel = message_list(app)
    grid = panel.table.grid
    return [str(grid.get_cell(row.key, key)) for row in panel.table.result.rows]  # type: ignore[union-attr]


async def highlight(app: KootuiApp, message_id: int) -> None:
    panel = message_list(app)
    keys = [row.key for row in panel.table.result.rows]  # type: ignore[union-attr]
    panel.table.grid.move_cursor(row=keys.index(str(message_id)))


__all__ = ["build_app", "notices", "settle", "shown_rows"]
