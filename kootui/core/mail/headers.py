"""Header fields: every header kootui writes is built by ``header_field``.

The rule for text that came from people (a subject, a sender's alias, an attachment's
name, and the recipient parameters a subject is rendered with):
- line breaks (CRLF, CR, LF, NEL, U+2028, U+2029) and TAB become one space, and every
  other control character (C0, DEL, C1) becomes U+FFFD, so nothing raw reaches the
  wire and a value cannot start a header of its own; so do bidi overrides and isolates
  and invisible format characters (``printable``'s set), which would make a mail client
  show the text in another order than it holds or hide part of it;
- a display name also loses runs of white space after a space and spaces at either end
  (readers collapse them), and is atoms, a quoted string or encoded words separated by
  folding white space (RFC 2047 §5);
- text is sent as it is only when it is printable ASCII with single spaces, no leading
  or trailing space, no ``=?`` (which a reader would take for an encoded word) and no
  word too long to fold; anything else is sent whole as RFC 2047 encoded words, so the
  recipient reads back exactly the cleaned text;
- lines are folded at spaces to 78 octets; a structured value (addresses, Message-ID,
  Content-Type, List-Unsubscribe) is never encoded, only folded, and one holding a
  control character or a token longer than 998 octets is refused.
The edges where a person types header text (template save, task creation) refuse
all of those instead (``first_control``), naming the field.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence

from kootui.core.errors import ValidationError
from kootui.core.printable import HEADER_INVISIBLE, first_unprintable

CRLF = "\r\n"
MAX_LINE = 998  # RFC 5322 §2.1.1, without the CRLF
FOLD_AT = 78  # RFC 5322 §2.1.1: "SHOULD" not pass 78 characters
_ENCODED_WORD_MAX = 75  # RFC 2047 §2
_ENCODED_WORD_FRAME = len("=?utf-8?b??=")
_UNSTRUCTURED = frozenset({"subject", "comments"})
_ATOM_SPECIALS = frozenset('()<>[]:;@\\,."')

_LINE_BREAKS = re.compile("\r\n|[\r\n\t\x85\u2028\u2029]")
_CONTROLS = re.compile(f"[\x00-\x1f{HEADER_INVISIBLE}]")
_STRUCTURED_REFUSED = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# A structured value's tokens: quoted strings stay whole, anything else splits at spaces.
_SPACE_RUN = re.compile(r" \s+")
_STRUCTURED_TOKEN = re.compile(r'(?:"(?:[^"\\]|\\.)*"|[^ ])+')


def clean_header_text(text: str) -> str:
    """``text`` with line breaks and TAB as spaces, other controls and invisible format
    characters as U+FFFD."""
    if text.isascii() and text.isprintable():
        return text
    return _CONTROLS.sub("\ufffd", _LINE_BREAKS.sub(" ", text))


def first_control(text: str) -> int | None:
    """Index of the first character a person may not type into header text, or None:
    what ``printable`` would have to show escaped (controls, line separators, bidi
    overrides and isolates, invisible format characters)."""
    return first_unprintable(text)


def _sendable_as_is(text: str, first_room: int) -> bool:
    """Whether ``text`` (already cleaned) reads back exactly when written unencoded."""
    if not (text.isascii() and text.isprintable()) or "=?" in text or "  " in text:
        return False
    if text[:1] == " " or text[-1:] == " ":
        return False
    words = text.split(" ")
    return len(words[0]) <= first_room and max(map(len, words)) < FOLD_AT - 1


def encoded_words(text: str, first_room: int = _ENCODED_WORD_MAX) -> list[str]:
    """RFC 2047 base64 words of at most 75 characters, the first fitting ``first_room``,
    never splitting a character."""
    data = text.encode("utf-8")
    words: list[str] = []
    start, budget = 0, _word_budget(first_room)
    while True:
        end = min(start + budget, len(data))
        # Back off to a character's first byte (UTF-8 continuation bytes are 0b10xxxxxx).
        while end < len(data) and data[end] & 0xC0 == 0x80:
            end -= 1
        words.append(f"=?utf-8?b?{base64.b64encode(data[start:end]).decode('ascii')}?=")
        if end >= len(data):
            return words
        start, budget = end, _word_budget(_ENCODED_WORD_MAX)


def _word_budget(room: int) -> int:
    # UTF-8 bytes whose base64 fits: 4 characters per 3 bytes; at least one character.
    return max(4, (min(room, _ENCODED_WORD_MAX) - _ENCODED_WORD_FRAME) // 4 * 3)


def clean_display_name(display_name: str) -> str:
    """The alias as sent: cleaned, a space and the white space after it squeezed to one
    space, no space at either end - what readers (Python's parser among them) make of
    an encoded display name anyway."""
    return _SPACE_RUN.sub(" ", clean_header_text(display_name)).strip(" ")


def phrase_words(display_name: str) -> list[str]:
    """A display name as RFC 5322 phrase words: atoms, a quoted string or encoded words.

    Several encoded words are separated by white space, as RFC 2047 §5 requires; §6.2
    has readers ignore that space between two encoded words. (Python's new parser keeps
    it inside a display name; its legacy ``decode_header``, Thunderbird and webmail
    follow the RFC.)"""
    name = clean_display_name(display_name)
    if name.isascii() and name.isprintable() and "=?" not in name and len(name) < MAX_LINE // 2:
        if any(char in _ATOM_SPECIALS for char in name):
            return ['"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"']
        return name.split(" ")
    return encoded_words(name)


def _structured_tokens(name: str, value: str | Sequence[str]) -> list[str]:
    tokens = _STRUCTURED_TOKEN.findall(value) if isinstance(value, str) else list(value)
    for token in tokens:
        if _STRUCTURED_REFUSED.search(token):
            raise ValidationError(
                "holds a control character, which a mail header cannot carry",
                field=name.lower(),
                code="compose.header_control",
            )
        if len(token) > MAX_LINE - 1:
            raise ValidationError(
                f"holds a {len(token):,}-character piece that cannot be folded to "
                f"{MAX_LINE} octets a line",
                field=name.lower(),
                code="compose.header_too_long",
            )
    return tokens


def _fold(name: str, words: Sequence[str]) -> str:
    """``Name: w1 w2 ...``, a new line before a word that would pass 78 characters."""
    lines: list[str] = []
    current = [f"{name}:"]
    width = len(name) + 1
    for word in words:
        if width + 1 + len(word) > FOLD_AT and len(current) > 1:
            lines.append(" ".join(current))
            current = ["", word]  # joins as " word": the continuation line's indent
            width = 1 + len(word)
        else:
            current.append(word)
            width += 1 + len(word)
    lines.append(" ".join(current))
    return CRLF.join(lines)


def header_field(name: str, value: str | Sequence[str]) -> str:
    """One header field, ready to join with CRLF: the only way kootui writes a header.

    Subject (unstructured) takes any text and cleans, encodes and folds it as the module
    says. Any other header takes a structured value - a string, split at spaces outside
    quoted strings, or its tokens - and is only folded; a control character or an
    unfoldable token is a ValidationError naming the header.
    """
    if name.lower() in _UNSTRUCTURED:
        text = clean_header_text(value if isinstance(value, str) else " ".join(value))
        if _sendable_as_is(text, FOLD_AT - len(name) - 2):
            if len(name) + 2 + len(text) <= FOLD_AT:
                return f"{name}: {text}"  # the common case: one short plain line
            return _fold(name, text.split(" "))
        return _fold(name, encoded_words(text, FOLD_AT - len(name) - 2) if text else [""])
    line = f"{name}: {value if isinstance(value, str) else ' '.join(value)}"
    if len(line) <= FOLD_AT and line.isprintable():
        return line  # short and clean: nothing to fold
    return _fold(name, _structured_tokens(name, value))
