"""What the console's outside-text tests share: a hostile value, what printable makes of
it, and a reader of what a widget actually sends to the terminal."""

from __future__ import annotations

from textual.widget import Widget

# A retitle (OSC ... BEL), markup and a right-to-left override in one name.
HOSTILE = "\x1b]0;pwned\x07[red]FAKE[/] \u202eevil"
# What printable makes of it: ESC and BEL as their pictures, the override as an escape.
SHOWN = "␛]0;pwned␇[red]FAKE[/] \\u202eevil"
# Characters that must never reach the terminal.
DRIVERS = ("\x1b", "\x07", "\x9b", "\u202e")


def drawn_text(widget: Widget) -> str:
    """The characters of the lines the widget sends to the terminal (line filters applied)."""
    strips = widget.render_lines(widget.size.region)
    return "\n".join(strip.text for strip in strips)


def drives_nothing(text: str) -> bool:
    return not any(char in text for char in DRIVERS)
