"""Unsubscription: per-recipient tokens, the link, its body footer and RFC 8058 headers.

The dispatch engine gives each message a token (``new_token``), builds the link
with ``unsubscribe_url`` and passes it to ``CompiledTemplate.render``, which adds
the footer below; it adds the headers from ``list_unsubscribe_headers``. When the
link is followed (or one-click POSTed), the face serving ``/u/<token>`` calls
``record_unsubscribe``, which puts the recipient on the suppression list and records
the message's ``unsubscribed`` event in the same transaction.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from urllib.parse import quote

from markupsafe import escape
from sqlalchemy import exists
from sqlalchemy import select as sa_select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import select

from kootui.core.access import Act, requires
from kootui.core.config import Settings
from kootui.core.context import Context
from kootui.core.errors import ValidationError
from kootui.core.events import UNSUBSCRIBED, record_event
from kootui.core.store import Message, MessageEvent, Suppression, Task, Template

TOKEN_BYTES = 24  # 32 URL-safe characters; the message row keeps up to 64
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")

FOOTER_WORDS = {
    "en": ("Don't want these emails?", "Unsubscribe"),
    "zh": ("不想再收到此类邮件？", "退订"),
}


def new_token() -> str:
    """A fresh, unguessable token identifying one recipient of one message."""
    return secrets.token_urlsafe(TOKEN_BYTES)


NO_TRACKING_HOST = (
    "the template adds an unsubscribe link, which needs sending.tracking_host "
    "(the host the link points to) set in config.toml"
)


def has_tracking_host(settings: Settings) -> bool:
    return bool(settings.sending.tracking_host)


def unsubscribe_url(settings: Settings, token: str) -> str | None:
    """https://<tracking host>/u/<token>, or None when no tracking host is configured.

    The host is a bare, lower-case host name: settings refuse anything else at load."""
    host = settings.sending.tracking_host
    if not host:
        return None
    _require_token(token)
    return f"https://{host}/u/{token}"


def _require_token(token: str) -> None:
    if not _TOKEN.fullmatch(token):
        raise ValidationError(
            "must be 16 to 64 URL-safe characters", field="token", code="unsubscribe.token"
        )


@dataclass(frozen=True)
class Unsubscription:
    """What ``record_unsubscribe`` did: the address (lower case, as the suppression list
    keeps it) and whether this call was the one that unsubscribed it."""

    message_id: int
    address: str
    first_time: bool


@dataclass(frozen=True)
class UnsubscribeState:
    """What the confirmation page needs: the message's language and whether its
    recipient already unsubscribed through it. Never the address."""

    locale: str
    unsubscribed: bool


@requires(Act.TRACKING_RECORD)
def unsubscribe_state(context: Context, token: str) -> UnsubscribeState | None:
    """None when no message carries ``token`` (the page then says nothing at all)."""
    _require_token(token)
    message, task, template = Message.__table__, Task.__table__, Template.__table__
    done = exists().where(
        MessageEvent.__table__.c.message_id == message.c.id,
        MessageEvent.__table__.c.once_kind == UNSUBSCRIBED.name,
    )
    statement = (
        sa_select(template.c.locale, done.label("done"))
        .select_from(message)
        .join(task, task.c.id == message.c.task_id)
        .join(template, template.c.id == task.c.template_id)
        .where(message.c.unsubscribe_token == token)
        .limit(1)
    )
    with context.store.engine.connect() as connection:
        row = connection.execute(statement).first()
    if row is None:
        return None
    return UnsubscribeState(locale=page_locale(row.locale), unsubscribed=bool(row.done))


def page_locale(locale: str) -> str:
    """The language a page or footer is written in: zh or en (anything else)."""
    language = locale.split("-")[0].lower()
    return language if language in FOOTER_WORDS else "en"


@requires(Act.TRACKING_RECORD)
def record_unsubscribe(context: Context, token: str) -> Unsubscription | None:
    """Put the recipient of the message carrying ``token`` on the suppression list, reason
    "unsubscribed", and record the message's ``unsubscribed`` event, in one transaction.

    None when no message carries the token. Following the link twice (or two racing
    one-click POSTs) is harmless: one suppression row, one event, ``first_time`` False.
    """
    _require_token(token)
    now = context.clock.now()
    with context.store.session() as session:
        found = session.exec(
            select(Message.id, Message.recipient).where(Message.unsubscribe_token == token).limit(1)
        ).first()
        if found is None or found[0] is None:
            return None
        message_id, recipient = found[0], found[1]
        address = recipient.strip().lower()
        connection = session.connection()
        first_time = record_event(connection, message_id, UNSUBSCRIBED, now)
        dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
        connection.execute(
            dialect.insert(Suppression.__table__)
            .values(
                address=address,
                reason="unsubscribed",
                created_at=now,
                message_id=message_id,
            )
            .on_conflict_do_nothing()  # already suppressed (an earlier link, a bounce, ...)
        )
    return Unsubscription(message_id=message_id, address=address, first_time=first_time)


def list_unsubscribe_headers(url: str, mailto: str | None = None) -> list[tuple[str, str]]:
    """List-Unsubscribe (RFC 2369) and List-Unsubscribe-Post (RFC 8058 one-click) headers.

    One-click needs an HTTPS URI, so a plain-http or odd URL is refused rather than
    sent with a Post header receivers would reject.
    """
    if not url.startswith("https://") or any(c in url for c in "<>, \r\n"):
        raise ValidationError(
            "must be an https:// URL without spaces, commas or angle brackets",
            field="unsubscribe_url",
            code="unsubscribe.url",
        )
    targets = [f"<{url}>"]
    if mailto:
        if any(c in mailto for c in "<>, \r\n") or "@" not in mailto:
            raise ValidationError(
                "must be one email address", field="unsubscribe_mailto", code="unsubscribe.mailto"
            )
        targets.append(f"<mailto:{quote(mailto, safe='@.+-_')}?subject=unsubscribe>")
    return [
        ("List-Unsubscribe", ", ".join(targets)),
        ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
    ]


def _words(locale: str) -> tuple[str, str]:
    return FOOTER_WORDS[page_locale(locale)]


def html_footer(url: str, locale: str = "en") -> str:
    """A small centred line with the unsubscribe link, styled inline for mail clients."""
    question, action = _words(locale)
    href = escape(url)
    return (
        '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0">'
        '<tr><td align="center" style="padding:16px 12px;font-family:Arial,Helvetica,'
        'sans-serif;font-size:12px;line-height:18px;color:#8a8f98;">'
        f'{escape(question)} <a href="{href}" style="color:#8a8f98;text-decoration:underline;">'
        f"{escape(action)}</a></td></tr></table>"
    )


def text_footer(url: str, locale: str = "en") -> str:
    """The plain-text counterpart: a separator line and the URL on its own line."""
    question, action = _words(locale)
    return f"\n--\n{question} {action}: {url}\n"


def insert_html_footer(document: str, footer: str) -> str:
    """``footer`` placed just before ``</body>`` when there is one, else at the end."""
    closing = document.lower().rfind("</body>")
    if closing < 0:
        return document + footer
    return document[:closing] + footer + document[closing:]


def append_text_footer(text: str, footer: str) -> str:
    return text.rstrip("\n") + "\n" + footer
