"""The registry of event kinds: a name, a label for the faces, whether it can happen
more than once to one message, and which Statistics Report measure it moves.

The store keeps the name as a plain string, so a kind added here (bounced, complained,
delivered... next) needs no migration; ``event_kind`` refuses a name nobody registered.
"""

from __future__ import annotations

from dataclasses import dataclass

from kootui.core.errors import ValidationError


@dataclass(frozen=True)
class KindMeasure:
    """The statistics column (``hourly_stat``, revision 0010) an event of a kind adds one
    to, in the event's UTC hour; with ``first_only`` only the message's first event of the
    kind counts (unique opens and clicks), which the event's ``once_kind`` marks."""

    column: str
    first_only: bool = False


@dataclass(frozen=True)
class EventKind:
    name: str
    label: str
    once_per_message: bool
    measure: KindMeasure | None = None  # None: the kind moves no statistic


# The measures by kind name, so a kind registered elsewhere (the bounce host's bounced and
# complained) moves its measure without repeating it. A once-per-message kind is counted
# once anyway; first_only is for the kinds that repeat.
KIND_MEASURES: dict[str, KindMeasure] = {
    "unsubscribed": KindMeasure("unsubscribed"),
    "opened": KindMeasure("opened", first_only=True),
    "clicked": KindMeasure("clicked", first_only=True),
    "bounced": KindMeasure("bounced"),
    "complained": KindMeasure("complained"),
}

_REGISTRY: dict[str, EventKind] = {}


def register_kind(
    name: str, label: str, *, once_per_message: bool, measure: KindMeasure | None = None
) -> EventKind:
    """Add a kind (its measure defaults to ``KIND_MEASURES``' entry for the name);
    registering the same name twice with other terms is a programming error."""
    measure = measure or KIND_MEASURES.get(name)
    kind = EventKind(name, label, once_per_message, measure)
    known = _REGISTRY.setdefault(name, kind)
    if known != kind:
        raise ValueError(f"the event kind {name!r} is already registered as {known}")
    return kind


def event_kind(name: str) -> EventKind:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ValidationError(
            f"unknown event kind {name!r}; known: {', '.join(sorted(_REGISTRY))}",
            field="kind",
            code="event.unknown_kind",
        ) from None


def registered_kinds() -> tuple[EventKind, ...]:
    return tuple(_REGISTRY.values())


UNSUBSCRIBED = register_kind("unsubscribed", "Unsubscribed", once_per_message=True)
OPENED = register_kind("opened", "Opened", once_per_message=False)
CLICKED = register_kind("clicked", "Clicked", once_per_message=False)
# What comes back to the bounce host (core/bounces): a hard bounce and a complaint end a
# message's story once; a delayed (soft) bounce may come back again and again.
BOUNCED = register_kind("bounced", "Bounced", once_per_message=True)
COMPLAINED = register_kind("complained", "Complained", once_per_message=True)
SOFT_BOUNCED = register_kind("soft_bounced", "Soft bounce", once_per_message=False)
