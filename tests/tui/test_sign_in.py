"""Sign-in in the console with the access core: refused, locked out on the injected
clock, signed in; the user's refusal names the Deny; idle sign-out."""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual.widgets import Button, Input

from kootui.core.access import AuditFilter, query_audit
from kootui.core.clock import FixedClock
from kootui.core.context import Context
from kootui.core.templates import TemplateDraft, create_template, get_template
from kootui.core.workspace import update_workspace
from kootui.tui.pages.domains.page import DomainsScreen
from kootui.tui.pages.overview.page import OverviewScreen
from kootui.tui.shell.sign_in import SignInScreen
from kootui.tui.shell.signing_in import SignInFace
from kootui.tui.widgets.dialogs import ConfirmDialog
from kootui.tui.widgets.form import FormDialog
from tests.support.tui_access import (
    ADMIN,
    ADMIN_PASSWORD,
    IDLE_CHECKS,
    SENDER,
    SENDER_PASSWORD,
    signing_in_app,
    turn_sign_in_on,
)
from tests.support.tui_shell import SIZE, paste_into, settle, wait_until


async def _attempt(pilot: object, screen: SignInScreen[object], name: str, password: str) -> None:
    # Pasted: Pilot spends a frame on each key, seconds for a name and a password.
    await paste_into(pilot, screen.query_one("#sign-in-name", Input), name)
    await paste_into(pilot, screen.query_one("#sign-in-password", Input), password)
    await pilot.press("enter")  # type: ignore[attr-defined]
    await settle(pilot)


async def test_sign_in_off_opens_as_before(context: Context) -> None:
    app = signing_in_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, OverviewScreen), "the Overview")
        assert app.principal is None and app.context.principal.name == "owner"


@pytest.mark.slow  # ~6 s of Pilot alone, more on a loaded machine
async def test_wrong_password_then_lockout_then_success(
    context: Context, clock: FixedClock
) -> None:
    turn_sign_in_on(context)
    app = signing_in_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, SignInScreen), "sign-in")
        screen = app.screen
        assert isinstance(screen, SignInScreen)
        await pilot.press("g", "d")  # no page opens before sign-in
        assert app.screen is screen

        for _ in range(4):  # three free failures, the fourth locks for 15 s
            await _attempt(pilot, screen, SENDER, "not-the-password")
            assert "password is wrong" in screen.error_text
        await _attempt(pilot, screen, SENDER, SENDER_PASSWORD)
        assert "too many wrong passwords" in screen.error_text
        assert "Try again in 15 s." in screen.error_text
        button = screen.query_one("#sign-in-submit", Button)
        assert button.disabled

        clock.advance(timedelta(seconds=15))
        await wait_until(pilot, lambda: not button.disabled, "the lock's end")
        await _attempt(pilot, screen, SENDER, SENDER_PASSWORD)
        await wait_until(pilot, lambda: isinstance(app.screen, OverviewScreen), "the Overview")
        assert app.principal is not None and app.principal.name == SENDER
        assert app.context.principal.name == SENDER

    attempts = query_audit(context, AuditFilter(action="*:session:create"))
    assert [line.allowed for line in attempts].count(False) == 5
    assert [line.allowed for line in attempts].count(True) == 1
    assert {line.face for line in attempts} == {"console"}


@pytest.mark.slow  # ~8 s of Pilot on a loaded 2-core machine
async def test_a_refused_domain_change_names_the_deny(context: Context) -> None:
    turn_sign_in_on(context)
    app = signing_in_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, SignInScreen), "sign-in")
        screen = app.screen
        assert isinstance(screen, SignInScreen)
        await _attempt(pilot, screen, SENDER, SENDER_PASSWORD)
        await wait_until(pilot, lambda: isinstance(app.screen, OverviewScreen), "the Overview")
        await pilot.press("g", "d")
        await settle(pilot)
        domains = app.screen
        assert isinstance(domains, DomainsScreen)
        # The key is shown disabled: her policy denies it. Run anyway (as if the policy
        # had changed since), the core refuses and the form says which statement did.
        assert domains.check_action("new_domain", ()) is None
        assert domains.check_action("verify_domain", ()) is None
        await pilot.press("n")
        await settle(pilot)
        assert app.screen is domains  # the disabled key did nothing
        assert isinstance(domains, DomainsScreen)
        domains.action_new_domain()
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormDialog)
        await paste_into(pilot, form.query_one("#field-name", Input), "news.example.com")
        await pilot.press("enter")
        await settle(pilot)
        shown = str(form.query_one("#form-error").render())
        assert shown.startswith("Not allowed: ann: kooMessage:domain:create")
        assert "Send no domains statement 2 (Deny)" in shown

    refused = query_audit(context, AuditFilter(action="*:domain:*", refused_only=True))
    assert [line.principal for line in refused] == [SENDER]


@pytest.mark.slow  # ~8 s of Pilot on a loaded 2-core machine
async def test_idle_sign_out_asks_the_same_user_again(context: Context, clock: FixedClock) -> None:
    turn_sign_in_on(context)
    app = signing_in_app(context, refresh_intervals=IDLE_CHECKS)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, SignInScreen), "sign-in")
        screen = app.screen
        assert isinstance(screen, SignInScreen)
        await _attempt(pilot, screen, SENDER, SENDER_PASSWORD)
        await wait_until(pilot, lambda: isinstance(app.screen, OverviewScreen), "the Overview")
        clock.advance(timedelta(minutes=app.idle_minutes))
        await wait_until(pilot, lambda: isinstance(app.screen, SignInScreen), "idle sign-out")
        locked = app.screen
        assert isinstance(locked, SignInScreen)
        name = locked.query_one("#sign-in-name", Input)
        assert name.value == SENDER and name.disabled
        await pilot.press("g", "d")  # nothing opens while signed out
        assert app.screen is locked
        await paste_into(pilot, locked.query_one("#sign-in-password", Input), SENDER_PASSWORD)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, OverviewScreen), "back again")


@pytest.mark.slow  # ~6 s of Pilot on a loaded 2-core machine
async def test_a_browser_console_signs_in_as_the_web_face_from_its_address(
    context: Context,
) -> None:
    """What `kootui web` starts per browser: sign-in first, even before a page is drawn,
    and the audit log names the face and the browser's address."""
    app = signing_in_app(context, SignInFace("web", address="192.0.2.7", required=True))
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, SignInScreen), "sign-in")
        assert app.page_screen is None  # no page behind it, not even the Overview's frame
        screen = app.screen
        assert isinstance(screen, SignInScreen)
        await _attempt(pilot, screen, SENDER, SENDER_PASSWORD)
        assert "sign-in is off for this workspace" in screen.error_text  # and stays off
        turn_sign_in_on(context)
        await _attempt(pilot, screen, SENDER, SENDER_PASSWORD)
        await wait_until(pilot, lambda: isinstance(app.screen, OverviewScreen), "the Overview")
    (signed_in,) = query_audit(context, AuditFilter(action="*:session:create"))
    assert (signed_in.face, signed_in.address, signed_in.allowed) == ("web", "192.0.2.7", True)


@pytest.mark.slow  # ~8 s of Pilot on a loaded 2-core machine
async def test_a_template_approved_in_the_console_is_recorded_as_the_signed_in_user(
    context: Context,
) -> None:
    update_workspace(context, sensitive_industry=True)
    waiting = create_template(context, TemplateDraft(title="Bill", body="<p>Hello {{name}}</p>"))
    turn_sign_in_on(context)
    app = signing_in_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, SignInScreen), "sign-in")
        screen = app.screen
        assert isinstance(screen, SignInScreen)
        await _attempt(pilot, screen, ADMIN, ADMIN_PASSWORD)
        await wait_until(pilot, lambda: isinstance(app.screen, OverviewScreen), "the Overview")
        await pilot.press("g", "t")
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        question = app.screen
        assert isinstance(question, ConfirmDialog)
        assert "Recorded as approved by admin." in question.message
        await pilot.press("y")
        await settle(pilot)
    assert get_template(context, waiting.id).reviewed_by == ADMIN
