"""Users and groups: made, listed, disabled and enabled, given a password, put in groups.

A name is lower-case letters, digits, ``.``, ``_`` and ``-`` (typed in any case, kept
lower case), so "Alice" and "alice" are one person in the audit log."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import delete
from sqlmodel import Session, col, select

from kootui.core.access.actions import Act
from kootui.core.access.guard import requires
from kootui.core.access.passwords import hash_password
from kootui.core.errors import Conflict, NotFound, ValidationError
from kootui.core.store import IamGroup, IamGroupMember, IamUser, stored_id

if TYPE_CHECKING:
    from kootui.core.context import Context

_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
MAX_DISPLAY_CHARS = 100


@dataclass(frozen=True)
class UserView:
    id: int
    name: str
    display_name: str
    disabled: bool
    groups: tuple[str, ...]
    locked_until: datetime | None
    last_sign_in_at: datetime | None
    created_at: datetime


@dataclass(frozen=True)
class GroupView:
    id: int
    name: str
    description: str
    members: tuple[str, ...]


def check_name(name: str, *, field: str = "name") -> str:
    text = name.strip().lower()
    if not _NAME.fullmatch(text):
        raise ValidationError(
            "use 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit",
            field=field,
            code="iam.bad_name",
        )
    return text


def _display(display_name: str) -> str:
    text = " ".join(display_name.split())
    if len(text) > MAX_DISPLAY_CHARS or not text.isprintable():
        raise ValidationError(
            f"use at most {MAX_DISPLAY_CHARS} printable characters", field="display_name"
        )
    return text


def find_user_row(session: Session, name: str) -> IamUser:
    row = session.exec(select(IamUser).where(col(IamUser.name) == name.strip().lower())).first()
    if row is None:
        raise NotFound(f"no user is named {name.strip()!r}", field="user", code="user.not_found")
    return row


def find_group_row(session: Session, name: str) -> IamGroup:
    row = session.exec(select(IamGroup).where(col(IamGroup.name) == name.strip().lower())).first()
    if row is None:
        raise NotFound(f"no group is named {name.strip()!r}", field="group", code="group.not_found")
    return row


def _groups_of(session: Session, user_id: int) -> tuple[str, ...]:
    names = session.exec(
        select(IamGroup.name)
        .join(IamGroupMember, col(IamGroupMember.group_id) == col(IamGroup.id))
        .where(col(IamGroupMember.user_id) == user_id)
        .order_by(col(IamGroup.name))
    ).all()
    return tuple(names)


def user_view(session: Session, row: IamUser) -> UserView:
    user_id = stored_id(row)
    return UserView(
        id=user_id,
        name=row.name,
        display_name=row.display_name,
        disabled=row.disabled,
        groups=_groups_of(session, user_id),
        locked_until=row.locked_until,
        last_sign_in_at=row.last_sign_in_at,
        created_at=row.created_at,
    )


def add_user_row(
    context: Context, session: Session, name: str, password: str, display: str
) -> IamUser:
    """The user's row, flushed: shared by ``create_user`` and the first administrator."""
    text = check_name(name)
    taken = session.exec(select(IamUser.id).where(col(IamUser.name) == text)).first()
    if taken is not None:
        raise Conflict(f"a user is already named {text!r}", field="name", code="user.exists")
    row = IamUser(
        name=text,
        display_name=_display(display),
        password_hash=hash_password(password),
        created_at=context.clock.now(),
    )
    session.add(row)
    session.flush()
    return row


@requires(Act.USER_CREATE, resource=lambda a: f"user/{a['name']}")
def create_user(context: Context, name: str, password: str, *, display_name: str = "") -> UserView:
    """A new user with a password (at least 12 characters), holding no policy yet."""
    with context.store.session() as session:
        return user_view(session, add_user_row(context, session, name, password, display_name))


@requires(Act.USER_READ)
def list_users(context: Context) -> list[UserView]:
    with context.store.session() as session:
        rows = session.exec(select(IamUser).order_by(col(IamUser.name))).all()
        return [user_view(session, row) for row in rows]


@requires(Act.USER_READ, resource=lambda a: f"user/{a['name']}")
def get_user(context: Context, name: str) -> UserView:
    with context.store.session() as session:
        return user_view(session, find_user_row(session, name))


@requires(Act.USER_UPDATE, resource=lambda a: f"user/{a['name']}")
def set_user_disabled(context: Context, name: str, disabled: bool) -> UserView:
    """A disabled user cannot sign in, and their API keys and SMTP logins stop working."""
    with context.store.session() as session:
        row = find_user_row(session, name)
        if disabled and context.principal.user_id == stored_id(row):
            raise ValidationError(
                "you cannot disable yourself; ask another administrator",
                field="name",
                code="user.disable_self",
            )
        row.disabled = disabled
        session.add(row)
        return user_view(session, row)


@requires(Act.USER_UPDATE, resource=lambda a: f"user/{a['name']}")
def set_password(context: Context, name: str, password: str) -> UserView:
    """A new password; it also lifts a lockout."""
    with context.store.session() as session:
        row = find_user_row(session, name)
        row.password_hash = hash_password(password)
        row.failed_sign_ins = 0
        row.locked_until = None
        session.add(row)
        return user_view(session, row)


@requires(Act.GROUP_CREATE, resource=lambda a: f"group/{a['name']}")
def create_group(context: Context, name: str, *, description: str = "") -> GroupView:
    text = check_name(name)
    with context.store.session() as session:
        taken = session.exec(select(IamGroup.id).where(col(IamGroup.name) == text)).first()
        if taken is not None:
            raise Conflict(f"a group is already named {text!r}", field="name", code="group.exists")
        row = IamGroup(name=text, description=_display(description), created_at=context.clock.now())
        session.add(row)
        session.flush()
        return GroupView(stored_id(row), row.name, row.description, ())


def _members(session: Session, group_id: int) -> tuple[str, ...]:
    names = session.exec(
        select(IamUser.name)
        .join(IamGroupMember, col(IamGroupMember.user_id) == col(IamUser.id))
        .where(col(IamGroupMember.group_id) == group_id)
        .order_by(col(IamUser.name))
    ).all()
    return tuple(names)


@requires(Act.GROUP_READ)
def list_groups(context: Context) -> list[GroupView]:
    with context.store.session() as session:
        rows = session.exec(select(IamGroup).order_by(col(IamGroup.name))).all()
        return [
            GroupView(stored_id(row), row.name, row.description, _members(session, stored_id(row)))
            for row in rows
        ]


@requires(Act.GROUP_UPDATE, resource=lambda a: f"group/{a['group']}")
def add_member(context: Context, group: str, user: str) -> GroupView:
    with context.store.session() as session:
        group_row = find_group_row(session, group)
        user_row = find_user_row(session, user)
        group_id, user_id = stored_id(group_row), stored_id(user_row)
        member = session.get(IamGroupMember, (group_id, user_id))
        if member is None:
            session.add(IamGroupMember(group_id=group_id, user_id=user_id))
            session.flush()
        return GroupView(
            group_id, group_row.name, group_row.description, _members(session, group_id)
        )


@requires(Act.GROUP_UPDATE, resource=lambda a: f"group/{a['group']}")
def remove_member(context: Context, group: str, user: str) -> GroupView:
    with context.store.session() as session:
        group_row = find_group_row(session, group)
        user_row = find_user_row(session, user)
        group_id = stored_id(group_row)
        removed = session.connection().execute(
            delete(IamGroupMember).where(
                col(IamGroupMember.group_id) == group_id,
                col(IamGroupMember.user_id) == stored_id(user_row),
            )
        )
        if not removed.rowcount:
            raise NotFound(
                f"{user_row.name} is not in the group {group_row.name}",
                field="user",
                code="group.not_member",
            )
        return GroupView(
            group_id, group_row.name, group_row.description, _members(session, group_id)
        )
