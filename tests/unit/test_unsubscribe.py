"""Unsubscription tokens, URLs and RFC 8058 headers."""

from __future__ import annotations

import pytest

from kootui.core.errors import ValidationError
from kootui.core.unsubscribe import (
    html_footer,
    insert_html_footer,
    list_unsubscribe_headers,
    new_token,
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
    broken = settings.with_values(sending__tracking_host="evil.com/x?y=")
    with pytest.raises(ValidationError) as caught:
        unsubscribe_url(broken, new_token())
    assert caught.value.field == "sending.tracking_host"


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
