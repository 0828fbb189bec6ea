"""Sign-in: off by default (the owner sees everything, as before); ``enable_iam`` turns it
on and makes the first administrator in the same transaction, so it is never on with no
one able to sign in.

A wrong password counts against the user: the first ``FREE_FAILURES`` cost nothing, each
later one locks the user for a delay that doubles (15 s, 30 s, ... up to 15 minutes) on the
injected clock; a right password while locked is refused too, without counting. Unknown
names, wrong passwords, disabled users are refused in the same words; every attempt is in
the audit log."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlmodel import Session, col, select

from kootui.core.access.actions import Act
from kootui.core.access.audit_write import write_audit
from kootui.core.access.decide import Decision
from kootui.core.access.documents import Face, parse_policy
from kootui.core.access.guard import requires
from kootui.core.access.passwords import password_matches
from kootui.core.access.policies import find_policy_row, policies_of_user
from kootui.core.access.principal import OWNER, NamedPolicy, Principal, PrincipalKind
from kootui.core.access.system_policies import FULL_ACCESS
from kootui.core.access.users import UserView, add_user_row, user_view
from kootui.core.errors import InvalidState, KootuiError, ValidationError
from kootui.core.store import IamAttachment, IamState, IamUser, stored_id

if TYPE_CHECKING:
    from kootui.core.context import Context

FREE_FAILURES = 3
FIRST_DELAY = timedelta(seconds=15)
LONGEST_DELAY = timedelta(minutes=15)
MIN_IDLE_MINUTES = 1
MAX_IDLE_MINUTES = 24 * 60
REFUSED_WORDS = "the user name or password is wrong, or the user is disabled"


class SignInRefused(KootuiError):
    code = "signin.refused"
    http_status = 401
    # Seconds until a locked user may try again (0: at once); the sign-in screen counts it.
    retry_after: float = 0.0


def _state(session: Session) -> IamState:
    row = session.get(IamState, 1)
    if row is None:  # made by revision 0012; a store copied without it starts off
        row = IamState(id=1)
        session.add(row)
        session.flush()
    return row


def lock_delay(failures: int) -> timedelta:
    """How long the ``failures``-th wrong password in a row locks the user."""
    if failures <= FREE_FAILURES:
        return timedelta(0)
    doubled: timedelta = FIRST_DELAY * (2 ** min(failures - FREE_FAILURES - 1, 16))
    return min(doubled, LONGEST_DELAY)


@requires(Act.WORKSPACE_READ)
def iam_enabled(context: Context) -> bool:
    """Whether sign-in is on: faces then need a user (or a key of one) for everything."""
    with context.store.session() as session:
        return _state(session).enabled


@requires(Act.WORKSPACE_READ)
def idle_sign_out_minutes(context: Context) -> int:
    """After this many idle minutes a signed-in console signs out."""
    with context.store.session() as session:
        return _state(session).idle_minutes


@requires(Act.IAM_UPDATE)
def set_idle_sign_out_minutes(context: Context, minutes: int) -> int:
    if not MIN_IDLE_MINUTES <= minutes <= MAX_IDLE_MINUTES:
        raise ValidationError(
            f"use {MIN_IDLE_MINUTES} to {MAX_IDLE_MINUTES} minutes", field="idle_minutes"
        )
    with context.store.session() as session:
        row = _state(session)
        row.idle_minutes = minutes
        session.add(row)
    return minutes


@requires(Act.IAM_UPDATE)
def enable_iam(
    context: Context, admin_name: str, password: str, *, display_name: str = ""
) -> UserView:
    """Turn sign-in on, making the first administrator (FullAccess) in the same step."""
    with context.store.session() as session:
        state = _state(session)
        if state.enabled:
            raise InvalidState("sign-in is already on", code="iam.already_enabled")
        admin = add_user_row(context, session, admin_name, password, display_name)
        policy = find_policy_row(session, FULL_ACCESS)
        session.add(IamAttachment(policy_id=stored_id(policy), user_id=stored_id(admin)))
        state.enabled = True
        state.enabled_at = context.clock.now()
        session.add(state)
        session.flush()
        return user_view(session, admin)


def principal_of_user(
    session: Session,
    user: IamUser,
    *,
    kind: PrincipalKind = PrincipalKind.USER,
    credential: str = "",
    narrowing_document: str | None = None,
) -> Principal:
    """The principal of a user (or of a credential the user owns), holding the policies of
    the user and their groups as they are now."""
    narrowing = None
    if narrowing_document:
        narrowing = NamedPolicy(f"{credential} narrowing", parse_policy(narrowing_document))
    return Principal(
        kind=kind,
        name=user.name,
        user_id=stored_id(user),
        credential=credential,
        policies=policies_of_user(session, stored_id(user)),
        narrowing=narrowing,
    )


def owner_credential_principal(
    kind: PrincipalKind, credential: str, narrowing_document: str | None
) -> Principal:
    """A credential no user owns (made before access control): the owner's, narrowed by
    its own policy when it has one."""
    narrowing = None
    if narrowing_document:
        narrowing = NamedPolicy(f"{credential} narrowing", parse_policy(narrowing_document))
    return Principal(kind=kind, name=OWNER.name, credential=credential, narrowing=narrowing)


def _sign_in_decision(name: str, allowed: bool, why: str) -> Decision:
    return Decision(allowed, Act.SESSION_CREATE.value, f"user/{name}", name, note=why)


@requires(Act.SESSION_CREATE)
def authenticate(
    context: Context, name: str, password: str, source: Face, address: str = ""
) -> Principal:
    """The signed-in principal for a user name and password, or ``SignInRefused``."""
    now = context.clock.now()
    typed = name.strip().lower()[:64]
    anonymous = Principal(PrincipalKind.USER, typed or "?", face=source, address=address)
    principal: Principal | None = None
    refusal: SignInRefused | None = None
    why = ""
    with context.store.session() as session:
        row = session.exec(select(IamUser).where(col(IamUser.name) == typed)).first()
        if row is not None and row.locked_until is not None and row.locked_until > now:
            wait = math.ceil((row.locked_until - now).total_seconds())
            why = f"locked after {row.failed_sign_ins} wrong passwords; try in {wait} s"
            refusal = SignInRefused(
                f"too many wrong passwords: try again in {wait} seconds", code="signin.locked"
            )
            refusal.retry_after = float(wait)
        elif not password_matches(row.password_hash if row else None, password) or (
            row is not None and row.disabled
        ):
            refusal = SignInRefused(REFUSED_WORDS)
            why = "wrong name or password, or disabled"
            if row is not None and not row.disabled:
                row.failed_sign_ins += 1
                delay = lock_delay(row.failed_sign_ins)
                row.locked_until = now + delay if delay else None
                session.add(row)
        else:
            assert row is not None
            row.failed_sign_ins = 0
            row.locked_until = None
            row.last_sign_in_at = now
            session.add(row)
            session.flush()
            principal = principal_of_user(session, row).at(source, address)
    if refusal is not None or principal is None:
        write_audit(context, anonymous, _sign_in_decision(typed, False, why))
        raise refusal or SignInRefused(REFUSED_WORDS)
    write_audit(context, principal, _sign_in_decision(typed, True, "signed in"))
    return principal


@requires(Act.SESSION_CREATE)
def refresh_principal(context: Context, principal: Principal) -> Principal:
    """The same user's principal with the policies as they are now (after an edit), or
    ``SignInRefused`` if the user was disabled meanwhile. The owner stays the owner."""
    if principal.user_id is None:
        return principal
    with context.store.session() as session:
        row = session.get(IamUser, principal.user_id)
        if row is None or row.disabled:
            raise SignInRefused(REFUSED_WORDS)
        return replace(
            principal, name=row.name, policies=policies_of_user(session, principal.user_id)
        )
