"""Tracking tokens and link rewriting: which links go through the tracking host, what the
link list keeps, and that a token is bound to its message's secret."""

from __future__ import annotations

from kootui.core.mail import (
    TrackedLinks,
    TrackingUrls,
    new_token,
    open_pixel,
    rewrite_html_links,
    rewrite_text_links,
    tracking_message_id,
    tracking_token,
    tracking_token_matches,
    tracks_opens_clicks,
)

SECRET = "S" * 32
URLS = TrackingUrls("t.example.com", tracking_token(7, SECRET))


def click(index: int) -> str:
    return URLS.click_url(index)


def test_the_tracking_token_names_its_message_and_is_bound_to_its_secret() -> None:
    token = tracking_token(7, SECRET)
    assert tracking_message_id(token) == 7 and tracking_token_matches(token, SECRET)
    assert SECRET not in token  # a tracked URL never carries the unsubscribe token
    assert not tracking_token_matches(token, new_token())
    assert not tracking_token_matches(token, "")
    assert not tracking_token_matches(tracking_token(8, SECRET)[:-1] + "x", SECRET)
    for malformed in ["7", "7.", "x.AAAAAAAAAAAAAAAAAAAAAA", "07.AAAAAAAAAAAAAAAAAAAAAA", SECRET]:
        assert tracking_message_id(malformed) is None
        assert not tracking_token_matches(malformed, SECRET)


def test_web_links_of_a_and_area_are_rewritten_in_order_one_index_per_address() -> None:
    html = (
        '<a href="https://shop.example/a?x=1&amp;y=2">A</a>'
        "<A HREF=http://old.example/b>B</A>"
        "<area shape=rect href='https://shop.example/a?x=1&amp;y=2'>"
        '<a href="mailto:help@example.com">mail</a><a href="#top">top</a>'
        '<a href="https://t.example.com/u/keep">unsubscribe</a>'
        '<abbr href="https://no.example/">x</abbr><img src="https://img.example/i.png">'
    )
    links = TrackedLinks()
    out = rewrite_html_links(html, URLS, links)
    assert links.addresses() == ("https://shop.example/a?x=1&y=2", "http://old.example/b")
    assert f'<a href="{click(0)}">A</a>' in out
    assert f'<A HREF="{click(1)}">B</A>' in out
    assert f'<area shape=rect href="{click(0)}">' in out
    for kept in ["mailto:help@example.com", "#top", "https://t.example.com/u/keep"]:
        assert kept in out
    assert '<abbr href="https://no.example/">' in out and "https://img.example/i.png" in out


def test_an_href_inside_another_attribute_is_not_the_link() -> None:
    links = TrackedLinks()
    html = '<a title=\' href="https://decoy.example"\' href="https://real.example">x</a>'
    out = rewrite_html_links(html, URLS, links)
    assert links.addresses() == ("https://real.example",)
    assert "https://decoy.example" in out and f'href="{click(0)}"' in out


def test_text_links_share_the_html_indexes_and_keep_sentence_punctuation() -> None:
    links = TrackedLinks()
    rewrite_html_links('<a href="https://shop.example/a">A</a>', URLS, links)
    text = "Shop: https://shop.example/a. New (https://new.example/p?q=1), see HTTP://x.example/!\n"
    out = rewrite_text_links(text, URLS, links)
    assert out == (f"Shop: {click(0)}. New ({click(1)}), see {click(2)}!\n")
    assert links.addresses() == (
        "https://shop.example/a",
        "https://new.example/p?q=1",
        "HTTP://x.example/",
    )
    assert rewrite_text_links("https://t.example.com/u/tok", URLS, TrackedLinks()) == (
        "https://t.example.com/u/tok"
    )


def test_the_pixel_and_the_switch() -> None:
    assert f'src="https://t.example.com/o/{URLS.token}.gif"' in open_pixel(URLS)
    assert 'width="1" height="1"' in open_pixel(URLS)
    assert tracks_opens_clicks(None, True) and not tracks_opens_clicks(None, False)
    assert tracks_opens_clicks(True, False) and not tracks_opens_clicks(False, True)
