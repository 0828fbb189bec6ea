"""DKIM key pairs: generation, the 0600 key files, rotation, and the signing key.

The private half of a key never enters the database, a log line, an exception
message or an export: it is written once to a file of mode 0600 in
``settings.paths.keys_dir`` (a folder of mode 0700) and read back only by
``load_signing_key``. The ``DkimKey`` row keeps the file name and the public key.

Selectors are ``kootui1``, ``kootui2``, ... A rotation adds the next selector
while the current key stays active and keeps signing; when the new selector's
record verifies, ``finish_rotation`` retires the older keys and removes their files.
"""

from __future__ import annotations

import base64
import os
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlmodel import Session, col, select

from kootui.core.access import Act, requires
from kootui.core.config import Settings
from kootui.core.context import Context
from kootui.core.domains.resource import domain_resource
from kootui.core.errors import Conflict, InvalidState, NotFound
from kootui.core.store import DkimKey, SenderDomain

SELECTOR_PREFIX = "kootui"
KEY_BITS = 2048
_SELECTOR_NUMBER = re.compile(rf"^{SELECTOR_PREFIX}(\d+)$")
_KEY_FILE_NAME = re.compile(r"^[A-Za-z0-9._-]+\.pem$")


@dataclass(frozen=True)
class SigningKey:
    """What the signer needs. ``repr`` leaves the private key out so it never reaches a log."""

    domain: str
    selector: str
    private_key_pem: bytes = field(repr=False)


@dataclass(frozen=True)
class NewKey:
    """A freshly generated pair before it is stored; the PEM stays in memory only."""

    private_key_pem: bytes = field(repr=False)
    public_key_b64: str
    bits: int


def generate_key_pair(bits: int = KEY_BITS) -> NewKey:
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    pem = private_key.private_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PrivateFormat.PKCS8,
        encryption_algorithm=serialization.NoEncryption(),
    )
    der = private_key.public_key().public_bytes(
        encoding=serialization.Encoding.DER,
        format=serialization.PublicFormat.SubjectPublicKeyInfo,
    )
    return NewKey(pem, base64.b64encode(der).decode("ascii"), bits)


def next_selector(existing: Iterable[str]) -> str:
    """``kootui1`` for the first key, then one more than the highest number in use."""
    numbers = [int(m.group(1)) for s in existing if (m := _SELECTOR_NUMBER.match(s))]
    return f"{SELECTOR_PREFIX}{max(numbers, default=0) + 1}"


def ensure_keys_dir(settings: Settings) -> Path:
    keys_dir = settings.paths.keys_dir
    keys_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    # mkdir's mode is masked by the umask and ignored for an existing folder.
    os.chmod(keys_dir, 0o700)
    return keys_dir


def write_private_key(settings: Settings, file_name: str, pem: bytes) -> Path:
    """Write the PEM atomically (temp file of mode 0600, fsync, rename) and return its path."""
    keys_dir = ensure_keys_dir(settings)
    final = keys_dir / file_name
    temp = keys_dir / f".{file_name}.{secrets.token_hex(4)}.tmp"
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, final)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return final


def remove_key_files(settings: Settings, file_names: Iterable[str]) -> None:
    """Delete key files that no row needs any more; a file already gone is fine."""
    for name in file_names:
        if _KEY_FILE_NAME.match(name):
            (settings.paths.keys_dir / name).unlink(missing_ok=True)


def add_key(
    session: Session, settings: Settings, domain_id: int, selector: str, now: datetime
) -> tuple[DkimKey, Path]:
    """Generate a pair, write its private file and add the row to ``session``.

    Returns the row and the file path so the caller can remove the file if the
    transaction does not commit.
    """
    pair = generate_key_pair()
    file_name = f"domain{domain_id}-{selector}-{secrets.token_hex(6)}.pem"
    path = write_private_key(settings, file_name, pair.private_key_pem)
    row = DkimKey(
        domain_id=domain_id,
        selector=selector,
        key_file=file_name,
        public_key_b64=pair.public_key_b64,
        bits=pair.bits,
        active=True,
        created_at=now,
    )
    session.add(row)
    return row, path


def active_keys(session: Session, domain_id: int) -> list[DkimKey]:
    """Active keys, oldest first: the first one signs, a second one is a pending rotation."""
    statement = (
        select(DkimKey)
        .where(DkimKey.domain_id == domain_id, col(DkimKey.active).is_(True))
        .order_by(col(DkimKey.id))
    )
    return list(session.exec(statement).all())


@requires(Act.DOMAIN_UPDATE, resource=domain_resource)
def start_rotation(context: Context, domain_id: int) -> str:
    """Add a key with the next selector; the current key keeps signing until it verifies.

    Returns the new selector. Refused while an earlier rotation is still pending.
    """
    now = context.clock.now()
    created: Path | None = None
    try:
        with context.store.session() as session:
            # The lock makes two rotations of one domain take turns (PostgreSQL).
            if session.get(SenderDomain, domain_id, with_for_update=True) is None:
                raise NotFound(f"sender domain {domain_id} does not exist", code="domain.not_found")
            keys = active_keys(session, domain_id)
            if len(keys) > 1:
                raise Conflict(
                    f"selector {keys[-1].selector} is still waiting for its DNS record; "
                    "publish it and verify before rotating again",
                    code="dkim.rotation_pending",
                )
            every = session.exec(select(DkimKey.selector).where(DkimKey.domain_id == domain_id))
            selector = next_selector(every.all())
            _row, created = add_key(session, context.settings, domain_id, selector, now)
    except BaseException:
        if created is not None:
            created.unlink(missing_ok=True)
        raise
    return selector


def finish_rotation(
    session: Session, domain_id: int, verified_selector: str, now: datetime
) -> list[str]:
    """Retire every active key older than the verified one; return the files to delete
    once the transaction has committed."""
    keys = active_keys(session, domain_id)
    newest = next((k for k in keys if k.selector == verified_selector), None)
    if newest is None:
        return []
    retired: list[str] = []
    for key in keys:
        if key.id is not None and newest.id is not None and key.id < newest.id:
            key.active = False
            key.retired_at = now
            session.add(key)
            retired.append(key.key_file)
    return retired


@requires(Act.ENGINE_RUN)
def load_signing_key(context: Context, domain_id: int) -> SigningKey:
    """The DKIM key to sign mail from ``domain_id`` with: ``SigningKey(domain, selector, pem)``.

    ``domain`` is the stored (punycode) domain to put in ``d=``, ``selector`` goes in
    ``s=``, and ``private_key_pem`` holds the PKCS#8 PEM bytes read from the 0600 key
    file. During a rotation the older active key is returned: the new selector
    signs only after its record has verified. Raises NotFound (``dkim.no_key``) when
    the domain has no active key and InvalidState (``dkim.key_file_missing``) when the
    file is gone or unreadable; neither message contains key material.
    """
    with context.store.session() as session:
        domain = session.get(SenderDomain, domain_id)
        if domain is None:
            raise NotFound(f"sender domain {domain_id} does not exist", code="domain.not_found")
        keys = active_keys(session, domain_id)
        if not keys:
            raise NotFound(f"{domain.name} has no active DKIM key", code="dkim.no_key")
        key = keys[0]
        domain_name = domain.name
    if not _KEY_FILE_NAME.match(key.key_file):
        raise InvalidState(
            f"the DKIM key file name of {domain_name} is not valid", code="dkim.key_file_missing"
        )
    path = context.settings.paths.keys_dir / key.key_file
    try:
        pem = path.read_bytes()
    except OSError as exc:
        raise InvalidState(
            f"cannot read the DKIM key file {path} ({exc.strerror}); rotate the key",
            code="dkim.key_file_missing",
        ) from None
    return SigningKey(domain=domain_name, selector=key.selector, private_key_pem=pem)
