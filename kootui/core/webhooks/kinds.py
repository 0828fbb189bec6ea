"""The events an endpoint may subscribe to, and where each comes from.

- ``accepted``: a message submitted through the API or SMTP was durably stored (the
  moment the caller hears ``202``/``250``), written in the intake's transaction. Console
  tasks send no ``accepted``: the operator made them, and 100,000 rows at creation would
  double the creation's writes for news nobody waits for.
- ``delivered``, ``deferred``, ``rejected``: the relay's verdict on an attempt, written in
  ``record_results``' batch. ``rejected`` is every end without delivery: the relay's
  permanent refusal (status ``rejected``) and a message given up or that could not be
  built (status ``failed``); ``data.status`` tells them apart.
- ``bounced``, ``complained``, ``unsubscribed``, ``opened``, ``clicked``: the message
  events of the same names (``events.record_event``). A soft bounce (a DSN with
  ``Action: delayed``) is ``deferred`` with ``data.source = "bounce"``: to the receiver it
  is the same news as a relay's 4xx, the message is late but not lost.
"""

from __future__ import annotations

from collections.abc import Iterable

from kootui.core.errors import ValidationError

WEBHOOK_EVENTS: tuple[str, ...] = (
    "accepted",
    "delivered",
    "deferred",
    "rejected",
    "bounced",
    "complained",
    "unsubscribed",
    "opened",
    "clicked",
)
TEST_EVENT = "test"  # "send test event": delivered to one endpoint whatever it subscribes to

# Message event kind (core/events) -> webhook event.
EVENT_OF_KIND: dict[str, str] = {
    "bounced": "bounced",
    "complained": "complained",
    "unsubscribed": "unsubscribed",
    "opened": "opened",
    "clicked": "clicked",
    "soft_bounced": "deferred",
}
# A recorded result's message status -> webhook event.
EVENT_OF_STATUS: dict[str, str] = {
    "delivered": "delivered",
    "deferred": "deferred",
    "rejected": "rejected",
    "failed": "rejected",
}


def event_type(event: str) -> str:
    """The payload's ``type``: Standard Webhooks' dotted name (``message.delivered``)."""
    return f"message.{event}" if event != TEST_EVENT else "webhook.test"


def parse_events(names: Iterable[str], *, field: str = "events") -> tuple[str, ...]:
    """Known event names in the registry's order, repeats dropped; ``all`` means every one.
    An unknown name or none at all is refused naming the field."""
    wanted = {name.strip().lower() for name in names if name.strip()}
    if "all" in wanted:
        return WEBHOOK_EVENTS
    unknown = sorted(wanted - set(WEBHOOK_EVENTS))
    if unknown:
        raise ValidationError(
            f"unknown event {', '.join(unknown)}; choose from {', '.join(WEBHOOK_EVENTS)} or all",
            field=field,
            code="webhook.unknown_event",
        )
    if not wanted:
        raise ValidationError(
            "choose at least one event to send", field=field, code="webhook.no_events"
        )
    return tuple(name for name in WEBHOOK_EVENTS if name in wanted)
