"""The open pixel and click redirects on a real uvicorn on loopback: an open is counted and
answered with an uncached GIF; a click goes to the message's own link n and nowhere else."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pytest

from kootui.core.clock import FixedClock
from kootui.core.context import Context
from kootui.core.dispatch import EngineOptions, run_until_idle, stats_from_messages
from kootui.core.events import message_engagement
from kootui.core.mail import PIXEL_GIF, tracking_token
from kootui.serve.public import public_router
from tests.support.dispatch_seed import (
    messages,
    relay_settings,
    seed_sender,
    seed_task,
    stat_rows,
)
from tests.support.http_server import SwappableApp
from tests.support.smtp_server import RecordingHandler, RecordingServer

HOST = "track.example.com"
BODY = (
    '<p>Hi {{name}}: <a href="https://shop.example/offer?c={{code}}&amp;x=1">offer</a> '
    '<a href="http://blog.example/post">blog</a></p>'
)


@pytest.fixture
def tracked(context: Context) -> Context:
    settings = context.settings.with_values(sending__tracking_host=HOST)
    return Context(store=context.store, settings=settings, clock=context.clock)


@pytest.fixture
def sent(tracked: Context) -> list[tuple[int, str]]:
    """(row id, tracking token) of two tracked messages."""
    address = seed_sender(tracked, with_key=False)
    task_id = seed_task(
        tracked,
        address,
        ["ann@example.org", "bob@example.org"],
        body=BODY,
        track_opens_clicks=True,
        with_tokens=True,
    )
    return [
        (row.id or 0, tracking_token(row.id or 0, row.unsubscribe_token))
        for row in messages(tracked, task_id)
    ]


@pytest.fixture
def client(tracked: Context, http_server: tuple[SwappableApp, httpx.Client]) -> httpx.Client:
    swappable, http = http_server
    swappable.mount(public_router(tracked, tracked.settings))
    return http


def test_the_pixel_counts_every_open_and_is_never_cached(
    tracked: Context, client: httpx.Client, sent: list[tuple[int, str]]
) -> None:
    row_id, token = sent[0]
    for _ in range(3):
        answer = client.get(f"/o/{token}.gif")
        assert answer.status_code == 200 and answer.content == PIXEL_GIF
        assert answer.headers["content-type"] == "image/gif"
        assert "no-store" in answer.headers["cache-control"]
        assert "no-cache" in answer.headers["cache-control"]
    engagement = message_engagement(tracked, row_id)
    assert engagement.opens == 3 and engagement.first_opened_at == tracked.clock.now()
    assert message_engagement(tracked, sent[1][0]).opens == 0


def test_a_click_redirects_to_that_messages_own_link(
    tracked: Context, client: httpx.Client, sent: list[tuple[int, str]]
) -> None:
    (ann, ann_token), (bob, bob_token) = sent
    first = client.get(f"/c/{ann_token}/0", follow_redirects=False)
    assert first.status_code == 302
    assert first.headers["location"] == "https://shop.example/offer?c=C00000&x=1"
    assert client.get(f"/c/{bob_token}/0").headers["location"] == (
        "https://shop.example/offer?c=C00001&x=1"
    )
    assert client.get(f"/c/{ann_token}/1").headers["location"] == "http://blog.example/post"
    clicks = message_engagement(tracked, ann).links
    assert [(link.link_index, link.clicks) for link in clicks] == [(0, 1), (1, 1)]
    assert message_engagement(tracked, bob).clicks == 1


@pytest.mark.parametrize(
    "tail",
    [
        "2",  # one past the last link
        "99999999999999999999",
        "-1",
        "https://evil.example",
        "https%3A%2F%2Fevil.example",
        "%2F%2Fevil.example",
        "//evil.example",
        "javascript:alert(1)",
        "javascript%3Aalert(1)",
        "0?url=https://evil.example",  # the query never chooses the target either
        "０",  # a digit, but not an ASCII one
    ],
)
def test_a_click_goes_nowhere_but_the_messages_links(
    tracked: Context, client: httpx.Client, sent: list[tuple[int, str]], tail: str
) -> None:
    row_id, token = sent[0]
    answer = client.get(f"/c/{token}/{tail}", follow_redirects=False)
    if tail.startswith("0?"):
        # The index is 0 and the query is ignored: the message's own first link.
        assert answer.headers["location"] == "https://shop.example/offer?c=C00000&x=1"
        return
    assert answer.status_code == 404 and "location" not in answer.headers
    assert "evil" not in answer.text
    assert message_engagement(tracked, row_id).clicks == 0


def test_foreign_and_tampered_tokens_are_unknown(
    tracked: Context, client: httpx.Client, sent: list[tuple[int, str]]
) -> None:
    (ann, ann_token), (bob, _) = sent
    secret = messages(tracked)[0].unsubscribe_token
    forged = [
        f"{bob}.{ann_token.split('.')[1]}",  # Ann's MAC on Bob's row
        ann_token[:-1] + ("A" if ann_token[-1] != "A" else "B"),
        secret,  # the unsubscribe token is not a tracking token
        f"{ann}",
        "9999.AAAAAAAAAAAAAAAAAAAAAA",
    ]
    for token in forged:
        for path in (f"/o/{token}.gif", f"/c/{token}/0"):
            answer = client.get(path, follow_redirects=False)
            assert answer.status_code == 404, path
            assert "@" not in answer.text
    assert message_engagement(tracked, ann).opens == 0
    assert message_engagement(tracked, bob).clicks == 0


def test_a_message_sent_by_the_engine_opens_clicks_and_unsubscribes_end_to_end(
    tracked: Context, http_server: tuple[SwappableApp, httpx.Client]
) -> None:
    """A task through the engine to a loopback SMTP server; the received message's own
    pixel, link and List-Unsubscribe header followed on the loopback tracking host."""
    address = seed_sender(tracked, with_key=False)
    seed_task(
        tracked,
        address,
        ["ann@example.org"],
        body=BODY,
        support_unsubscribe=True,
        track_opens_clicks=True,  # no token yet: the claim makes it
    )
    with RecordingServer(RecordingHandler()) as smtp:
        relay = relay_settings(tracked, smtp.port)
        run_until_idle(relay, options=EngineOptions.from_context(relay))
        [received] = smtp.received
    swappable, http = http_server
    swappable.mount(public_router(relay, relay.settings))
    message = received.parsed()
    html = message.get_body(("html",))
    assert html is not None
    on_host = re.findall(rf'"https://{re.escape(HOST)}(/[^"]+)"', html.get_content())
    pixel = next(path for path in on_host if path.startswith("/o/"))
    offer = next(path for path in on_host if path.startswith("/c/"))
    assert http.get(pixel).content == PIXEL_GIF
    click = http.get(offer, follow_redirects=False)
    assert click.headers["location"] == "https://shop.example/offer?c=C00000&x=1"
    unsubscribe = re.fullmatch(
        rf"<https://{re.escape(HOST)}(/u/[^>]+)>", message["List-Unsubscribe"]
    )
    assert unsubscribe is not None and message["List-Unsubscribe-Post"] == (
        "List-Unsubscribe=One-Click"
    )
    one_click = http.post(
        unsubscribe.group(1),
        content=b"List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert one_click.status_code == 200
    [row] = messages(tracked)
    engagement = message_engagement(tracked, row.id or 0)
    assert (engagement.opens, engagement.clicks) == (1, 1)
    assert engagement.unsubscribed_at is not None


def test_opens_and_clicks_past_the_hourly_cap_are_answered_but_not_stored(
    tracked: Context,
    clock: FixedClock,
    http_server: tuple[SwappableApp, httpx.Client],
    sent: list[tuple[int, str]],
) -> None:
    capped = Context(
        store=tracked.store,
        settings=tracked.settings.with_values(http__tracked_events_per_hour=3),
        clock=clock,
    )
    swappable, client = http_server
    swappable.mount(public_router(capped, capped.settings))
    (ann, token), (bob, bob_token) = sent
    for _ in range(8):
        assert client.get(f"/o/{token}.gif").content == PIXEL_GIF
        click = client.get(f"/c/{token}/1", follow_redirects=False)
        assert click.headers["location"] == "http://blog.example/post"
    assert client.get(f"/c/{token}/0").status_code == 302  # answered, over the cap too
    engagement = message_engagement(capped, ann)
    assert (engagement.opens, engagement.clicks) == (3, 3)
    assert message_engagement(capped, bob).opens == 0  # the cap is per message
    client.get(f"/o/{bob_token}.gif")
    assert message_engagement(capped, bob).opens == 1
    clock.advance(timedelta(minutes=59))
    client.get(f"/o/{token}.gif")
    assert message_engagement(capped, ann).opens == 3
    clock.advance(timedelta(minutes=2))  # the first three are now over an hour old
    client.get(f"/o/{token}.gif")
    assert message_engagement(capped, ann).opens == 4
    # Unique opens and clicks count each message once, whatever was dropped.
    with capped.store.engine.connect() as connection:
        assert stat_rows(capped) == stats_from_messages(connection)
        totals = {
            name: sum(figures[name] for figures in stat_rows(capped).values())
            for name in ("opened", "clicked")
        }
    assert totals == {"opened": 2, "clicked": 1}
