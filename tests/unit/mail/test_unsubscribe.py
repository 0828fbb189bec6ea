"""Unsubscription tokens, URLs and RFC 8058 headers."""

from __future__ import annotations

import pytest

from kootui.core.errors import SettingsError, ValidationError
from kootui.core.mail import (
    html_footer,
    insert_html_footer,
    list_unsubscribe_headers,
    new_token,
    record_unsubscribe,
    unsubscribe_url,
)


def test_tokens_are_url_safe_unique_and_fit_the_message_row():
    tokens = {new_token() for _ in range(200)}
    assert len(tokens) == 200
    assert all(16 <= len(t) <= 64 and t.replace("-", "").replace("_", "").isalnum() for t in tokens)


def test_no_url_without_a_tracking_host(settings):
    assert unsubscribe_url(settings, new_token()) is None


def test_the_url_points_at_the_tracking_host(settings):
    token = new_token()
    configured = settings.with_values(sending__tracking_host="Track.Example.com")
    assert unsubscribe_url(configured, token) == f"https://track.example.com/u/{token}"


def test_a_bad_token_or_host_is_refused(settings):
    configured = settings.with_values(sending__tracking_host="track.example.com")
    with pytest.raises(ValidationError) as caught:
        unsubscribe_url(configured, "../../etc")
    assert caught.value.field == "token"
    # A host that would break the link never gets this far: settings refuse it at load.
    with pytest.raises(SettingsError) as refused:
        settings.with_values(sending__tracking_host="evil.com/x?y=")
    assert refused.value.field == "sending.tracking_host"


def test_headers_follow_rfc_8058():
    headers = list_unsubscribe_headers("https://t.example.com/u/tok", "unsub@example.com")
    assert headers == [
        (
            "List-Unsubscribe",
            "<https://t.example.com/u/tok>, <mailto:unsub@example.com?subject=unsubscribe>",
        ),
        ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
    ]
    assert list_unsubscribe_headers("https://t.example.com/u/tok", None)[0] == (
        "List-Unsubscribe",
        "<https://t.example.com/u/tok>",
    )


@pytest.mark.parametrize("url", ["http://t.example.com/u/x", "https://a>b", "https://a\r\nX: y"])
def test_one_click_needs_a_clean_https_url(url):
    with pytest.raises(ValidationError):
        list_unsubscribe_headers(url, None)


def test_the_footer_escapes_the_url_and_goes_before_the_body_end():
    footer = html_footer('https://t.example.com/u/a"b')
    assert 'href="https://t.example.com/u/a&#34;b"' in footer
    assert insert_html_footer("<html><body><p>x</p></BODY></html>", "[F]") == (
        "<html><body><p>x</p>[F]</BODY></html>"
    )
    assert insert_html_footer("<p>x</p>", "[F]") == "<p>x</p>[F]"


def add_message(context, recipient: str, token: str) -> None:
    from kootui.core.store import (
        DomainStatus,
        Message,
        SenderAddress,
        SenderDomain,
        Task,
        TaskStatus,
        Template,
    )

    now = context.clock.now()
    with context.store.session() as session:
        domain = SenderDomain(
            name=f"{token[:8].lower()}.example.com",
            status=DomainStatus.PASSED,
            created_at=now,
            updated_at=now,
        )
        template = Template(title="t", body="b", created_at=now, updated_at=now)
        session.add_all([domain, template])
        session.flush()
        address = SenderAddress(domain_id=domain.id, local_part="news", created_at=now)
        session.add(address)
        session.flush()
        task = Task(
            name="News",
            subject="s",
            template_id=template.id,
            address_id=address.id,
            status=TaskStatus.COMPLETED,
            scheduled_at=now,
            created_at=now,
        )
        session.add(task)
        session.flush()
        session.add(
            Message(
                task_id=task.id,
                recipient=recipient,
                unsubscribe_token=token,
                next_attempt_at=now,
                created_at=now,
            )
        )


def suppressed(context) -> list[tuple[str, str]]:
    from sqlmodel import select

    from kootui.core.store import Suppression

    with context.store.session() as session:
        return [(row.address, row.reason) for row in session.exec(select(Suppression)).all()]


def test_following_the_link_suppresses_the_recipient_once(any_context):
    token = new_token()
    add_message(any_context, "Ana.Silva@Example.com", token)
    for _ in range(2):
        unsubscription = record_unsubscribe(any_context, token)
        assert unsubscription is not None and unsubscription.address == "ana.silva@example.com"
    assert suppressed(any_context) == [("ana.silva@example.com", "unsubscribed")]
    from kootui.core.suppression import find_suppression

    # The entry names the message that carried the link.
    assert find_suppression(any_context, "ana.silva@example.com").message_id is not None


def test_an_unknown_or_malformed_token_changes_nothing(context):
    assert record_unsubscribe(context, new_token()) is None
    with pytest.raises(ValidationError):
        record_unsubscribe(context, "x' OR '1'='1")
    assert suppressed(context) == []
