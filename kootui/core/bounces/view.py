"""What came back for one message, as lines of its detail view (Sending Details)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from kootui.core.access import Act, requires
from kootui.core.clock import local_text
from kootui.core.context import Context
from kootui.core.events import BOUNCED, COMPLAINED, SOFT_BOUNCED
from kootui.core.printable import printable
from kootui.core.store import MessageEvent

event_table = MessageEvent.__table__
_LABELS = {BOUNCED.name: "Bounced", COMPLAINED.name: "Complained", SOFT_BOUNCED.name: "Soft bounce"}
MAX_SOFT_BOUNCES_SHOWN = 5


@requires(Act.MESSAGE_READ)
def report_fields(
    context: Context, message_id: int, shown: Callable[[str], str]
) -> list[tuple[str, str]]:
    """(label, "when · report text") per bounce or complaint, oldest first; the last few soft
    bounces only. ``shown`` masks the recipient (a report quotes it) unless revealed."""
    statement = (
        select(event_table.c.kind, event_table.c.occurred_at, event_table.c.detail)
        .where(event_table.c.message_id == message_id)
        .where(event_table.c.kind.in_(list(_LABELS)))
        .order_by(event_table.c.occurred_at, event_table.c.id)
    )
    with context.store.engine.connect() as connection:
        rows = connection.execute(statement).all()
    soft = [row for row in rows if row.kind == SOFT_BOUNCED.name]
    skipped = {id(row) for row in soft[:-MAX_SOFT_BOUNCES_SHOWN]}
    fields: list[tuple[str, str]] = []
    if skipped:
        fields.append((_LABELS[SOFT_BOUNCED.name], f"{len(soft):,} in all, the last ones below"))
    for row in rows:
        if id(row) in skipped:
            continue
        text = printable(row.detail) if row.detail else "—"
        fields.append((_LABELS[row.kind], shown(f"{local_text(row.occurred_at)} · {text}")))
    return fields
