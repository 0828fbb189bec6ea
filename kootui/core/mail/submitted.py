"""A message an application submitted whole (SMTP submission): its header block read and
trimmed as bytes, never re-serialised, so what goes out is what the client wrote.

Every line of a submitted message ends in CRLF: the intake refuses a bare CR or LF
(``has_bare_line_ending``), which also closes SMTP smuggling (CVE-2023-51764)."""

from __future__ import annotations

import email.utils
from datetime import datetime

from kootui.core.mail.compose import header_date
from kootui.core.mail.dkim import DkimSigner
from kootui.core.mail.headers import header_field

CRLF = b"\r\n"
_END_OF_HEAD = b"\r\n\r\n"


def has_bare_line_ending(data: bytes) -> bool:
    """Whether a CR or LF stands anywhere but in a CRLF pair."""
    pairs = data.count(CRLF)
    return data.count(b"\r") != pairs or data.count(b"\n") != pairs


def split_head(data: bytes) -> tuple[bytes, bytes]:
    """(header block ending in CRLF, the rest from the empty line on); a message that is
    all header has an empty rest."""
    end = data.find(_END_OF_HEAD)
    if end < 0:
        head = data if data.endswith(CRLF) or not data else data + CRLF
        return head, b""
    return data[: end + 2], data[end + 2 :]


def header_fields(head: bytes) -> list[tuple[str, bytes]]:
    """(lower-case name, the whole field with its folded lines and CRLFs), in order."""
    fields: list[tuple[str, bytes]] = []
    for line in head.split(CRLF)[:-1]:
        if line[:1] in (b" ", b"\t") and fields:
            name, text = fields[-1]
            fields[-1] = (name, text + line + CRLF)
            continue
        name = line.split(b":", 1)[0].strip().decode("ascii", "replace").lower()
        fields.append((name, line + CRLF))
    return fields


def field_value(field: bytes) -> str:
    """A field's value unfolded, as text (undecodable bytes replaced)."""
    value = field.split(b":", 1)[1] if b":" in field else b""
    return " ".join(value.decode("utf-8", "replace").split())


def mailbox_addresses(value: str) -> list[str]:
    return [address for _, address in email.utils.getaddresses([value]) if address]


def without_fields(head: bytes, names: frozenset[str]) -> bytes:
    return b"".join(text for name, text in header_fields(head) if name not in names)


def finish_submitted(
    data: bytes,
    *,
    message_id: str,
    date: datetime,
    signer: DkimSigner | None,
) -> bytes:
    """The stored bytes as they go out: Message-ID and Date prepended when the client gave
    none, DKIM-signed with the From domain's key when there is one."""
    head, _ = split_head(data)
    present = {name for name, _ in header_fields(head)}
    added = b""
    if "message-id" not in present:
        added += header_field("Message-ID", message_id).encode("ascii") + CRLF
    if "date" not in present:
        added += header_date(date).encode("ascii") + CRLF
    out = added + data
    if signer is not None:
        out = signer.sign(out, timestamp=int(date.timestamp()), crlf_clean=True)
    return out
