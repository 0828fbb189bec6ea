"""What a report does to its message, in one transaction.

- A hard bounce: the message becomes ``bounced`` (unless it was already ``complained``,
  the stronger news, or was never attempted), the recipient is suppressed with reason
  ``hard_bounce``, and a ``bounced`` event is written (once per message). The status moves
  through ``dispatch.settle_report``, which keeps the statistics equal to a recount even
  when the report overtakes the engine's own result.
- A complaint: the message becomes ``complained``, the recipient is suppressed with reason
  ``complaint``, and a ``complained`` event is written (once per message).
- A soft bounce: a ``soft_bounced`` event only; the relay took the message and may still
  deliver it, so its status stays.
- An auto-reply or anything else: nothing.

The address suppressed is the message's own recipient (the VERP return path named the
message), never an address the report text names: a report cannot suppress a stranger. An
address already suppressed keeps its first reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection
from sqlalchemy import select as sa_select
from sqlalchemy.dialects import postgresql, sqlite

from kootui.core.access import Act, requires
from kootui.core.bounces.parse import InboundReport, ReportKind, parse_report
from kootui.core.context import Context
from kootui.core.dispatch import settle_report
from kootui.core.events import BOUNCED, COMPLAINED, SOFT_BOUNCED, EventKind, record_event
from kootui.core.store import Message, MessageStatus, Suppression

message_table = Message.__table__
MAX_MESSAGE_ID_CHARS = 255
_EFFECTS: dict[ReportKind, tuple[EventKind, MessageStatus | None, str]] = {
    ReportKind.HARD_BOUNCE: (BOUNCED, MessageStatus.BOUNCED, "hard_bounce"),
    ReportKind.COMPLAINT: (COMPLAINED, MessageStatus.COMPLAINED, "complaint"),
    ReportKind.SOFT_BOUNCE: (SOFT_BOUNCED, None, ""),
}


@dataclass(frozen=True)
class ReportOutcome:
    """What recording a report changed. ``message_id`` is None when no message matched."""

    kind: ReportKind
    message_id: int | None
    first_time: bool = False  # False when a once-per-message event was already recorded
    suppressed: str = ""  # the address put on the suppression list (lower case)


@requires(Act.TRACKING_RECORD)
def message_exists(context: Context, message_id: int) -> bool:
    with context.store.engine.connect() as connection:
        found = connection.execute(
            sa_select(message_table.c.id).where(message_table.c.id == message_id)
        ).first()
    return found is not None


def _by_message_id_header(connection: Connection, header: str) -> int | None:
    """The fallback for a complaint that names no bounce address (a feedback loop that
    rewrote the return path, fed in by hand): the quoted original's Message-ID. No index
    serves this (one would cost every insert); complaints are rare."""
    header = header.strip()[:MAX_MESSAGE_ID_CHARS]
    if not header:
        return None
    found = connection.execute(
        sa_select(message_table.c.id).where(message_table.c.message_id_header == header).limit(1)
    ).first()
    return int(found.id) if found is not None else None


def _suppress(
    connection: Connection, address: str, reason: str, message_id: int, context: Context
) -> None:
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    connection.execute(
        dialect.insert(Suppression.__table__)
        .values(
            address=address, reason=reason, created_at=context.clock.now(), message_id=message_id
        )
        .on_conflict_do_nothing()  # an address already suppressed keeps its first reason
    )


@requires(Act.TRACKING_RECORD)
def record_report(context: Context, message_id: int | None, report: InboundReport) -> ReportOutcome:
    """Apply ``report`` to message ``message_id`` (the one its bounce address names) in one
    transaction: status, suppression and event commit together or not at all."""
    effect = _EFFECTS.get(report.kind)
    if effect is None:
        return ReportOutcome(report.kind, message_id)
    kind, status, reason = effect
    now = context.clock.now()
    # Write first: a commit between this read and the write would fail it (a 451).
    with context.store.writing_first() as connection:
        if message_id is None and report.kind == ReportKind.COMPLAINT:
            # Only without a bounce address: the token is checked, the quoted Message-ID
            # is whatever the report's author wrote.
            message_id = _by_message_id_header(connection, report.original_message_id)
        if message_id is None:
            return ReportOutcome(report.kind, None)
        row = connection.execute(
            sa_select(message_table.c.recipient).where(message_table.c.id == message_id)
        ).first()
        if row is None:
            return ReportOutcome(report.kind, None)
        detail = " ".join(part for part in (report.status, report.text) if part)
        first_time = record_event(connection, message_id, kind, now, detail=detail)
        if status is None or not first_time:
            return ReportOutcome(report.kind, message_id, first_time)
        # The relay's last reply stays: it is what the relay said; the report is an event.
        settle_report(connection, message_id, status, now)
        address = str(row.recipient).strip().lower()
        _suppress(connection, address, reason, message_id, context)
    return ReportOutcome(report.kind, message_id, first_time, address)


@requires(Act.TRACKING_RECORD)
def receive_report(context: Context, message_ids: list[int], data: bytes) -> list[ReportOutcome]:
    """Parse one message that came to the bounce addresses of ``message_ids`` and apply it
    to each (one transaction per message). The MX listener answers 250 after this returns."""
    report = parse_report(data)
    return [record_report(context, message_id, report) for message_id in message_ids]
