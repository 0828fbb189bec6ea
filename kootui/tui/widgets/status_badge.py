"""Status badges whose colours come from the theme, never from fixed values.

A status (``passed``, ``failed``, ``sending``...) has a tone: ok, warn, bad,
info or muted. A tone's colour is the theme variable ``$status-<tone>``; a theme
that leaves it out falls back to the matching Textual colour (``$success``,
``$warning``, ``$error``, ``$primary``, ``$secondary``). Colours are looked up
from the running app's theme variables, so the badge works in any app and
follows a theme switch, and table cells (plain Rich text, outside CSS) get the
same colours as the widget.
"""

from __future__ import annotations

from collections.abc import Mapping

from rich.style import Style
from rich.text import Text
from textual.app import App
from textual.color import Color, ColorParseError
from textual.reactive import reactive
from textual.widgets import Static

TONE_FALLBACKS = {
    "ok": "success",
    "warn": "warning",
    "bad": "error",
    "info": "primary",
    "muted": "secondary",
}

# Every status the store knows (models.py), by what it means to the user.
STATUS_TONES = {
    "passed": "ok",
    "approved": "ok",
    "delivered": "ok",
    "completed": "ok",
    "verifying": "info",
    "approving": "info",
    "scheduled": "info",
    "sending": "info",
    "pending": "info",
    "paused": "warn",
    "deferred": "warn",
    "partly_failed": "warn",
    "unknown": "warn",
    "failed": "bad",
    "rejected": "bad",
    "bounced": "bad",
    "complained": "bad",
    "not_found": "bad",
    "cancelled": "muted",
    # Sender addresses: whether the address may be chosen for a new task.
    "usable": "ok",
    "domain_not_verified": "bad",
    # The suppression list: why an address is not mailed.
    "unsubscribed": "info",
    "hard_bounce": "bad",
    "complaint": "bad",
    "manual": "muted",
    # Destinations: sending at its rule's rate, or slowed after it throttled.
    "full_rate": "ok",
    "slowed": "warn",
    # Webhook endpoints: delivering, failing, switched off by hand or by days of failures.
    "enabled": "ok",
    "failing": "warn",
    "disabled": "muted",
    "auto_disabled": "bad",
    # Packages: whether a package's emails can be used now.
    "active": "ok",
    "upcoming": "info",
    "used_up": "warn",
    "expired": "muted",
}

BADGE_SYMBOL = "●"


def tone_of(status: str) -> str:
    return STATUS_TONES.get(status.lower(), "muted")


def status_label(status: str) -> str:
    """'partly_failed' -> 'Partly failed'."""
    words = status.replace("_", " ").strip()
    return words[:1].upper() + words[1:] if words else "—"


def tone_color(variables: Mapping[str, str], tone: str) -> Color | None:
    """The theme's colour for a tone, or None when the theme gives neither it nor a fallback."""
    for name in (f"status-{tone}", TONE_FALLBACKS.get(tone, "foreground")):
        value = variables.get(name)
        if not value:
            continue
        try:
            return Color.parse(value)
        except ColorParseError:
            continue
    return None


def status_text(status: str, variables: Mapping[str, str]) -> Text:
    """A badge as Rich text, for places CSS does not reach (table cells)."""
    colour = tone_color(variables, tone_of(status))
    style = Style(color=colour.rich_color) if colour is not None else Style()
    text = Text(f"{BADGE_SYMBOL} ", style=style)
    text.append(status_label(status))
    return text


def app_variables(app: App[object]) -> Mapping[str, str]:
    """The running theme's variables (Textual keeps them after each stylesheet build)."""
    return app.theme_variables or app.get_css_variables()


class StatusBadge(Static):
    """A one-line badge: a coloured dot and the status in words."""

    DEFAULT_CSS = """
    StatusBadge {
        width: auto;
        height: 1;
    }
    """

    status: reactive[str] = reactive("", layout=True)

    def __init__(self, status: str, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.set_reactive(StatusBadge.status, status)

    def on_mount(self) -> None:
        # Published after the new theme's variables are in place.
        self.app.theme_changed_signal.subscribe(self, self._refresh_badge)
        self._refresh_badge()

    def watch_status(self, _status: str) -> None:
        if self.is_mounted:
            self._refresh_badge()

    def _refresh_badge(self, _theme: object = None) -> None:
        for tone in TONE_FALLBACKS:
            self.set_class(tone == tone_of(self.status), f"-{tone}")
        self.update(status_text(self.status, app_variables(self.app)))
