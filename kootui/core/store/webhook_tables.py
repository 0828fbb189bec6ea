"""The webhooks' tables (revision 0011): endpoints, the outbox of events to deliver and the
delivery log. Kept apart from ``models.py``, which holds the send path's tables.

The outbox is a queue like the message table: a row is claimed with a lease
(``lease_owner``, ``next_attempt_at`` pushed to the lease's end while ``sending``), so a
killed engine's rows fall due again and two engines never hold one row at once."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Column, ForeignKey, Index, String, Text
from sqlmodel import Field

from kootui.core.store.models import TableModel
from kootui.core.store.types import UTCDateTime


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # leased: next_attempt_at is the lease's end
    DELIVERED = "delivered"
    FAILED = "failed"  # gave up (retried for webhooks.give_up_hours) or endpoint removed


class WebhookEndpoint(TableModel, table=True):
    """Where events are POSTed. The signing secret is not stored: it is derived from
    ``secret_salt`` and the deployment key in ``<keys>/webhook-key`` (core/webhooks)."""

    __tablename__ = "webhook_endpoint"

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(sa_column=Column(String(2000), nullable=False))
    description: str = Field(default="", max_length=200)
    events: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    secret_salt: str = Field(sa_column=Column(String(64), nullable=False))
    enabled: bool = Field(default=True)
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    # The start of the current run of failed deliveries (None after a success).
    failing_since: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    disabled_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    disabled_reason: str = Field(default="", max_length=300)


class WebhookOutbox(TableModel, table=True):
    """One event for one endpoint, written in the transaction of the change it reports."""

    __tablename__ = "webhook_outbox"
    __table_args__ = (
        # The claim: due rows of a status, oldest first (the message table's shape).
        Index("ix_webhook_outbox_claim", "status", "next_attempt_at"),
        Index("ix_webhook_outbox_endpoint", "endpoint_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    endpoint_id: int = Field(
        sa_column=Column(ForeignKey("webhook_endpoint.id", ondelete="CASCADE"), nullable=False)
    )
    event: str = Field(max_length=32)
    message_id: int | None = Field(default=None)  # no foreign key: a task's deletion keeps it
    payload: str = Field(sa_column=Column(Text, nullable=False))  # the JSON body, as sent
    status: str = Field(default=OutboxStatus.PENDING, max_length=16)
    attempts: int = Field(default=0)
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    next_attempt_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    lease_owner: str | None = Field(default=None, max_length=64)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)


class WebhookDelivery(TableModel, table=True):
    """One attempt to deliver an outbox row: the endpoint's delivery log."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (Index("ix_webhook_delivery_endpoint", "endpoint_id", "started_at"),)

    id: int | None = Field(default=None, primary_key=True)
    endpoint_id: int = Field(
        sa_column=Column(ForeignKey("webhook_endpoint.id", ondelete="CASCADE"), nullable=False)
    )
    outbox_id: int = Field(
        sa_column=Column(ForeignKey("webhook_outbox.id", ondelete="CASCADE"), nullable=False)
    )
    event: str = Field(max_length=32)
    attempt: int = Field(default=1)
    started_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    duration_ms: int = Field(default=0)
    ok: bool = Field(default=False)
    status_code: int | None = Field(default=None)
    # What went wrong (a refused address, a timeout) or the response's first bytes, printable.
    detail: str = Field(default="", max_length=300)
