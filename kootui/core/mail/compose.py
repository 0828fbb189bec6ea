"""MIME assembly as strings: the fast path for messages the engine builds by the thousand.

``email.message.EmailMessage`` (policy objects, header registry, generator) costs some
fifty times what building the same bytes from strings does (figures in bench/RESULTS.md,
"Where a message's time goes"). The output is plain RFC 5322 + MIME that Python's own parser and
dkimpy read back exactly (tests prove it): CRLF line ends, every line <= 998 octets,
UTF-8 text parts sent as they are ("7bit") when they are ASCII with short lines and
quoted-printable otherwise, base64 attachments named per RFC 2231. Every header
field, the constant ones included, is built by ``headers.header_field``: controls
cleaned, RFC 2047 encoded words where text could not read back exactly, folded to 78.
"""

from __future__ import annotations

import base64
import binascii
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
from functools import lru_cache
from urllib.parse import quote

from kootui.core.mail.headers import CRLF, MAX_LINE, clean_header_text, header_field, phrase_words

_RFC2231_CHUNK = 60
_MEDIA_TYPE = re.compile(
    r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}"
)
_BOUNDARY_PREFIX = "=_kootui_"
_QP_LINE = 76  # RFC 2045 §6.7 (5): encoded lines, soft break included
_QP_LITERAL = bytes(range(0x20, 0x7F)) + b"\t\n"  # what quoted-printable may leave as is


@dataclass(frozen=True)
class PreparedAttachment:
    """An attachment encoded once per task and reused for every recipient."""

    headers: str = field(repr=False)
    encoded_body: str = field(repr=False)
    filename: str = ""


def format_mailbox(display_name: str, address: str) -> str:
    """``Alias <local@domain>``: the alias as an atom, a quoted string or RFC 2047 encoded
    words (see ``phrase_words``); a blank alias leaves the bare address."""
    words = phrase_words(display_name)
    if words == [""]:
        return address
    return " ".join([*words, f"<{address}>"])


def new_message_id(domain: str) -> str:
    """A globally unique Message-ID kept by the message row across every retry.

    Uniqueness, not secrecy, is what it needs: 128 bits from ``random`` (seeded from
    the OS, reseeded in a forked child) avoid a system call per message."""
    return f"<{random.getrandbits(128):032x}@{domain}>"


def _body(text: str) -> tuple[str, str]:
    """(Content-Transfer-Encoding, encoded text) of a text part.

    ASCII text whose lines fit in 998 octets goes as it is, "7bit", as mail clients
    send it: quoted-printable encoding was a large share of the engine's CPU per message.
    A text that happens to contain the boundary prefix is encoded, so no body line
    can ever be taken for a boundary."""
    normal = text.replace("\r\n", "\n").replace("\r", "\n")
    if (
        normal.isascii()
        and "\0" not in normal
        and _BOUNDARY_PREFIX not in normal
        and max(map(len, normal.split("\n"))) <= MAX_LINE
        # A last line ending in a blank would lose it to the CRLF that SMTP adds before
        # the final ".", and with it the DKIM body hash; quoted-printable keeps it (=20).
        and not normal.endswith((" ", "\t"))
    ):
        return "7bit", normal.replace("\n", CRLF)
    if normal.isascii() and not normal.encode("ascii").translate(None, _QP_LITERAL):
        return "quoted-printable", CRLF.join(_qp_ascii_lines(normal))
    encoded = binascii.b2a_qp(normal.encode("utf-8"), quotetabs=False, istext=True)
    # A body must not start with "From " or a lone "." - b2a_qp leaves those; they are
    # harmless here because SMTP dot-stuffing and Maildir need no mbox escaping.
    return "quoted-printable", encoded.decode("ascii").replace("\n", CRLF)


def _qp_ascii_lines(normal: str) -> list[str]:
    """Quoted-printable of printable ASCII (tabs allowed), as b2a_qp would decode it back:
    "=" escaped, trailing blanks escaped, long lines cut with soft breaks. Typical HTML
    from an editor is one long ASCII line, and this is cheaper than b2a_qp on it
    (bench/compose_qp.py; figures in bench/RESULTS.md)."""
    lines: list[str] = []
    for line in normal.replace("=", "=3D").split("\n"):
        if line and line[-1] in " \t":
            line = line[:-1] + ("=20" if line[-1] == " " else "=09")
        if len(line) > _QP_LINE:
            line = "=\r\n".join(_soft_pieces(line))
        lines.append(line)
    return lines


def _soft_pieces(line: str) -> list[str]:
    """Pieces of at most 75 characters (the soft break's "=" makes 76), none ending
    inside an "=XX" escape."""
    width = _QP_LINE - 1
    pieces = [line[start : start + width] for start in range(0, len(line), width)]
    if "=" not in line or not any("=" in piece[-2:] for piece in pieces[:-1]):
        return pieces
    pieces, start = [], 0
    while len(line) - start > width:
        cut = start + width
        if line[cut - 1] == "=":
            cut -= 1
        elif line[cut - 2] == "=":
            cut -= 2
        pieces.append(line[start:cut])
        start = cut
    pieces.append(line[start:])
    return pieces


# Fields whose values never change are built by header_field once, at import.
_TEXT_TYPES = {
    subtype: header_field("Content-Type", f'text/{subtype}; charset="utf-8"')
    for subtype in ("plain", "html")
}
_TRANSFER = {
    encoding: header_field("Content-Transfer-Encoding", encoding)
    for encoding in ("7bit", "quoted-printable", "base64")
}
_MIME_VERSION = header_field("MIME-Version", "1.0")


def _text_part(subtype: str, text: str) -> str:
    transfer, body = _body(text)
    return f"{_TEXT_TYPES[subtype]}{CRLF}{_TRANSFER[transfer]}{CRLF}{CRLF}{body}"


def _rfc2231_parameter(name: str, value: str) -> list[str]:
    """``name="value"`` for short printable ASCII, else ``name*0*=utf-8''...`` continuations
    (one token each, for ``header_field`` to fold between)."""
    if (
        len(value) <= _RFC2231_CHUNK
        and value.isascii()
        and value.isprintable()
        and '"' not in value
        and "\\" not in value
        and "=?" not in value
        and value.strip(" ") == value
    ):
        return [f'{name}="{value}"']
    encoded = quote(value, safe="")
    chunks: list[str] = []
    while encoded:
        cut = min(_RFC2231_CHUNK, len(encoded))
        # Never cut a %XX escape in half.
        while 0 < cut < len(encoded) and "%" in encoded[max(0, cut - 2) : cut]:
            cut -= 1
        chunks.append(encoded[:cut])
        encoded = encoded[cut:]
    if len(chunks) == 1:
        return [f"{name}*=utf-8''{chunks[0]}"]
    parts = [f"{name}*0*=utf-8''{chunks[0]}"]
    parts.extend(f"{name}*{index}*={chunk}" for index, chunk in enumerate(chunks[1:], 1))
    return [part + ";" for part in parts[:-1]] + parts[-1:]


def prepare_attachment(filename: str, content_type: str, content: bytes) -> PreparedAttachment:
    """Encode an attachment once: base64 in 76-character lines and its part headers."""
    main_type = content_type if _MEDIA_TYPE.fullmatch(content_type) else "application/octet-stream"
    # Readers strip a file name's outer white space (Python's get_filename does): so does this.
    safe_name = clean_header_text(filename).strip().replace("/", "_") or "attachment"
    headers = CRLF.join(
        [
            header_field("Content-Type", [main_type + ";", *_rfc2231_parameter("name", safe_name)]),
            header_field(
                "Content-Disposition",
                ["attachment;", *_rfc2231_parameter("filename", safe_name)],
            ),
            _TRANSFER["base64"],
        ]
    )
    encoded = base64.encodebytes(content).decode("ascii").replace("\n", CRLF)
    return PreparedAttachment(
        headers=headers + CRLF + CRLF, encoded_body=encoded, filename=safe_name
    )


@lru_cache(maxsize=8)
def _date_field(date: datetime) -> str:
    # Every message of the same second carries the same Date: format it once.
    return header_field("Date", format_datetime(date))


def header_date(date: datetime) -> str:
    """The ``Date:`` field for ``date`` (no line ending)."""
    return _date_field(date)


def _boundary() -> str:
    # "=_" cannot occur in quoted-printable or base64 text, and a 7bit part never
    # contains the prefix (see _body), so no part can contain a boundary line.
    # 80 random bits keep "Content-Type: multipart/alternative; boundary=..." on one line.
    return f"{_BOUNDARY_PREFIX}{random.getrandbits(80):020x}"


def _multipart(subtype: str, parts: Sequence[str]) -> tuple[list[str], str]:
    """(Content-Type header value, body) of a multipart entity."""
    boundary = _boundary()
    body = "".join(f"--{boundary}{CRLF}{part}{CRLF}" for part in parts)
    content_type = [f"multipart/{subtype};", f'boundary="{boundary}"']
    return content_type, f"{body}--{boundary}--{CRLF}"


def compose_message(
    *,
    from_header: str,
    to: str,
    subject: str,
    text: str,
    html: str | None,
    message_id: str,
    date: datetime,
    attachments: Sequence[PreparedAttachment] = (),
    extra_headers: Sequence[tuple[str, str]] = (),
) -> bytes:
    """The whole message as bytes with CRLF line ends, ready to sign and send.

    ``from_header`` is an already formatted mailbox (see ``format_mailbox``);
    ``extra_headers`` carries List-Unsubscribe and List-Unsubscribe-Post.
    """
    if html is None:
        content_type: str | list[str] = 'text/plain; charset="utf-8"'
        encoding, body = _body(text)
        transfer = f"{_TRANSFER[encoding]}{CRLF}"
    else:
        content_type, body = _multipart(
            "alternative", [_text_part("plain", text), _text_part("html", html)]
        )
        transfer = ""
    if attachments:
        inner = f"{header_field('Content-Type', content_type)}{CRLF}{transfer}{CRLF}{body}"
        parts = [inner, *(a.headers + a.encoded_body for a in attachments)]
        content_type, body = _multipart("mixed", parts)
        transfer = ""
    headers = [
        header_field("From", from_header),
        header_field("To", to),
        header_field("Subject", subject),
        _date_field(date.replace(microsecond=0)),
        header_field("Message-ID", message_id),
        _MIME_VERSION,
        header_field("Content-Type", content_type),
    ]
    if transfer:
        headers.append(transfer.rstrip())
    headers.extend(header_field(name, value) for name, value in extra_headers)
    return (CRLF.join(headers) + CRLF + CRLF + body).encode("ascii")
