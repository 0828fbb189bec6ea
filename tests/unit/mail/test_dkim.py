"""Our signer is byte-identical to dkimpy's and dkimpy verifies it."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import dkim
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from kootui.core.errors import ValidationError
from kootui.core.mail import DkimSigner, compose_message, format_mailbox, prepare_attachment

STAMP = 1_795_000_000


@pytest.fixture(scope="module")
def key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _dns(key: rsa.RSAPrivateKey):  # type: ignore[no-untyped-def]
    der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )

    def lookup(name: bytes, timeout: int = 5) -> bytes:
        assert name == b"kootui1._domainkey.example.com."
        return b"v=DKIM1; k=rsa; p=" + base64.b64encode(der)

    return lookup


def _message(unsubscribe: bool = True) -> bytes:
    extra = (
        [
            ("List-Unsubscribe", "<https://t.example.com/u/abcdefghijklmnop>"),
            ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
        ]
        if unsubscribe
        else []
    )
    return compose_message(
        from_header=format_mailbox("Zoë", "news@example.com"),
        to="ann@example.org",
        subject="Grüße   with   spaces\tand tabs",
        text="Hello  \n\n.leading dot\n\n\n",
        html="<p>Hello</p>",
        message_id="<id1@example.com>",
        date=datetime(2026, 11, 23, 15, 30, tzinfo=UTC),
        attachments=[prepare_attachment("résumé.pdf", "application/pdf", b"%PDF" * 300)],
        extra_headers=extra,
    )


@pytest.mark.parametrize("unsubscribe", [True, False])
def test_signature_is_byte_identical_to_dkimpy(
    key: rsa.RSAPrivateKey, monkeypatch: pytest.MonkeyPatch, unsubscribe: bool
) -> None:
    message = _message(unsubscribe)
    ours = DkimSigner("example.com", "kootui1", _pem(key)).signature_header(
        message, timestamp=STAMP
    )
    monkeypatch.setattr(dkim.time, "time", lambda: STAMP + 0.25)
    signed = [b"from", b"to", b"subject", b"date", b"message-id", b"mime-version", b"content-type"]
    if unsubscribe:
        signed += [b"list-unsubscribe", b"list-unsubscribe-post"]
    theirs = dkim.sign(
        message,
        b"kootui1",
        b"example.com",
        _pem(key),
        canonicalize=(b"relaxed", b"relaxed"),
        include_headers=[*signed, b"from"],
    )
    assert ours == theirs
    assert b" l=" not in ours and b";l=" not in ours
    assert b"c=relaxed/relaxed" in ours and b"a=rsa-sha256" in ours


def test_dkimpy_verifies_and_detects_tampering(key: rsa.RSAPrivateKey) -> None:
    signed = DkimSigner("example.com", "kootui1", _pem(key)).sign(_message())
    assert dkim.verify(signed, dnsfunc=_dns(key))
    assert not dkim.verify(signed.replace(b"Hello", b"Hallo", 1), dnsfunc=_dns(key))
    assert not dkim.verify(
        signed.replace(b"List-Unsubscribe: <https://t", b"List-Unsubscribe: <https://x"),
        dnsfunc=_dns(key),
    )


def test_the_signer_never_shows_its_key(key: rsa.RSAPrivateKey) -> None:
    pem = _pem(key)
    signer = DkimSigner("example.com", "kootui1", pem)
    assert "PRIVATE" not in repr(signer)
    assert pem.decode()[40:80] not in repr(signer)


def test_bad_keys_are_refused_with_a_typed_error() -> None:
    with pytest.raises(ValidationError) as caught:
        DkimSigner("example.com", "kootui1", b"not a key")
    assert caught.value.code == "dkim.bad_key"
    ec_pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    with pytest.raises(ValidationError):
        DkimSigner("example.com", "kootui1", ec_pem)


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"\r\n",
        b"\r\n\r\n\r\n",
        b"one line without an end",
        b"a  b\t\tc \t \r\n",
        b"trailing  \r\n  \r\n\t\r\nlast\r\n\r\n\r\n",
        b" leading space\r\nsingle spaces stay\r\n",
        b"bare\nline feeds\r\nand a bare\rcarriage return\n",
        b"runs" + b" " * 37 + b"of\t \t\t  spaces" + b"\t" * 9 + b"\r\n" + b" " * 1000 + b"\r\n",
        b"<td>\r\n" + b"        <p>indented  html</p>    \r\n" * 50,
    ],
)
def test_fast_relaxed_body_equals_dkimpy(body: bytes) -> None:
    from dkim.canonicalization import Relaxed

    from kootui.core.mail import relaxed_body

    assert relaxed_body(body) == Relaxed.canonicalize_body(body)


def test_fast_header_split_equals_dkimpy() -> None:
    from kootui.core.mail import split_message

    message = _message()
    assert split_message(message) == tuple(dkim.rfc822_parse(message))
    odd = b"From: a@b\nSubject: x\r\n\r\nbody\n"
    assert split_message(odd) == tuple(dkim.rfc822_parse(odd))


@pytest.mark.parametrize(
    "headers",
    [
        [[b"From", b" Ann <a@example.com>\r\n"]],
        [[b"Subject ", b" folded\r\n  onto\r\n\ttwo lines \r\n"]],
        [[b"To", b"\ta@b.example,\t\t b@c.example  \r\n"]],
        [[b"X-Odd", b" bare\nfeed and \r\r\nreturn\r\n"]],
        [[b"X-Empty", b"\r\n"], [b"DKIM-Signature", b" v=1; b=\r\n\t abc\r\n"]],
        [[b"MIME-Version", b" 1.0\r\n"], [b"Content-Type", b" text/plain;  charset=utf-8\r\n"]],
    ],
)
def test_fast_relaxed_headers_equal_dkimpy(headers: list[list[bytes]]) -> None:
    from dkim.canonicalization import Relaxed

    from kootui.core.mail import relaxed_headers

    assert relaxed_headers(headers) == Relaxed.canonicalize_headers(headers)


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("Thanks, ", None),
        ("Thanks,\t", None),
        ("no newline at the end", None),
        ("line \nlast line  \n", None),
        ("Thanks, ", "<p>Thanks, </p> "),
    ],
)
def test_the_signature_holds_on_the_bytes_a_relay_delivers(
    key: rsa.RSAPrivateKey, text: str, html: str | None
) -> None:
    # SMTP dot-stuffs the body and ends it in CRLF before the final "."; what the
    # receiver verifies is that, with the stuffing undone.
    from kootui.core.dispatch.transports.relay import _stuffed

    data = compose_message(
        from_header=format_mailbox("News", "news@example.com"),
        to="ann@example.org",
        subject="Hello",
        text=text,
        html=html,
        message_id="<t@example.com>",
        date=datetime(2026, 11, 23, tzinfo=UTC),
    )
    signed = DkimSigner("example.com", "kootui1", _pem(key)).sign(data, crlf_clean=True)
    wire = _stuffed(signed)
    received = wire[: -len(b".\r\n")].replace(b"\r\n..", b"\r\n.")
    assert dkim.verify(received, dnsfunc=_dns(key))


@pytest.mark.parametrize(
    ("subject", "alias"),
    [
        ("x" * 4001, "A" * 64),
        ("Esc\x1b[31m Nul\x00 VT\x0b FF\x0c BS\x08 DEL\x7f", "Bad\x1bAlias"),
        ("=?utf-8?b?SGk=?= " + "Grüße 你好 " * 40, "=?utf-8?b?SGk=?= 你好" * 4),
    ],
)
def test_dkimpy_verifies_messages_with_hostile_headers(
    key: rsa.RSAPrivateKey, subject: str, alias: str
) -> None:
    message = compose_message(
        from_header=format_mailbox(alias, "news@example.com"),
        to="ann@example.org",
        subject=subject,
        text="Hello\n",
        html=None,
        message_id="<id2@example.com>",
        date=datetime(2026, 11, 23, 15, 30, tzinfo=UTC),
        attachments=[prepare_attachment("n\x1bame " * 30 + ".pdf", "application/pdf", b"%PDF")],
    )
    signed = DkimSigner("example.com", "kootui1", _pem(key)).sign(message, timestamp=STAMP)
    assert dkim.verify(signed, dnsfunc=_dns(key))
    assert max(len(line) for line in signed.split(b"\r\n")) <= 998
