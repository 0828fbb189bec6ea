"""The tables of daily message limits (revision 0019): a limit set on a user or on one of
their credentials, and what each of them was accepted today.

Kept apart from ``models`` (one idea per file); the store's face exports them. Neither has
a foreign key: users are disabled, never deleted, and a revoked credential's count of the
day stays as it was counted."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, String
from sqlmodel import Field

from kootui.core.store.models import TableModel, _required_time


class DailyLimit(TableModel, table=True):
    """At most ``messages`` accepted a day (the workspace's day) for ``subject``:
    ``user/<id>``, or a credential's public prefix (``kt_…`` an API key, ``kts_…`` an SMTP
    login)."""

    __tablename__ = "daily_limit"

    subject: str = Field(sa_column=Column(String(40), primary_key=True))
    messages: int
    set_by: str = Field(default="", max_length=100)
    set_at: datetime = _required_time()


class DailyLimitUse(TableModel, table=True):
    """Messages accepted for ``subject`` on ``day`` (YYYY-MM-DD in the workspace's zone),
    moved in the transaction that stores the message rows it counts."""

    __tablename__ = "daily_limit_use"

    subject: str = Field(sa_column=Column(String(40), primary_key=True))
    day: str = Field(sa_column=Column(String(10), primary_key=True))
    used: int = Field(default=0)
