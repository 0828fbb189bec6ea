"""SMTP credentials: the API keys' design for SMTP AUTH.

A credential is a user name ``kts_<prefix>`` (8 lower-case hex digits) and a password of
256 random bits, shown once; only the SHA-256 of the password is stored, found by the
prefix and compared in constant time (see ``keys``). A separate table from API keys: an
SMTP password must never open the API, nor an API key log in to SMTP.

``LoginThrottle`` slows failed logins per client address: each failure doubles the wait
before the next answer (from ``FIRST_DELAY`` up to ``MAX_DELAY``), and a success or
``FORGET_AFTER`` seconds of quiet clears it.
"""

from __future__ import annotations

import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from kootui.core.access import Act, Principal, PrincipalKind, requires
from kootui.core.apikeys.keys import (
    PREFIX_HEX_DIGITS,
    SECRET_BYTES,
    check_key_name,
    credential_owner,
    credential_principal,
    hash_secret,
)
from kootui.core.context import Context
from kootui.core.errors import InvalidState, KootuiError, NotFound
from kootui.core.store import IamUser, SmtpCredential, stored_id

LOGIN_MARK = "kts_"
FIRST_DELAY = 0.5
MAX_DELAY = 8.0
FORGET_AFTER = 900.0
_LOGIN = re.compile(rf"{LOGIN_MARK}([0-9a-f]{{{PREFIX_HEX_DIGITS}}})")
_PASSWORD = re.compile(r"[A-Za-z0-9_-]{43}")


class LoginRefused(KootuiError):
    """A wrong user name or password, or a revoked credential."""

    code = "smtp.login_refused"
    http_status = 401


@dataclass(frozen=True)
class SmtpCredentialView:
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    owner: str = ""
    narrowed: bool = False
    # Filled by ``authenticate_smtp`` only: who the login acts as.
    principal: Principal | None = None

    @property
    def username(self) -> str:
        return f"{LOGIN_MARK}{self.prefix}"

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True)
class CreatedCredential:
    """A new credential with its password: shown once, then only its hash exists."""

    credential: SmtpCredentialView
    password: str


def _view(
    row: SmtpCredential, owner: str = "", principal: Principal | None = None
) -> SmtpCredentialView:
    return SmtpCredentialView(
        id=stored_id(row),
        name=row.name,
        prefix=row.prefix,
        created_at=row.created_at,
        last_used_at=row.last_used_at,
        revoked_at=row.revoked_at,
        owner=owner,
        narrowed=bool(row.narrowing_policy),
        principal=principal,
    )


def _owner_name(session: Session, owner_user_id: int | None) -> str:
    if owner_user_id is None:
        return ""
    user = session.get(IamUser, owner_user_id)
    return user.name if user is not None else f"#{owner_user_id}"


@requires(Act.SMTP_CREDENTIAL_CREATE)
def create_smtp_credential(
    context: Context, name: str, *, owner: str | None = None, narrowing_policy: str | None = None
) -> CreatedCredential:
    """A new login acting as ``owner`` (as for API keys: the signed-in user by default),
    limited by that user's policies and ``narrowing_policy`` when given."""
    text = check_key_name(name)
    with context.store.session() as session:
        owner_user_id, narrowing = credential_owner(session, context, owner, narrowing_policy)
        while True:  # a repeated 32-bit prefix is rare; draw again rather than fail
            prefix = secrets.token_hex(PREFIX_HEX_DIGITS // 2)
            taken = session.exec(
                select(SmtpCredential.id).where(SmtpCredential.prefix == prefix)
            ).first()
            if taken is None:
                break
        password = secrets.token_urlsafe(SECRET_BYTES)
        row = SmtpCredential(
            name=text,
            prefix=prefix,
            secret_hash=hash_secret(password),
            created_at=context.clock.now(),
            owner_user_id=owner_user_id,
            narrowing_policy=narrowing,
        )
        session.add(row)
        session.flush()
        return CreatedCredential(_view(row, _owner_name(session, owner_user_id)), password)


@requires(Act.SMTP_CREDENTIAL_READ)
def list_smtp_credentials(
    context: Context, *, include_revoked: bool = True
) -> list[SmtpCredentialView]:
    with context.store.session() as session:
        query = select(SmtpCredential).order_by(col(SmtpCredential.id))
        if not include_revoked:
            query = query.where(col(SmtpCredential.revoked_at).is_(None))
        return [
            _view(row, _owner_name(session, row.owner_user_id)) for row in session.exec(query).all()
        ]


@requires(Act.SMTP_CREDENTIAL_READ)
def find_smtp_credential(context: Context, reference: str) -> SmtpCredentialView:
    """The credential named by its ID (digits) or user name (``kts_1a2b3c4d`` or the hex)."""
    text = reference.strip().lower()
    prefix = text[len(LOGIN_MARK) :] if text.startswith(LOGIN_MARK) else text
    with context.store.session() as session:
        row = session.exec(select(SmtpCredential).where(SmtpCredential.prefix == prefix)).first()
        if row is None and text.isdigit():
            row = session.get(SmtpCredential, int(text))
        if row is None:
            raise NotFound(
                f"there is no SMTP credential {reference.strip()!r}; "
                "`kootui smtp-credential list` lists them",
                field="credential",
                code="smtp_credential.not_found",
            )
        return _view(row)


@requires(Act.SMTP_CREDENTIAL_DELETE)
def revoke_smtp_credential(context: Context, reference: str) -> SmtpCredentialView:
    """Revoke for good: logins with it are refused from now on (sessions already logged in
    finish their messages)."""
    found = find_smtp_credential(context, reference)
    if not found.active:
        raise InvalidState(
            f"the SMTP credential {found.username} is already revoked",
            field="credential",
            code="smtp_credential.revoked",
        )
    with context.store.session() as session:
        row = session.get(SmtpCredential, found.id)
        assert row is not None
        row.revoked_at = context.clock.now()
        session.add(row)
        session.flush()
        return _view(row)


@requires(Act.SESSION_CREATE)
def authenticate_smtp(context: Context, username: str, password: str) -> SmtpCredentialView:
    """The active credential for this login, or LoginRefused (the same words for a wrong
    name, a wrong password and a revoked credential: a guesser learns nothing)."""
    refused = LoginRefused("the user name or password is wrong")
    login = _LOGIN.fullmatch(username.strip().lower())
    if login is None or _PASSWORD.fullmatch(password) is None:
        raise refused
    table = SmtpCredential.__table__
    with context.store.session() as session:
        row = session.exec(
            select(SmtpCredential).where(SmtpCredential.prefix == login.group(1))
        ).first()
        if row is None or not hmac.compare_digest(row.secret_hash, hash_secret(password)):
            raise refused
        if row.revoked_at is not None:
            raise refused
        principal = credential_principal(
            session,
            PrincipalKind.SMTP_CREDENTIAL,
            f"{LOGIN_MARK}{row.prefix}",
            row.owner_user_id,
            row.narrowing_policy,
        )
        if principal is None:  # the user is disabled: the same words as a wrong password
            raise refused
        session.connection().execute(
            update(table).where(table.c.id == row.id).values(last_used_at=context.clock.now())
        )
        return _view(row, principal.name if row.owner_user_id else "", principal)


@dataclass
class _Failures:
    count: int
    last: float


class LoginThrottle:
    """How long to wait before answering a client address's login: 0 until it fails.

    Readings of a monotonic clock are passed in, so tests drive the time."""

    def __init__(self, *, limit: int = 10_000) -> None:
        self._failures: dict[str, _Failures] = {}
        self._limit = limit

    def delay(self, client: str, now: float) -> float:
        found = self._failures.get(client)
        if found is None or now - found.last > FORGET_AFTER:
            return 0.0
        return min(MAX_DELAY, FIRST_DELAY * 2.0 ** (found.count - 1))

    def failed(self, client: str, now: float) -> None:
        found = self._failures.get(client)
        if found is None or now - found.last > FORGET_AFTER:
            if len(self._failures) >= self._limit:
                self._forget_old(now)
            self._failures[client] = _Failures(1, now)
        else:
            found.count += 1
            found.last = now

    def succeeded(self, client: str) -> None:
        self._failures.pop(client, None)

    def _forget_old(self, now: float) -> None:
        for client in [c for c, f in self._failures.items() if now - f.last > FORGET_AFTER]:
            del self._failures[client]
        if len(self._failures) >= self._limit:  # a flood of addresses: start again
            self._failures.clear()


@requires(Act.SMTP_CREDENTIAL_READ)
def smtp_credential_principal(context: Context, reference: str) -> Principal:
    """Who an SMTP login acts as, with the policies it holds now (for the explain)."""
    found = find_smtp_credential(context, reference)
    with context.store.session() as session:
        row = session.get(SmtpCredential, found.id)
        assert row is not None
        principal = credential_principal(
            session,
            PrincipalKind.SMTP_CREDENTIAL,
            found.username,
            row.owner_user_id,
            row.narrowing_policy,
        )
    if principal is None:
        raise InvalidState(
            f"the login {found.username}'s user is disabled",
            field="login",
            code="smtp.user_disabled",
        )
    return principal
