"""A message's life after it was sent, as detail fields: unsubscribed (when), opens (how
many, first), clicks (how many, and per link with the address it went to).

Opens and clicks show for a tracked message, or any message something was recorded for;
an untracked message with nothing recorded shows no such lines (they would only say 0).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from kootui.core.clock import local_text
from kootui.core.context import Context
from kootui.core.events import message_engagement
from kootui.core.mail import tracks_opens_clicks
from kootui.core.store import Task, Template
from kootui.core.tracking import message_links

UNSUBSCRIBED_LABEL = "Unsubscribed"
OPENS_LABEL = "Opens"
CLICKS_LABEL = "Clicks"


def _tracked(context: Context, task_id: int) -> bool:
    task, template = Task.__table__, Template.__table__
    with context.store.engine.connect() as connection:
        row = connection.execute(
            select(task.c.track_opens_clicks, template.c.track_opens_clicks.label("template"))
            .join(template, template.c.id == task.c.template_id)
            .where(task.c.id == task_id)
        ).first()
    return row is not None and tracks_opens_clicks(row.track_opens_clicks, row.template)


def _times(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def engagement_fields(
    context: Context, message_id: int, task_id: int, shown: Callable[[str], str]
) -> list[tuple[str, str]]:
    """(label, value) lines for the detail view; ``shown`` masks the recipient in a link's
    address (a link may carry it as a parameter) unless the caller revealed it."""
    engagement = message_engagement(context, message_id)
    fields: list[tuple[str, str]] = []
    if engagement.unsubscribed_at is not None:
        fields.append((UNSUBSCRIBED_LABEL, local_text(engagement.unsubscribed_at)))
    if not (engagement.opens or engagement.links or _tracked(context, task_id)):
        return fields
    opens = "none yet"
    if engagement.opens and engagement.first_opened_at is not None:
        opens = (
            f"{_times(engagement.opens, 'time')}, first {local_text(engagement.first_opened_at)}"
        )
    fields.append((OPENS_LABEL, opens))
    fields.append(
        (CLICKS_LABEL, _times(engagement.clicks, "click") if engagement.links else "none yet")
    )
    addresses = message_links(context, message_id) if engagement.links else ()
    for link in engagement.links:
        where = (
            addresses[link.link_index]
            if link.link_index < len(addresses)
            else "(no longer a link of the template)"
        )
        fields.append(
            (f"Link {link.link_index + 1}", shown(f"{_times(link.clicks, 'click')} · {where}"))
        )
    return fields
