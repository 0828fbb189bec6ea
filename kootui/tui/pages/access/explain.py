"""The explain panel: for a user, an action and a resource, the statement that decides.

It answers the question an operator has the first day a Deny surprises them: which
statement of which policy allowed or refused it, or that no statement allows it
(default deny). The answer is the core's ``explain``, computed again at each change.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, Static

from kootui.core.access import ACTIONS, Decision, Face, explain_user
from kootui.core.errors import KootuiError
from kootui.core.printable import printable
from kootui.tui.keys.registry import bindings
from kootui.tui.shell.kootui_node import KootuiNode
from kootui.tui.shell.rights import refusal_text
from kootui.tui.widgets.fitting_footer import FittingFooter

if TYPE_CHECKING:
    from kootui.core.context import Context


def decision_for(context: Context, user: str, action: str, resource: str) -> Decision:
    """The core's explain for ``user`` asking from the console (run on a thread)."""
    return explain_user(context, user, action, resource, face=Face.CONSOLE)


def decision_text(decision: Decision) -> Content:
    if decision.allowed:
        verdict = ("Allowed", "bold $text-success")
    else:
        verdict = ("Refused", "bold $text-error")
    return Content.assemble(verdict, " — ", printable(decision.explanation))


class ExplainScreen(KootuiNode, ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = bindings("explain")
    DEFAULT_CSS = """
    ExplainScreen { align: center middle; }
    #explain-box { width: 84; max-width: 100%; height: auto; padding: 0 1 1 1; }
    #explain-box Label { margin-top: 1; }
    #explain-result { margin-top: 1; height: auto; }
    """

    def __init__(self, users: Sequence[str], user: str | None = None) -> None:
        super().__init__()
        self.users = list(users)
        self.user = user if user in self.users else (self.users[0] if self.users else None)
        self.decision: Decision | None = None

    def compose(self) -> ComposeResult:
        box = Vertical(id="explain-box", classes="dialog")
        box.border_title = "Explain"
        with box:
            yield Label("User", markup=False)
            yield Select(
                [(printable(name), name) for name in self.users],
                value=self.user if self.user is not None else Select.NULL,
                id="explain-user",
            )
            yield Label("Action", markup=False)
            yield Select(
                [(f"{name} — {spec.description}", name) for name, spec in ACTIONS.items()],
                value="kooMessage:domain:update",
                id="explain-action",
            )
            yield Label("Resource (empty: any)", markup=False)
            yield Input(placeholder="domain/example.com", id="explain-resource", max_length=300)
            yield Static("", id="explain-result")
        yield FittingFooter()

    def on_mount(self) -> None:
        self.query_one("#explain-action", Select).focus()
        self.explain_now()

    @on(Select.Changed)
    @on(Input.Changed, "#explain-resource")
    def _changed(self) -> None:
        self.explain_now()

    @work(group="explain", exclusive=True, exit_on_error=False)
    async def explain_now(self) -> None:
        user = self.query_one("#explain-user", Select).value
        action = self.query_one("#explain-action", Select).value
        result = self.query_one("#explain-result", Static)
        if not isinstance(user, str) or not isinstance(action, str):
            result.update("Choose a user and an action.")
            return
        resource = self.query_one("#explain-resource", Input).value.strip()
        try:
            self.decision = await asyncio.to_thread(
                decision_for, self.kootui.context, user, action, resource
            )
        except KootuiError as refusal:
            result.update(refusal_text(refusal))
            return
        result.update(decision_text(self.decision))

    def action_close(self) -> None:
        self.dismiss(None)
