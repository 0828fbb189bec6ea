"""The send simulator: any recipient's message as it will go out, and how long sending takes.

Before submitting, the user steps through the rendered messages (subject,
From, To, text and HTML) row by row, rendered by the same sandboxed renderer
the engine uses, and sees the estimated duration at the configured
``sending.rate``. The template is compiled once per ``Simulator``, so stepping
costs one render.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from kootui.core.access import Act, requires
from kootui.core.context import Context
from kootui.core.errors import ValidationError
from kootui.core.mail import unsubscribe_url
from kootui.core.recipients import RecipientSource
from kootui.core.senders import format_from, require_usable_address
from kootui.core.tasks.create import TaskDraft, check_recipients, check_subject
from kootui.core.tasks.suppressed import count_suppressed
from kootui.core.templates import CompiledTemplate, require_usable_template

# With sending.rate = 0 (no limit) the engine's own speed decides: about 600 signed
# messages a second on one core (bench/RESULTS.md, "Where a message's time goes").
# Relays, network round trips and a shared machine eat much of that, so estimates
# assume a quarter of it; a limit in settings replaces this guess.
ASSUMED_UNLIMITED_RATE = 150.0  # messages per second
PREVIEW_TOKEN = "preview-token-not-sent"


def effective_rate(configured: float) -> float:
    """Messages per second used for estimates: the configured limit, or the assumed speed."""
    if configured < 0:
        raise ValidationError("the sending rate cannot be negative", field="sending.rate")
    return configured if configured > 0 else ASSUMED_UNLIMITED_RATE


def estimated_duration(count: int, rate: float) -> timedelta:
    """How long ``count`` messages take at ``rate`` per second (0 means no limit)."""
    if count < 0:
        raise ValidationError("the message count cannot be negative", field="count")
    return timedelta(seconds=count / effective_rate(rate))


def duration_text(duration: timedelta) -> str:
    """'about 3 h 20 min', 'about 45 s', 'under a second'."""
    seconds = duration.total_seconds()
    if seconds < 1:
        return "under a second"
    if seconds < 60:
        return f"about {round(seconds)} s"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"about {minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"about {hours} h {minutes} min" if minutes else f"about {hours} h"
    return f"about {round(hours / 24, 1):g} days"


@dataclass(frozen=True)
class SimulatedMessage:
    row_index: int  # 0-based position in the recipient list
    total: int
    subject: str
    from_header: str  # as it goes out: a non-ASCII alias is an RFC 2047 encoded word
    sender: str  # as a reader sees it: 'Alias <prefix@domain>', the alias decoded
    to: str
    text: str
    html: str | None
    params: dict[str, str]


class Simulator:
    """A draft's messages, one at a time; ``open`` checks the draft's content fields."""

    def __init__(
        self,
        compiled: CompiledTemplate,
        from_header: str,
        recipients: RecipientSource,
        link: str | None,
        suppressed: int = 0,
        sender: str | None = None,
    ) -> None:
        self._compiled = compiled
        self._from = from_header
        self._sender = sender or from_header
        self._recipients = recipients
        self._link = link
        self.suppressed = suppressed  # recipients on the suppression list: never sent

    @classmethod
    def open(cls, context: Context, draft: TaskDraft) -> Simulator:
        if draft.template_id is None:
            raise ValidationError("choose an approved template", field="template_id")
        if draft.address_id is None:
            raise ValidationError("choose a sender address", field="address_id")
        template = require_usable_template(context, draft.template_id)
        sender = require_usable_address(context, draft.address_id)
        parameters = list(template.parameters)
        subject = check_subject(draft.subject, parameters)
        recipients = check_recipients(draft.recipients, parameters)
        compiled = CompiledTemplate.build(
            subject=subject,
            body_type=template.body_type,
            body=template.body,
            text_body=template.text_body,
            support_unsubscribe=template.support_unsubscribe,
            locale=template.locale,
        )
        link = (
            unsubscribe_url(context.settings, PREVIEW_TOKEN)
            if template.support_unsubscribe
            else None
        )
        suppressed = count_suppressed(context, recipients)
        return cls(
            compiled, format_from(sender), recipients, link, suppressed, sender=sender.preview
        )

    @property
    def count(self) -> int:
        return self._recipients.count

    def message(self, row_index: int) -> SimulatedMessage:
        if not 0 <= row_index < self.count:
            raise ValidationError(
                f"choose a row from 1 to {self.count:,}", field="row", code="simulator.row"
            )
        address, params = self._recipients.row(row_index)
        rendered = self._compiled.render(params, unsubscribe_url=self._link)
        return SimulatedMessage(
            row_index=row_index,
            total=self.count,
            subject=rendered.subject,
            from_header=self._from,
            sender=self._sender,
            to=address,
            text=rendered.text,
            html=rendered.html,
            params=dict(params),
        )

    def estimated_duration(self, rate: float) -> timedelta:
        """The time to send what will be sent: suppressed recipients are skipped."""
        return estimated_duration(self.count - self.suppressed, rate)


@requires(Act.TASK_READ)
def simulate(context: Context, draft: TaskDraft, row_index: int) -> SimulatedMessage:
    """The message the ``row_index``-th recipient (0-based) will get."""
    return Simulator.open(context, draft).message(row_index)


@requires(Act.TASK_READ)
def draft_duration(context: Context, draft: TaskDraft) -> timedelta:
    """The estimated send time of a draft under the configured ``sending.rate``."""
    count = draft.recipients.count if draft.recipients is not None else 0
    return estimated_duration(count, context.settings.sending.rate)
