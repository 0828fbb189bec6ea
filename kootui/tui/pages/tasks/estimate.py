"""The task form's estimate line: when the task would end and whether it fits.

Every figure comes from the store (the live workspace rate a console may have set, the
destination limits, the sender's warm-up plan, the packages), so the line is read on a
thread (``estimate_text``), never on the event loop; the form shows the count meanwhile."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from kootui.core.context import Context
from kootui.core.errors import KootuiError, user_message
from kootui.core.plural import count_of
from kootui.core.recipients import RecipientSource
from kootui.core.tasks import TaskDraft, destination_estimate, draft_forecast, duration_text


def no_recipients_text() -> str:
    return f"{count_of(0, 'recipient')} · estimated send time {duration_text(timedelta(0))}"


def reading_text(count: int) -> str:
    return f"{count_of(count, 'recipient')} · estimating the send time…"


async def estimate_text(context: Context, source: RecipientSource, draft: TaskDraft | None) -> str:
    """The whole forecast for a draft the form could build; for one it could not (a
    half-typed time), the rates and destination limits alone."""
    try:
        if draft is not None:
            summary = (await asyncio.to_thread(draft_forecast, context, draft)).summary()
        else:
            shaped = await asyncio.to_thread(destination_estimate, context, source)
            summary = f"estimated send time {duration_text(shaped.duration)}"
    except KootuiError as refusal:  # e.g. not allowed to read the destination limits
        summary = f"no estimate: {user_message(refusal)}"
    return f"{count_of(source.count, 'recipient')} · {summary}"
