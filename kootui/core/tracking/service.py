"""What the tracking host records: an open when the pixel is loaded, a click when a
rewritten link is followed, and where that click may go.

A tracking token is checked against the message's own secret (``mail.tracking``) before
anything is read or written. A click goes only to an entry of the message's link list,
derived again from the stored template and the recipient's parameters, exactly as the
engine rendered them (so a template edited after sending changes where its links go;
they stay the workspace's own links either way, never the URL's).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import select

from kootui.core.access import Act, requires
from kootui.core.context import Context
from kootui.core.errors import KootuiError
from kootui.core.events import CLICKED, OPENED, record_event
from kootui.core.mail import (
    TrackingUrls,
    tracking_message_id,
    tracking_token,
    tracking_token_matches,
)
from kootui.core.store import Message, Task, Template
from kootui.core.templates import CompiledTemplate

# Used to derive a message's links when no tracking host is set any more: the host only
# decides which links were the tracking host's own (never rewritten).
_NO_HOST = "tracking.invalid"
_WEB_SCHEMES = ("http://", "https://")


@dataclass(frozen=True)
class _SentMessage:
    row_id: int
    secret: str
    params: Mapping[str, str]
    body_type: str
    body: str
    text_body: str
    locale: str


def _verified_message(context: Context, token: str) -> _SentMessage | None:
    """The message a tracking token names, when the token is its own."""
    row_id = tracking_message_id(token)
    if row_id is None:
        return None
    message, task, template = Message.__table__, Task.__table__, Template.__table__
    statement = (
        select(
            message.c.unsubscribe_token,
            message.c.params,
            template.c.body_type,
            template.c.body,
            template.c.text_body,
            template.c.locale,
        )
        .select_from(message)
        .join(task, task.c.id == message.c.task_id)
        .join(template, template.c.id == task.c.template_id)
        .where(message.c.id == row_id)
    )
    with context.store.engine.connect() as connection:
        row = connection.execute(statement).first()
    if row is None or not tracking_token_matches(token, row.unsubscribe_token or ""):
        return None
    return _SentMessage(
        row_id=row_id,
        secret=row.unsubscribe_token,
        params=dict(row.params or {}),
        body_type=row.body_type,
        body=row.body,
        text_body=row.text_body,
        locale=row.locale,
    )


@lru_cache(maxsize=32)
def _compiled(body_type: str, body: str, text_body: str, locale: str) -> CompiledTemplate:
    # The subject holds no link; leaving it out also needs no value for its parameters.
    return CompiledTemplate.build(
        subject="",
        body_type=body_type,
        body=body,
        text_body=text_body,
        support_unsubscribe=False,
        locale=locale,
    )


def _links(context: Context, sent: _SentMessage, token: str) -> tuple[str, ...]:
    host = context.settings.sending.tracking_host or _NO_HOST
    try:
        compiled = _compiled(sent.body_type, sent.body, sent.text_body, sent.locale)
        rendered = compiled.render(sent.params, tracking=TrackingUrls(host, token))
    except KootuiError:
        return ()  # the template no longer renders for these parameters: no link to give
    return rendered.links


@requires(Act.TRACKING_RECORD)
def record_open(context: Context, token: str) -> bool:
    """Count one open of the message the token names; False for a token that is not one."""
    sent = _verified_message(context, token)
    if sent is None:
        return False
    with context.store.session() as session:
        record_event(session.connection(), sent.row_id, OPENED, context.clock.now())
    return True


@requires(Act.TRACKING_RECORD)
def follow_click(context: Context, token: str, index: int) -> str | None:
    """The address of link ``index`` of the message the token names, with the click
    counted; None (nothing counted) for a foreign token or an index the message lacks."""
    sent = _verified_message(context, token)
    if sent is None or index < 0:
        return None
    links = _links(context, sent, token)
    if index >= len(links) or not links[index].lower().startswith(_WEB_SCHEMES):
        return None
    with context.store.session() as session:
        record_event(
            session.connection(), sent.row_id, CLICKED, context.clock.now(), link_index=index
        )
    return links[index]


@requires(Act.MESSAGE_READ)
def message_links(context: Context, message_row_id: int) -> tuple[str, ...]:
    """The link list a tracked message was sent with (empty when it has no token), for the
    detail view's clicks per link."""
    message = Message.__table__
    with context.store.engine.connect() as connection:
        secret = connection.execute(
            select(message.c.unsubscribe_token).where(message.c.id == message_row_id)
        ).scalar()
    if not secret:
        return ()
    token = tracking_token(message_row_id, secret)
    sent = _verified_message(context, token)
    return _links(context, sent, token) if sent is not None else ()
