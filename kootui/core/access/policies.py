"""Policies: the system ones (statements in the code), custom ones (JSON checked with line
and column), attached to users and groups; and the policies a user holds, read once when
they sign in or their credential is checked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, delete, or_
from sqlmodel import Session, col, select

from kootui.core.access.actions import Act
from kootui.core.access.documents import PolicyDocument, parse_policy
from kootui.core.access.guard import requires
from kootui.core.access.principal import NamedPolicy
from kootui.core.access.system_policies import SYSTEM_POLICIES, SYSTEM_POLICY_TEXTS
from kootui.core.access.users import _display, check_name, find_group_row, find_user_row
from kootui.core.errors import Conflict, InvalidState, NotFound, ValidationError
from kootui.core.store import IamAttachment, IamGroupMember, IamPolicy, stored_id

if TYPE_CHECKING:
    from kootui.core.context import Context


@dataclass(frozen=True)
class PolicyView:
    id: int
    name: str
    description: str
    system: bool
    document: str
    users: tuple[str, ...]
    groups: tuple[str, ...]
    updated_at: datetime


def _policy_name(name: str) -> str:
    text = " ".join(name.split())
    if not text or len(text) > 64 or not text.isprintable():
        raise ValidationError(
            "use 1 to 64 printable characters", field="name", code="policy.bad_name"
        )
    return text


def find_policy_row(session: Session, name: str) -> IamPolicy:
    text = name.strip()
    row = session.exec(select(IamPolicy).where(col(IamPolicy.name) == text)).first()
    if row is None:  # the seeds say "KooMessage FullAccess": the product's name is optional
        bare = text.removeprefix("KooMessage ").removeprefix("kootui ")
        row = session.exec(select(IamPolicy).where(col(IamPolicy.name) == bare)).first()
    if row is None:
        raise NotFound(f"no policy is named {text!r}", field="policy", code="policy.not_found")
    return row


def _document_text(row: IamPolicy) -> str:
    return SYSTEM_POLICY_TEXTS.get(row.name, row.document) if row.system else row.document


def policy_document(row: IamPolicy) -> PolicyDocument:
    """The statements of a stored policy (a system policy's come from the code)."""
    if row.system and row.name in SYSTEM_POLICIES:
        return SYSTEM_POLICIES[row.name]
    return parse_policy(row.document)


def _view(session: Session, row: IamPolicy) -> PolicyView:
    from kootui.core.store import IamGroup, IamUser

    policy_id = stored_id(row)
    users = session.exec(
        select(IamUser.name)
        .join(IamAttachment, col(IamAttachment.user_id) == col(IamUser.id))
        .where(col(IamAttachment.policy_id) == policy_id)
        .order_by(col(IamUser.name))
    ).all()
    groups = session.exec(
        select(IamGroup.name)
        .join(IamAttachment, col(IamAttachment.group_id) == col(IamGroup.id))
        .where(col(IamAttachment.policy_id) == policy_id)
        .order_by(col(IamGroup.name))
    ).all()
    return PolicyView(
        id=policy_id,
        name=row.name,
        description=row.description,
        system=row.system,
        document=_document_text(row),
        users=tuple(users),
        groups=tuple(groups),
        updated_at=row.updated_at,
    )


@requires(Act.POLICY_READ)
def list_policies(context: Context) -> list[PolicyView]:
    with context.store.session() as session:
        rows = session.exec(
            select(IamPolicy).order_by(col(IamPolicy.system).desc(), col(IamPolicy.name))
        ).all()
        return [_view(session, row) for row in rows]


@requires(Act.POLICY_READ, resource=lambda a: f"policy/{a['name']}")
def get_policy(context: Context, name: str) -> PolicyView:
    with context.store.session() as session:
        return _view(session, find_policy_row(session, name))


@requires(Act.POLICY_CREATE, resource=lambda a: f"policy/{a['name']}")
def create_policy(
    context: Context, name: str, document: str, *, description: str = ""
) -> PolicyView:
    """A custom policy; ``PolicyInvalid`` (field ``document``) lists each problem's line and
    column when the JSON is not a valid policy."""
    text = _policy_name(name)
    parse_policy(document)
    now = context.clock.now()
    with context.store.session() as session:
        taken = session.exec(select(IamPolicy.id).where(col(IamPolicy.name) == text)).first()
        if taken is not None:
            raise Conflict(
                f"a policy is already named {text!r}", field="name", code="policy.exists"
            )
        row = IamPolicy(
            name=text,
            description=_display(description),
            document=document,
            created_at=now,
            updated_at=now,
        )
        session.add(row)
        session.flush()
        return _view(session, row)


@requires(Act.POLICY_UPDATE, resource=lambda a: f"policy/{a['name']}")
def update_policy(
    context: Context, name: str, document: str, *, description: str | None = None
) -> PolicyView:
    """A custom policy's new text; users already signed in keep what they held until they
    sign in again (or their key's cache expires)."""
    parse_policy(document)
    with context.store.session() as session:
        row = find_policy_row(session, name)
        if row.system:
            raise InvalidState(
                f"{row.name} is a system policy and cannot be edited; write a custom one",
                field="name",
                code="policy.system",
            )
        row.document = document
        if description is not None:
            row.description = _display(description)
        row.updated_at = context.clock.now()
        session.add(row)
        return _view(session, row)


def _target(session: Session, user: str | None, group: str | None) -> tuple[int | None, int | None]:
    if (user is None) == (group is None):
        raise ValidationError("name either a user or a group", field="user", code="policy.target")
    if user is not None:
        return stored_id(find_user_row(session, user)), None
    assert group is not None
    return None, stored_id(find_group_row(session, group))


def _attachment_filter(
    policy_id: int, user_id: int | None, group_id: int | None
) -> list[ColumnElement[bool]]:
    return [
        col(IamAttachment.policy_id) == policy_id,
        col(IamAttachment.user_id).is_(None)
        if user_id is None
        else col(IamAttachment.user_id) == user_id,
        col(IamAttachment.group_id).is_(None)
        if group_id is None
        else col(IamAttachment.group_id) == group_id,
    ]


def _target_name(user: str | None, group: str | None) -> str:
    return f"user/{check_name(user)}" if user is not None else f"group/{check_name(group or '')}"


@requires(Act.POLICY_ATTACH, resource=lambda a: _target_name(a["user"], a["group"]))
def attach_policy(
    context: Context, policy: str, *, user: str | None = None, group: str | None = None
) -> PolicyView:
    """Attach a policy to one user or one group (again: nothing changes)."""
    with context.store.session() as session:
        row = find_policy_row(session, policy)
        user_id, group_id = _target(session, user, group)
        policy_id = stored_id(row)
        found = session.exec(
            select(IamAttachment.id).where(*_attachment_filter(policy_id, user_id, group_id))
        ).first()
        if found is None:
            session.add(IamAttachment(policy_id=policy_id, user_id=user_id, group_id=group_id))
            session.flush()
        return _view(session, row)


@requires(Act.POLICY_ATTACH, resource=lambda a: _target_name(a["user"], a["group"]))
def detach_policy(
    context: Context, policy: str, *, user: str | None = None, group: str | None = None
) -> PolicyView:
    with context.store.session() as session:
        row = find_policy_row(session, policy)
        user_id, group_id = _target(session, user, group)
        removed = session.connection().execute(
            delete(IamAttachment).where(*_attachment_filter(stored_id(row), user_id, group_id))
        )
        if not removed.rowcount:
            raise NotFound(
                f"{row.name} is not attached to {user or group}",
                field="policy",
                code="policy.not_attached",
            )
        return _view(session, row)


def policies_of_user(session: Session, user_id: int) -> tuple[NamedPolicy, ...]:
    """The policies attached to the user and to each of their groups, each once."""
    groups = select(IamGroupMember.group_id).where(col(IamGroupMember.user_id) == user_id)
    rows = session.exec(
        select(IamPolicy)
        .join(IamAttachment, col(IamAttachment.policy_id) == col(IamPolicy.id))
        .where(or_(col(IamAttachment.user_id) == user_id, col(IamAttachment.group_id).in_(groups)))
        .distinct()
        .order_by(col(IamPolicy.name))
    ).all()
    return tuple(NamedPolicy(row.name, policy_document(row)) for row in rows)
