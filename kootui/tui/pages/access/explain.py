"""The explain panel: for a user (or one of their API keys or SMTP logins), an action and a
resource, the statement that decides.

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

from kootui.core.access import (
    ACTIONS,
    Decision,
    Face,
    UserView,
    explain_principal,
    explain_user,
)
from kootui.core.apikeys import (
    ApiKeyView,
    SmtpCredentialView,
    api_key_principal,
    smtp_credential_principal,
)
from kootui.core.errors import KootuiError
from kootui.core.printable import printable
from kootui.tui.keys.registry import bindings
from kootui.tui.shell.kootui_node import KootuiNode
from kootui.tui.shell.rights import refusal_text
from kootui.tui.widgets.fitting_footer import FittingFooter

if TYPE_CHECKING:
    from kootui.core.context import Context


# Who may be explained: a user name, or a credential marked by its face.
API_KEY, SMTP_LOGIN = "api-key:", "smtp-login:"


def explain_choices(
    users: Sequence[UserView],
    api_keys: Sequence[ApiKeyView],
    smtp_logins: Sequence[SmtpCredentialView],
) -> list[tuple[str, str]]:
    """Whom the explain panel may ask about: users, and each API key and SMTP login."""
    choices = [(f"user {known.name}", known.name) for known in users]
    choices += [
        (
            f"API key {key.display_prefix} of {key.owner or 'the owner'}",
            f"{API_KEY}{key.display_prefix}",
        )
        for key in api_keys
    ]
    choices += [
        (
            f"SMTP login {login.username} of {login.owner or 'the owner'}",
            SMTP_LOGIN + login.username,
        )
        for login in smtp_logins
    ]
    return choices


def decision_for(context: Context, who: str, action: str, resource: str) -> Decision:
    """The core's explain for ``who`` (run on a thread): a user asking from the console, an
    API key from the API, an SMTP login from SMTP submission."""
    if who.startswith(API_KEY):
        key = api_key_principal(context, who.removeprefix(API_KEY))
        return explain_principal(key, action, resource, face=Face.API)
    if who.startswith(SMTP_LOGIN):
        login = smtp_credential_principal(context, who.removeprefix(SMTP_LOGIN))
        return explain_principal(login, action, resource, face=Face.SMTP)
    return explain_user(context, who, action, resource, face=Face.CONSOLE)


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

    def __init__(self, choices: Sequence[tuple[str, str]], chosen: str | None = None) -> None:
        """``choices``: (label, who) for ``decision_for``; ``chosen`` is shown first."""
        super().__init__()
        self.choices = list(choices)
        known = [who for _label, who in self.choices]
        self.chosen = chosen if chosen in known else (known[0] if known else None)
        self.decision: Decision | None = None

    def compose(self) -> ComposeResult:
        box = Vertical(id="explain-box", classes="dialog")
        box.border_title = "Explain"
        with box:
            yield Label("User, API key or SMTP login", markup=False)
            yield Select(
                [(printable(label), who) for label, who in self.choices],
                value=self.chosen if self.chosen is not None else Select.NULL,
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
