"""Sending Details shows what happened after a message was sent: when it was unsubscribed,
its opens (how many, first) and its clicks per link with the address the link went to."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kootui.core.context import Context
from kootui.core.details import message_detail
from kootui.core.events import CLICKED, OPENED, record_event
from kootui.core.mail import record_unsubscribe
from tests.support.dispatch_seed import messages, seed_sender, seed_task

HOST = "track.example.com"
BODY = (
    '<p><a href="https://shop.example/offer?c={{code}}">offer</a> '
    '<a href="https://shop.example/me?who={{name}}">me</a></p>'
)


@pytest.fixture
def tracked(context: Context) -> Context:
    settings = context.settings.with_values(sending__tracking_host=HOST)
    return Context(store=context.store, settings=settings, clock=context.clock)


def _fields(context: Context, message_id: int, *, reveal: bool = False) -> dict[str, str]:
    return dict(message_detail(context, message_id, reveal=reveal).fields)


def test_unsubscribed_opens_and_clicks_per_link(tracked: Context) -> None:
    address = seed_sender(tracked, with_key=False)
    task_id = seed_task(
        tracked,
        address,
        ["ann@example.org"],
        body=BODY,
        support_unsubscribe=True,
        track_opens_clicks=True,
        with_tokens=True,
        params={"name": "ann@example.org", "code": "C7"},
    )
    [row] = messages(tracked, task_id)
    message_id = row.id or 0
    assert _fields(tracked, message_id)["Opens"] == "none yet"
    assert _fields(tracked, message_id)["Clicks"] == "none yet"
    now = tracked.clock.now()
    with tracked.store.session() as session:
        connection = session.connection()
        record_event(connection, message_id, OPENED, now - timedelta(hours=2))
        record_event(connection, message_id, OPENED, now)
        for index in (0, 0, 1):
            record_event(connection, message_id, CLICKED, now, link_index=index)
    record_unsubscribe(tracked, row.unsubscribe_token)
    fields = _fields(tracked, message_id)
    assert fields["Unsubscribed"] == "2026-11-23 15:30:00"
    assert fields["Opens"] == "2 times, first 2026-11-23 13:30:00"
    assert fields["Clicks"] == "3 clicks"
    assert fields["Link 1"] == "2 clicks · https://shop.example/offer?c=C7"
    # A link carrying the recipient is masked like every other place the address shows.
    assert fields["Link 2"] == "1 click · https://shop.example/me?who=***@example.org"
    revealed = _fields(tracked, message_id, reveal=True)
    assert revealed["Link 2"] == "1 click · https://shop.example/me?who=ann@example.org"


def test_an_untracked_message_with_nothing_recorded_has_no_such_lines(tracked: Context) -> None:
    address = seed_sender(tracked, with_key=False)
    task_id = seed_task(tracked, address, ["bo@example.org"], body=BODY)
    [row] = messages(tracked, task_id)
    fields = _fields(tracked, row.id or 0)
    assert not {"Unsubscribed", "Opens", "Clicks"} & set(fields)
