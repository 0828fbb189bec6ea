"""The demo's message history: the attempts, replies and header blocks the engine would
have recorded for the demo tasks' messages, so Sending Details shows real variety.

Each message that reached a transport gets its attempts (a greylisting deferral before a
delivery, a hard 550 5.1.1, a soft 552 5.2.2 mailbox full, a deferral waiting for its
retry) and the header block of its last attempt, composed and DKIM-signed by the real
pipeline (the demo domain's key, the task's template, sender and the recipient's
parameters). One message is in flight under a worker's lease; one failed because its
parameters do not fit its template, with the renderer's own error as its reply.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlmodel import Session, col

from kootui.core.bounces import InboundReport, ReportKind, record_report
from kootui.core.context import Context
from kootui.core.dispatch import (
    ClaimedMessage,
    TaskKit,
    build_message,
    ensure_identity,
    header_block,
    load_task_kit,
)
from kootui.core.errors import KootuiError
from kootui.core.store import DeliveryAttempt, Message, MessageHeader, MessageStatus

DEMO_WORKER = "demo-worker"
DEMO_MX = {
    "example.com": "mx1.example.com",
    "example.org": "mail.example.org",
    "example.net": "mx.example.net",
    "mail.example.cn": "mx.mail.example.cn",
}
GREYLISTED = (451, "4.7.1", "4.7.1 Greylisted, please try again in 5 minutes")
RETRY_AFTER = timedelta(minutes=5)
# (reply code, enhanced code, text) of each rejected demo message, by its place in the task.
REJECTIONS = (
    (550, "5.1.1", "5.1.1 <{rcpt}>: Recipient address rejected: User unknown"),
    (552, "5.2.2", "5.2.2 <{rcpt}>: Mailbox full, try again later"),
)


@dataclass(frozen=True)
class Try:
    """One attempt of the plan: when, at which stage, and what the server said."""

    at: datetime
    stage: str
    outcome: str
    code: int | None
    enhanced: str
    text: str


def seed_demo_history(context: Context, now: datetime) -> None:
    """Give the demo's messages the history their statuses imply."""
    with context.store.session() as session:
        messages = session.scalars(
            select(Message).order_by(col(Message.task_id), col(Message.id))
        ).all()
        kits: dict[int, TaskKit] = {}
        place: dict[int, int] = {}
        for message in messages:
            index = place[message.task_id] = place.get(message.task_id, -1) + 1
            if message.task_id not in kits:
                kits[message.task_id] = load_task_kit(context, message.task_id)
            _history(context, session, kits[message.task_id], message, index, now)
    _seed_reports(context)


# What came back for two delivered messages: a mailbox gone, a recipient who pressed "spam".
DEMO_REPORTS = (
    InboundReport(
        ReportKind.HARD_BOUNCE,
        status="5.1.1",
        text="550-5.1.1 The email account that you tried to reach does not exist.",
    ),
    InboundReport(ReportKind.COMPLAINT, text="abuse report from a feedback loop"),
)


def _seed_reports(context: Context) -> None:
    """The oldest delivered messages get the demo's bounce and complaint, applied as the
    bounce MX would (status, suppression, event)."""
    with context.store.session() as session:
        delivered = session.scalars(
            select(col(Message.id))
            .where(col(Message.status) == MessageStatus.DELIVERED.value)
            .order_by(col(Message.id))
            .limit(len(DEMO_REPORTS))
        ).all()
    for message_id, report in zip(delivered, DEMO_REPORTS, strict=False):
        record_report(context, message_id, report)


def _history(
    context: Context, session: Session, kit: TaskKit, message: Message, index: int, now: datetime
) -> None:
    start = message.next_attempt_at + timedelta(seconds=2 + index)
    status = MessageStatus(message.status)
    if status in (MessageStatus.PENDING, MessageStatus.CANCELLED):
        return
    if status == MessageStatus.SENDING:
        message.lease_owner = DEMO_WORKER
        message.lease_expires_at = now + timedelta(minutes=5)
        return
    if status == MessageStatus.FAILED:
        _failed(session, kit, message, start)
        return
    host = DEMO_MX.get(message.recipient.rpartition("@")[2], "mx.example.com")
    tries = _plan(status, index, message.recipient, start)
    for attempt in tries:
        session.add(_attempt(message, attempt, host))
    last = tries[-1]
    message.attempts = len(tries)
    message.sent_at = start
    message.last_reply_code, message.last_reply = last.code, last.text
    if status == MessageStatus.DELIVERED:
        message.received_at = last.at
    if status == MessageStatus.DEFERRED:
        message.next_attempt_at = last.at + RETRY_AFTER
    _compose(context, session, kit, message, last.at)


def _plan(status: MessageStatus, index: int, recipient: str, start: datetime) -> list[Try]:
    if status == MessageStatus.DELIVERED:
        delivered = Try(start, "dot", "delivered", 250, "2.0.0", "2.0.0 Ok: queued")
        if index % 4 != 1:
            return [delivered]
        code, enhanced, text = GREYLISTED
        later = start + RETRY_AFTER
        return [
            Try(start, "rcpt", "deferred", code, enhanced, text),
            Try(later, "dot", "delivered", 250, "2.0.0", "2.0.0 Ok: queued"),
        ]
    if status == MessageStatus.REJECTED:
        code, enhanced, text = REJECTIONS[(index // 7) % len(REJECTIONS)]
        return [Try(start, "rcpt", "rejected", code, enhanced, text.format(rcpt=recipient))]
    code, enhanced, text = GREYLISTED
    return [Try(start, "rcpt", "deferred", code, enhanced, text)]


def _attempt(message: Message, attempt: Try, host: str) -> DeliveryAttempt:
    return DeliveryAttempt(
        message_id=message.id or 0,
        started_at=attempt.at,
        finished_at=attempt.at + timedelta(milliseconds=140 if attempt.stage == "rcpt" else 380),
        stage=attempt.stage,
        outcome=attempt.outcome,
        reply_code=attempt.code,
        enhanced_code=attempt.enhanced,
        reply_text=attempt.text,
        remote_host=host,
        tls=True,
        worker=DEMO_WORKER,
    )


def _failed(session: Session, kit: TaskKit, message: Message, start: datetime) -> None:
    """The recipient's row lacks a parameter the template needs: the renderer refuses."""
    message.params = {key: value for key, value in message.params.items() if key == "name"}
    try:
        kit.template.render(message.params)
        reason = "the recipient's parameters did not fit the template"
    except KootuiError as error:
        reason = f"{error.code}: {error}"
    session.add(
        DeliveryAttempt(
            message_id=message.id or 0,
            started_at=start,
            finished_at=start + timedelta(milliseconds=2),
            stage="compose",
            outcome="failed",
            reply_text=reason[:500],
            worker=DEMO_WORKER,
        )
    )
    message.attempts, message.last_reply = 1, reason[:500]


def _compose(
    context: Context, session: Session, kit: TaskKit, message: Message, at: datetime
) -> None:
    """The header block of the last attempt, as the engine stores it."""
    claimed = ClaimedMessage(
        row_id=message.id or 0,
        task_id=message.task_id,
        recipient=message.recipient,
        params=dict(message.params),
        message_id_header=message.message_id_header,
        unsubscribe_token=message.unsubscribe_token,
        attempts=message.attempts,
        claimed_at=at,
    )
    message_id, token = ensure_identity(kit, claimed)
    data = build_message(context, kit, claimed, message_id, token, at)
    message.message_id_header, message.unsubscribe_token = message_id, token
    text = header_block(data).decode("ascii", "replace").replace("\r\n", "\n")
    session.add(MessageHeader(message_id=message.id or 0, headers=text, composed_at=at))
