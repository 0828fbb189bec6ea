"""Every header goes through header_field: controls cleaned, encoded words where plain
text would not read back, lines folded; Python's parser gives back exactly the text."""

from __future__ import annotations

import email
import email.header
import email.policy
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kootui.core.errors import ValidationError
from kootui.core.mail import (
    clean_display_name,
    clean_header_text,
    compose_message,
    first_control,
    format_mailbox,
    header_field,
    prepare_attachment,
)

WHEN = datetime(2026, 11, 23, 15, 30, tzinfo=UTC)
HEADER_NAMES = ["From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type"]


def _compose(subject: str = "Hello", alias: str = "News", **overrides: object) -> bytes:
    values: dict[str, object] = {
        "from_header": format_mailbox(alias, "news@example.com"),
        "to": "ann@example.org",
        "subject": subject,
        "text": "Hello Ann\n",
        "html": None,
        "message_id": "<abc@example.com>",
        "date": WHEN,
    }
    values.update(overrides)
    return compose_message(**values)  # type: ignore[arg-type]


def _parse(data: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(data, policy=email.policy.default)  # type: ignore[return-value]


def _display_name(data: bytes) -> str:
    """The From display name as RFC 2047 §6.2 reads it: the white space between two
    encoded words is ignored. (Python's new parser keeps that space in a display name, so
    encoded names are read with its legacy decode_header, which follows the RFC.)"""
    parsed = _parse(data)
    [mailbox] = parsed["From"].addresses
    raw = data.split(b"\r\n\r\n", 1)[0].decode("ascii").replace("\r\n ", " ")
    [line] = [line for line in raw.split("\r\n") if line.startswith("From: ")]
    phrase = line.removeprefix("From: ").rpartition(" <")[0]
    if not phrase.startswith("=?"):
        return mailbox.display_name
    return str(email.header.make_header(email.header.decode_header(phrase)))


def _header_lines(data: bytes) -> list[bytes]:
    return data.split(b"\r\n\r\n", 1)[0].split(b"\r\n")


def _assert_well_formed(data: bytes) -> email.message.EmailMessage:
    assert data.isascii()
    assert b"\n" not in data.replace(b"\r\n", b"")
    lines = _header_lines(data)
    assert max(map(len, lines)) <= 998
    assert not [line for line in lines if any(byte < 0x20 or byte == 0x7F for byte in line)]
    parsed = _parse(data)
    assert list(parsed.keys()) == [*HEADER_NAMES, "Content-Transfer-Encoding"]
    return parsed


# Any Unicode but surrogates, which no str from a UTF-8 source can hold.
_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=300)
_CONTROLS = st.text(st.sampled_from("\0\x1b\x0b\x0c\x08\x7f\x85\x9b\r\n\t\u2028 a=?"), max_size=30)


def _alias(text: str) -> str:
    return text[:64]  # senders.MAX_ALIAS_CHARS


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(subject=st.one_of(_TEXT, _CONTROLS), alias=st.one_of(_TEXT, _CONTROLS).map(_alias))
def test_any_subject_and_alias_read_back_exactly_as_cleaned(subject: str, alias: str) -> None:
    data = _compose(subject=subject, alias=alias)
    parsed = _assert_well_formed(data)
    assert parsed["Subject"] == clean_header_text(subject)
    [mailbox] = parsed["From"].addresses
    assert _display_name(data) == clean_display_name(alias)
    assert mailbox.addr_spec == "news@example.com"
    assert parsed.defects == [] and parsed["Subject"].defects == ()


@settings(max_examples=200, deadline=None)
@given(prefix=_TEXT, value=st.one_of(_TEXT, _CONTROLS, st.text("x", min_size=900, max_size=5000)))
def test_a_subject_built_from_any_parameter_value_reads_back(prefix: str, value: str) -> None:
    subject = f"{prefix}{value}!"
    parsed = _assert_well_formed(_compose(subject=subject))
    assert parsed["Subject"] == clean_header_text(subject)


@settings(max_examples=150, deadline=None)
@given(filename=st.one_of(_TEXT, _CONTROLS).filter(lambda name: clean_header_text(name).strip()))
def test_any_attachment_name_reads_back_as_cleaned(filename: str) -> None:
    attachment = prepare_attachment(filename, "text/plain", b"data")
    data = _compose(attachments=[attachment])
    assert max(map(len, data.split(b"\r\n"))) <= 998
    [part] = list(_parse(data).iter_attachments())
    assert part.get_filename() == clean_header_text(filename).strip().replace("/", "_")


def test_controls_never_reach_the_wire() -> None:
    data = _compose(subject="Bell\x07 Esc\x1b[31m Nul\x00 VT\x0b FF\x0c BS\x08 DEL\x7f CSI\x9b")
    assert _parse(data)["Subject"] == (
        "Bell\ufffd Esc\ufffd[31m Nul\ufffd VT\ufffd FF\ufffd BS\ufffd DEL\ufffd CSI\ufffd"
    )
    assert _parse(_compose(subject="a\r\nBcc: x@example.org\tb"))["Subject"] == (
        "a Bcc: x@example.org b"
    )


def test_a_long_word_is_encoded_and_folded_to_78() -> None:
    subject = "x" * 4000
    data = _compose(subject=subject)
    subject_lines = [line for line in _header_lines(data) if not line.startswith(b"Content")]
    assert max(map(len, subject_lines)) <= 78
    assert _parse(data)["Subject"] == subject


def test_text_that_looks_like_an_encoded_word_is_shown_as_written() -> None:
    for text in ["=?utf-8?b?SGk=?=", "Re: =?utf-8?q?Hi?= there", "a=?b"]:
        assert _parse(_compose(subject=text))["Subject"] == text
        assert _display_name(_compose(alias=text)) == text


def test_plain_short_text_is_sent_as_it_is() -> None:
    assert header_field("Subject", "Your order #42 (shipped)") == (
        "Subject: Your order #42 (shipped)"
    )
    assert format_mailbox("News Team", "n@example.com") == "News Team <n@example.com>"
    long_plain = " ".join(["word"] * 40)
    folded = header_field("Subject", long_plain)
    assert "=?" not in folded and max(map(len, folded.split("\r\n"))) <= 78


def test_structured_values_are_folded_never_encoded_and_controls_refused() -> None:
    url = "<https://track.example.com/u/" + "t" * 32 + ">"
    folded = header_field("List-Unsubscribe", f"{url}, <mailto:u@example.com?subject=unsubscribe>")
    assert folded.split("\r\n") == [
        f"List-Unsubscribe: {url},",
        " <mailto:u@example.com?subject=unsubscribe>",
    ]
    with pytest.raises(ValidationError) as refused:
        header_field("To", "ann@example.org\x1b")
    assert refused.value.code == "compose.header_control" and refused.value.field == "to"
    with pytest.raises(ValidationError) as too_long:
        header_field("Message-ID", "<" + "a" * 1000 + "@example.com>")
    assert too_long.value.code == "compose.header_too_long"


def test_first_control_finds_what_the_edges_refuse() -> None:
    assert first_control("Hello {{ name }}, 你好") is None
    assert first_control("Hi\x1bthere") == 2
    assert first_control("a\u2028b") == 1
    assert first_control("tab\there") == 3


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.text(
            st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters='"'),
            min_size=1,
            max_size=90,
        ),
        min_size=1,
        max_size=30,
    )
)
def test_a_structured_value_is_folded_without_losing_a_character(tokens: list[str]) -> None:
    value = " ".join(tokens)
    field = header_field("List-Unsubscribe", value)
    assert field.replace("\r\n", "") == f"List-Unsubscribe: {value}"
    lines = field.split("\r\n")
    assert all(line.startswith(" ") for line in lines[1:])
    assert all(len(line) <= 78 or " " not in line.strip() for line in lines[1:])


def test_a_quoted_string_is_never_split_and_no_character_is_lost() -> None:
    quoted = '"' + "a b " * 30 + '"'
    field = header_field("From", f'{quoted} <n@example.com> stray"quote')
    assert field.split("\r\n") == [f"From: {quoted}", ' <n@example.com> stray"quote']


def test_a_long_alias_sends_encoded_words_apart_as_rfc_2047_asks() -> None:
    alias = "中文名字" * 8  # 96 UTF-8 bytes: three encoded words
    data = _compose(alias=alias)
    raw = data.split(b"\r\n\r\n", 1)[0].decode("ascii").replace("\r\n ", " ")
    [line] = [line for line in raw.split("\r\n") if line.startswith("From: ")]
    assert "?==?" not in line  # §5: an encoded word is separated by white space
    assert line.count("=?utf-8?") >= 2
    assert _display_name(data) == alias


def test_a_stored_subject_with_bidi_controls_reaches_the_wire_neutralised() -> None:
    # A subject saved before the edges refused them (or a parameter value carrying one):
    # the reader sees a replacement character where the override was, never the reversal.
    subject = "Invoice \u202efdp.exe\u2069 \u200bpaid\U000e0041"
    parsed = _assert_well_formed(_compose(subject=subject))
    assert parsed["Subject"] == "Invoice \ufffdfdp.exe\ufffd \ufffdpaid\ufffd"
    assert clean_header_text("👩\u200d💻") == "👩\u200d💻"  # a joiner is part of the emoji
