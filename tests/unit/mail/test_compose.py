"""MIME built from strings reads back exactly with Python's email parser."""

from __future__ import annotations

import binascii
import email
import email.policy
import random
from datetime import UTC, datetime

from kootui.core.mail import compose_message, format_mailbox, prepare_attachment

WHEN = datetime(2026, 11, 23, 15, 30, tzinfo=UTC)


def _parse(data: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(data, policy=email.policy.default)  # type: ignore[return-value]


def _body(parsed: email.message.EmailMessage, kind: str) -> str:
    """A text part's content; the parser keeps the wire's CRLF, the author wrote LF."""
    part = parsed.get_body((kind,))
    assert part is not None
    return str(part.get_content()).replace("\r\n", "\n")


def _compose(**overrides: object) -> bytes:
    values: dict[str, object] = {
        "from_header": format_mailbox("News", "news@example.com"),
        "to": "ann@example.org",
        "subject": "Hello",
        "text": "Hello Ann\n",
        "html": "<p>Hello Ann</p>",
        "message_id": "<abc@example.com>",
        "date": WHEN,
    }
    values.update(overrides)
    return compose_message(**values)  # type: ignore[arg-type]


def test_headers_and_both_bodies_round_trip() -> None:
    parsed = _parse(_compose())
    assert parsed["From"] == "News <news@example.com>"
    assert parsed["To"] == "ann@example.org"
    assert parsed["Message-ID"] == "<abc@example.com>"
    assert parsed["MIME-Version"] == "1.0"
    assert parsed["Date"].datetime == WHEN
    assert parsed.get_content_type() == "multipart/alternative"
    assert _body(parsed, "plain") == "Hello Ann\n"
    assert _body(parsed, "html") == "<p>Hello Ann</p>"
    assert parsed.defects == []


def test_non_ascii_subject_alias_and_body_are_encoded_and_decoded_back() -> None:
    subject = "Grüße aus Köln — 你好，世界 " * 6
    data = _compose(
        subject=subject,
        from_header=format_mailbox('Zoë "Café" Team', "news@example.com"),
        text="Ünïcødé text ✓\n",
        html="<p>Ünïcødé ✓</p>",
    )
    assert data.isascii()
    parsed = _parse(data)
    assert parsed["Subject"] == subject.replace("\n", " ")
    assert parsed["From"].addresses[0].display_name == 'Zoë "Café" Team'
    assert _body(parsed, "plain") == "Ünïcødé text ✓\n"


def test_ascii_alias_with_specials_is_quoted() -> None:
    assert (
        format_mailbox('Smith, John "JJ"', "j@example.com")
        == '"Smith, John \\"JJ\\"" <j@example.com>'
    )
    parsed = _parse(_compose(from_header=format_mailbox("Smith, John", "j@example.com")))
    assert parsed["From"].addresses[0].display_name == "Smith, John"


def test_every_line_ends_in_crlf_and_stays_under_998_octets() -> None:
    long_line = "word " * 1000 + "x" * 3000
    data = _compose(text=long_line + "\n", html="<p>" + "y" * 5000 + "</p>", subject="s " * 600)
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert max(len(line) for line in data.split(b"\r\n")) <= 998
    parsed = _parse(data)
    assert _body(parsed, "plain") == long_line + "\n"
    assert parsed["Subject"] == "s " * 600


def test_attachments_keep_their_bytes_and_non_ascii_names() -> None:
    name = "Überweisung für März — 账单 " * 5 + ".pdf"
    attachment = prepare_attachment(name, "application/pdf", bytes(range(256)) * 50)
    parsed = _parse(_compose(attachments=[attachment]))
    assert parsed.get_content_type() == "multipart/mixed"
    [part] = list(parsed.iter_attachments())
    assert part.get_filename() == name
    assert part.get_content_type() == "application/pdf"
    assert part.get_content() == bytes(range(256)) * 50
    assert _body(parsed, "html") == "<p>Hello Ann</p>"


def test_text_only_message_has_no_multipart_and_extra_headers_are_kept() -> None:
    data = _compose(
        html=None,
        extra_headers=[
            ("List-Unsubscribe", "<https://t.example.com/u/tok>"),
            ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
        ],
    )
    parsed = _parse(data)
    assert parsed.get_content_type() == "text/plain"
    assert parsed.get_content().replace("\r\n", "\n") == "Hello Ann\n"
    assert parsed["List-Unsubscribe"] == "<https://t.example.com/u/tok>"
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_header_injection_through_the_subject_is_impossible() -> None:
    parsed = _parse(_compose(subject="Hi\r\nBcc: victim@example.org"))
    assert parsed["Bcc"] is None


def _transfer_encodings(data: bytes) -> list[str]:
    parsed = _parse(data)
    return [
        str(part["Content-Transfer-Encoding"])
        for part in parsed.walk()
        if part.get_content_maintype() == "text"
    ]


def test_ascii_text_with_short_lines_goes_7bit_and_reads_back_unchanged() -> None:
    text = "Hello Ann,\n\n=== your code: 1234 ===\n.a line starting with a dot\nFrom here on\n"
    html = '<p style="color: red">Hello Ann</p>\n' + "<td>" * 200
    data = _compose(text=text, html=html)
    assert _transfer_encodings(data) == ["7bit", "7bit"]
    assert b"=== your code: 1234 ===\r\n" in data  # not escaped as =3D
    parsed = _parse(data)
    assert _body(parsed, "plain") == text
    assert _body(parsed, "html") == html
    assert parsed.defects == []


def test_text_that_7bit_cannot_carry_is_quoted_printable() -> None:
    boundary_lookalike = "--=_kootui_000000000000000000000000\n"
    cases = {
        "non-ASCII": "Grüße\n",
        "a line over 998 octets": "x" * 999 + "\n",
        "a NUL": "a\0b\n",
        "the boundary prefix": boundary_lookalike,
    }
    for reason, text in cases.items():
        data = _compose(text=text, html=None)
        assert _transfer_encodings(data) == ["quoted-printable"], reason
        assert _parse(data).get_content().replace("\r\n", "\n") == text, reason
    # 998 octets exactly still fits a line.
    assert _transfer_encodings(_compose(text="x" * 998 + "\n", html=None)) == ["7bit"]


def test_long_ascii_lines_are_quoted_printable_that_decodes_back_exactly() -> None:
    rng = random.Random(7)
    alphabet = "ab =\t.<>\"'x"
    for _ in range(500):
        line = "".join(rng.choice(alphabet) for _ in range(rng.choice([999, 1500, 3000])))
        text = line + rng.choice(["", "\n", " \n", "=\nshort line =\n"])
        data = _compose(text=text, html=None)
        assert _transfer_encodings(data) == ["quoted-printable"]
        body = data.split(b"\r\n\r\n", 1)[1]
        assert max(len(encoded) for encoded in body.split(b"\r\n")) <= 76
        assert not any(encoded.endswith((b" ", b"\t")) for encoded in body.split(b"\r\n"))
        assert binascii.a2b_qp(body).decode().replace("\r\n", "\n") == text
        assert _parse(data).get_content().replace("\r\n", "\n") == text
