"""Message events: the registry, one unsubscription per message whatever the repeats, the
suppression written in the same transaction, and the counts the reports read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from kootui.core.context import Context
from kootui.core.errors import ValidationError
from kootui.core.events import (
    CLICKED,
    OPENED,
    UNSUBSCRIBED,
    EventCount,
    event_kind,
    hourly_event_counts,
    message_engagement,
    record_event,
    register_kind,
)
from kootui.core.mail import record_unsubscribe
from kootui.core.store import MessageEvent, Suppression
from tests.support.dispatch_seed import messages, seed_sender, seed_task


def _events(context: Context) -> list[tuple[int, str, int | None]]:
    with context.store.session() as session:
        rows = session.exec(select(MessageEvent).order_by(MessageEvent.id)).all()
        return [(row.message_id, row.kind, row.link_index) for row in rows]


def _suppressed(context: Context) -> list[tuple[str, str, datetime]]:
    with context.store.session() as session:
        rows = session.exec(select(Suppression).order_by(Suppression.id)).all()
        return [(row.address, row.reason, row.created_at) for row in rows]


@pytest.fixture
def sent(any_context: Context) -> list[tuple[int, str]]:
    """(message id, token) of three messages to Ana, Bo and Cy."""
    address_id = seed_sender(any_context)
    task_id = seed_task(
        any_context,
        address_id,
        ["Ana@Example.org", "bo@example.org", "cy@example.org"],
        support_unsubscribe=True,
        with_tokens=True,
    )
    return [(row.id or 0, row.unsubscribe_token) for row in messages(any_context, task_id)]


def test_the_kinds_are_a_registry_of_strings() -> None:
    assert event_kind("unsubscribed") is UNSUBSCRIBED
    assert UNSUBSCRIBED.once_per_message and not OPENED.once_per_message
    assert register_kind("opened", "Opened", once_per_message=False) is not None
    with pytest.raises(ValueError, match="already registered"):
        register_kind("opened", "Opened", once_per_message=True)
    with pytest.raises(ValidationError) as unknown:
        event_kind("teleported")
    assert unknown.value.code == "event.unknown_kind" and unknown.value.field == "kind"


def test_unsubscribing_twice_writes_one_event_and_one_suppression(
    any_context: Context, sent: list[tuple[int, str]]
) -> None:
    message_id, token = sent[0]
    first = record_unsubscribe(any_context, token)
    again = record_unsubscribe(any_context, token)
    assert first is not None and again is not None
    assert (first.message_id, first.address, first.first_time) == (
        message_id,
        "ana@example.org",
        True,
    )
    assert again.first_time is False
    assert _events(any_context) == [(message_id, "unsubscribed", None)]
    now = any_context.clock.now()
    assert _suppressed(any_context) == [("ana@example.org", "unsubscribed", now)]
    assert message_engagement(any_context, message_id).unsubscribed_at == now


def test_an_address_already_suppressed_keeps_its_reason_and_gets_the_event(
    any_context: Context, sent: list[tuple[int, str]]
) -> None:
    message_id, token = sent[1]
    earlier = any_context.clock.now() - timedelta(days=3)
    with any_context.store.session() as session:
        session.add(Suppression(address="bo@example.org", reason="hard_bounce", created_at=earlier))
    unsubscription = record_unsubscribe(any_context, token)
    assert unsubscription is not None and unsubscription.first_time
    assert _suppressed(any_context) == [("bo@example.org", "hard_bounce", earlier)]
    assert _events(any_context) == [(message_id, "unsubscribed", None)]


def test_an_event_rolls_back_with_the_change_it_records(
    any_context: Context, sent: list[tuple[int, str]]
) -> None:
    message_id, _ = sent[0]
    with pytest.raises(RuntimeError), any_context.store.session() as session:
        record_event(session.connection(), message_id, OPENED, any_context.clock.now())
        raise RuntimeError("the change failed")
    assert _events(any_context) == []


def test_counts_by_hour_kind_and_message(any_context: Context, sent: list[tuple[int, str]]) -> None:
    (ana, _), (bo, _), _ = sent
    hour = datetime(2026, 11, 23, 15, tzinfo=UTC)
    with any_context.store.session() as session:
        connection = session.connection()
        for message_id, kind, minutes, link in [
            (ana, OPENED, 1, None),
            (ana, OPENED, 59, None),
            (bo, OPENED, 60, None),
            (ana, CLICKED, 2, 0),
            (ana, CLICKED, 3, 0),
            (ana, CLICKED, 4, 2),
            (bo, CLICKED, 61, 1),
        ]:
            when = hour + timedelta(minutes=minutes, seconds=30)
            record_event(connection, message_id, kind, when, link_index=link)
    end = hour + timedelta(hours=2)
    assert hourly_event_counts(any_context, hour, end) == [
        EventCount(hour, "clicked", None, 3),
        EventCount(hour, "opened", None, 2),
        EventCount(hour + timedelta(hours=1), "clicked", None, 1),
        EventCount(hour + timedelta(hours=1), "opened", None, 1),
    ]
    by_message = hourly_event_counts(any_context, hour, end, kinds={"opened"}, by_message=True)
    assert by_message == [
        EventCount(hour, "opened", ana, 2),
        EventCount(hour + timedelta(hours=1), "opened", bo, 1),
    ]
    assert hourly_event_counts(any_context, hour + timedelta(hours=2), end) == []
    summary = message_engagement(any_context, ana)
    assert (summary.opens, summary.first_opened_at) == (2, hour + timedelta(minutes=1, seconds=30))
    assert [(link.link_index, link.clicks) for link in summary.links] == [(0, 2), (2, 1)]
    assert summary.clicks == 3 and summary.unsubscribed_at is None
