"""API keys for ``kootui serve``: listed, created (the secret shown once, with a copy
action) and revoked after a confirmation. Opened from the Overview page (``k``); ``s``
opens the SMTP logins beside them (``smtp_credentials``).

The same core calls as ``kootui apikey``; every store call runs on a thread. The secret
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
    ApiKeyView,
    CreatedKey,
    create_api_key,
    list_api_keys,
    revoke_api_key,
)
from kootui.core.clock import local_text
from kootui.core.context import Context
from kootui.core.errors import KootuiError
from kootui.tui.clipboard import copy_text
from kootui.tui.keys.registry import bindings
from kootui.tui.outside_text import outside
from kootui.tui.pages.overview.smtp_credentials import SmtpLoginsDialog
from kootui.tui.shell.kootui_node import KootuiNode
from kootui.tui.widgets.dialogs import ConfirmDialog
from kootui.tui.widgets.form import CheckboxField, FormDialog, FormValues, TextField

TIME_FORMAT = "%Y-%m-%d %H:%M"


class NewKeyForm(FormDialog[CreatedKey]):
    def __init__(self, context: Context) -> None:
        super().__init__(
            "New API key — for applications that send through kootui serve",
            [
                TextField("name", "What the key is for", placeholder="shop backend"),
                CheckboxField(
                    "reveal_recipients", "May read whole recipient addresses (masked otherwise)"
                ),
            ],
            lambda values: self._create(context, values),
            submit_label="Create",
        )

    @staticmethod
    def _create(context: Context, values: FormValues) -> CreatedKey:
        return create_api_key(
            context, str(values["name"]), reveal_recipients=bool(values["reveal_recipients"])
        )


class SecretDialog(KootuiNode, ModalScreen[None]):
    """The new key's secret, once: copy it now, it is not stored."""

    DEFAULT_CSS = """
    SecretDialog { align: center middle; }
    SecretDialog > #secret-box {
        width: 80; max-width: 95%; height: auto;
        border: thick $warning; background: $surface; padding: 0 1;
    }
    SecretDialog #secret-title { text-style: bold; padding: 0 0 1 0; }
    SecretDialog #secret-value { padding: 0 0 1 0; text-style: bold; }
    SecretDialog #secret-hint { color: $text-muted; }
    """
    BINDINGS = bindings("api-key-secret")

    def __init__(self, created: CreatedKey) -> None:
        super().__init__()
        self._secret = created.secret
        self._label = f"{created.key.display_prefix} ({created.key.name})"

    def compose(self) -> ComposeResult:
        copy = self.kootui.key_display("api-key-secret-copy")
        with Vertical(id="secret-box"):
            yield Static(outside(f"API key {self._label}"), id="secret-title")
            yield Static(self._secret, id="secret-value", markup=False)
            yield Static(
                f"Copy it now ({copy}): kootui keeps only its hash and cannot show it again. "
                "Send it as 'Authorization: Bearer <key>'.",
                id="secret-hint",
                markup=False,
            )

    def action_copy_secret(self) -> None:
        copy_text(self.app, self._secret, "the API key")

    def action_close(self) -> None:
        self._secret = ""
        self.dismiss(None)


class ApiKeysDialog(KootuiNode, ModalScreen[None]):
    DEFAULT_CSS = """
    ApiKeysDialog { align: center middle; }
    ApiKeysDialog > #api-keys-box {
        width: 110; max-width: 98%; height: auto; max-height: 90%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    ApiKeysDialog #api-keys-title { text-style: bold; padding: 0 0 1 0; }
    ApiKeysDialog DataTable { height: auto; max-height: 20; }
    ApiKeysDialog #api-keys-hint { color: $text-muted; padding: 1 0 0 0; }
    """
    BINDINGS = bindings("api-keys")

    def __init__(self, context: Context) -> None:
        super().__init__()
        self.context = context
        self.keys: list[ApiKeyView] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="api-keys-box"):
            yield Static("API keys — for kootui serve's /v1 API", id="api-keys-title")
            table: DataTable[object] = DataTable(id="api-keys-table", cursor_type="row")
            table.add_columns("Prefix", "Name", "Created", "Last used", "State", "Recipients")
            yield table
            yield Static("", id="api-keys-hint", markup=False)

    def on_mount(self) -> None:
        self.reload()

    @work(group="api-keys-load", exclusive=True, exit_on_error=False)
    async def reload(self, cursor: int | None = None) -> None:
        self.keys = await asyncio.to_thread(list_api_keys, self.context)
        table = self.query_one(DataTable)
        table.clear()
        for key in self.keys:
            table.add_row(
                key.display_prefix,
                outside(key.name),
                local_text(key.created_at, TIME_FORMAT),
                local_text(key.last_used_at, TIME_FORMAT) if key.last_used_at else "never",
                "active" if key.active else "revoked",
                "shown" if key.reveal_recipients else "masked",
                key=str(key.id),
            )
        if cursor is not None:
            rows = [key.id for key in self.keys]
            if cursor in rows:
                table.move_cursor(row=rows.index(cursor))
        new = self.kootui.key_display("api-keys-new")
        revoke = self.kootui.key_display("api-keys-revoke")
        smtp = self.kootui.key_display("api-keys-smtp")
        hint = (
            f"{new} new key · {revoke} revoke the highlighted key · {smtp} SMTP logins · esc back"
        )
        if not self.keys:
            hint = (
                f"No API keys yet. Press {new} to create one (its secret is shown once); "
                f"{smtp} for SMTP logins."
            )
        self.query_one("#api-keys-hint", Static).update(hint)

    def _highlighted(self) -> ApiKeyView | None:
        table = self.query_one(DataTable)
        if not self.keys or table.cursor_row < 0 or table.cursor_row >= len(self.keys):
            return None
        return self.keys[table.cursor_row]

    @work(group="api-keys-new", exit_on_error=False)
    async def action_new_key(self) -> None:
        created = await self.app.push_screen_wait(NewKeyForm(self.context))
        if created is None:
            return
        self.reload(cursor=created.key.id)
        await self.app.push_screen_wait(SecretDialog(created))

    @work(group="api-keys-revoke", exit_on_error=False)
    async def action_revoke_key(self) -> None:
        key = self._highlighted()
        if key is None or not key.active:
            self.notify("Highlight an active key to revoke it.", timeout=4)
            return
        question = ConfirmDialog(
            f"Revoke {key.display_prefix} ({key.name})?",
            "Applications using it are refused from then on (within the server's key cache "
            "time). This cannot be undone.",
            confirm_label="Revoke",
            destructive=True,
        )
        if not await self.app.push_screen_wait(question):
            return
        try:
            await asyncio.to_thread(revoke_api_key, self.context, str(key.id))
        except KootuiError as refusal:
            self.notify(str(refusal), title="Not revoked", severity="error", timeout=8)
        else:
            self.notify(f"Revoked {key.display_prefix}.", timeout=5)
        self.reload(cursor=key.id)

    def action_smtp_logins(self) -> None:
        self.app.push_screen(SmtpLoginsDialog(self.context))

    def action_close(self) -> None:
        self.dismiss(None)
