"""SMTP logins for ``kootui serve``'s submission listeners: listed, created (the password
shown once, with a copy action) and revoked after a confirmation. Opened from the API keys
dialog (``s``); the same core calls as ``kootui smtp-credential``, on threads. The password
exists only in the dialog that shows it: closing it forgets it.
"""

from __future__ import annotations

import asyncio

from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from kootui.core.apikeys import (
    CreatedCredential,
    SmtpCredentialView,
    create_smtp_credential,
    list_smtp_credentials,
    revoke_smtp_credential,
)
from kootui.core.clock import local_text
from kootui.core.context import Context
from kootui.core.errors import KootuiError
from kootui.tui.clipboard import copy_text
from kootui.tui.keys.registry import bindings
from kootui.tui.outside_text import outside
from kootui.tui.shell.kootui_node import KootuiNode
from kootui.tui.widgets.dialogs import ConfirmDialog
from kootui.tui.widgets.form import FormDialog, FormValues, TextField

TIME_FORMAT = "%Y-%m-%d %H:%M"


class NewLoginForm(FormDialog[CreatedCredential]):
    def __init__(self, context: Context) -> None:
        super().__init__(
            "New SMTP login — for applications that send over SMTP",
            [TextField("name", "What the login is for", placeholder="billing app")],
            lambda values: self._create(context, values),
            submit_label="Create",
        )

    @staticmethod
    def _create(context: Context, values: FormValues) -> CreatedCredential:
        return create_smtp_credential(context, str(values["name"]))


class PasswordDialog(KootuiNode, ModalScreen[None]):
    """The new login's user name and password, once: the password is not stored."""

    DEFAULT_CSS = """
    PasswordDialog { align: center middle; }
    PasswordDialog > #password-box {
        width: 80; max-width: 95%; height: auto;
        border: thick $warning; background: $surface; padding: 0 1;
    }
    PasswordDialog #password-title { text-style: bold; padding: 0 0 1 0; }
    PasswordDialog #password-value { padding: 0 0 1 0; text-style: bold; }
    PasswordDialog #password-hint { color: $text-muted; }
    """
    BINDINGS = bindings("smtp-password")

    def __init__(self, created: CreatedCredential) -> None:
        super().__init__()
        self._password = created.password
        self._username = created.credential.username
        self._name = created.credential.name

    def compose(self) -> ComposeResult:
        copy = self.kootui.key_display("smtp-password-copy")
        with Vertical(id="password-box"):
            yield Static(outside(f"SMTP login for {self._name}"), id="password-title")
            yield Static(f"User name: {self._username}", id="password-user", markup=False)
            yield Static(self._password, id="password-value", markup=False)
            yield Static(
                f"Copy the password now ({copy}): kootui keeps only its hash and cannot show "
                "it again. Log in with AUTH PLAIN or LOGIN over TLS (or on loopback).",
                id="password-hint",
                markup=False,
            )

    def action_copy_password(self) -> None:
        copy_text(self.app, self._password, "the SMTP password")

    def action_close(self) -> None:
        self._password = ""
        self.dismiss(None)


class SmtpLoginsDialog(KootuiNode, ModalScreen[None]):
    DEFAULT_CSS = """
    SmtpLoginsDialog { align: center middle; }
    SmtpLoginsDialog > #smtp-logins-box {
        width: 110; max-width: 98%; height: auto; max-height: 90%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    SmtpLoginsDialog #smtp-logins-title { text-style: bold; padding: 0 0 1 0; }
    SmtpLoginsDialog DataTable { height: auto; max-height: 20; }
    SmtpLoginsDialog #smtp-logins-hint { color: $text-muted; padding: 1 0 0 0; }
    """
    BINDINGS = bindings("smtp-logins")

    def __init__(self, context: Context) -> None:
        super().__init__()
        self.context = context
        self.logins: list[SmtpCredentialView] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="smtp-logins-box"):
            yield Static("SMTP logins — for kootui serve's SMTP submission", id="smtp-logins-title")
            table: DataTable[object] = DataTable(id="smtp-logins-table", cursor_type="row")
            table.add_columns("User name", "Name", "Created", "Last used", "State")
            yield table
            yield Static("", id="smtp-logins-hint", markup=False)

    def on_mount(self) -> None:
        self.reload()

    @work(group="smtp-logins-load", exclusive=True, exit_on_error=False)
    async def reload(self, cursor: int | None = None) -> None:
        self.logins = await asyncio.to_thread(list_smtp_credentials, self.context)
        table = self.query_one(DataTable)
        table.clear()
        for login in self.logins:
            table.add_row(
                login.username,
                outside(login.name),
                local_text(login.created_at, TIME_FORMAT),
                local_text(login.last_used_at, TIME_FORMAT) if login.last_used_at else "never",
                "active" if login.active else "revoked",
                key=str(login.id),
            )
        if cursor is not None:
            rows = [login.id for login in self.logins]
            if cursor in rows:
                table.move_cursor(row=rows.index(cursor))
        new = self.kootui.key_display("smtp-logins-new")
        revoke = self.kootui.key_display("smtp-logins-revoke")
        hint = f"{new} new login · {revoke} revoke the highlighted login · esc back"
        if not self.logins:
            hint = f"No SMTP logins yet. Press {new} to create one (its password is shown once)."
        self.query_one("#smtp-logins-hint", Static).update(hint)

    def _highlighted(self) -> SmtpCredentialView | None:
        table = self.query_one(DataTable)
        if not self.logins or table.cursor_row < 0 or table.cursor_row >= len(self.logins):
            return None
        return self.logins[table.cursor_row]

    @work(group="smtp-logins-new", exit_on_error=False)
    async def action_new_login(self) -> None:
        created = await self.app.push_screen_wait(NewLoginForm(self.context))
        if created is None:
            return
        self.reload(cursor=created.credential.id)
        await self.app.push_screen_wait(PasswordDialog(created))

    @work(group="smtp-logins-revoke", exit_on_error=False)
    async def action_revoke_login(self) -> None:
        login = self._highlighted()
        if login is None or not login.active:
            self.notify("Highlight an active login to revoke it.", timeout=4)
            return
        question = ConfirmDialog(
            f"Revoke {login.username} ({login.name})?",
            "Applications using it can no longer log in. This cannot be undone.",
            confirm_label="Revoke",
            destructive=True,
        )
        if not await self.app.push_screen_wait(question):
            return
        try:
            await asyncio.to_thread(revoke_smtp_credential, self.context, str(login.id))
        except KootuiError as refusal:
            self.notify(str(refusal), title="Not revoked", severity="error", timeout=8)
        else:
            self.notify(f"Revoked {login.username}.", timeout=5)
        self.reload(cursor=login.id)

    def action_close(self) -> None:
        self.dismiss(None)
