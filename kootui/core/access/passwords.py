"""Passwords: argon2id (argon2-cffi's defaults, RFC 9106's second choice), never kept or
logged in clear. A sign-in for a name that does not exist still pays one verification, so
the time taken does not tell a guesser which names exist."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from kootui.core.errors import ValidationError

MIN_PASSWORD_CHARS = 12
MAX_PASSWORD_CHARS = 1024


@cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()


def check_new_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_CHARS:
        raise ValidationError(
            f"the password needs at least {MIN_PASSWORD_CHARS} characters",
            field="password",
            code="user.password_short",
        )
    if len(password) > MAX_PASSWORD_CHARS:
        raise ValidationError(
            f"the password is longer than {MAX_PASSWORD_CHARS} characters", field="password"
        )
    return password


def hash_password(password: str) -> str:
    return _hasher().hash(check_new_password(password))


@cache
def _stand_in_hash() -> str:
    return _hasher().hash("a password no user has, to spend the same time")


def password_matches(stored_hash: str | None, password: str) -> bool:
    """Whether ``password`` is the one hashed; ``None`` (no such user) spends the same time."""
    try:
        return _hasher().verify(stored_hash or _stand_in_hash(), password) and bool(stored_hash)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
