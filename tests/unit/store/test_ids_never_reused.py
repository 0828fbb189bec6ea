"""Ids named outside the store are never given again (revision 0018): after a task and its
messages are deleted, a late bounce, open, click or unsubscription for an old message finds
nothing, and the next task's messages are left as they were."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select, update

from kootui.core.access import create_user
from kootui.core.apikeys import create_api_key, create_smtp_credential
from kootui.core.bounces import InboundReport, ReportKind, record_report
from kootui.core.context import Context
from kootui.core.domains import create_domain, delete_domain
from kootui.core.events import OPENED, record_event
from kootui.core.mail import record_unsubscribe, tracking_token, verp_address, verp_message_id
from kootui.core.reports import (
    ReportFilters,
    ReportQuery,
    ReportType,
    statistics_report,
    workspace_today,
)
from kootui.core.store import (
    DeliveryAttempt,
    HourlyStat,
    Message,
    MessageEvent,
    Suppression,
    Task,
    downgrade,
    upgrade,
)
from kootui.core.submissions import Pending, SubmissionChecker, commit_batch, prepare_raw
from kootui.core.tasks import delete_task
from kootui.core.tracking import follow_click, record_open
from tests.support.dispatch_seed import messages, seed_sender, seed_task

HARD = InboundReport(ReportKind.HARD_BOUNCE, status="5.1.1", text="user unknown")
LINKED = '<p>Dear {{name}}, see <a href="https://shop.example/{{code}}">your order</a>.</p>'


def _sent_task(context: Context, address_id: int, recipients: list[str]) -> int:
    task_id = seed_task(
        context, address_id, recipients, body=LINKED, track_opens_clicks=True, with_tokens=True
    )
    now = context.clock.now()
    with context.store.session() as session:
        connection = session.connection()
        message = Message.__table__
        connection.execute(
            update(message)
            .where(message.c.task_id == task_id)
            .values(status="delivered", sent_at=now, attempts=1)
        )
        task = Task.__table__
        connection.execute(
            update(task).where(task.c.id == task_id).values(status="completed", finished_at=now)
        )
    return task_id


def test_a_deleted_tasks_ids_never_name_the_next_tasks_rows(context: Context) -> None:
    context.settings = context.settings.with_values(
        sending__mx_host="mx.sender.example", sending__tracking_host="track.example.net"
    )
    address_id = seed_sender(context)
    old_task = _sent_task(context, address_id, ["ann@example.org", "bob@example.org"])
    old = messages(context, old_task)
    delete_task(context, old_task)

    new_task = _sent_task(context, address_id, ["cy@example.org", "dee@example.org"])
    new = messages(context, new_task)
    assert new_task > old_task
    assert min(row.id or 0 for row in new) > max(row.id or 0 for row in old)

    for row in old:
        old_id = row.id or 0
        bounce_address = verp_address(context.settings, "example.com", old_id)
        assert verp_message_id(context.settings, bounce_address) == old_id  # the mac is right
        assert record_report(context, old_id, HARD).message_id is None
        token = tracking_token(old_id, row.unsubscribe_token)
        assert record_open(context, token) is False
        assert follow_click(context, token, 0) is None
        assert record_unsubscribe(context, row.unsubscribe_token) is None

    with context.store.engine.connect() as connection:
        statuses = connection.execute(select(Message.__table__.c.status)).scalars().all()
        events = connection.execute(select(MessageEvent.__table__.c.id)).all()
        suppressed = connection.execute(select(Suppression.__table__.c.address)).all()
    assert statuses == ["delivered", "delivered"]
    assert events == []
    assert suppressed == []


def test_a_new_template_never_takes_a_deleted_ones_id(context: Context) -> None:
    address_id = seed_sender(context)
    old_task = _sent_task(context, address_id, ["ann@example.org"])
    with context.store.engine.connect() as connection:
        old_template = connection.execute(
            select(Task.__table__.c.template_id).where(Task.__table__.c.id == old_task)
        ).scalar_one()
    delete_task(context, old_task)
    with context.store.session() as session:
        session.connection().exec_driver_sql(f"DELETE FROM template WHERE id = {old_template}")
    new_task = _sent_task(context, address_id, ["cy@example.org"])
    with context.store.engine.connect() as connection:
        new_template = connection.execute(
            select(Task.__table__.c.template_id).where(Task.__table__.c.id == new_task)
        ).scalar_one()
    assert new_template > old_template


def test_the_intake_chooses_ids_after_a_deleted_tasks(context: Context) -> None:
    address_id = seed_sender(context)
    old_task = _sent_task(context, address_id, ["ann@example.org", "bob@example.org"])
    highest = max(row.id or 0 for row in messages(context, old_task))
    delete_task(context, old_task)
    data = b"From: App <news@example.com>\r\nTo: cy@example.org\r\nSubject: Hi\r\n\r\nHello\r\n"
    prepared = prepare_raw(SubmissionChecker(context), ["cy@example.org"], data)
    [receipt] = commit_batch(context, [Pending(prepared)])
    assert not isinstance(receipt, Exception)
    assert receipt.message_ids == [highest + 1]
    assert receipt.task_id is not None and receipt.task_id > old_task


def _counts(context: Context) -> dict[str, int]:
    tables = ("template", "task", "message", "message_event", "delivery_attempt")
    with context.store.engine.connect() as connection:
        return {
            name: connection.exec_driver_sql(f"SELECT count(*) FROM {name}").scalar_one()
            for name in tables
        }


def test_the_rebuild_keeps_every_row_and_child_and_the_foreign_keys(context: Context) -> None:
    """Revision 0018 on a store with rows: dropping a parent table with foreign keys on
    would delete its children (ON DELETE CASCADE); env.py turns them off around it."""
    address_id = seed_sender(context)
    task_id = _sent_task(context, address_id, ["ann@example.org", "bob@example.org"])
    ann = messages(context, task_id)[0].id or 0
    now = context.clock.now()
    with context.store.session() as session:
        record_event(session.connection(), ann, OPENED, now)
        session.add(DeliveryAttempt(message_id=ann, started_at=now, outcome="delivered"))
    before = _counts(context)
    assert min(before.values()) >= 1
    downgrade(context.store, "0016")
    upgrade(context.store)
    assert _counts(context) == before
    with context.store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
        schema = dict(
            connection.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE type = 'table'"
            ).all()
        )
        highest = connection.execute(select(func.max(Message.__table__.c.id))).scalar_one()
        sequence = connection.exec_driver_sql(
            "SELECT seq FROM sqlite_sequence WHERE name = 'message'"
        ).scalar_one()
        indexes = connection.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'message'"
        ).scalars()
    for name in ("template", "task", "message", "message_event"):
        assert "AUTOINCREMENT" in schema[name], name
    assert sequence == highest
    assert "ix_message_recipient_lower" in set(indexes)


def _newest_deleted_then_made_again(
    context: Context, table: str, make: Callable[[], int]
) -> tuple[int, int]:
    first = make()
    with context.store.session() as session:
        session.connection().exec_driver_sql(f"DELETE FROM {table} WHERE id = {first}")
    return first, make()


def test_domain_address_key_login_and_user_ids_are_never_given_again(context: Context) -> None:
    """Revision 0020: these ids outlive their rows (report history, limits, buckets)."""
    seed_sender(context)
    names = iter(range(100))
    makers: dict[str, Callable[[], int]] = {
        "sender_domain": lambda: create_domain(context, f"d{next(names)}.example.net").id,
        "sender_address": lambda: seed_sender(context, domain=f"s{next(names)}.example.org"),
        "api_key": lambda: create_api_key(context, f"key {next(names)}").key.id,
        "smtp_credential": lambda: (
            create_smtp_credential(context, f"login {next(names)}").credential.id
        ),
        "iam_user": lambda: create_user(context, f"user{next(names)}", "a long password 1").id,
    }
    for table, make in makers.items():
        first, second = _newest_deleted_then_made_again(context, table, make)
        assert second > first, table


def test_a_new_domain_does_not_inherit_a_deleted_ones_report(context: Context) -> None:
    old = create_domain(context, "old.example.net")
    today = workspace_today(context)
    with context.store.session() as session:
        hour = context.clock.now().replace(minute=0, second=0, microsecond=0)
        session.add(HourlyStat(hour=hour, domain_id=old.id, sent=5, delivered=5))
    delete_domain(context, old.id)
    new = create_domain(context, "new.example.net")
    by_domain = ReportFilters(domain_ids=(new.id,))
    report = statistics_report(context, ReportQuery(ReportType.DAILY, today, today, by_domain))
    assert new.id > old.id
    assert report.totals.value("sent") == 0
    everything = statistics_report(context, ReportQuery(ReportType.DAILY, today, today))
    assert everything.totals.value("sent") == 5  # the deleted domain's mail stays history
