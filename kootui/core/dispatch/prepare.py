"""Everything a task's messages share, loaded once, and the per-recipient build.

A ``TaskKit`` holds the compiled template, the From header, the DKIM signer and
the attachments already base64-encoded, so building one recipient's message is
render → compose → sign with nothing else to look up.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select as sa_select
from sqlmodel import col, select

from kootui.core.access import Act, requires
from kootui.core.config import Settings
from kootui.core.context import Context
from kootui.core.dispatch.claim import ClaimedMessage
from kootui.core.domains import load_signing_key
from kootui.core.errors import InvalidState, KootuiError, NotFound
from kootui.core.mail import (
    NO_TRACKING_HOST,
    DkimSigner,
    PreparedAttachment,
    TrackingUrls,
    compose_message,
    finish_submitted,
    has_tracking_host,
    list_unsubscribe_headers,
    new_message_id,
    new_token,
    prepare_attachment,
    tracking_token,
    tracks_opens_clicks,
    unsubscribe_url,
    verp_address,
    verp_enabled,
)
from kootui.core.senders import AddressView, format_from
from kootui.core.store import (
    Attachment,
    SenderAddress,
    SenderDomain,
    SendMethod,
    SubmittedMime,
    Suppression,
    Task,
    Template,
)
from kootui.core.templates import CompiledTemplate

log = logging.getLogger("kootui.dispatch")


@dataclass
class TaskKit:
    task_id: int
    template: CompiledTemplate
    from_header: str
    envelope_sender: str  # MAIL FROM when VERP is off (no MX host): the From address
    domain: str
    support_unsubscribe: bool
    track_opens_clicks: bool = False
    # SMTP submission: each message sends its stored bytes, not the template.
    submitted: bool = False
    verp: bool = False
    signer: DkimSigner | None = field(repr=False, default=None)
    attachments: list[PreparedAttachment] = field(default_factory=list, repr=False)

    def return_path(self, settings: Settings, row_id: int) -> str:
        """MAIL FROM of message ``row_id``: its VERP address on the domain's bounce host
        (mail.verp), so bounces and complaints come back to kootui's MX."""
        if not self.verp:
            return self.envelope_sender
        return verp_address(settings, self.domain, row_id)

    @property
    def needs_token(self) -> bool:
        """The unsubscribe link and the tracking token both need the message's token."""
        return not self.submitted and (self.support_unsubscribe or self.track_opens_clicks)


@requires(Act.ENGINE_RUN)
def load_task_kit(context: Context, task_id: int, *, sign: bool = True) -> TaskKit:
    """Read a task's template, sender, key and attachments; compile what can be compiled."""
    with context.store.session() as session:
        task = session.get(Task, task_id)
        if task is None:
            raise NotFound(f"task {task_id} does not exist", code="task.not_found")
        template = session.get(Template, task.template_id)
        address = session.get(SenderAddress, task.address_id)
        if template is None or address is None:
            raise NotFound(f"task {task_id} lost its template or sender", code="task.incomplete")
        if template.support_unsubscribe and not has_tracking_host(context.settings):
            # Never send without the link the template promises; an operator can fix this.
            raise InvalidState(NO_TRACKING_HOST, code="unsubscribe.no_tracking_host")
        domain = session.get(SenderDomain, address.domain_id)
        if domain is None:
            raise NotFound(f"task {task_id} lost its sender domain", code="task.incomplete")
        attachments = session.exec(
            select(Attachment).where(Attachment.task_id == task_id).order_by(col(Attachment.id))
        ).all()
        prepared = [prepare_attachment(a.filename, a.content_type, a.content) for a in attachments]
        compiled = CompiledTemplate.build(
            subject=task.subject or template.subject,
            body_type=template.body_type,
            body=template.body,
            text_body=template.text_body,
            support_unsubscribe=template.support_unsubscribe,
            locale=template.locale,
        )
        view = AddressView(
            id=address.id or 0,
            domain_id=domain.id or 0,
            local_part=address.local_part,
            alias=address.alias,
            domain_name=domain.name,
            domain_status=domain.status,
            created_at=address.created_at,
        )
        sender = view.address
        kit = TaskKit(
            task_id=task_id,
            template=compiled,
            from_header=format_from(view),
            envelope_sender=sender,
            domain=domain.name,
            support_unsubscribe=template.support_unsubscribe,
            # Without a tracking host (set after the task was made) mail goes untracked.
            track_opens_clicks=has_tracking_host(context.settings)
            and tracks_opens_clicks(task.track_opens_clicks, template.track_opens_clicks),
            attachments=prepared,
            submitted=task.send_method == SendMethod.SMTP,
            verp=verp_enabled(context.settings),
        )
        domain_id = domain.id
    if sign and domain_id is not None:
        try:
            key = load_signing_key(context, domain_id)
        except NotFound:
            log.warning("%s has no active DKIM key; task %s goes out unsigned", kit.domain, task_id)
        else:
            kit.signer = DkimSigner(key.domain, key.selector, key.private_key_pem)
    return kit


def suppressed_among(context: Context, recipients: Iterable[str]) -> dict[str, str]:
    """Recipients (lower-cased) that unsubscribed or hard-bounced since their message was
    queued, with the reason: they must not get it."""
    wanted = sorted({address.lower() for address in recipients})
    if not wanted:
        return {}
    table = Suppression.__table__
    with context.store.engine.connect() as connection:
        rows = connection.execute(
            sa_select(table.c.address, table.c.reason).where(table.c.address.in_(wanted))
        ).all()
    return {row.address: row.reason for row in rows}


def submitted_contents(context: Context, row_ids: Iterable[int]) -> dict[int, bytes]:
    """The stored bytes of messages submitted over SMTP, by message row id."""
    wanted = sorted(set(row_ids))
    if not wanted:
        return {}
    table = SubmittedMime.__table__
    with context.store.engine.connect() as connection:
        rows = connection.execute(
            sa_select(table.c.message_id, table.c.content).where(table.c.message_id.in_(wanted))
        ).all()
    return {int(row.message_id): bytes(row.content) for row in rows}


def build_submitted(kit: TaskKit, content: bytes, message_id: str, now: datetime) -> bytes:
    """A submitted message as it goes out: its bytes plus Message-ID and Date if missing,
    signed with the From domain's key (the task's sender is the From address)."""
    return finish_submitted(content, message_id=message_id, date=now, signer=kit.signer)


def ensure_identity(kit: TaskKit, claimed: ClaimedMessage) -> tuple[str, str]:
    """The message's Message-ID and unsubscribe token, made the first time it is sent."""
    message_id = claimed.message_id_header or new_message_id(kit.domain)
    token = claimed.unsubscribe_token
    if not token and kit.needs_token:
        token = new_token()
    return message_id, token


@requires(Act.ENGINE_RUN)
def build_message(
    context: Context,
    kit: TaskKit,
    claimed: ClaimedMessage,
    message_id: str,
    token: str,
    now: datetime,
) -> bytes:
    """Render, compose and sign one recipient's message. Raises KootuiError when the
    recipient's parameters do not fit the template."""
    url = unsubscribe_url(context.settings, token) if kit.support_unsubscribe and token else None
    tracking = None
    if kit.track_opens_clicks and token:
        tracking = TrackingUrls(
            context.settings.sending.tracking_host, tracking_token(claimed.row_id, token)
        )
    rendered = kit.template.render(claimed.params, unsubscribe_url=url, tracking=tracking)
    extra = list_unsubscribe_headers(url) if url else []
    try:
        data = compose_message(
            from_header=kit.from_header,
            to=claimed.recipient,
            subject=rendered.subject,
            text=rendered.text,
            html=rendered.html,
            message_id=message_id,
            date=now,
            attachments=kit.attachments,
            extra_headers=extra,
        )
    except UnicodeEncodeError:
        raise KootuiError(
            "the recipient address is not plain ASCII (SMTPUTF8 is not supported)",
            code="compose.non_ascii_address",
            field="recipient",
        ) from None
    if kit.signer is not None:
        # compose_message ends every line in CRLF (its tests prove it).
        data = kit.signer.sign(data, timestamp=int(now.timestamp()), crlf_clean=True)
    return data
