"""Open and click tracking: the message's tracking token, the pixel, and links rewritten
to go through the tracking host.

The tracking token is ``<message row id>.<mac>``, where ``mac`` is an HMAC-SHA256 keyed
with the message's own unsubscribe token (192 random bits, never shown in a tracked
message's links) over a fixed label, cut to 132 bits. It is unguessable like the
unsubscribe token, yet it is not that token: tracked URLs pass through more hands (link
scanners, forwarded mail, proxies' logs), and holding one lets you count an open or a
click, never unsubscribe the recipient. The row id finds the message without another
indexed column on the message table, which costs every insert (bench/RESULTS.md).

A click URL names a link by its index in the message's link list (``TrackedLinks``):
the http(s) links of the HTML part in order, then those of the text part, one index
per distinct address. The tracking host redirects only to an entry of that list, which
it derives again from the stored template and the recipient's parameters: never from
the URL (no open redirect).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass, field
from html import unescape

from markupsafe import escape

_LABEL = b"kootui open/click tracking v1"
_MAC_CHARS = 22  # base64url characters: 132 bits
_TRACKING_TOKEN = re.compile(r"([1-9][0-9]{0,18})\.([A-Za-z0-9_-]{22})")

# An <a> or <area> start tag (attribute values may hold ">"), then its attributes one by
# one, so an href inside another attribute's value is never taken for the tag's own.
_LINK_TAG = re.compile(r"""<(?:a|area)(?=[\s>/])(?:[^>"']|"[^"]*"|'[^']*')*>""", re.IGNORECASE)
_ATTRIBUTE = re.compile(r"""(\s+)([^\s"'>/=]+)(?:(\s*=\s*)("[^"]*"|'[^']*'|[^\s"'>]+))?""")
_WEB_ADDRESS = re.compile(r"https?://", re.IGNORECASE)
# A web address in plain text; punctuation that usually ends a sentence is left out.
_TEXT_URL = re.compile(r"""https?://[^\s<>"]+""", re.IGNORECASE)
_TEXT_URL_TAIL = ".,;:!?)]}'"


def tracks_opens_clicks(task_choice: bool | None, template_choice: bool) -> bool:
    """Whether a task's messages carry the open pixel and click redirects: the task's own
    choice when it made one, else its template's."""
    return template_choice if task_choice is None else task_choice


def _mac(secret_token: str) -> str:
    digest = hmac.new(secret_token.encode("ascii"), _LABEL, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii")[:_MAC_CHARS]


def tracking_token(message_row_id: int, secret_token: str) -> str:
    """The token of a message's open and click URLs (see the module's docstring)."""
    return f"{message_row_id}.{_mac(secret_token)}"


def tracking_message_id(token: str) -> int | None:
    """The message row id a well-formed tracking token names (not yet verified), or None."""
    match = _TRACKING_TOKEN.fullmatch(token)
    return int(match.group(1)) if match else None


def tracking_token_matches(token: str, secret_token: str) -> bool:
    """Whether ``token`` is the tracking token of the message whose secret is given."""
    match = _TRACKING_TOKEN.fullmatch(token)
    if match is None or not secret_token:
        return False
    return hmac.compare_digest(match.group(2), _mac(secret_token))


@dataclass(frozen=True)
class TrackingUrls:
    """Where one message's pixel and click redirects point."""

    host: str
    token: str

    @property
    def open_url(self) -> str:
        return f"https://{self.host}/o/{self.token}.gif"

    def click_url(self, index: int) -> str:
        return f"https://{self.host}/c/{self.token}/{index}"

    def is_own(self, url: str) -> bool:
        """A link to the tracking host itself (the unsubscribe link): never rewritten."""
        return url.lower().startswith(f"https://{self.host}/")


@dataclass
class TrackedLinks:
    """The message's link list as it is built: address -> index, in first-seen order."""

    index: dict[str, int] = field(default_factory=dict)

    def add(self, url: str) -> int:
        return self.index.setdefault(url, len(self.index))

    def addresses(self) -> tuple[str, ...]:
        return tuple(self.index)


def _unquoted(value: str) -> str:
    if value[:1] in {'"', "'"}:
        return value[1:-1]
    return value


def rewrite_html_links(html: str, urls: TrackingUrls, links: TrackedLinks) -> str:
    """Every http(s) ``href`` of an ``<a>`` or ``<area>`` points at its click URL; the
    address it had (entities decoded, as a browser reads it) joins ``links``."""

    def tag(match: re.Match[str]) -> str:
        text = match.group(0)
        for attribute in _ATTRIBUTE.finditer(text):
            space, name, equals, value = attribute.groups()
            if name.lower() != "href" or value is None:
                continue
            url = unescape(_unquoted(value)).strip()
            if not _WEB_ADDRESS.match(url) or urls.is_own(url):
                return text
            rewritten = f'{space}{name}{equals}"{escape(urls.click_url(links.add(url)))}"'
            return text[: attribute.start()] + rewritten + text[attribute.end() :]
        return text

    return _LINK_TAG.sub(tag, html)


def rewrite_text_links(text: str, urls: TrackingUrls, links: TrackedLinks) -> str:
    """Every web address in plain text points at its click URL (one index per address, the
    same as the HTML part's for the same address)."""

    def address(match: re.Match[str]) -> str:
        found = match.group(0)
        url = found.rstrip(_TEXT_URL_TAIL)
        tail = found[len(url) :]
        if urls.is_own(url):
            return found
        return urls.click_url(links.add(url)) + tail

    return _TEXT_URL.sub(address, text)


def open_pixel(urls: TrackingUrls) -> str:
    """A 1x1 image that reports the open when a mail client loads images."""
    return (
        f'<img src="{escape(urls.open_url)}" width="1" height="1" alt="" '
        'style="display:block;width:1px;height:1px;border:0;">'
    )


# The smallest transparent GIF: what the open URL answers.
PIXEL_GIF = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
