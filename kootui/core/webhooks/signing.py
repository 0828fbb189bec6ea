"""Endpoint secrets and the Standard Webhooks signature.

An endpoint's secret is never stored: it is HMAC-SHA256 of the endpoint's random
``secret_salt`` under the deployment key in ``<keys>/webhook-key`` (32 random bytes, mode
0600, made by the first process that needs it; engines share the keys folder as for DKIM
and the bounce secret). The store alone cannot sign; the key alone names no endpoint.
The secret is shown once, as ``whsec_<base64>``, when the endpoint is made or its secret
rotated (a new salt).

Signature (https://www.standardwebhooks.com): ``webhook-signature: v1,<base64 of
HMAC-SHA256(secret bytes, "<webhook-id>.<webhook-timestamp>.<body>")>``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
from pathlib import Path

from kootui.core.config import Settings
from kootui.core.private_files import read_or_create_secret

KEY_FILE = "webhook-key"
SECRET_PREFIX = "whsec_"
_KEY_BYTES = 32
_keys: dict[Path, bytes] = {}
_keys_lock = threading.Lock()


def deployment_key(settings: Settings) -> bytes:
    """The key every endpoint secret is derived from, read once per process."""
    path = settings.paths.keys_dir / KEY_FILE
    with _keys_lock:
        known = _keys.get(path)
        if known is None:
            known = read_or_create_secret(path, _KEY_BYTES)
            if len(known) < _KEY_BYTES:
                raise ValueError(f"{path} is shorter than {_KEY_BYTES} bytes; delete it")
            _keys[path] = known
        return known


def secret_bytes(settings: Settings, salt: str) -> bytes:
    message = f"kootui webhook secret v1 {salt}".encode("ascii")
    return hmac.new(deployment_key(settings), message, hashlib.sha256).digest()


def secret_text(secret: bytes) -> str:
    """The secret as the receiver configures it."""
    return SECRET_PREFIX + base64.b64encode(secret).decode("ascii")


def signature(secret: bytes, webhook_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def signed_headers(secret: bytes, webhook_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(secret, webhook_id, timestamp, body),
        "content-type": "application/json",
    }
