"""One message in full: its fields (with what happened after it was sent: unsubscribed,
opens, clicks per link), every delivery attempt, the raw headers as last sent.

The headers are the block the engine composed and signed for the last attempt
(``message_header``, written with the attempt's result). The recipient appears in
them (``To:``), so it is masked there too unless the caller reveals it for this call.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Row, select

from kootui.core.access import Act, check_access, requires
from kootui.core.bounces import report_fields
from kootui.core.clock import as_utc, local_text
from kootui.core.context import Context
from kootui.core.details.engagement import engagement_fields
from kootui.core.details.rows import (
    AttemptView,
    MessageDetail,
    load_task_facts,
    mask_in_text,
    message_table,
    send_method_label,
    status_label,
)
from kootui.core.errors import NotFound
from kootui.core.store import DeliveryAttempt, MessageHeader, MessageStatus

attempt_table = DeliveryAttempt.__table__
header_table = MessageHeader.__table__
_WAITING = (MessageStatus.PENDING.value, MessageStatus.DEFERRED.value)


def _duration_ms(started: datetime, finished: datetime | None) -> int | None:
    if finished is None:
        return None
    return max(0, round((as_utc(finished) - as_utc(started)).total_seconds() * 1000))


def _attempt_view(row: Row[*tuple[Any, ...]], shown: Callable[[str], str]) -> AttemptView:
    return AttemptView(
        started=local_text(row.started_at),
        stage=row.stage or "—",
        outcome=row.outcome,
        reply_code=str(row.reply_code) if row.reply_code is not None else "—",
        enhanced_code=row.enhanced_code,
        reply_text=shown(row.reply_text),
        remote_host=row.remote_host,
        tls="yes" if row.tls else "no",
        duration_ms=_duration_ms(row.started_at, row.finished_at),
    )


def _headers_reason(message: Row[*tuple[Any, ...]], attempts: int) -> str:
    """Why a message has no stored header block, in one line."""
    if message.status == MessageStatus.CANCELLED.value:
        return "Never composed: the message was cancelled before it was sent."
    if message.status in _WAITING and attempts == 0:
        return "Not composed yet: the message is waiting to be sent."
    if message.status == MessageStatus.SENDING.value:
        return "Being sent now: the headers are stored with the result."
    if message.last_reply:
        return f"Never composed: {message.last_reply}"
    return "No headers were stored for this message (sent before kootui kept them)."


@requires(Act.MESSAGE_READ)
def message_detail(context: Context, message_id: int, *, reveal: bool = False) -> MessageDetail:
    if reveal:  # whole addresses are an action of their own
        check_access(context, Act.MESSAGE_REVEAL)
    m = message_table
    with context.store.engine.connect() as connection:
        message = connection.execute(select(m).where(m.c.id == message_id)).first()
        if message is None:
            raise NotFound(f"there is no message {message_id}", field="message_id")
        facts = load_task_facts(connection, [message.task_id]).get(message.task_id)
        attempt_rows = connection.execute(
            select(attempt_table)
            .where(attempt_table.c.message_id == message_id)
            .order_by(attempt_table.c.started_at, attempt_table.c.id)
        ).all()
        stored = connection.execute(
            select(header_table.c.headers).where(header_table.c.message_id == message_id)
        ).scalar_one_or_none()
    recipient = str(message.recipient)

    def shown(text: str) -> str:
        return text if reveal else mask_in_text(text, recipient)

    fields: list[tuple[str, str]] = [
        ("Message ID", str(message.id)),
        ("Message-ID header", message.message_id_header or "— (given when first sent)"),
        ("Task", facts.task_label if facts else f"#{message.task_id}"),
        ("Send method", send_method_label(message.send_method)),
        ("Status", status_label(message.status)),
        ("Template", facts.template_label if facts else "—"),
        ("Subject", shown(facts.subject_for(message.params or {})) if facts else "—"),
        ("Sender", facts.sender if facts else "—"),
        ("Recipient", shown(recipient)),
        ("Created", local_text(message.created_at)),
        ("First attempt", local_text(message.sent_at)),
        ("Received", local_text(message.received_at)),
        ("Attempts", str(len(attempt_rows))),
    ]
    if message.status in _WAITING:
        fields.append(("Next attempt", local_text(message.next_attempt_at)))
    if message.last_reply_code is not None or message.last_reply:
        code = f"{message.last_reply_code} " if message.last_reply_code is not None else ""
        fields.append(("Last reply", shown(f"{code}{message.last_reply}".strip())))
    fields.extend(report_fields(context, int(message.id), shown))
    fields.extend(engagement_fields(context, int(message.id), int(message.task_id), shown))
    headers = ""
    reason = ""
    if stored:
        headers = shown(stored)
    else:
        reason = shown(_headers_reason(message, len(attempt_rows)))
    return MessageDetail(
        message_id=int(message.id),
        fields=fields,
        attempts=[_attempt_view(row, shown) for row in attempt_rows],
        headers=headers,
        headers_reason=reason,
        revealed=reveal,
    )
