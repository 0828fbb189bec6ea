"""API keys and SMTP credentials (a table of their own): stored as a hash, listed,
revoked, checked in constant time; keys rate-limited per key, failed SMTP logins slowed
per client address.

This module is the package's face: other packages import from here only."""

from __future__ import annotations

from kootui.core.apikeys.keys import (
    FULL_ACCESS,
    KEY_MARK,
    MAX_RATE_PER_SECOND,
    ApiKeyView,
    CreatedKey,
    KeyRefused,
    api_key_principal,
    authenticate,
    create_api_key,
    find_api_key,
    hash_secret,
    list_api_keys,
    record_key_use,
    revoke_api_key,
)
from kootui.core.apikeys.rate import KeyRateLimiter, RateLimited
from kootui.core.apikeys.smtp_credentials import (
    LOGIN_MARK,
    CreatedCredential,
    LoginRefused,
    LoginThrottle,
    SmtpCredentialView,
    authenticate_smtp,
    create_smtp_credential,
    find_smtp_credential,
    list_smtp_credentials,
    revoke_smtp_credential,
    smtp_credential_principal,
)

__all__ = [
    "FULL_ACCESS",
    "KEY_MARK",
    "LOGIN_MARK",
    "MAX_RATE_PER_SECOND",
    "ApiKeyView",
    "CreatedCredential",
    "CreatedKey",
    "KeyRateLimiter",
    "KeyRefused",
    "LoginRefused",
    "LoginThrottle",
    "RateLimited",
    "SmtpCredentialView",
    "api_key_principal",
    "authenticate",
    "authenticate_smtp",
    "create_api_key",
    "create_smtp_credential",
    "find_api_key",
    "find_smtp_credential",
    "hash_secret",
    "list_api_keys",
    "list_smtp_credentials",
    "record_key_use",
    "revoke_api_key",
    "revoke_smtp_credential",
    "smtp_credential_principal",
]
