"""The tables of access control (revision 0012): users, groups, policies and where they are
attached, the sign-in switch, and the append-only audit log.

A user's password is kept only as an argon2id hash. A system policy's row holds its name;
its statements are the code's (``core.access.system_policies``), so they never go stale."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, String, Text, UniqueConstraint
from sqlmodel import Field

from kootui.core.store.models import TableModel
from kootui.core.store.types import UTCDateTime


class IamUser(TableModel, table=True):
    """A person who signs in. ``failed_sign_ins`` and ``locked_until`` hold the lockout."""

    __tablename__ = "iam_user"
    # Daily limits name a user by id (user/<id>): never reused (revision 0020).
    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    display_name: str = Field(default="", max_length=100)
    password_hash: str = Field(sa_column=Column(String(255), nullable=False))
    disabled: bool = Field(default=False)
    failed_sign_ins: int = Field(default=0)
    locked_until: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    last_sign_in_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class IamGroup(TableModel, table=True):
    __tablename__ = "iam_group"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    description: str = Field(default="", max_length=200)
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class IamGroupMember(TableModel, table=True):
    __tablename__ = "iam_group_member"

    group_id: int = Field(
        sa_column=Column(
            ForeignKey("iam_group.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
        )
    )
    user_id: int = Field(
        sa_column=Column(
            ForeignKey("iam_user.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
        )
    )


class IamPolicy(TableModel, table=True):
    """A policy: ``document`` is the JSON as its author typed it (so problems keep their
    line and column); a system policy's statements come from the code, not this column."""

    __tablename__ = "iam_policy"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    description: str = Field(default="", max_length=200)
    system: bool = Field(default=False)
    document: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class IamAttachment(TableModel, table=True):
    """A policy attached to one user or one group (exactly one of the two is set)."""

    __tablename__ = "iam_attachment"
    __table_args__ = (UniqueConstraint("policy_id", "user_id", "group_id"),)

    id: int | None = Field(default=None, primary_key=True)
    policy_id: int = Field(
        sa_column=Column(ForeignKey("iam_policy.id", ondelete="CASCADE"), nullable=False)
    )
    user_id: int | None = Field(
        default=None,
        sa_column=Column(ForeignKey("iam_user.id", ondelete="CASCADE"), nullable=True),
    )
    group_id: int | None = Field(
        default=None,
        sa_column=Column(ForeignKey("iam_group.id", ondelete="CASCADE"), nullable=True),
    )


class IamState(TableModel, table=True):
    """One row (id 1): whether sign-in is on, and the idle time that signs a console out."""

    __tablename__ = "iam_state"

    id: int | None = Field(default=None, primary_key=True)
    enabled: bool = Field(default=False)
    idle_minutes: int = Field(default=15)
    enabled_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)


class AuditEntry(TableModel, table=True):
    """One line of the audit log, never updated or deleted: who (``principal`` as shown,
    ``user_name`` for filtering, kept as text so the line outlives the user), what, where
    from, and the decision with the statement that made it."""

    __tablename__ = "audit_entry"
    __table_args__ = (
        Index("ix_audit_entry_at", "at"),
        Index("ix_audit_entry_user_name_at", "user_name", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    principal: str = Field(max_length=200)
    user_name: str = Field(default="", max_length=64)
    action: str = Field(max_length=100)
    resource: str = Field(default="", max_length=300)
    face: str = Field(default="", max_length=16)
    address: str = Field(default="", max_length=64)
    allowed: bool
    decided_by: str = Field(default="", max_length=300)
