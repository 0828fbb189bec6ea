"""API keys: the credentials of the API (and later of SMTP submission), stored as a hash,
listed, revoked, checked in constant time, and rate-limited per key.

This module is the package's face: other packages import from here only."""

from __future__ import annotations

from kootui.core.apikeys.keys import (
    FULL_ACCESS,
    KEY_MARK,
    ApiKeyView,
    CreatedKey,
    KeyRefused,
    authenticate,
    create_api_key,
    find_api_key,
    hash_secret,
    list_api_keys,
    record_key_use,
    revoke_api_key,
)
from kootui.core.apikeys.rate import KeyRateLimiter, RateLimited

__all__ = [
    "FULL_ACCESS",
    "KEY_MARK",
    "ApiKeyView",
    "CreatedKey",
    "KeyRateLimiter",
    "KeyRefused",
    "RateLimited",
    "authenticate",
    "create_api_key",
    "find_api_key",
    "hash_secret",
    "list_api_keys",
    "record_key_use",
    "revoke_api_key",
]
