"""Outside text made safe to show on a terminal or in a log line.

A DNS answer, an SMTP reply, a file name, a task name or a header comes from someone
else; written to a terminal as it is, an ESC starts a control sequence (retitle, clear,
recolour, fake a verdict), a carriage return overwrites the line it is on, and a bidi
override shows the characters after it in another order than they are. Every face
passes such text through ``printable`` where it prints it, so what the operator reads
is what the text holds, every character visible.
"""

from __future__ import annotations

import re

# C0 controls and DEL are shown as their Control Pictures (ESC as ␛): still readable,
# never acted on. Everything else below is shown as a Python escape (\x9b, \u202e).
_CONTROL_PICTURES = {code: chr(0x2400 + code) for code in range(0x20)} | {0x7F: "\u2421"}

# Unsafe wherever it stands; the C0 controls are added below.
_UNSAFE_ABOVE_C0 = (
    "\x7f-\x9f"  # DEL, C1 (\x9b is a one-byte CSI to some terminals)
    "\u061c\u180e\u200b\u200e\u200f"  # Arabic letter mark, Mongolian vowel sep., ZWSP, LRM/RLM
    "\u2028\u2029"  # line and paragraph separators: line breaks to many renderers
    "\u202a-\u202e\u2060-\u2064\u2066-\u206f"  # bidi embeddings/overrides/isolates, invisibles
    "\ud800-\udfff"  # lone surrogates (undecodable file-name bytes): printing them raises
    "\ufeff\ufff9-\ufffb"  # zero-width no-break space, interlinear annotations
    "\U000e0000-\U000e007f"  # tag characters: invisible text riding along
)
_ONE_LINE = re.compile(f"[\x00-\x1f{_UNSAFE_ABOVE_C0}]")
# In a block of several lines a newline stays a newline and a tab a tab; a carriage
# return does not, since it moves back over what was already written.
_BLOCK = re.compile(f"[\x00-\x08\x0b-\x1f{_UNSAFE_ABOVE_C0}]")
_UNSAFE_ONLY = re.compile(f"[{_UNSAFE_ABOVE_C0}]")
# What header text may not carry to the wire as it is (core/mail/headers.py): the unsafe
# characters above C0 but the line separators, which the header rules turn into spaces.
HEADER_INVISIBLE = _UNSAFE_ABOVE_C0.replace("\u2028\u2029", "")


def _shown(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    picture = _CONTROL_PICTURES.get(code)
    if picture is not None:
        return picture
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def first_unprintable(text: str) -> int | None:
    """Index of the first character ``printable`` would show escaped on one line (a
    control, a line break, a bidi override or isolate, an invisible format character), or
    None. The edges where a person types a subject refuse these."""
    found = _ONE_LINE.search(text)
    return found.start() if found else None


def invisible_shown(text: str) -> str:
    """``text`` with only the characters above C0 that ``printable`` escapes made visible
    (bidi controls, invisible format characters, DEL and C1): for text kept whole, such as a
    spreadsheet cell, whose line breaks and tabs are its own."""
    if _UNSAFE_ONLY.search(text) is None:
        return text
    return _UNSAFE_ONLY.sub(_shown, text)


def printable(text: object, *, one_line: bool = True) -> str:
    """``text`` (``str()`` of it) with every character that could drive a terminal or
    hide or reorder what follows made visible. ``one_line`` (the default) also shows
    newlines and tabs, so a value stays on the line it is printed on; with ``False``
    the text is a block whose newlines and tabs are kept."""
    shown = text if isinstance(text, str) else str(text)
    pattern = _ONE_LINE if one_line else _BLOCK
    if pattern.search(shown) is None:
        return shown
    return pattern.sub(_shown, shown)
