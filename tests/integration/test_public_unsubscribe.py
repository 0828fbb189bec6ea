"""/u/<token> on a real uvicorn on loopback: the GET page changes nothing, the button and
RFC 8058's one-click POST unsubscribe (once, however often), bad tokens get a plain 404."""

from __future__ import annotations

import httpx
import pytest
from sqlmodel import select

from kootui.core.context import Context
from kootui.core.mail import new_token
from kootui.core.store import MessageEvent, Suppression
from kootui.serve.public import public_router
from tests.support.dispatch_seed import messages, seed_sender, seed_task
from tests.support.http_server import SwappableApp

RECIPIENTS = ["Ana.Silva@Example.org", "bo@example.org"]


@pytest.fixture
def tokens(context: Context) -> dict[str, list[str]]:
    """Tokens of the messages of an English and a Chinese task, by locale."""
    address_id = seed_sender(context, with_key=False)
    found: dict[str, list[str]] = {}
    for locale in ("en", "zh"):
        task_id = seed_task(
            context,
            address_id,
            RECIPIENTS,
            support_unsubscribe=True,
            with_tokens=True,
            locale=locale,
        )
        found[locale] = [row.unsubscribe_token for row in messages(context, task_id)]
    return found


@pytest.fixture
def client(context: Context, http_server: tuple[SwappableApp, httpx.Client]) -> httpx.Client:
    swappable, http = http_server
    swappable.mount(public_router(context, context.settings))
    return http


def _suppressed(context: Context) -> list[tuple[str, str]]:
    with context.store.session() as session:
        return [(r.address, r.reason) for r in session.exec(select(Suppression)).all()]


def _events(context: Context) -> list[str]:
    with context.store.session() as session:
        return [row.kind for row in session.exec(select(MessageEvent)).all()]


def test_the_get_page_asks_and_changes_nothing(
    context: Context, client: httpx.Client, tokens: dict[str, list[str]]
) -> None:
    page = client.get(f"/u/{tokens['en'][0]}")
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert '<form method="post">' in page.text and "<button" in page.text
    assert "Stop receiving these emails?" in page.text
    assert "ana.silva" not in page.text.lower() and tokens["en"][0] not in page.text
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy
    assert "http" not in page.text.replace('"http-equiv"', "")  # no outside asset
    assert page.headers["cache-control"] == "no-store"
    assert _suppressed(context) == [] and _events(context) == []


def test_the_page_speaks_the_messages_language(
    client: httpx.Client, tokens: dict[str, list[str]]
) -> None:
    page = client.get(f"/u/{tokens['zh'][1]}")
    assert page.status_code == 200
    assert '<html lang="zh">' in page.text and "不想再收到此类邮件？" in page.text
    done = client.post(f"/u/{tokens['zh'][1]}", data={"confirm": "yes"})
    assert "退订成功" in done.text
    assert "此地址已退订" in client.get(f"/u/{tokens['zh'][1]}").text


def test_the_button_unsubscribes_and_shows_the_done_page(
    context: Context, client: httpx.Client, tokens: dict[str, list[str]]
) -> None:
    done = client.post(f"/u/{tokens['en'][0]}", data={"confirm": "yes"})
    assert done.status_code == 200 and "You are unsubscribed" in done.text
    assert _suppressed(context) == [("ana.silva@example.org", "unsubscribed")]
    assert _events(context) == ["unsubscribed"]


def test_one_click_with_the_rfc_8058_body_answers_200_at_once_and_twice_is_harmless(
    context: Context, client: httpx.Client, tokens: dict[str, list[str]]
) -> None:
    for _ in range(2):
        answer = client.post(
            f"/u/{tokens['en'][1]}",
            content=b"List-Unsubscribe=One-Click",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            follow_redirects=False,
        )
        assert answer.status_code == 200 and "location" not in answer.headers
        assert answer.text == "Unsubscribed\n"
    # The same body as multipart/form-data, which RFC 8058 also allows.
    multipart = client.post(
        f"/u/{tokens['en'][1]}", files={"List-Unsubscribe": (None, "One-Click")}
    )
    assert multipart.status_code == 200
    assert _suppressed(context) == [("bo@example.org", "unsubscribed")]
    assert _events(context) == ["unsubscribed"]


@pytest.mark.parametrize(
    "path",
    [
        "/u/" + "A" * 32,  # well-formed, unknown
        "/u/short",
        "/u/" + "A" * 65,
        "/u/%2e%2e%2fetc%2fpasswd",
        "/u/x'%20OR%20'1'='1'aaaaaaaaaaaa",
    ],
)
def test_unknown_or_malformed_tokens_get_a_plain_404(
    context: Context, client: httpx.Client, tokens: dict[str, list[str]], path: str
) -> None:
    for answer in (client.get(path), client.post(path, content=b"List-Unsubscribe=One-Click")):
        assert answer.status_code == 404
        assert "@" not in answer.text and "example" not in answer.text
    assert _suppressed(context) == []


def test_a_tampered_token_is_unknown(
    context: Context, client: httpx.Client, tokens: dict[str, list[str]]
) -> None:
    token = tokens["en"][0]
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    refused = client.post(f"/u/{tampered}", data={"confirm": "yes"})
    assert refused.status_code == 404 and refused.text == "Not found\n"
    assert refused.headers["content-type"].startswith("text/plain")
    assert client.post(f"/u/{new_token()}", data={"confirm": "yes"}).status_code == 404
    assert _suppressed(context) == []


def test_an_oversized_body_is_refused_before_any_work(
    context: Context, client: httpx.Client, tokens: dict[str, list[str]]
) -> None:
    answer = client.post(f"/u/{tokens['en'][0]}", content=b"x" * 5000)
    assert answer.status_code == 413
    assert _suppressed(context) == []
