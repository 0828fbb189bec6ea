"""The Access page: users, groups, policies (the JSON editor's live problems), the explain
panel naming the Deny, the audit log with its filter and export; keys the signed-in user
may not use are disabled."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from textual.widgets import DataTable, Input, Select, Static, TabbedContent, TextArea

from kootui.core.access import AuditFilter, list_policies, query_audit
from kootui.core.apikeys import create_api_key, set_key_daily_limit, set_user_daily_limit
from kootui.core.context import Context
from kootui.tui.pages.access.explain import ExplainScreen
from kootui.tui.pages.access.page import AccessScreen
from kootui.tui.pages.access.policy_editor import PolicyEditorScreen
from kootui.tui.pages.overview.page import OverviewScreen
from kootui.tui.shell.sign_in import SignInScreen
from kootui.tui.widgets.form import FormDialog
from tests.support.tui_access import (
    ADMIN,
    ADMIN_PASSWORD,
    SENDER,
    SENDER_PASSWORD,
    signing_in_app,
    turn_sign_in_on,
)
from tests.support.tui_shell import SIZE, paste_into, settle, wait_until


async def _sign_in_and_open_access(pilot: object, name: str, password: str) -> AccessScreen:
    app = pilot.app  # type: ignore[attr-defined]
    await wait_until(pilot, lambda: isinstance(app.screen, SignInScreen), "sign-in")
    screen = app.screen
    await paste_into(pilot, screen.query_one("#sign-in-name", Input), name)
    await paste_into(pilot, screen.query_one("#sign-in-password", Input), password)
    await pilot.press("enter")  # type: ignore[attr-defined]
    await wait_until(pilot, lambda: isinstance(app.screen, OverviewScreen), "the Overview")
    await pilot.press("g", "i")  # type: ignore[attr-defined]
    await wait_until(pilot, lambda: isinstance(app.screen, AccessScreen), "the Access page")
    page = app.screen
    assert isinstance(page, AccessScreen)
    users = page.query_one("#users-table", DataTable)
    await wait_until(pilot, lambda: users.row_count > 0, "users")
    return page


async def test_the_administrator_sees_users_groups_policies_and_explains_the_deny(
    context: Context,
) -> None:
    turn_sign_in_on(context)
    key = create_api_key(context, "ann's shop", owner=SENDER)
    set_user_daily_limit(context, SENDER, 1000)
    set_key_daily_limit(context, key.key.display_prefix, 50)
    app = signing_in_app(context)
    async with app.run_test(size=SIZE) as pilot:
        page = await _sign_in_and_open_access(pilot, ADMIN, ADMIN_PASSWORD)
        assert [u.name for u in page.users] == [ADMIN, SENDER]
        assert "signed in as admin" in str(page.query_one("#signed-in-as", Static).render())
        page.query_one("#users-table", DataTable).move_cursor(row=1)
        await settle(pilot)
        detail = str(page.query_one("#user-detail", Static).render())
        assert "Ann Lee" in detail and "Send no domains (group senders)" in detail
        assert "ann's shop · 0/50 today" in detail  # her API key, with its daily limit
        assert "daily limit: 0/1,000 today" in detail

        await pilot.press("x")
        await settle(pilot)
        explain = app.screen
        assert isinstance(explain, ExplainScreen)
        assert explain.query_one("#explain-user", Select).value == SENDER
        await wait_until(pilot, lambda: explain.decision is not None, "the decision")
        assert explain.decision is not None and not explain.decision.allowed
        assert explain.decision.decided_by == "Send no domains statement 2 (Deny)"
        explain.query_one("#explain-action", Select).value = "kooMessage:devSendTask:create"
        await wait_until(
            pilot, lambda: explain.decision is not None and explain.decision.allowed, "allowed"
        )
        # Her API key holds her policies: the same Deny, asked from the API.
        explain.query_one("#explain-action", Select).value = "kooMessage:domain:delete"
        explain.query_one("#explain-user", Select).value = f"api-key:{key.key.display_prefix}"
        await wait_until(
            pilot,
            lambda: explain.decision is not None and "API key" in explain.decision.principal,
            "the key's decision",
        )
        assert not explain.decision.allowed
        assert explain.decision.decided_by == "Send no domains statement 2 (Deny)"
        await pilot.press("escape")
        await settle(pilot)

        await pilot.press("2")
        await settle(pilot)
        assert page.query_one("#access-tabs", TabbedContent).active == "groups"
        assert page.query_one("#groups-table", DataTable).row_count == 1


async def test_the_policy_editor_shows_problems_as_you_type_and_saves(context: Context) -> None:
    turn_sign_in_on(context)
    app = signing_in_app(context)
    async with app.run_test(size=SIZE) as pilot:
        page = await _sign_in_and_open_access(pilot, ADMIN, ADMIN_PASSWORD)
        await pilot.press("3")
        await settle(pilot)
        names = [policy.name for policy in page.policies]
        page.query_one("#policies-table", DataTable).move_cursor(row=names.index("Send no domains"))
        await pilot.press("e")
        await settle(pilot)
        editor = app.screen
        assert isinstance(editor, PolicyEditorScreen)
        text = editor.query_one("#policy-text", TextArea)
        text.text = text.text.replace('"Deny"', '"Maybe"')
        await wait_until(pilot, lambda: bool(editor.problems), "a problem")
        assert editor.problems[0].startswith("line 5, column 16: Effect must be")
        text.text = text.text.replace('"Maybe"', '"Deny"').replace(
            '"kooMessage:domain:delete"', '"kooMessage:domain:delete", "kooMessage:sender:*"'
        )
        await wait_until(pilot, lambda: not editor.problems, "no problems")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen is page, "saved and closed")
    saved = {policy.name: policy for policy in list_policies(context)}["Send no domains"]
    assert "kooMessage:sender:*" in saved.document


async def test_a_sender_sees_the_keys_it_may_not_use_disabled(context: Context) -> None:
    turn_sign_in_on(context)
    app = signing_in_app(context)
    async with app.run_test(size=SIZE) as pilot:
        page = await _sign_in_and_open_access(pilot, SENDER, SENDER_PASSWORD)
        # The policy allows everything but domain changes: users may be read and made.
        assert page.check_action("new", ()) is True
        assert page.check_action("edit", ()) is False  # not a key of the Users tab
        assert app.principal is not None
        app.principal = replace(app.principal, policies=())  # no policy: default deny
        assert page.check_action("new", ()) is None  # shown, disabled


async def test_the_audit_log_filters_and_exports(context: Context, tmp_path: Path) -> None:
    turn_sign_in_on(context)
    app = signing_in_app(context)
    async with app.run_test(size=SIZE) as pilot:
        page = await _sign_in_and_open_access(pilot, ADMIN, ADMIN_PASSWORD)
        await pilot.press("4")
        await settle(pilot)
        table = page.query_one("#audit-table", DataTable)
        everything = table.row_count
        assert everything >= 6  # enabling, the users, group, policy, attachment, sign-in
        await paste_into(pilot, page.query_one("#audit-action", Input), "*:session:*")
        await wait_until(pilot, lambda: table.row_count == 1, "the filter")
        page.focus_content()
        await pilot.press("w")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormDialog)
        target = tmp_path / "audit.json"
        await paste_into(pilot, form.query_one("#field-path", Input), str(target))
        form.query_one("#field-format", Select).value = "json"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen is page, "written")
    written = json.loads(target.read_text())
    assert [line["action"] for line in written] == ["kooMessage:session:create"]
    assert target.stat().st_mode & 0o077 == 0
    assert len(query_audit(context, AuditFilter())) >= everything
