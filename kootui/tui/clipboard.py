"""Copying text to the user's clipboard from a terminal, also over SSH.

Textual's ``App.copy_to_clipboard`` writes an OSC 52 escape sequence: the
terminal itself (not the machine kootui runs on) puts the text on its clipboard,
so it works in a remote session too. Some terminals ignore OSC 52 or ask first,
so the notice says where else the text can be found.
"""

from __future__ import annotations

from textual.app import App

from kootui.core.plural import count_of

OSC52_HINT = "if nothing arrived, your terminal blocks OSC 52; save it to a file instead"


def copy_text(app: App[object], text: str, what: str) -> None:
    """Put ``text`` on the clipboard and tell the user what was copied."""
    app.copy_to_clipboard(text)
    lines = text.count("\n") + (0 if text.endswith("\n") else 1)
    app.notify(
        f"Copied {what} ({count_of(lines, 'line')}) to the clipboard — {OSC52_HINT}.", timeout=6
    )
