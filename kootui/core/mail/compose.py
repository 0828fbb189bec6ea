"""MIME assembly as strings: the fast path for messages the engine builds by the thousand.

``email.message.EmailMessage`` costs about 4 ms a message (policy objects, header
registry, generator); building the same bytes from strings with ``binascii`` costs
well under 0.1 ms. The output is plain RFC 5322 + MIME that Python's own parser and
dkimpy read back exactly (tests prove it): CRLF line ends, every line <= 998 octets,
UTF-8 text parts sent as they are ("7bit") when they are ASCII with short lines and
quoted-printable otherwise, base64 attachments named per RFC 2231, and
RFC 2047 encoded words for a non-ASCII subject or display name.
"""

from __future__ import annotations

import base64
import binascii
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
from functools import lru_cache
from urllib.parse import quote

CRLF = "\r\n"
_ENCODED_WORD_BUDGET = 45  # UTF-8 bytes per base64 encoded word: 60 chars + "=?utf-8?b??="
_FOLD_AT = 76
_ATOM_SPECIALS = set('()<>[]:;@\\,."')
_RFC2231_CHUNK = 60
_MAX_LINE = 998  # RFC 5322 §2.1.1, without the CRLF
_BOUNDARY_PREFIX = "=_kootui_"
_QP_LINE = 76  # RFC 2045 §6.7 (5): encoded lines, soft break included
_QP_LITERAL = bytes(range(0x20, 0x7F)) + b"\t\n"  # what quoted-printable may leave as is


@dataclass(frozen=True)
class PreparedAttachment:
    """An attachment encoded once per task and reused for every recipient."""

    headers: str = field(repr=False)
    encoded_body: str = field(repr=False)
    filename: str = ""


def _encoded_words(text: str) -> list[str]:
    """RFC 2047 base64 words, each at most 75 chars, never splitting a character."""
    words: list[str] = []
    chunk = bytearray()
    for char in text:
        encoded = char.encode("utf-8")
        if chunk and len(chunk) + len(encoded) > _ENCODED_WORD_BUDGET:
            words.append(f"=?utf-8?b?{base64.b64encode(bytes(chunk)).decode('ascii')}?=")
            chunk = bytearray()
        chunk.extend(encoded)
    if chunk or not words:
        words.append(f"=?utf-8?b?{base64.b64encode(bytes(chunk)).decode('ascii')}?=")
    return words


def _fold_words(name: str, words: Sequence[str]) -> str:
    """Join words with spaces, starting a continuation line when one would pass 76 chars."""
    lines: list[str] = []
    current = f"{name}:"
    for word in words:
        if len(current) + 1 + len(word) > _FOLD_AT and current != f"{name}:":
            lines.append(current)
            current = " " + word
        else:
            current = f"{current} {word}"
    lines.append(current)
    return CRLF.join(lines)


def encode_header(name: str, value: str) -> str:
    """One header field, folded; non-ASCII values become RFC 2047 encoded words."""
    value = value.replace("\r", " ").replace("\n", " ")
    if value.isascii():
        return _fold_words(name, value.split(" ")) if len(value) > 900 else f"{name}: {value}"
    return _fold_words(name, _encoded_words(value))


def format_mailbox(display_name: str, address: str) -> str:
    """``Alias <local@domain>`` with the alias quoted or RFC 2047 encoded as it needs."""
    display_name = display_name.replace("\r", " ").replace("\n", " ").strip()
    if not display_name:
        return address
    if not display_name.isascii():
        return " ".join(_encoded_words(display_name)) + f" <{address}>"
    if any(char in _ATOM_SPECIALS for char in display_name):
        escaped = display_name.replace("\\", "\\\\").replace('"', '\\"')
        return f'"{escaped}" <{address}>'
    return f"{display_name} <{address}>"


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
        and max(map(len, normal.split("\n"))) <= _MAX_LINE
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


def _text_part(subtype: str, text: str) -> str:
    transfer, body = _body(text)
    return (
        f'Content-Type: text/{subtype}; charset="utf-8"{CRLF}'
        f"Content-Transfer-Encoding: {transfer}{CRLF}{CRLF}{body}"
    )


def _rfc2231_parameter(name: str, value: str) -> str:
    """``name="value"`` for plain ASCII, else ``name*0*=utf-8''...`` continuations."""
    if value.isascii() and len(value) <= _RFC2231_CHUNK and '"' not in value and "\\" not in value:
        return f'{name}="{value}"'
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
        return f"{name}*=utf-8''{chunks[0]}"
    parts = [f"{name}*0*=utf-8''{chunks[0]}"]
    parts.extend(f"{name}*{index}*={chunk}" for index, chunk in enumerate(chunks[1:], 1))
    return (";" + CRLF + " ").join(parts)


def prepare_attachment(filename: str, content_type: str, content: bytes) -> PreparedAttachment:
    """Encode an attachment once: base64 in 76-character lines and its part headers."""
    main_type = content_type if "/" in content_type else "application/octet-stream"
    safe_name = filename.replace("\r", "").replace("\n", "").replace("/", "_") or "attachment"
    headers = (
        f"Content-Type: {main_type};{CRLF} {_rfc2231_parameter('name', safe_name)}{CRLF}"
        f"Content-Disposition: attachment;{CRLF} {_rfc2231_parameter('filename', safe_name)}"
        f"{CRLF}Content-Transfer-Encoding: base64{CRLF}{CRLF}"
    )
    encoded = base64.encodebytes(content).decode("ascii").replace("\n", CRLF)
    return PreparedAttachment(headers=headers, encoded_body=encoded, filename=safe_name)


@lru_cache(maxsize=8)
def _date_value(date: datetime) -> str:
    # Every message of the same second carries the same Date: format it once.
    return format_datetime(date)


def _boundary() -> str:
    # "=_" cannot occur in quoted-printable or base64 text, and a 7bit part never
    # contains the prefix (see _body), so no part can contain a boundary line.
    return f"{_BOUNDARY_PREFIX}{random.getrandbits(96):024x}"


def _multipart(subtype: str, parts: Sequence[str]) -> tuple[str, str]:
    """(Content-Type header value, body) of a multipart entity."""
    boundary = _boundary()
    body = "".join(f"--{boundary}{CRLF}{part}{CRLF}" for part in parts)
    return f'multipart/{subtype};{CRLF} boundary="{boundary}"', f"{body}--{boundary}--{CRLF}"


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
        content_type = 'text/plain; charset="utf-8"'
        encoding, body = _body(text)
        transfer = f"Content-Transfer-Encoding: {encoding}{CRLF}"
    else:
        content_type, body = _multipart(
            "alternative", [_text_part("plain", text), _text_part("html", html)]
        )
        transfer = ""
    if attachments:
        inner = f"Content-Type: {content_type}{CRLF}{transfer}{CRLF}{body}"
        parts = [inner, *(a.headers + a.encoded_body for a in attachments)]
        content_type, body = _multipart("mixed", parts)
        transfer = ""
    headers = [
        f"From: {from_header}",
        f"To: {to}",
        encode_header("Subject", subject),
        f"Date: {_date_value(date.replace(microsecond=0))}",
        f"Message-ID: {message_id}",
        "MIME-Version: 1.0",
        f"Content-Type: {content_type}",
    ]
    if transfer:
        headers.append(transfer.rstrip())
    headers.extend(encode_header(name, value) for name, value in extra_headers)
    return (CRLF.join(headers) + CRLF + CRLF + body).encode("ascii")
