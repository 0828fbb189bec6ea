"""Contracts with other libraries' internals: what kootui uses that they never promised.

``kootui/core/mail/dkim.py`` builds signatures with dkimpy's private ``RE_BTAG``,
``fold``, ``hash_headers`` (and ``rfc822_parse``, ``Relaxed``);
``kootui/core/dispatch/transports`` takes over aiosmtplib's transport
(``SMTP.transport``) and, on a session without pipelining, writes the body through
``SMTP.protocol`` and awaits ``SMTPProtocol.read_response``. pyproject.toml bounds
both libraries to the minor version these tests passed on; when a new version is
allowed, these tests say which internal moved, in which version.
"""

from __future__ import annotations

import asyncio
import hashlib
import inspect
import re
import tomllib
from importlib.metadata import version
from pathlib import Path

import aiosmtplib
import dkim
import pytest
from aiosmtplib.errors import SMTPReadTimeoutError, SMTPResponseException, SMTPServerDisconnected
from aiosmtplib.protocol import SMTPProtocol
from dkim.canonicalization import Relaxed

from kootui.core.dispatch.transports import PipelinedWire
from tests.support.smtp_server import RecordingHandler, RecordingServer
from tests.support.tls_certs import make_tls_contexts

PYPROJECT = Path(__file__).resolve().parents[3] / "pyproject.toml"
# The minor versions whose internals these tests checked, and the pin they need.
TESTED = {"dkimpy": ((1, 1), "<1.2"), "aiosmtplib": ((5, 1), "<5.2")}


def _where(library: str, internal: str) -> str:
    return f"{library} {version(library)}: {internal}"


def _parameters(function: object) -> list[str]:
    return list(inspect.signature(function).parameters)  # type: ignore[arg-type]


@pytest.mark.parametrize("library", sorted(TESTED))
def test_the_installed_version_is_the_tested_minor_and_pyproject_pins_it(library):
    tested, upper = TESTED[library]
    installed = version(library)
    assert tuple(int(part) for part in installed.split(".")[:2]) == tested, (
        f"{library} {installed} is installed, but the internals kootui uses were checked on "
        f"{tested[0]}.{tested[1]}.x: run tests/unit/contracts and fix what moved, "
        "then move the bound in pyproject.toml and TESTED here"
    )
    dependencies = tomllib.loads(PYPROJECT.read_text())["project"]["dependencies"]
    pinned = [spec for spec in dependencies if re.match(rf"{library}\b", spec)]
    assert len(pinned) == 1 and upper in pinned[0], (
        f"pyproject.toml must bound {library} below the next minor ({upper}): found {pinned}"
    )


# -- dkimpy --------------------------------------------------------------------------


def test_dkimpy_re_btag_empties_the_b_tag_of_a_folded_signature():
    where = _where("dkimpy", "dkim.RE_BTAG")
    assert isinstance(getattr(dkim, "RE_BTAG", None), re.Pattern), f"{where} is gone"
    folded = b" v=1; a=rsa-sha256; bh=47DEQpj8=;\r\n b=AbC+/1=\r\n\tdEf=\r\n"
    assert dkim.RE_BTAG.sub(b"\\1", folded) == b" v=1; a=rsa-sha256; bh=47DEQpj8=;\r\n b=", (
        f"{where} no longer removes a folded b= value (and its final CRLF)"
    )
    # bh= is another tag, not b=: it stays whole.
    assert dkim.RE_BTAG.sub(b"\\1", b"v=1; bh=xyz; b=abc") == b"v=1; bh=xyz; b=", where


def test_dkimpy_fold_cuts_at_column_72_counting_the_name():
    where = _where("dkimpy", "dkim.fold(header, namelen=0, linesep=b'\\r\\n')")
    assert _parameters(dkim.fold)[:2] == ["header", "namelen"], f"{where}: signature changed"
    text = b"; ".join(b"t%d=" % index + b"x" * 20 for index in range(8))
    folded = dkim.fold(text, namelen=len(b"DKIM-Signature"))
    lines = folded.split(b"\r\n")
    assert len(lines) > 1 and all(line[:1] == b" " for line in lines[1:]), where
    # The first line shares column 72 with "DKIM-Signature: ".
    assert len(b"DKIM-Signature: ") + len(lines[0]) <= 72, f"{where}: first line too long"
    assert all(len(line) <= 72 for line in lines), f"{where}: a line passes column 72"
    assert folded.replace(b"\r\n ", b" ").replace(b"\r\n", b"") == text, (
        f"{where}: unfolding no longer gives the text back"
    )
    assert dkim.fold(b"short") == b"short", where


def test_dkimpy_hash_headers_feeds_the_selected_headers_then_the_blank_b_signature():
    where = _where(
        "dkimpy",
        "dkim.hash_headers(hasher, canonicalize_headers, headers, include_headers, sigheader, sig)",
    )
    assert _parameters(dkim.hash_headers) == [
        "hasher",
        "canonicalize_headers",
        "headers",
        "include_headers",
        "sigheader",
        "sig",
    ], f"{where}: signature changed"
    headers = [(b"from", b"Ann <ann@example.com>\r\n"), (b"to", b"bob@example.com\r\n")]
    fed: list[bytes] = []

    class Recorder:
        def update(self, data: bytes) -> None:
            fed.append(data)

    # From twice (oversigned): a missing second instance is skipped, not an error.
    dkim.hash_headers(
        Recorder(),
        Relaxed,
        headers,
        [b"from", b"to", b"from"],
        (b"DKIM-Signature", b" v=1; d=example.com;\r\n b=AbCd\r\n"),
        {},
    )
    assert b"".join(fed) == (
        b"from:Ann <ann@example.com>\r\nto:bob@example.com\r\ndkim-signature:v=1; d=example.com; b="
    ), f"{where}: the bytes it hashes changed"
    hasher = hashlib.sha256()
    dkim.hash_headers(hasher, Relaxed, headers, [b"to"], (b"DKIM-Signature", b" b=1"), {})
    assert (
        hasher.hexdigest() == hashlib.sha256(b"to:bob@example.com\r\ndkim-signature:b=").hexdigest()
    )


def test_dkimpy_rfc822_parse_and_relaxed_keep_their_shapes():
    where = _where("dkimpy", "dkim.rfc822_parse / dkim.canonicalization.Relaxed")
    headers, body = dkim.rfc822_parse(b"From: a@b\r\nSubject: x\r\n y\r\n\r\nHi  there \r\n\r\n")
    assert [list(pair) for pair in headers] == [
        [b"From", b" a@b\r\n"],
        [b"Subject", b" x\r\n y\r\n"],
    ], f"{where}: headers"
    assert body == b"Hi  there \r\n\r\n", f"{where}: body"
    assert Relaxed.canonicalize_body(body) == b"Hi there\r\n", f"{where}: canonicalize_body"
    assert Relaxed.canonicalize_headers([[b"Subject ", b" x\r\n\t y  \r\n"]]) == [
        (b"subject", b"x y\r\n")
    ], f"{where}: canonicalize_headers"


# -- aiosmtplib ----------------------------------------------------------------------


def test_aiosmtplib_protocol_methods_keep_the_signatures_used():
    where = _where("aiosmtplib", "SMTPProtocol.read_response(timeout) / write(data)")
    assert inspect.iscoroutinefunction(SMTPProtocol.read_response), where
    assert _parameters(SMTPProtocol.read_response) == ["self", "timeout"], where
    assert _parameters(SMTPProtocol.write) == ["self", "data"], where
    error = SMTPResponseException(-1, "Response too long")
    assert (error.code, error.message) == (-1, "Response too long"), _where(
        "aiosmtplib", "SMTPResponseException(code, message)"
    )
    assert issubclass(SMTPReadTimeoutError, aiosmtplib.SMTPException), where
    assert issubclass(SMTPServerDisconnected, aiosmtplib.SMTPException), where


async def test_aiosmtplib_protocol_reads_a_reply_to_a_raw_write_on_a_real_session():
    where = _where("aiosmtplib", "SMTP.protocol.write + read_response")
    with RecordingServer() as server:
        smtp = aiosmtplib.SMTP(hostname="127.0.0.1", port=server.port, start_tls=False)
        assert smtp.protocol is None and smtp.transport is None, (
            f"{where}: SMTP.protocol / SMTP.transport are not None before connect"
        )
        await smtp.connect(timeout=5)
        try:
            await smtp.ehlo()
            protocol = smtp.protocol
            assert isinstance(protocol, SMTPProtocol), f"{where}: SMTP.protocol is {protocol!r}"
            protocol.write(b"NOOP\r\n")
            reply = await protocol.read_response(timeout=5)
            assert reply.code == 250, f"{where}: {reply!r}"
            protocol.write(b"HELP\r\n")  # a reply of its own, not the NOOP's again
            reply = await protocol.read_response(timeout=5)
            assert reply.code in (214, 250), f"{where}: {reply!r}"
        finally:
            await smtp.quit()


@pytest.mark.parametrize("tls", [False, True], ids=["plain", "starttls"])
async def test_aiosmtplib_transport_can_be_taken_over_after_ehlo(tmp_path, tls):
    where = _where("aiosmtplib", "SMTP.transport (taken over with set_protocol)")
    server_tls, client_tls = make_tls_contexts(tmp_path) if tls else (None, None)
    handler = RecordingHandler(pipelining=True)
    with RecordingServer(handler, starttls=server_tls) as server:
        smtp = aiosmtplib.SMTP(hostname="127.0.0.1", port=server.port, start_tls=False)
        await smtp.connect(timeout=5)
        await smtp.ehlo()
        if client_tls is not None:
            before = smtp.transport
            await smtp.starttls(tls_context=client_tls)
            await smtp.ehlo()
            assert smtp.transport is not before, f"{where}: not the TLS transport after STARTTLS"
        assert smtp.supports_extension("pipelining"), where
        transport = smtp.transport
        assert isinstance(transport, asyncio.Transport), f"{where}: {transport!r}"
        assert smtp.protocol is not None and smtp.protocol.transport is transport, (
            f"{where}: SMTP.transport is not the protocol's transport"
        )
        assert (transport.get_extra_info("sslcontext") is not None) == tls, where
        wire = PipelinedWire(transport)
        assert transport.get_protocol() is wire, where
        wire.write(b"MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.com>\r\nDATA\r\n")
        replies = [await wire.reply(5) for _ in range(3)]
        assert [code for code, _ in replies] == [250, 250, 354], f"{where}: {replies}"
        wire.write(b"Subject: contract\r\n\r\nhello\r\n.\r\n")
        assert (await wire.reply(5))[0] == 250, where
        await wire.quit()
        assert not wire.is_open
    assert [item.recipients for item in server.received] == [["b@example.com"]], where
