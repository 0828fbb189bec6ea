"""One message submitted from outside the console (the API today, SMTP next), checked.

Every rule is the console's own: the sender must be on a verified domain, a template must
be approved and get all its parameters, content sent with the request is a template
draft checked (and cleaned) by the templates core, addresses by the recipients core,
attachments by the tasks core. What passes is a ``PreparedSubmission``: message rows in
waiting, with the key of the channel task they ride on (``channels``).
"""

from __future__ import annotations

import functools
import hashlib
import json
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Generic, TypeVar

from kootui.core.access import OWNER, Act, Principal, check_access
from kootui.core.apikeys import LimitSubject, limit_subjects
from kootui.core.context import Context
from kootui.core.errors import InvalidState, KootuiError, LimitReached, ValidationError
from kootui.core.mail import NO_TRACKING_HOST, has_tracking_host
from kootui.core.recipients import RecipientValidator, duplicate_key
from kootui.core.senders import AddressView, find_address
from kootui.core.store import BodyType, SendMethod, SendType, TemplateStatus
from kootui.core.submissions.channels import ChannelSpec, find_content, remember_content
from kootui.core.tasks import (
    AttachmentFile,
    check_attachments,
    check_schedule,
    check_subject,
    prepare_attachment,
)
from kootui.core.templates import TemplateDraft, TemplateView, create_template, get_template

MAX_RECIPIENTS = 50
MAX_ATTACHMENTS = 10
MAX_PARAMETER_CHARS = 2000
# Looked-up senders and templates are reused this long; the writing transaction checks
# them again (``channels.recheck``), so a stale entry can only delay a refusal to there.
CACHE_SECONDS = 2.0
CONTENT_TITLE = "API: "
_MEMORY_LIMIT = 10_000
_SEND_METHODS = frozenset(SendMethod)


@dataclass(frozen=True)
class RecipientInput:
    email: str
    params: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SubmissionRequest:
    """What a caller sends: a template, or its own subject with text and/or HTML."""

    sender: str
    recipients: Sequence[RecipientInput]
    template_id: int | None = None
    subject: str = ""
    text: str = ""
    html: str = ""
    params: Mapping[str, str] = field(default_factory=dict)
    attachments: Sequence[tuple[str, bytes]] = ()
    scheduled_at: datetime | None = None
    send_method: str = SendMethod.API


@dataclass(frozen=True)
class PreparedSubmission:
    channel: ChannelSpec
    rows: tuple[tuple[str, dict[str, str]], ...]  # (address, parameters), no repeats
    duplicates: int
    next_attempt_at: datetime
    send_method: str
    # SMTP submission: the bytes every row sends, and the client's own Message-ID if any.
    raw: bytes | None = None
    message_id_header: str = ""
    # The daily limits the rows count against (the caller's user and credential).
    limits: tuple[LimitSubject, ...] = ()


_Key = TypeVar("_Key")
_Value = TypeVar("_Value")


class _Expiring(Generic[_Key, _Value]):
    """A small map whose entries live ``seconds`` (a monotonic clock)."""

    def __init__(self, seconds: float, limit: int = 10_000) -> None:
        self._seconds = seconds
        self._limit = limit
        self._entries: dict[_Key, tuple[float, _Value]] = {}
        self._lock = threading.Lock()

    def fresh(self, key: _Key) -> bool:
        found = self._entries.get(key)
        return found is not None and time.monotonic() - found[0] < self._seconds

    def get(self, key: _Key, load: Callable[[], _Value]) -> _Value:
        now = time.monotonic()
        with self._lock:
            found = self._entries.get(key)
        if found is not None and now - found[0] < self._seconds:
            return found[1]
        value = load()
        with self._lock:
            if len(self._entries) >= self._limit:
                self._entries.clear()
            self._entries[key] = (now, value)
        return value


class SubmissionChecker:
    """Checks submissions; keeps what it looked up for a moment (one per server process)."""

    def __init__(self, context: Context, *, cache_seconds: float = CACHE_SECONDS) -> None:
        self.context = context
        self._senders: _Expiring[str, AddressView] = _Expiring(cache_seconds)
        self._templates: _Expiring[int, TemplateView] = _Expiring(cache_seconds)
        self._contents: dict[str, int] = {}
        self._content_lock = threading.Lock()
        # Both are pure functions of their input, worth remembering at a thousand a second:
        # the validator keeps each domain's verdict, a subject is checked once per template.
        self._validator = RecipientValidator()
        self._subjects: dict[tuple[str, tuple[str, ...]], str] = {}

    def needs_store(self, request: SubmissionRequest) -> bool:
        """Whether ``prepare`` may read or write the store (or decode attachments) for this
        request; when not, it is a few microseconds of checks an event loop may run."""
        if request.attachments:
            return True
        template_id = request.template_id
        if template_id is None:
            if not request.subject.strip():
                return False  # refused without a look-up
            template_id = self._contents.get(_content_digest(request)[1])
            if template_id is None:
                return True
        return not (
            self._senders.fresh(request.sender.strip().lower())
            and self._templates.fresh(template_id)
        )

    def prepare(
        self, request: SubmissionRequest, principal: Principal = OWNER
    ) -> PreparedSubmission:
        """The submission as message rows in waiting, or the first broken rule. The
        ``principal`` (an API key's or SMTP login's) must hold ``kooMessage:message:send``
        on ``sender/<address>``; the lookups below are the service's own, not the caller's."""
        context = self.context
        if request.send_method not in _SEND_METHODS:
            raise ValidationError("unknown send method", field="send_method")
        rows, duplicates = _recipient_rows(request.recipients, self._validator)
        sender = self._senders.get(
            request.sender.strip().lower(), lambda: find_address(context, request.sender)
        )
        if not principal.unrestricted:
            check_access(context.acting_as(principal), Act.MESSAGE_SEND, f"sender/{sender.address}")
        if not sender.usable:
            raise InvalidState(
                f"{sender.display_address} cannot send: its domain is not verified "
                f"({sender.domain_status})",
                field="sender",
                code="address.domain_not_verified",
            )
        template_id, subject_override = self._template_for(request)
        template = self._templates.get(template_id, lambda: get_template(context, template_id))
        if template.status != TemplateStatus.APPROVED:
            raise ValidationError(
                f"the template {template.title!r} is {template.status}, not approved",
                field="template_id",
                code="task.template_not_approved",
            )
        if template.support_unsubscribe and not has_tracking_host(context.settings):
            raise ValidationError(
                NO_TRACKING_HOST, field="template_id", code="task.no_tracking_host"
            )
        subject = self._subject(subject_override or template.subject, template.parameters)
        shared = _parameters(request.params, "params")
        filled = tuple(
            (address, _fill(template.parameters, shared, own, index))
            for index, (address, own) in enumerate(rows)
        )
        attachments = _attachments(request.attachments)
        when = (
            check_schedule(context, SendType.SCHEDULED, request.scheduled_at)
            if request.scheduled_at is not None
            else context.clock.now()
        )
        key = _channel_key(sender.id, template.id, subject, attachments)
        channel = ChannelSpec(
            key=key,
            address_id=sender.id,
            sender=sender.address,
            template_id=template.id,
            template_title=template.title,
            subject=subject,
            support_unsubscribe=template.support_unsubscribe,
            attachments=attachments,
        )
        return PreparedSubmission(
            channel,
            filled,
            duplicates,
            when,
            request.send_method,
            limits=limit_subjects(principal),
        )

    def _subject(self, subject: str, parameters: tuple[str, ...]) -> str:
        found = self._subjects.get((subject, parameters))
        if found is None:
            found = check_subject(subject, list(parameters))
            if len(self._subjects) >= _MEMORY_LIMIT:
                self._subjects.clear()
            self._subjects[(subject, parameters)] = found
        return found

    def _template_for(self, request: SubmissionRequest) -> tuple[int, str]:
        """The template to send, and a subject that replaces its own ("" for none)."""
        inline = bool(request.subject or request.text or request.html)
        if request.template_id is not None:
            if inline:
                raise ValidationError(
                    "send either a template_id or your own subject and content, not both",
                    field="template_id",
                    code="submission.template_and_content",
                )
            return request.template_id, ""
        if not inline:
            raise ValidationError(
                "send a template_id, or a subject with text or html",
                field="template_id",
                code="submission.content_required",
            )
        if not request.subject.strip():
            raise ValidationError(
                "enter an email subject", field="subject", code="task.subject_required"
            )
        return self._content_template(request), ""

    def _content_template(self, request: SubmissionRequest) -> int:
        """The template holding this subject and body: found by its hash, or created by the
        templates core (which applies every rule of the editor and its review)."""
        draft, digest = _content_digest(request)
        found = self._contents.get(digest)
        if found is not None:
            return found
        with self._content_lock:  # one creation per content in this process
            template_id = find_content(self.context, digest)
            if template_id is None:
                face = "SMTP: " if request.send_method == SendMethod.SMTP else CONTENT_TITLE
                title = f"{face}{' '.join(request.subject.split())[:60]} #{digest[:8]}"
                view = create_template(self.context, replace(draft, title=title))
                template_id = view.id
                remember_content(self.context, digest, template_id)
            self._contents[digest] = template_id
            return template_id


def _content_digest(request: SubmissionRequest) -> tuple[TemplateDraft, str]:
    """The template draft a request's own content makes, and the SHA-256 naming it."""
    if request.html:
        draft = TemplateDraft(
            title="",
            subject=request.subject,
            body_type=BodyType.HTML,
            body=request.html,
            text_body=request.text,
            text_body_edited=bool(request.text.strip()),
        )
    else:
        draft = TemplateDraft(
            title="", subject=request.subject, body_type=BodyType.TEXT, body=request.text
        )
    digest = hashlib.sha256(
        json.dumps([draft.subject, draft.body_type, draft.body, draft.text_body]).encode()
    ).hexdigest()
    return draft, digest


def _recipient_rows(
    recipients: Sequence[RecipientInput], validator: RecipientValidator
) -> tuple[list[tuple[str, Mapping[str, str]]], int]:
    if not recipients:
        raise ValidationError("add at least one recipient", field="recipients")
    if len(recipients) > MAX_RECIPIENTS:
        raise LimitReached(
            f"at most {MAX_RECIPIENTS} recipients per message; create a task for more",
            field="recipients",
            code="submission.too_many_recipients",
        )
    seen: set[str] = set()
    rows: list[tuple[str, Mapping[str, str]]] = []
    for index, item in enumerate(recipients):
        address = validator.normalise(item.email, field=f"recipients[{index}].email")
        key = duplicate_key(address)
        if key in seen:
            continue
        seen.add(key)
        rows.append((address, _parameters(item.params, f"recipients[{index}].params")))
    return rows, len(recipients) - len(rows)


def _parameters(values: Mapping[str, str], field_name: str) -> dict[str, str]:
    checked: dict[str, str] = {}
    for name, value in values.items():
        if not isinstance(value, str):
            raise ValidationError("parameter values are text", field=f"{field_name}.{name}")
        if len(value) > MAX_PARAMETER_CHARS:
            raise ValidationError(
                f"longer than {MAX_PARAMETER_CHARS} characters", field=f"{field_name}.{name}"
            )
        checked[name] = value
    return checked


def _fill(
    parameters: Sequence[str], shared: Mapping[str, str], own: Mapping[str, str], index: int
) -> dict[str, str]:
    values: dict[str, str] = {}
    for name in parameters:
        value = own.get(name, shared.get(name))
        if value is None:
            raise ValidationError(
                f"the template needs the parameter {name!r}",
                field=f"recipients[{index}].params.{name}",
                code="submission.missing_parameter",
            )
        values[name] = value
    return values


def _attachments(files: Sequence[tuple[str, bytes]]) -> tuple[AttachmentFile, ...]:
    if len(files) > MAX_ATTACHMENTS:
        raise LimitReached(f"at most {MAX_ATTACHMENTS} attachments", field="attachments")
    prepared: list[AttachmentFile] = []
    for index, (name, content) in enumerate(files):
        try:
            prepared.append(prepare_attachment(name, content))
        except KootuiError as exc:
            exc.field = f"attachments[{index}]"
            raise
    check_attachments(prepared)
    return tuple(prepared)


def _channel_key(
    address_id: int, template_id: int, subject: str, attachments: Sequence[AttachmentFile]
) -> str:
    if not attachments:
        return _plain_channel_key(address_id, template_id, subject)
    parts = [
        address_id,
        template_id,
        subject,
        [[a.filename, a.content_type, hashlib.sha256(a.content).hexdigest()] for a in attachments],
    ]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


@functools.lru_cache(maxsize=4096)
def _plain_channel_key(address_id: int, template_id: int, subject: str) -> str:
    return hashlib.sha256(json.dumps([address_id, template_id, subject, []]).encode()).hexdigest()
