"""A tracked message as the engine composes it, parsed back: links through click URLs in
both parts, the pixel in the HTML, the unsubscribe link and header untouched; and an
untracked one exactly as before."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage

import pytest

from kootui.core.context import Context
from kootui.core.dispatch import ClaimedMessage, build_message, load_task_kit
from kootui.core.mail import tracking_token
from kootui.core.tracking import message_links
from tests.support.dispatch_seed import messages, seed_sender, seed_task
from tests.support.task_seed import set_task_values

HOST = "track.example.com"
BODY = (
    '<p>Dear {{name}}, <a href="https://shop.example/offer?c={{code}}&amp;x=1">the offer</a>,'
    ' <a href="mailto:help@example.com">help</a>.</p>'
)
TEXT = (
    "Dear {{name}}, the offer: https://shop.example/offer?c={{code}}&x=1.\n"
    "More: https://blog.example/\n"
)


@pytest.fixture
def tracked(context: Context) -> Context:
    settings = context.settings.with_values(sending__tracking_host=HOST)
    return Context(store=context.store, settings=settings, clock=context.clock)


def _compose(context: Context, task_id: int) -> tuple[EmailMessage, int, str]:
    kit = load_task_kit(context, task_id, sign=False)
    row = messages(context, task_id)[0]
    claimed = ClaimedMessage(
        row_id=row.id or 0,
        task_id=task_id,
        recipient=row.recipient,
        params=row.params,
        message_id_header="<m1@example.com>",
        unsubscribe_token=row.unsubscribe_token,
        attempts=1,
        claimed_at=context.clock.now(),
    )
    data = build_message(
        context, kit, claimed, claimed.message_id_header, row.unsubscribe_token, claimed.claimed_at
    )
    parsed = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed, row.id or 0, row.unsubscribe_token


def _parts(message: EmailMessage) -> tuple[str, str]:
    html, text = message.get_body(("html",)), message.get_body(("plain",))
    assert html is not None and text is not None
    return html.get_content(), text.get_content().replace("\r\n", "\n")


def test_a_tracked_message_links_through_the_tracking_host(tracked: Context) -> None:
    address = seed_sender(tracked, with_key=False)
    task_id = seed_task(
        tracked,
        address,
        ["ann@example.org"],
        body=BODY,
        text_body=TEXT,
        support_unsubscribe=True,
        track_opens_clicks=True,
        with_tokens=True,
    )
    message, row_id, secret = _compose(tracked, task_id)
    html, text = _parts(message)
    token = tracking_token(row_id, secret)
    click = f"https://{HOST}/c/{token}"
    assert f'<a href="{click}/0">the offer</a>' in html
    assert 'href="mailto:help@example.com"' in html  # not a web link
    assert f'<img src="https://{HOST}/o/{token}.gif" width="1" height="1"' in html
    assert "shop.example" not in html and secret not in html.replace(f"/u/{secret}", "")
    assert f"the offer: {click}/0.\nMore: {click}/1\n" in text
    # The unsubscribe link and headers are never rewritten.
    assert f'href="https://{HOST}/u/{secret}"' in html
    assert f"https://{HOST}/u/{secret}" in text
    assert message["List-Unsubscribe"] == f"<https://{HOST}/u/{secret}>"
    assert message_links(tracked, row_id) == (
        "https://shop.example/offer?c=C00000&x=1",
        "https://blog.example/",
    )


def test_the_task_overrides_the_template_and_untracked_mail_is_as_before(
    tracked: Context,
) -> None:
    address = seed_sender(tracked, with_key=False)
    task_id = seed_task(
        tracked,
        address,
        ["ann@example.org"],
        body=BODY,
        text_body=TEXT,
        track_opens_clicks=True,
        with_tokens=True,
    )
    set_task_values(tracked, task_id, track_opens_clicks=False)
    message, _, _ = _compose(tracked, task_id)
    html, text = _parts(message)
    assert 'href="https://shop.example/offer?c=C00000&amp;x=1"' in html
    assert HOST not in html and "/o/" not in html
    assert "https://shop.example/offer?c=C00000&x=1." in text
    assert message["List-Unsubscribe"] is None


def test_without_a_tracking_host_a_tracked_template_goes_untracked(context: Context) -> None:
    address = seed_sender(context, with_key=False)
    task_id = seed_task(
        context,
        address,
        ["ann@example.org"],
        body=BODY,
        track_opens_clicks=True,
        with_tokens=True,
    )
    html, _ = _parts(_compose(context, task_id)[0])
    assert "shop.example/offer" in html and "/c/" not in html
