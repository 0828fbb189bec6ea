"""``printable``: no character that can drive a terminal, hide or reorder text survives."""

from __future__ import annotations

import sys
import unicodedata

import pytest

from kootui.core.printable import printable

BIDI_CONTROLS = {"LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI", "LRM", "RLM"}
# Kept on purpose: joiners are part of emoji and of Persian and Indic words, and show nothing
# a reader would misread.
KEPT_FORMAT = {"\u200c", "\u200d", "\u00ad"}


def _dangerous(char: str) -> bool:
    category = unicodedata.category(char)
    return (
        category in {"Cc", "Cs", "Zl", "Zp"}
        or unicodedata.bidirectional(char) in BIDI_CONTROLS
        or char in "\u2066\u2067\u2068\u2069\u202a\u202b\u202c\u202d\u202e\u061c"
    )


def _all_characters() -> str:
    return "".join(chr(code) for code in range(sys.maxunicode + 1))


def test_no_control_surrogate_separator_or_bidi_character_survives() -> None:
    shown = printable(_all_characters())
    survivors = sorted({char for char in shown if _dangerous(char)})
    assert survivors == []


def test_no_format_character_survives_but_the_joiners() -> None:
    shown = printable(_all_characters())
    survivors = {char for char in shown if unicodedata.category(char) == "Cf"} - KEPT_FORMAT
    # Left: prepended concatenation marks (Arabic number signs...), which need a digit after
    # them and drive nothing.
    assert all(unicodedata.bidirectional(char) not in BIDI_CONTROLS for char in survivors)
    assert "\ufeff" not in survivors and "\U000e0041" not in survivors and "\u2060" not in survivors


def test_a_block_keeps_only_newlines_and_tabs() -> None:
    shown = printable(_all_characters(), one_line=False)
    assert sorted({char for char in shown if _dangerous(char)}) == ["\t", "\n"]


@pytest.mark.parametrize(
    "attack",
    [
        "\x1b]0;pwned\x07\x1b[2J\x1b[31mFAKE: all records OK",  # retitle, clear, colour
        "\x9b2J\x9d0;title\x9c",  # the one-byte C1 forms of CSI, OSC, ST
        "\x1bP+q544e\x1b\\",  # DCS query: some terminals answer into the input
        "ok\rFAKE",  # a carriage return overwrites what came before
        "invoice\u202egpj.exe",  # a right-to-left override hides the real extension
        "\u2067admin\u2069 ok",  # an isolate
        "a\x00b\x7fc\x08d",  # NUL, DEL, backspace
        "bad byte \udcff from a file name",  # printing a lone surrogate raises
        "hidden\U000e0049\U000e0047\U000e004e tags",
        "line\u2028separator\u2029paragraph\x85next line",
    ],
)
def test_attacks_come_out_as_plain_visible_text(attack: str) -> None:
    shown = printable(attack)
    assert not any(_dangerous(char) for char in shown)
    assert shown.isprintable()
    shown.encode("utf-8")  # no lone surrogate left: it can be written to any UTF-8 terminal
    assert printable(shown) == shown  # nothing left to neutralise: shown as it is


def test_escapes_name_what_was_there() -> None:
    assert printable("\x1b[31m") == "␛[31m"
    assert printable("a\nb\tc") == "a␊b␉c"
    assert printable("a\nb\tc\r", one_line=False) == "a\nb\tc␍"
    assert printable("\x9b\x7f") == "\\x9b␡"
    assert printable("x\u202ey") == "x\\u202ey"
    assert printable("\U000e0041") == "\\U000e0041"


@pytest.mark.parametrize(
    "text",
    ["Bücher.example", "名前", "Ünïcödé ✓", "👩‍👩‍👧 family", "می‌خواهم", "plain ascii", ""],
)
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert printable(text) == text


def test_non_text_is_shown_by_its_str() -> None:
    assert printable(12) == "12"
    assert printable(ValueError("x\x1by")) == "x␛y"
