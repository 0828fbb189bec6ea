"""The tables of the whole console. The message table is also the send queue.

Statuses are plain strings validated by the service layer (StrEnum values), so
the same schema runs on SQLite and PostgreSQL without database enum types.
Every time column is UTC (see types.UTCDateTime).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from sqlalchemy import (
    JSON,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
)
from sqlmodel import Field, SQLModel

from kootui.core.errors import InvalidState
from kootui.core.store.types import UTCDateTime


def _time(*, nullable: bool = True, index: bool = False) -> Any:
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable, index=index)


def _required_time(*, index: bool = False) -> Any:
    return Field(sa_type=UTCDateTime, nullable=False, index=index)


class TableModel(SQLModel):
    """The base of every table: SQLAlchemy sets ``__table__`` on each, which SQLModel does
    not declare, so Core statements (bulk inserts, joins on columns) are typed through it."""

    if TYPE_CHECKING:
        __table__: ClassVar[Table]


class _Keyed(Protocol):
    id: int | None


def stored_id(row: _Keyed) -> int:
    """The primary key of a row read from the store or flushed to it.

    Every table's ``id`` is ``int | None`` only because a new row has none until it is
    flushed; a stored row always has one, and this says so to the type checker."""
    if row.id is None:
        raise InvalidState(
            f"the {type(row).__name__} is not saved yet, so it has no id",
            code="store.row_not_saved",
        )
    return row.id


class DomainStatus(StrEnum):
    VERIFYING = "verifying"
    PASSED = "passed"
    FAILED = "failed"


class RecordStatus(StrEnum):
    PENDING = "pending"
    PASSED = "passed"
    FAILED = "failed"
    NOT_FOUND = "not_found"
    UNKNOWN = "unknown"  # could not check (timeout, SERVFAIL); will retry


class TemplateStatus(StrEnum):
    APPROVING = "approving"
    APPROVED = "approved"
    REJECTED = "rejected"


class BodyType(StrEnum):
    HTML = "html"
    TEXT = "text"


class TaskStatus(StrEnum):
    SCHEDULED = "scheduled"
    SENDING = "sending"
    PAUSED = "paused"
    COMPLETED = "completed"
    PARTLY_FAILED = "partly_failed"
    CANCELLED = "cancelled"


class SendType(StrEnum):
    NOW = "now"
    SCHEDULED = "scheduled"


class SendMethod(StrEnum):
    CONSOLE = "console"
    CLI = "cli"
    API = "api"
    SMTP = "smtp"


class MessageStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    DELIVERED = "delivered"
    DEFERRED = "deferred"
    FAILED = "failed"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    # What came back after a relay's 250 (core/bounces): a hard bounce, a spam complaint.
    BOUNCED = "bounced"
    COMPLAINED = "complained"


class WorkspaceSettings(TableModel, table=True):
    """One row (id 1): what operations personnel configure for the workspace."""

    __tablename__ = "workspace_settings"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(default="My workspace", max_length=100)
    # An IANA zone name for the Statistics Report's days and months; "" is the machine's.
    time_zone: str = Field(default="", max_length=64)
    sensitive_industry: bool = Field(default=False)
    max_domains: int = Field(default=10)
    created_at: datetime = _required_time()
    updated_at: datetime = _required_time()


class SenderDomain(TableModel, table=True):
    __tablename__ = "sender_domain"
    # Its id outlives the row (history, limits, buckets): never reused (revision 0020).
    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(String(253), nullable=False, unique=True))  # IDNA, lower
    status: str = Field(default=DomainStatus.VERIFYING, max_length=16, index=True)
    status_reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    created_at: datetime = _required_time(index=True)
    updated_at: datetime = _required_time()
    verified_at: datetime | None = _time()
    last_checked_at: datetime | None = _time()
    next_check_at: datetime | None = _time(index=True)


class DkimKey(TableModel, table=True):
    """A DKIM key pair; the private half lives in a 0600 file, never in the database."""

    __tablename__ = "dkim_key"
    __table_args__ = (UniqueConstraint("domain_id", "selector"),)

    id: int | None = Field(default=None, primary_key=True)
    domain_id: int = Field(
        sa_column=Column(
            ForeignKey("sender_domain.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    selector: str = Field(max_length=63)
    key_file: str = Field(max_length=255)  # relative to the data folder's keys/
    public_key_b64: str = Field(sa_column=Column(Text, nullable=False))
    bits: int = Field(default=2048)
    active: bool = Field(default=True)
    created_at: datetime = _required_time()
    retired_at: datetime | None = _time()


class DnsRecord(TableModel, table=True):
    """One record a domain must (or may) publish, with what DNS last answered."""

    __tablename__ = "dns_record"
    __table_args__ = (UniqueConstraint("domain_id", "purpose"),)

    id: int | None = Field(default=None, primary_key=True)
    domain_id: int = Field(
        sa_column=Column(
            ForeignKey("sender_domain.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    purpose: str = Field(max_length=16)  # dkim, spf, dmarc, tracking, mx
    rtype: str = Field(max_length=8)  # TXT, CNAME, MX
    name: str = Field(max_length=253)
    expected: str = Field(sa_column=Column(Text, nullable=False))
    required: bool = Field(default=True)
    status: str = Field(default=RecordStatus.PENDING, max_length=16)
    found: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    detail: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    checked_at: datetime | None = _time()


class SenderAddress(TableModel, table=True):
    __tablename__ = "sender_address"
    __table_args__ = (
        UniqueConstraint("domain_id", "local_part"),
        # Its id outlives the row (the reports' history): never reused (revision 0020).
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    domain_id: int = Field(
        sa_column=Column(
            ForeignKey("sender_domain.id", ondelete="RESTRICT"), nullable=False, index=True
        )
    )
    local_part: str = Field(max_length=64)
    alias: str = Field(default="", max_length=64)
    created_at: datetime = _required_time(index=True)


class Template(TableModel, table=True):
    __tablename__ = "template"
    # API clients keep template ids: one must never name another template (revision 0018).
    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    public_key: str | None = Field(default=None, max_length=64, unique=True)  # built-ins only
    locale: str = Field(default="en", max_length=8)
    title: str = Field(max_length=100, index=True)
    subject: str = Field(default="", max_length=255)
    body_type: str = Field(default=BodyType.HTML, max_length=8)
    body: str = Field(sa_column=Column(Text, nullable=False))
    text_body: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    text_body_edited: bool = Field(default=False)
    support_unsubscribe: bool = Field(default=False)
    # Open pixel and click redirects through the tracking host (revision 0006); off unless asked.
    track_opens_clicks: bool = Field(default=False)
    parameters: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    status: str = Field(default=TemplateStatus.APPROVED, max_length=16, index=True)
    review_reason: str = Field(default="", max_length=500)
    reviewed_by: str = Field(default="", max_length=100)
    reviewed_at: datetime | None = _time()
    created_at: datetime = _required_time(index=True)
    updated_at: datetime = _required_time()


class Task(TableModel, table=True):
    __tablename__ = "task"
    # Ids named from outside (API clients) must never name another task (revision 0018).
    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, index=True)
    subject: str = Field(max_length=255)
    template_id: int = Field(
        sa_column=Column(ForeignKey("template.id", ondelete="RESTRICT"), nullable=False, index=True)
    )
    address_id: int = Field(
        sa_column=Column(
            ForeignKey("sender_address.id", ondelete="RESTRICT"), nullable=False, index=True
        )
    )
    send_type: str = Field(default=SendType.NOW, max_length=16)
    send_method: str = Field(default=SendMethod.CONSOLE, max_length=16)
    status: str = Field(default=TaskStatus.SCHEDULED, max_length=16, index=True)
    scheduled_at: datetime = _required_time()
    recipient_source: str = Field(default="manual", max_length=255)
    recipient_count: int = Field(default=0)
    # None follows the template's switch; True/False overrides it for this task (0006).
    track_opens_clicks: bool | None = Field(default=None)
    created_at: datetime = _required_time(index=True)
    started_at: datetime | None = _time()
    finished_at: datetime | None = _time()
    cancelled_at: datetime | None = _time()


class Attachment(TableModel, table=True):
    __tablename__ = "attachment"

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(
        sa_column=Column(ForeignKey("task.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    filename: str = Field(max_length=255)
    content_type: str = Field(max_length=127)
    size: int
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class Message(TableModel, table=True):
    """One recipient of one task: the unit the engine claims, sends and records."""

    __tablename__ = "message"
    __table_args__ = (
        # The claim query: due rows of a status, oldest first.
        Index("ix_message_claim", "status", "next_attempt_at"),
        Index("ix_message_task_status", "task_id", "status"),
        Index("ix_message_lease", "status", "lease_expires_at"),
        # Sending Details: its filters and sorts over a million rows (revision 0002).
        Index("ix_message_status_created", "status", "created_at"),
        Index("ix_message_task_created", "task_id", "created_at"),
        Index("ix_message_received_at", "received_at"),
        # The unsubscribe link's lookup by token.
        Index("ix_message_unsubscribe_token", "unsubscribe_token"),
        # Ids are named from outside (VERP, tracking, API): never reused (revision 0018).
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(
        sa_column=Column(ForeignKey("task.id", ondelete="CASCADE"), nullable=False)
    )
    recipient: str = Field(sa_column=Column(String(320), nullable=False))
    params: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = Field(default=MessageStatus.PENDING, max_length=16)
    send_method: str = Field(default=SendMethod.CONSOLE, max_length=16)
    message_id_header: str = Field(default="", max_length=255)  # kept across retries
    unsubscribe_token: str = Field(default="", max_length=64)
    attempts: int = Field(default=0)
    next_attempt_at: datetime = _required_time()
    lease_owner: str | None = Field(default=None, max_length=64)
    lease_expires_at: datetime | None = _time()
    created_at: datetime = _required_time(index=True)
    sent_at: datetime | None = _time()
    received_at: datetime | None = _time()
    last_reply_code: int | None = Field(default=None)
    last_reply: str = Field(default="", max_length=500)


class MessageHeader(TableModel, table=True):
    """The header block of a message as last sent (replaced on a retry: Date and
    DKIM-Signature change), for the Sending Details detail view."""

    __tablename__ = "message_header"

    message_id: int = Field(
        sa_column=Column(ForeignKey("message.id", ondelete="CASCADE"), primary_key=True)
    )
    headers: str = Field(sa_column=Column(Text, nullable=False))  # ASCII, bad bytes replaced
    composed_at: datetime = _required_time()


# A whole address, in any case, is found through this index (Sending Details search).
Index("ix_message_recipient_lower", func.lower(Message.__table__.c.recipient))


class DeliveryAttempt(TableModel, table=True):
    __tablename__ = "delivery_attempt"

    id: int | None = Field(default=None, primary_key=True)
    message_id: int = Field(
        sa_column=Column(ForeignKey("message.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    started_at: datetime = _required_time()
    finished_at: datetime | None = _time()
    stage: str = Field(default="", max_length=16)  # connect, helo, mail, rcpt, data, dot, outbox
    outcome: str = Field(max_length=16)  # delivered, deferred, rejected, unknown
    reply_code: int | None = Field(default=None)
    enhanced_code: str = Field(default="", max_length=16)
    reply_text: str = Field(default="", max_length=500)
    remote_host: str = Field(default="", max_length=255)
    tls: bool = Field(default=False)
    worker: str = Field(default="", max_length=64)


# The dimension a statistics row has when its messages are gone (rows carried forward
# from before revision 0004 whose messages were deleted): 0 is no real id.
UNKNOWN_DIMENSION = 0
# The counted columns of hourly_stat, which its report indexes carry: what the engine
# counts in the hour of a message's first attempt, then what its events count in the
# event's hour (core/events, revision 0010).
SENT_MEASURES = ("sent", "delivered", "failed", "to_send", "rejected")
EVENT_MEASURES = ("bounced", "complained", "unsubscribed", "opened", "clicked")
STAT_MEASURES = (*SENT_MEASURES, *EVENT_MEASURES)


class HourlyStat(TableModel, table=True):
    """Counts per UTC hour and per sender domain, sender address, template, task and send
    method, kept in step with the message rows by the engine (dispatch/stats.py).

    The dimensions are plain ids, not foreign keys: a deleted task's rows stay as history
    (its name in ``stat_task``). A new measure is a column here plus an entry in the
    reports' measure registry."""

    __tablename__ = "hourly_stat"
    __table_args__ = (
        # The Statistics Report: one index for the whole range and one per filter, each
        # leading with its filter, then the hour, then the measures, so a year of hours is
        # read from the index alone (bench/reports.py: half the time of looking each row
        # up). An upsert rewrites a few entries per batch; a new measure joins them.
        Index("ix_hourly_stat_hour", "hour", *STAT_MEASURES),
        Index("ix_hourly_stat_domain_hour", "domain_id", "hour", *STAT_MEASURES),
        Index("ix_hourly_stat_address_hour", "address_id", "hour", *STAT_MEASURES),
        Index("ix_hourly_stat_template_hour", "template_id", "hour", *STAT_MEASURES),
        Index("ix_hourly_stat_task_hour", "task_id", "hour", *STAT_MEASURES),
        Index("ix_hourly_stat_method_hour", "send_method", "hour", *STAT_MEASURES),
    )

    hour: datetime = Field(sa_type=UTCDateTime, primary_key=True)
    task_id: int = Field(default=UNKNOWN_DIMENSION, primary_key=True)
    domain_id: int = Field(default=UNKNOWN_DIMENSION, primary_key=True)
    address_id: int = Field(default=UNKNOWN_DIMENSION, primary_key=True)
    template_id: int = Field(default=UNKNOWN_DIMENSION, primary_key=True)
    send_method: str = Field(default="", max_length=16, primary_key=True)
    sent: int = Field(default=0)
    delivered: int = Field(default=0)
    failed: int = Field(default=0)
    to_send: int = Field(default=0)
    rejected: int = Field(default=0)
    # Counted by the message's events, in the event's hour (core/events/measures.py).
    bounced: int = Field(default=0)
    complained: int = Field(default=0)
    unsubscribed: int = Field(default=0)
    opened: int = Field(default=0)  # messages opened: a message's first open only
    clicked: int = Field(default=0)  # messages clicked: a message's first click only


class StatTask(TableModel, table=True):
    """The name of each deleted task whose statistics stay as history, by the history id
    its rows moved to (negative, never a task's), so the report still shows it by name."""

    __tablename__ = "stat_task"

    task_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    name: str = Field(max_length=100)


class MessageEvent(TableModel, table=True):
    """Something that happened to a sent message (unsubscribed, opened, clicked, ...), written in
    the transaction of the change it records, so a reader of new rows (reports, a webhook
    outbox) misses none. ``kind`` is a string from ``core.events``' registry, not a database
    enum, so new kinds need no migration. No source address is kept.

    ``once_kind`` is the kind for kinds that happen at most once per message and NULL for those
    that repeat: the unique index on (message_id, once_kind) then refuses a second
    unsubscription whatever the race, while NULLs never collide (revision 0006)."""

    __tablename__ = "message_event"
    __table_args__ = (
        Index("ix_message_event_message_kind", "message_id", "kind"),
        Index("ix_message_event_occurred_at", "occurred_at"),
        Index("ux_message_event_once", "message_id", "once_kind", unique=True),
        # An event's id may leave the store (a webhook's delivery id): never reused (0018).
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    message_id: int = Field(
        sa_column=Column(ForeignKey("message.id", ondelete="CASCADE"), nullable=False)
    )
    kind: str = Field(max_length=32)
    once_kind: str | None = Field(default=None, max_length=32)
    occurred_at: datetime = _required_time()
    link_index: int | None = Field(default=None)  # clicks: which link of the message
    detail: str = Field(default="", max_length=500)


class SuppressionReason(StrEnum):
    UNSUBSCRIBED = "unsubscribed"
    HARD_BOUNCE = "hard_bounce"
    COMPLAINT = "complaint"
    MANUAL = "manual"


class Suppression(TableModel, table=True):
    """Addresses no task mails again: unsubscribed, hard-bounced, complained, or added by
    hand. Addresses are stored in lower case; one row per address (the first reason)."""

    __tablename__ = "suppression"

    id: int | None = Field(default=None, primary_key=True)
    address: str = Field(sa_column=Column(String(320), nullable=False, unique=True))
    reason: str = Field(max_length=32)  # a SuppressionReason value
    created_at: datetime = _required_time(index=True)  # when: the list's default order
    # The message that unsubscribed or bounced. No foreign key: deleting a finished task
    # deletes its messages, and the list keeps the address and says the message is gone.
    message_id: int | None = Field(default=None)
    note: str = Field(
        default="", max_length=500, sa_column_kwargs={"server_default": ""}
    )  # why, for an address added by hand


class ApiKey(TableModel, table=True):
    """A credential for the API (and, later, SMTP submission): only its SHA-256 is kept.

    ``scopes`` holds ``["*"]`` and is not read: the owner user's policies and the key's own
    ``narrowing_policy`` say what it may do (``core.access``, revision 0012).
    ``reveal_recipients`` lets the key read whole recipient addresses (masked otherwise)."""

    __tablename__ = "api_key"
    # Its id outlives the row (history, limits, buckets): never reused (revision 0020).
    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    prefix: str = Field(sa_column=Column(String(16), nullable=False, unique=True))
    secret_hash: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    scopes: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    reveal_recipients: bool = Field(default=False)
    rate_per_second: float = Field(default=0.0)  # 0: the [http] default
    created_at: datetime = _required_time()
    last_used_at: datetime | None = _time()
    revoked_at: datetime | None = _time()
    # The user whose policies scope the key (revision 0012).
    # No foreign key: users are disabled, never deleted, and adding one on SQLite would
    # rebuild the table. None: the owner's (a key made before access control).
    owner_user_id: int | None = Field(default=None, nullable=True)
    # A policy document that narrows the owner's rights for this key alone.
    narrowing_policy: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class ApiKeyRate(TableModel, table=True):
    """An API key's token bucket, shared by every server process (revision 0016): each
    takes tokens from it in small grants (``apikeys.rate``), so a key's rate holds however
    many processes serve it. Apart from ``api_key``, whose rows are read far more often
    than this one is written."""

    __tablename__ = "api_key_rate"

    api_key_id: int = Field(
        sa_column=Column(ForeignKey("api_key.id", ondelete="CASCADE"), primary_key=True)
    )
    tokens: float
    refilled_at: datetime = _required_time()


class SubmissionChannel(TableModel, table=True):
    """The task that carries the messages submitted from outside with the same sender,
    template, subject and attachments: one Sending Tasks row per kind of message, not
    one per request. ``content_key`` is the SHA-256 of what makes them the same."""

    __tablename__ = "submission_channel"

    id: int | None = Field(default=None, primary_key=True)
    content_key: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    task_id: int = Field(
        sa_column=Column(ForeignKey("task.id", ondelete="CASCADE"), nullable=False, unique=True)
    )
    created_at: datetime = _required_time()


class SubmissionContent(TableModel, table=True):
    """The template made from a submission's own subject and body, found again by their
    SHA-256, so the same content sent a million times is one template."""

    __tablename__ = "submission_content"

    id: int | None = Field(default=None, primary_key=True)
    content_hash: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    template_id: int = Field(
        sa_column=Column(ForeignKey("template.id", ondelete="CASCADE"), nullable=False)
    )
    created_at: datetime = _required_time()


class IdempotencyRecord(TableModel, table=True):
    """The first answer to a request that carried an ``Idempotency-Key``, kept 24 hours,
    written in the same transaction as what the request stored."""

    __tablename__ = "idempotency_record"
    __table_args__ = (UniqueConstraint("api_key_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    api_key_id: int = Field(
        sa_column=Column(ForeignKey("api_key.id", ondelete="CASCADE"), nullable=False)
    )
    key: str = Field(max_length=255)
    request_hash: str = Field(max_length=64)
    response_status: int
    response_body: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = _required_time()
    expires_at: datetime = _required_time(index=True)


class SubmittedMime(TableModel, table=True):
    """The bytes of a message submitted over SMTP, as the client sent them less its Bcc
    header: one row per message row (a recipient), written in the intake's transaction with
    the message row, so the engine sends exactly what was accepted (revision 0008)."""

    __tablename__ = "submitted_mime"

    message_id: int = Field(
        sa_column=Column(
            ForeignKey("message.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
        )
    )
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class SmtpCredential(TableModel, table=True):
    """A login for SMTP submission: the user name ``kts_<prefix>`` and a generated password
    of which only the SHA-256 is kept (the API keys' design, ``core.apikeys``)."""

    __tablename__ = "smtp_credential"
    # Its id outlives the row (history, limits, buckets): never reused (revision 0020).
    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    prefix: str = Field(sa_column=Column(String(16), nullable=False, unique=True))
    secret_hash: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    created_at: datetime = _required_time()
    last_used_at: datetime | None = _time()
    revoked_at: datetime | None = _time()
    # No foreign key: users are disabled, never deleted, and adding one on SQLite would
    # rebuild the table. None: the owner's (a key made before access control).
    owner_user_id: int | None = Field(default=None, nullable=True)
    narrowing_policy: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class Package(TableModel, table=True):
    """An allowance of emails bought for a period (revision 0013). ``used`` moves only in
    the claim's transaction, with the ``message_charge`` rows it counts (core.packages)."""

    __tablename__ = "package"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    units: int
    used: int = Field(default=0)
    # The first instant of the first day and the first instant after the last day, each a
    # midnight in the workspace's zone when the package was added.
    valid_from: datetime = _required_time()
    valid_until: datetime = _required_time(index=True)
    added_by: str = Field(default="", max_length=100)
    added_at: datetime = _required_time()
    reference: str = Field(default="", max_length=200)


class MessageCharge(TableModel, table=True):
    """The one unit a message used when it was first handed to a transport: from a
    package, or pay-per-use when ``package_id`` is None. No foreign key to the message:
    a deleted task's charges stay, like its statistics (they were billed)."""

    __tablename__ = "message_charge"
    __table_args__ = (
        Index("ix_message_charge_package", "package_id", "charged_at"),
        Index("ix_message_charge_at", "charged_at"),
    )

    message_id: int = Field(
        sa_column=Column(Integer, primary_key=True, autoincrement=False, nullable=False)
    )
    package_id: int | None = Field(default=None)
    domain_id: int = Field(default=0)
    # The message's claim count when charged: only that claim may give the unit back.
    attempt: int
    charged_at: datetime = _required_time()


class QuotaSettings(TableModel, table=True):
    """One row (id 1): what happens beyond every package, and when to warn."""

    __tablename__ = "quota_settings"

    id: int | None = Field(default=None, primary_key=True)
    hard_stop: bool = Field(default=False)
    warn_below: int = Field(default=1000)
    updated_at: datetime = _required_time()


class WarmupPlan(TableModel, table=True):
    """A sending domain's daily caps, day 1 first; ``used`` counts ``day`` (a date in the
    workspace's zone, YYYY-MM-DD) and starts again at 0 on the next day."""

    __tablename__ = "warmup_plan"

    domain_id: int = Field(
        sa_column=Column(
            ForeignKey("sender_domain.id", ondelete="CASCADE"),
            primary_key=True,
            autoincrement=False,
        )
    )
    caps: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    curve: str = Field(default="", max_length=100)  # how the caps were made, for the faces
    first_day: str = Field(max_length=10)
    day: str = Field(default="", max_length=10)
    used: int = Field(default=0)
    created_at: datetime = _required_time()
    updated_at: datetime = _required_time()
