"""DKIM keys: file and folder modes, never in the database, rotation, the signing key."""

from __future__ import annotations

import base64
import stat

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlmodel import select

from kootui.core.context import Context
from kootui.core.dns import public_key_bits
from kootui.core.domains import (
    create_domain,
    domain_records,
    finish_rotation,
    load_signing_key,
    next_selector,
    rename_domain,
    start_rotation,
)
from kootui.core.errors import Conflict, InvalidState, NotFound
from kootui.core.store import DkimKey


def _mode(path: object) -> int:
    return stat.S_IMODE(path.stat().st_mode)  # type: ignore[attr-defined]


def test_key_file_is_0600_in_a_0700_folder(context: Context) -> None:
    create_domain(context, "example.com")
    keys_dir = context.settings.paths.keys_dir
    files = list(keys_dir.iterdir())
    assert len(files) == 1  # no temp file left behind
    assert _mode(keys_dir) == 0o700
    assert _mode(files[0]) == 0o600
    assert files[0].read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")


def test_private_key_never_reaches_the_database(context: Context) -> None:
    domain = create_domain(context, "example.com")
    signing = load_signing_key(context, domain.id)
    private = serialization.load_pem_private_key(signing.private_key_pem, password=None)
    assert isinstance(private, rsa.RSAPrivateKey)
    assert private.key_size == 2048
    der = private.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    body = b"".join(signing.private_key_pem.splitlines()[1:-1])
    context.store.close()  # flush the WAL into the database file
    database = context.settings.paths.database_file
    stored = database.read_bytes()
    wal = database.with_name(database.name + "-wal")
    if wal.exists():
        stored += wal.read_bytes()
    for secret in (signing.private_key_pem, body, body[:64], der[:64], base64.b64encode(der)[:64]):
        assert secret not in stored
    assert "PRIVATE" not in repr(signing)
    assert signing.private_key_pem.decode()[40:80] not in repr(signing)


def test_public_key_in_the_record_matches_the_private_key_file(context: Context) -> None:
    domain = create_domain(context, "example.com")
    signing = load_signing_key(context, domain.id)
    private = serialization.load_pem_private_key(signing.private_key_pem, password=None)
    public_der = private.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    dkim = domain_records(context, domain.id)[0]
    assert dkim.expected == "v=DKIM1; k=rsa; p=" + base64.b64encode(public_der).decode()
    assert public_key_bits(base64.b64encode(public_der).decode()) == 2048
    assert (signing.domain, signing.selector) == ("example.com", "kootui1")


def test_selectors_count_up() -> None:
    assert next_selector([]) == "kootui1"
    assert next_selector(["kootui1"]) == "kootui2"
    assert next_selector(["kootui2", "kootui10", "other"]) == "kootui11"


def test_rotation_keeps_the_old_key_signing_until_the_new_one_verifies(context: Context) -> None:
    domain = create_domain(context, "example.com")
    assert start_rotation(context, domain.id) == "kootui2"
    assert load_signing_key(context, domain.id).selector == "kootui1"
    records = domain_records(context, domain.id)
    assert [(r.label, r.name, r.required) for r in records[:2]] == [
        ("DKIM", "kootui1._domainkey.example.com", True),
        ("DKIM (next key)", "kootui2._domainkey.example.com", False),
    ]
    with pytest.raises(Conflict) as caught:
        start_rotation(context, domain.id)
    assert caught.value.code == "dkim.rotation_pending"
    keys_dir = context.settings.paths.keys_dir
    assert len(list(keys_dir.glob("*.pem"))) == 2
    with context.store.session() as session:
        retired = finish_rotation(session, domain.id, "kootui2", context.clock.now())
    assert len(retired) == 1
    assert load_signing_key(context, domain.id).selector == "kootui2"
    with context.store.session() as session:
        old = session.exec(select(DkimKey).where(DkimKey.selector == "kootui1")).one()
        assert old.active is False
        assert old.retired_at == context.clock.now()


def test_rename_replaces_the_key_file(context: Context) -> None:
    domain = create_domain(context, "old.example")
    before = {p.name for p in context.settings.paths.keys_dir.glob("*.pem")}
    rename_domain(context, domain.id, "new.example")
    after = {p.name for p in context.settings.paths.keys_dir.glob("*.pem")}
    assert len(after) == 1
    assert before.isdisjoint(after)
    assert load_signing_key(context, domain.id).domain == "new.example"


def test_a_missing_key_file_is_a_clear_error_without_key_material(context: Context) -> None:
    domain = create_domain(context, "example.com")
    for path in context.settings.paths.keys_dir.glob("*.pem"):
        path.unlink()
    with pytest.raises(InvalidState) as caught:
        load_signing_key(context, domain.id)
    assert caught.value.code == "dkim.key_file_missing"
    with pytest.raises(NotFound):
        load_signing_key(context, 404)
