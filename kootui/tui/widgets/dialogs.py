"""The confirm dialog: a question answered yes or no, returned as a bool.

The destructive variant (deleting a domain, cancelling a task) names the object
and asks the user to type that name, so a stray key can never confirm it.
"""

from __future__ import annotations

from dataclasses import replace

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from kootui.core.printable import printable
from kootui.tui.keys.registry import bindings
from kootui.tui.widgets.fitting_footer import FittingFooter


class ConfirmDialog(ModalScreen[bool]):
    """``y``/Enter confirms, ``n``/Escape declines. With ``require_typing`` the name must
    be typed first, and only then is the confirm button enabled."""

    DEFAULT_CSS = """
    ConfirmDialog { align: center middle; }
    ConfirmDialog > #confirm-box {
        width: 64; max-width: 95%; height: auto;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    ConfirmDialog.-destructive > #confirm-box { border: thick $error; }
    ConfirmDialog #confirm-title { text-style: bold; padding: 0 0 1 0; }
    ConfirmDialog #confirm-message { padding: 0 0 1 0; }
    ConfirmDialog #confirm-buttons { height: auto; align-horizontal: right; padding: 1 0 0 0; }
    ConfirmDialog #confirm-buttons > Button { margin-left: 1; }
    """

    BINDINGS = bindings("confirm")

    def __init__(
        self,
        title: str,
        message: str,
        *,
        confirm_label: str = "Yes",
        decline_label: str = "No",
        destructive: bool = False,
        require_typing: str | None = None,
    ) -> None:
        super().__init__(classes="-destructive" if destructive else None)
        self.dialog_title = title
        self.message = message
        self.confirm_label = confirm_label
        self.decline_label = decline_label
        self.destructive = destructive
        self.require_typing = require_typing
        self._name_the_answers()

    def _name_the_answers(self) -> None:
        """The footer says what y and n do here ("y Quit  n Stay"), as the buttons do."""
        named = {"confirm-yes": self.confirm_label, "confirm-no": self.decline_label}
        table = self._bindings.key_to_bindings
        for key, found in table.items():
            table[key] = [
                replace(binding, description=named[binding.id]) if binding.id in named else binding
                for binding in found
            ]

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Label(printable(self.dialog_title), id="confirm-title", markup=False)
            yield Static(
                printable(self.message, one_line=False), id="confirm-message", markup=False
            )
            if self.require_typing is not None:
                yield Label(printable(f"Type {self.require_typing} to confirm:"), markup=False)
                yield Input(placeholder=self.require_typing, id="confirm-typed")
            with Horizontal(id="confirm-buttons"):
                yield Button(self.decline_label, id="confirm-no")
                yield Button(
                    self.confirm_label,
                    id="confirm-yes",
                    variant="error" if self.destructive else "primary",
                    disabled=self.require_typing is not None,
                )
        yield FittingFooter()  # this dialog's keys, not the page's underneath

    def on_mount(self) -> None:
        if self.require_typing is not None:
            self.query_one("#confirm-typed", Input).focus()
        else:
            # Safe default: Enter on a fresh dialog declines a destructive question.
            self.query_one("#confirm-no" if self.destructive else "#confirm-yes").focus()

    @property
    def typed_ok(self) -> bool:
        if self.require_typing is None:
            return True
        return self.query_one("#confirm-typed", Input).value.strip() == self.require_typing

    def action_confirm(self) -> None:
        if self.typed_ok:
            self.dismiss(True)

    def action_decline(self) -> None:
        self.dismiss(False)

    @on(Input.Changed, "#confirm-typed")
    def _typed(self, event: Input.Changed) -> None:
        self.query_one("#confirm-yes", Button).disabled = not self.typed_ok

    @on(Input.Submitted, "#confirm-typed")
    def _typed_enter(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_confirm()

    @on(Button.Pressed, "#confirm-yes")
    def _yes(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_confirm()

    @on(Button.Pressed, "#confirm-no")
    def _no(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_decline()
