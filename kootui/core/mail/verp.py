"""VERP return paths: each message's envelope sender names the message, so what comes back
(a bounce, a complaint) says which message it is about.

The return path is ``b-<row id>-<mac>@<bounce label>.<sender domain>``: the bounce host is
a label of the sender's own domain, so the envelope domain aligns with From under DMARC's
relaxed alignment (same organisational domain). ``mac`` is HMAC-SHA256 over the row id,
keyed with a deployment secret, cut to 130 bits and written in lower-case base32: mail
servers are allowed to fold a local part's case, and base32 survives that.

Why a deployment secret and not the message's unsubscribe token: that token exists only
for messages that offer unsubscribing or are tracked, and giving every message one would put
a random value into its index for every insert. The secret is 32 random bytes in
``<keys>/bounce-secret`` (mode 0600), made by the first process that needs it; the engines
and the MX listener of a deployment share the keys folder, as they do for DKIM keys.

VERP is on only when ``sending.mx_host`` is set: without an MX host the bounce host has no
MX, and bounces to it would be lost instead of reaching the From mailbox as before.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import threading
from pathlib import Path

from kootui.core.config import Settings
from kootui.core.errors import SettingsError
from kootui.core.private_files import read_or_create_secret

VERP_PREFIX = "b-"
SECRET_FILE = "bounce-secret"
_SECRET_BYTES = 32
_MAC_CHARS = 26  # base32 characters: 130 bits
_VERP_LOCAL = re.compile(r"b-([1-9][0-9]{0,18})-([a-z2-7]{26})")
_secrets: dict[Path, bytes] = {}
_secrets_lock = threading.Lock()


def verp_enabled(settings: Settings) -> bool:
    """Whether messages carry a VERP return path (an MX host receives for bounce hosts)."""
    return bool(settings.sending.mx_host)


def bounce_host(settings: Settings, domain: str) -> str:
    """The host bounces of ``domain`` (ASCII form) come back to: ``bounce.<domain>``."""
    return f"{settings.sending.bounce_label}.{domain.lower()}"


_SHARE = (
    "copy it from the host whose engines send (every sending engine and MX of a "
    "deployment share one bounce secret, as they share the DKIM keys)"
)


def _unusable_secret(path: Path, problem: str, *, field: str, code: str) -> SettingsError:
    return SettingsError(
        f"the bounce secret {path} {problem}; fix its owner and mode (0600, the user kootui "
        f"runs as), or {_SHARE}",
        field=field,
        code=code,
    )


def bounce_secret(
    settings: Settings,
    *,
    field: str = "sending.mx_host",
    code: str = "sending.bounce_secret_unreadable",
) -> bytes:
    """The deployment's VERP key, read once per process (created when missing). A secret
    that cannot be read or is too short is a ``SettingsError`` naming ``field`` (the engine
    sends with it because ``sending.mx_host`` is set; the MX passes its own)."""
    path = settings.paths.keys_dir / SECRET_FILE
    with _secrets_lock:
        known = _secrets.get(path)
        if known is None:
            try:
                known = read_or_create_secret(path, _SECRET_BYTES)
            except OSError as exc:
                problem = f"cannot be read: {exc.strerror or exc}"
                raise _unusable_secret(path, problem, field=field, code=code) from None
            if len(known) < _SECRET_BYTES:
                problem = f"is shorter than {_SECRET_BYTES} bytes ({len(known)})"
                raise _unusable_secret(path, problem, field=field, code=code)
            _secrets[path] = known
        return known


def check_bounce_secret(settings: Settings, *, create: bool) -> None:
    """At the start of a process that receives bounces (the MX): the secret must be there
    and usable now, not at the first bounce. ``create`` makes a missing one (a deployment
    whose engines run beside this MX, on the same keys folder); without it a missing secret
    is an error: an MX that made its own would refuse every bounce of engines elsewhere."""
    path = settings.paths.keys_dir / SECRET_FILE
    if not create and not path.exists():
        raise SettingsError(
            f"the bounce MX needs {path} and it is missing: {_SHARE}",
            field="mx.listen",
            code="mx.bounce_secret_missing",
        )
    bounce_secret(settings, field="mx.listen", code="mx.bounce_secret_unreadable")


def _mac(secret: bytes, row_id: int) -> str:
    digest = hmac.new(secret, f"kootui verp v1 {row_id}".encode("ascii"), hashlib.sha256).digest()
    return base64.b32encode(digest).decode("ascii").lower()[:_MAC_CHARS]


def verp_local_part(secret: bytes, row_id: int) -> str:
    return f"{VERP_PREFIX}{row_id}-{_mac(secret, row_id)}"


def verp_address(settings: Settings, domain: str, row_id: int) -> str:
    """The envelope sender of message ``row_id`` sent from ``domain`` (ASCII form)."""
    local = verp_local_part(bounce_secret(settings), row_id)
    return f"{local}@{bounce_host(settings, domain)}"


def verp_message_id(settings: Settings, address: str) -> int | None:
    """The message row id a VERP address names when its mac is right, else None. The host
    part is not checked here: the MX only receives for bounce hosts anyway."""
    local, at, _host = address.strip().strip("<>").rpartition("@")
    match = _VERP_LOCAL.fullmatch(local.lower()) if at else None
    if match is None:
        return None
    row_id = int(match.group(1))
    if not hmac.compare_digest(match.group(2), _mac(bounce_secret(settings), row_id)):
        return None
    return row_id
