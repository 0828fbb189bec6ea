"""Snapshots of the sign-in screen (after a refusal) and the Access page, at 120x40.

Deterministic: the store's times come from the fixed clock, TZ=UTC, no cursor blink.
Regenerate after a deliberate change with ``pytest tests/tui/test_snapshots_access.py
--snapshot-update -m slow`` and look at the SVGs before committing them.
"""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Input

from kootui.core.context import Context
from kootui.tui.pages.access.page import AccessScreen
from kootui.tui.pages.overview.page import OverviewScreen
from kootui.tui.shell.sign_in import SignInScreen
from tests.support.tui_access import (
    ADMIN,
    ADMIN_PASSWORD,
    SENDER,
    signing_in_app,
    turn_sign_in_on,
)
from tests.support.tui_shell import SIZE, paste_into, settle, wait_until

pytestmark = pytest.mark.slow  # snapshots of the console, ~2 s of CPU each


async def _sign_in(pilot: object, name: str, password: str) -> None:
    app = pilot.app  # type: ignore[attr-defined]
    await wait_until(pilot, lambda: isinstance(app.screen, SignInScreen), "sign-in")
    await paste_into(pilot, app.screen.query_one("#sign-in-name", Input), name)
    await paste_into(pilot, app.screen.query_one("#sign-in-password", Input), password)
    await pilot.press("enter")  # type: ignore[attr-defined]
    await settle(pilot)


def test_sign_in_after_a_wrong_password(snap_compare, context: Context) -> None:
    turn_sign_in_on(context)

    async def refused(pilot: object) -> None:
        await _sign_in(pilot, SENDER, "not-her-password")

    app = signing_in_app(context, theme="kootui-dark")
    assert snap_compare(app, terminal_size=SIZE, run_before=refused)


def test_access_page_users(snap_compare, context: Context) -> None:
    turn_sign_in_on(context)

    async def open_access(pilot: object) -> None:
        app = pilot.app  # type: ignore[attr-defined]
        await _sign_in(pilot, ADMIN, ADMIN_PASSWORD)
        await wait_until(pilot, lambda: isinstance(app.screen, OverviewScreen), "Overview")
        await pilot.press("g", "i")  # type: ignore[attr-defined]
        await wait_until(pilot, lambda: isinstance(app.screen, AccessScreen), "Access")
        users = app.screen.query_one("#users-table", DataTable)
        await wait_until(pilot, lambda: users.row_count == 2, "the users")
        users.move_cursor(row=1)
        await settle(pilot)

    app = signing_in_app(context, theme="kootui-dark")
    assert snap_compare(app, terminal_size=SIZE, run_before=open_access)


def test_sign_in_at_80x24(snap_compare, context: Context) -> None:
    """The usual SSH window: the whole form and its footer fit."""
    turn_sign_in_on(context)

    async def shown(pilot: object) -> None:
        app = pilot.app  # type: ignore[attr-defined]
        await wait_until(pilot, lambda: isinstance(app.screen, SignInScreen), "sign-in")

    app = signing_in_app(context, theme="kootui-dark")
    assert snap_compare(app, terminal_size=(80, 24), run_before=shown)


def test_access_page_policies_at_80x24(snap_compare, context: Context) -> None:
    turn_sign_in_on(context)

    async def policies(pilot: object) -> None:
        app = pilot.app  # type: ignore[attr-defined]
        await _sign_in(pilot, ADMIN, ADMIN_PASSWORD)
        await wait_until(pilot, lambda: isinstance(app.screen, OverviewScreen), "Overview")
        await pilot.press("g", "i")  # type: ignore[attr-defined]
        await wait_until(pilot, lambda: isinstance(app.screen, AccessScreen), "Access")
        await pilot.press("3")  # type: ignore[attr-defined]
        table = app.screen.query_one("#policies-table", DataTable)
        await wait_until(pilot, lambda: table.row_count == 5, "the policies")
        table.move_cursor(row=4)  # Send no domains: its Deny on the right
        await settle(pilot)

    app = signing_in_app(context, theme="kootui-dark")
    assert snap_compare(app, terminal_size=(80, 24), run_before=policies)
