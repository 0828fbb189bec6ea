"""Outside text on the console: shown as the characters it holds, never obeyed.

A task name, a domain's TXT answer, an SMTP reply or an xlsx cell comes from someone
else. Two things could make it drive the console instead of being read: Textual markup
(``[red]FAKE[/]`` recolours, ``[@click=app.quit]`` runs an action) and characters a
terminal acts on or that reorder what follows (ESC, C1, U+202E). So:

- ``outside`` / ``outside_block`` make a value printable (``kootui.core.printable``, the
  one definition the CLI uses too) and wrap it in ``Text``, which is never parsed as
  markup; widgets show outside values only through them (or ``printable`` itself where
  a widget takes a plain string with markup off).
- ``TerminalSafeFilter`` is the last line: the app applies it to every rendered line of
  every widget, so a value some widget shows raw still cannot reach the terminal with a
  control or bidi character in it (they are dropped; Rich gives them no width, so the
  layout does not move).
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.color import Color
from textual.filter import LineFilter

from kootui.core.printable import printable

__all__ = ["TerminalSafeFilter", "outside", "outside_block"]


def outside(value: object, style: str | Style = "") -> Text:
    """One line of outside text: controls, newlines and bidi overrides made visible."""
    return Text(printable(value), style=style)


def outside_block(value: object, style: str | Style = "") -> Text:
    """Outside text of several lines: its newlines and tabs kept, every other control shown."""
    return Text(printable(value, one_line=False), style=style)


def _terminal_safe(text: str) -> str:
    # printable shows each unsafe character as something else, so a character it
    # changes is one to drop; the per-character pass runs only when one is there.
    return "".join(char for char in text if printable(char) == char)


class TerminalSafeFilter(LineFilter):
    """Drops from every rendered segment the characters ``printable`` would show."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        # Nearly every line is clean: it is returned as it is, nothing rebuilt.
        if all(printable(segment.text) == segment.text for segment in segments):
            return segments
        return [
            segment
            if printable(segment.text) == segment.text
            else Segment(_terminal_safe(segment.text), segment.style, segment.control)
            for segment in segments
        ]
