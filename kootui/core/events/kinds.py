"""The registry of event kinds: a name, a label for the faces, and whether it can happen
more than once to one message.

The store keeps the name as a plain string, so a kind added here (bounced, complained,
delivered... next) needs no migration; ``event_kind`` refuses a name nobody registered.
"""

from __future__ import annotations

from dataclasses import dataclass

from kootui.core.errors import ValidationError


@dataclass(frozen=True)
class EventKind:
    name: str
    label: str
    once_per_message: bool


_REGISTRY: dict[str, EventKind] = {}


def register_kind(name: str, label: str, *, once_per_message: bool) -> EventKind:
    """Add a kind; registering the same name twice with other terms is a programming error."""
    kind = EventKind(name=name, label=label, once_per_message=once_per_message)
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
