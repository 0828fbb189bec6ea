"""The sign-in screen: user name, password, one error line, the wait after failures.

The console shows it before any page when sign-in is on (and always in a browser,
``kootui web``). The check itself is the core's (``sign_in`` below runs it on a
thread); this screen only carries what the user typed and shows what the core said.
After repeated failures the core refuses attempts for a while: the screen counts the
wait down on the app's clock and keeps the button off until it has passed, so nobody
types a password into a console that would refuse it unread.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import ClassVar, Generic, TypeVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Button, Input, Label, Static

from kootui.core.clock import Clock
from kootui.core.errors import KootuiError, user_message
from kootui.core.printable import printable
from kootui.tui.keys.registry import bindings
from kootui.tui.shell.kootui_node import KootuiNode
from kootui.tui.widgets.fitting_footer import FittingFooter

SignedInT = TypeVar("SignedInT")
TICK_SECONDS = 0.5  # how often the wait is counted down on screen


def wait_of(refusal: KootuiError) -> float:
    """Seconds the core asks to wait before the next attempt (0: try again at once)."""
    wait = getattr(refusal, "retry_after", 0.0)
    return float(wait) if isinstance(wait, int | float) else 0.0


def wait_text(seconds: float) -> str:
    whole = max(1, int(seconds + 0.999))
    if whole < 120:
        return f"{whole} s"
    return f"{(whole + 59) // 60} min"


class OpeningScreen(Screen[None]):
    """What a console that signs in first shows while its store opens: no page's frame,
    no workspace name, nothing read from the store."""

    DEFAULT_CSS = """
    OpeningScreen {
        align: center middle;
    }
    OpeningScreen > Static {
        width: auto;
        color: $text-muted;
    }
    """

    def compose(self) -> ComposeResult:
        yield Static("kootui · opening…", id="opening-note", markup=False)


class SignInScreen(KootuiNode, Screen[SignedInT], Generic[SignedInT]):
    """Dismissed with what ``sign_in(name, password)`` returned (the signed-in principal)."""

    BINDINGS: ClassVar[list[BindingType]] = bindings("sign-in")
    DEFAULT_CSS = """
    SignInScreen {
        align: center middle;
    }
    #sign-in-box {
        width: 56;
        max-width: 100%;
        height: auto;
        padding: 1 2;
    }
    #sign-in-box Label {
        margin-top: 1;
    }

    #sign-in-intro {
        color: $text-muted;
    }
    #sign-in-error {
        height: auto;
        min-height: 1;
        margin-top: 1;
        color: $text-error;
    }
    #sign-in-submit {
        margin-top: 1;
        width: 100%;
    }
    """

    def __init__(
        self,
        sign_in: Callable[[str, str], SignedInT],
        *,
        clock: Clock,
        intro: str = "",
        user_name: str = "",
    ) -> None:
        super().__init__()
        self._sign_in = sign_in
        self._clock = clock
        self._intro = intro
        self._user_name = user_name
        self._retry_at: datetime | None = None
        self._refusal = ""

    def compose(self) -> ComposeResult:
        box = Vertical(id="sign-in-box", classes="dialog")
        box.border_title = "kootui · Sign in"
        with box:
            yield Static(
                printable(self._intro or "Sign in with your kootui user name."),
                id="sign-in-intro",
                markup=False,
            )
            yield Label("User name", markup=False)
            yield Input(
                self._user_name,
                id="sign-in-name",
                max_length=64,
                disabled=bool(self._user_name),
            )
            yield Label("Password", markup=False)
            yield Input(id="sign-in-password", password=True, max_length=1024)
            yield Static("", id="sign-in-error", markup=False)
            yield Button("Sign in", id="sign-in-submit", variant="primary")
        yield FittingFooter()

    def on_mount(self) -> None:
        field = "#sign-in-password" if self._user_name else "#sign-in-name"
        self.query_one(field, Input).focus()
        self.set_interval(TICK_SECONDS, self.count_down)

    # --- what is shown ------------------------------------------------------------

    @property
    def error_text(self) -> str:
        return str(self.query_one("#sign-in-error", Static).content)

    @property
    def waiting(self) -> bool:
        return self._retry_at is not None and self._clock.now() < self._retry_at

    def count_down(self) -> None:
        """The wait on screen, and the button back on once it has passed."""
        error = self.query_one("#sign-in-error", Static)
        button = self.query_one("#sign-in-submit", Button)
        if self._retry_at is None:
            return
        left = (self._retry_at - self._clock.now()).total_seconds()
        if left > 0:
            error.update(f"{self._refusal}\nTry again in {wait_text(left)}.")
            button.disabled = True
            return
        self._retry_at = None
        error.update(f"{self._refusal}\nYou may try again now.")
        button.disabled = False

    # --- signing in -----------------------------------------------------------------

    @on(Input.Submitted, "#sign-in-name")
    def _name_entered(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one("#sign-in-password", Input).focus()

    @on(Input.Submitted, "#sign-in-password")
    def _password_entered(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    @on(Button.Pressed, "#sign-in-submit")
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_submit()

    def action_submit(self) -> None:
        if self.waiting:
            return
        name = self.query_one("#sign-in-name", Input).value.strip()
        if not name:
            self.query_one("#sign-in-error", Static).update("Type your user name.")
            self.query_one("#sign-in-name", Input).focus()
            return
        self.attempt(name, self.query_one("#sign-in-password", Input).value)

    @work(group="sign-in", exclusive=True, exit_on_error=False)
    async def attempt(self, name: str, password: str) -> None:
        button = self.query_one("#sign-in-submit", Button)
        button.disabled = True
        try:
            signed_in = await asyncio.to_thread(self._sign_in, name, password)
        except KootuiError as refusal:
            self._refused(refusal)
            return
        finally:
            button.disabled = self.waiting
        self.dismiss(signed_in)

    def _refused(self, refusal: KootuiError) -> None:
        password = self.query_one("#sign-in-password", Input)
        password.value = ""  # never left on screen, and typed again after a refusal
        password.focus()
        self._refusal = user_message(refusal)
        wait = wait_of(refusal)
        if wait > 0:
            self._retry_at = self._clock.now() + timedelta(seconds=wait)
            self.count_down()
        else:
            self._retry_at = None
            self.query_one("#sign-in-error", Static).update(self._refusal)

    def action_quit_console(self) -> None:
        self.app.exit()
