"""The pages a recipient sees on the tracking host: the unsubscribe confirmation and its
done page, in the message's language (en or zh).

Everything is in the page itself: no script, no third-party asset, one inline style
block allowed by its hash in a Content-Security-Policy that forbids everything else.
Every text is escaped, though none comes from outside: the pages never show an address
or the token.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

from markupsafe import escape


@dataclass(frozen=True)
class Words:
    title: str
    question: str
    explanation: str
    button: str
    done: str
    already: str


WORDS = {
    "en": Words(
        title="Unsubscribe",
        question="Stop receiving these emails?",
        explanation="Press the button to unsubscribe this address from these emails.",
        button="Unsubscribe",
        done="You are unsubscribed. You will not receive these emails any more.",
        already="This address is already unsubscribed from these emails.",
    ),
    "zh": Words(
        title="退订",
        question="不想再收到此类邮件？",
        explanation="点击下面的按钮，此地址将不再收到此类邮件。",
        button="退订",
        done="退订成功。您将不再收到此类邮件。",
        already="此地址已退订此类邮件。",
    ),
}

_STYLE = (
    "body{margin:0;background:#f4f5f7;font-family:Arial,Helvetica,sans-serif;color:#1f2328}"
    "main{max-width:28rem;margin:12vh auto;padding:2rem;background:#fff;border-radius:8px;"
    "box-shadow:0 1px 3px rgba(0,0,0,.12);text-align:center}"
    "h1{font-size:1.25rem;margin:0 0 1rem}p{line-height:1.5;margin:0 0 1.5rem}"
    "button{font-size:1rem;padding:.6rem 1.6rem;border:0;border-radius:6px;"
    "background:#1f6feb;color:#fff;cursor:pointer}"
)
_STYLE_HASH = base64.b64encode(hashlib.sha256(_STYLE.encode()).digest()).decode()

CONTENT_SECURITY_POLICY = (
    f"default-src 'none'; style-src 'sha256-{_STYLE_HASH}'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
# Sent with every answer of the tracking host, pages and pixels alike.
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


def words(locale: str) -> Words:
    return WORDS.get(locale, WORDS["en"])


def _page(locale: str, heading: str, body: str) -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="{escape(locale)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="robots" content="noindex">\n'
        f"<title>{escape(heading)}</title>\n<style>{_STYLE}</style>\n</head>\n"
        f"<body><main><h1>{escape(heading)}</h1>{body}</main></body>\n</html>\n"
    )


def confirmation_page(locale: str) -> str:
    """One button; pressing it POSTs the form to the same address, which unsubscribes.
    The GET that shows it changes nothing (link scanners follow links)."""
    text = words(locale)
    form = (
        f"<p>{escape(text.explanation)}</p>"
        '<form method="post"><input type="hidden" name="confirm" value="yes">'
        f'<button type="submit">{escape(text.button)}</button></form>'
    )
    return _page(locale, text.question, form)


def done_page(locale: str, *, already: bool = False) -> str:
    text = words(locale)
    return _page(locale, text.title, f"<p>{escape(text.already if already else text.done)}</p>")
