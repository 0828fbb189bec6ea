"""API keys: made, listed, revoked and checked.

A key is ``kt_<prefix>_<secret>``: the prefix (8 lower-case hex digits) names the key in
lists and logs; the secret is 256 random bits. Only the SHA-256 of the whole text is
stored. A fast hash is right here: a guess at a 256-bit random secret costs the same
however slow the hash is, and a slow one would cost every request. The stored hash is
found by the prefix and compared in constant time, so neither the lookup nor the
comparison tells a caller how close a guess came.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from kootui.core.access import (
    Act,
    Principal,
    PrincipalKind,
    find_user_row,
    owner_credential_principal,
    parse_policy,
    principal_of_user,
    requires,
)
from kootui.core.context import Context
from kootui.core.errors import InvalidState, KootuiError, NotFound, ValidationError
from kootui.core.store import ApiKey, IamUser, stored_id

KEY_MARK = "kt_"
PREFIX_HEX_DIGITS = 8
SECRET_BYTES = 32  # 256 bits
MAX_NAME_CHARS = 100
MAX_RATE_PER_SECOND = 100_000.0
# What every key's legacy `scopes` column holds; rights come from its owner's policies.
FULL_ACCESS = "*"
_PRESENTED = re.compile(rf"{KEY_MARK}([0-9a-f]{{{PREFIX_HEX_DIGITS}}})_[A-Za-z0-9_-]{{43}}")


class KeyRefused(KootuiError):
    """No key, a malformed or unknown key, or a revoked one: the request is not served."""

    code = "apikey.invalid"
    http_status = 401


@dataclass(frozen=True)
class ApiKeyView:
    id: int
    name: str
    prefix: str
    scopes: tuple[str, ...]
    reveal_recipients: bool
    rate_per_second: float
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    # The user whose policies scope the key ("" for the owner's), and whether the key has
    # a narrowing policy of its own.
    owner: str = ""
    narrowed: bool = False
    # Filled by ``authenticate`` only: who the key acts as, with the policies it holds.
    principal: Principal | None = None

    @property
    def display_prefix(self) -> str:
        return f"{KEY_MARK}{self.prefix}"

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True)
class CreatedKey:
    """A new key with its secret: shown once, then only its hash exists."""

    key: ApiKeyView
    secret: str


def _view(row: ApiKey, owner: str = "", principal: Principal | None = None) -> ApiKeyView:
    return ApiKeyView(
        id=stored_id(row),
        name=row.name,
        prefix=row.prefix,
        scopes=tuple(row.scopes),
        reveal_recipients=row.reveal_recipients,
        rate_per_second=row.rate_per_second,
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


def credential_owner(
    session: Session, context: Context, owner: str | None, narrowing_policy: str | None
) -> tuple[int | None, str | None]:
    """The owner user's id for a new key or login (a signed-in user's own by default; None:
    the owner's) and its narrowing policy, checked (``PolicyInvalid`` with line, column)."""
    if narrowing_policy is not None and narrowing_policy.strip():
        parse_policy(narrowing_policy)
    else:
        narrowing_policy = None
    if owner is None:
        return context.principal.user_id, narrowing_policy
    return stored_id(find_user_row(session, owner)), narrowing_policy


def credential_principal(
    session: Session,
    kind: PrincipalKind,
    credential: str,
    owner_user_id: int | None,
    narrowing_policy: str | None,
) -> Principal | None:
    """Who a credential acts as, or None when its user is disabled (or gone)."""
    if owner_user_id is None:
        return owner_credential_principal(kind, credential, narrowing_policy)
    user = session.get(IamUser, owner_user_id)
    if user is None or user.disabled:
        return None
    return principal_of_user(
        session, user, kind=kind, credential=credential, narrowing_document=narrowing_policy
    )


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def check_key_name(name: str) -> str:
    text = " ".join(name.split())
    if not text:
        raise ValidationError("enter a name for the key", field="name", code="apikey.name_required")
    if len(text) > MAX_NAME_CHARS:
        raise ValidationError(f"the name is longer than {MAX_NAME_CHARS} characters", field="name")
    if not text.isprintable():
        raise ValidationError("the name must not hold control characters", field="name")
    return text


def check_rate(rate_per_second: float) -> float:
    if not 0 <= rate_per_second <= MAX_RATE_PER_SECOND or rate_per_second != rate_per_second:
        raise ValidationError(
            f"the rate must be 0 (the server's default) to {MAX_RATE_PER_SECOND:g} per second",
            field="rate_per_second",
        )
    return float(rate_per_second)


@requires(Act.API_KEY_CREATE)
def create_api_key(
    context: Context,
    name: str,
    *,
    reveal_recipients: bool = False,
    rate_per_second: float = 0.0,
    owner: str | None = None,
    narrowing_policy: str | None = None,
) -> CreatedKey:
    """A new key acting as ``owner`` (a user name; by default the signed-in user, or the
    owner when sign-in is off), limited by that user's policies and, when given, by
    ``narrowing_policy`` too. The returned secret is never stored or shown again."""
    text = check_key_name(name)
    rate = check_rate(rate_per_second)
    with context.store.session() as session:
        owner_user_id, narrowing = credential_owner(session, context, owner, narrowing_policy)
        while True:  # a repeated 32-bit prefix is rare; draw again rather than fail
            prefix = secrets.token_hex(PREFIX_HEX_DIGITS // 2)
            taken = session.exec(select(ApiKey.id).where(ApiKey.prefix == prefix)).first()
            if taken is None:
                break
        secret = f"{KEY_MARK}{prefix}_{secrets.token_urlsafe(SECRET_BYTES)}"
        row = ApiKey(
            name=text,
            prefix=prefix,
            secret_hash=hash_secret(secret),
            scopes=[FULL_ACCESS],
            reveal_recipients=reveal_recipients,
            rate_per_second=rate,
            created_at=context.clock.now(),
            owner_user_id=owner_user_id,
            narrowing_policy=narrowing,
        )
        session.add(row)
        session.flush()
        return CreatedKey(_view(row, _owner_name(session, owner_user_id)), secret)


@requires(Act.API_KEY_READ)
def list_api_keys(context: Context, *, include_revoked: bool = True) -> list[ApiKeyView]:
    with context.store.session() as session:
        query = select(ApiKey).order_by(col(ApiKey.id))
        if not include_revoked:
            query = query.where(col(ApiKey.revoked_at).is_(None))
        return [
            _view(row, _owner_name(session, row.owner_user_id)) for row in session.exec(query).all()
        ]


def _prefix_of(reference: str) -> str:
    text = reference.strip().lower()
    return text[len(KEY_MARK) :] if text.startswith(KEY_MARK) else text


@requires(Act.API_KEY_READ)
def find_api_key(context: Context, reference: str) -> ApiKeyView:
    """The key named by its ID (digits) or its prefix (``kt_1a2b3c4d`` or ``1a2b3c4d``)."""
    text = reference.strip()
    with context.store.session() as session:
        row: ApiKey | None
        if text.isdigit() and len(text) != PREFIX_HEX_DIGITS:
            row = session.get(ApiKey, int(text))
        else:
            row = session.exec(select(ApiKey).where(ApiKey.prefix == _prefix_of(text))).first()
            if row is None and text.isdigit():
                row = session.get(ApiKey, int(text))
        if row is None:
            raise NotFound(
                f"there is no API key {text!r}; `kootui apikey list` lists them",
                field="key",
                code="apikey.not_found",
            )
        return _view(row)


class _Revocations:
    """How many keys this process has revoked: a server that caches checked keys drops its
    cache when the count moves, so a key revoked here is refused at once (other processes
    refuse it once their cache time runs out)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.count = 0

    def add(self) -> None:
        with self._lock:
            self.count += 1


_revocations = _Revocations()


def revocations_in_this_process() -> int:
    return _revocations.count


@requires(Act.API_KEY_DELETE)
def revoke_api_key(context: Context, reference: str) -> ApiKeyView:
    """Revoke a key for good: requests with it are refused from now on (by a server in
    this process at once, by others within ``http.key_cache_seconds``)."""
    found = find_api_key(context, reference)
    if not found.active:
        raise InvalidState(
            f"the key {found.display_prefix} is already revoked", field="key", code="apikey.revoked"
        )
    with context.store.session() as session:
        row = session.get(ApiKey, found.id)
        assert row is not None
        row.revoked_at = context.clock.now()
        session.add(row)
        session.flush()
        revoked = _view(row)
    _revocations.add()  # after the commit, so a cache read again sees the revocation
    return revoked


@requires(Act.SESSION_CREATE)
def authenticate(context: Context, presented: str | None) -> ApiKeyView:
    """The active key whose secret is ``presented``, or KeyRefused saying what is wrong
    (never which part of a wrong secret was right)."""
    if not presented:
        raise KeyRefused("send an API key as 'Authorization: Bearer kt_…'", code="apikey.missing")
    matched = _PRESENTED.fullmatch(presented)
    if matched is None:
        raise KeyRefused("the API key is not valid")
    with context.store.session() as session:
        row = session.exec(select(ApiKey).where(ApiKey.prefix == matched.group(1))).first()
        if row is None or not hmac.compare_digest(row.secret_hash, hash_secret(presented)):
            raise KeyRefused("the API key is not valid")
        if row.revoked_at is not None:
            raise KeyRefused("the API key was revoked", code="apikey.revoked")
        display = f"{KEY_MARK}{row.prefix}"
        principal = credential_principal(
            session, PrincipalKind.API_KEY, display, row.owner_user_id, row.narrowing_policy
        )
        if principal is None:
            raise KeyRefused("the API key's user is disabled", code="apikey.user_disabled")
        return _view(row, principal.name if row.owner_user_id else "", principal)


@requires(Act.ENGINE_RUN)
def record_key_use(context: Context, key_ids: set[int], at: datetime) -> None:
    """Mark keys as used at ``at`` (callers batch this: one write for many requests)."""
    if not key_ids:
        return
    table = ApiKey.__table__
    # In the writers' queue (``Store.writing``): a session would wait for SQLite's lock in
    # the busy handler's sleeps, up to 100 ms each, behind an engine's write.
    with context.store.writing() as connection:
        connection.execute(
            update(table).where(table.c.id.in_(sorted(key_ids))).values(last_used_at=at)
        )


@requires(Act.API_KEY_READ)
def api_key_principal(context: Context, reference: str) -> Principal:
    """Who a key acts as, with the policies it holds now (for the explain)."""
    found = find_api_key(context, reference)
    with context.store.session() as session:
        row = session.get(ApiKey, found.id)
        assert row is not None
        principal = credential_principal(
            session,
            PrincipalKind.API_KEY,
            found.display_prefix,
            row.owner_user_id,
            row.narrowing_policy,
        )
    if principal is None:
        raise InvalidState(
            f"the key {found.display_prefix}'s user is disabled",
            field="key",
            code="apikey.user_disabled",
        )
    return principal
