"""The sign-in screen on its own: what it shows for a refusal, the wait it counts down on
the app's clock, and what it returns. (The console's sign-in with the access core:
test_sign_in.)"""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual.widgets import Button, Input

from kootui.core.clock import FixedClock
from kootui.core.context import Context
from kootui.core.errors import KootuiError
from kootui.tui.shell.sign_in import SignInScreen, wait_text
from tests.support.tui_shell import SIZE, build_app, settle, type_into, wait_until


class Locked(KootuiError):
    code = "signin.locked"

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def test_waits_are_whole_seconds_then_minutes() -> None:
    assert [wait_text(s) for s in (0.2, 15, 119, 120, 900)] == [
        "1 s",
        "15 s",
        "119 s",
        "2 min",
        "15 min",
    ]


@pytest.mark.slow  # ~5.5 s of Pilot alone
async def test_refusal_then_wait_then_success(context: Context, clock: FixedClock) -> None:
    tries: list[tuple[str, str]] = []

    def sign_in(name: str, password: str) -> str:
        tries.append((name, password))
        if len(tries) == 1:
            raise KootuiError("the user name or password is wrong, or the user is disabled")
        if len(tries) == 2:
            raise Locked("too many wrong passwords: try again in 30 seconds", 30)
        return f"signed in as {name}"

    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen: SignInScreen[str] = SignInScreen(sign_in, clock=clock)
        results: list[str | None] = []
        app.push_screen(screen, results.append)
        await settle(pilot)
        await type_into(pilot, screen.query_one("#sign-in-name", Input), "ann")
        await pilot.press("enter")  # to the password
        assert screen.focused is screen.query_one("#sign-in-password", Input)
        await pilot.press(*"wrong", "enter")
        await settle(pilot)
        assert "password is wrong" in screen.error_text
        assert screen.query_one("#sign-in-password", Input).value == ""

        await pilot.press(*"wrong", "enter")
        await settle(pilot)
        assert "Try again in 30 s." in screen.error_text
        button = screen.query_one("#sign-in-submit", Button)
        assert button.disabled
        await pilot.press(*"right", "enter")  # refused here: the core is not even asked
        await settle(pilot)
        assert len(tries) == 2

        clock.advance(timedelta(seconds=20))
        await wait_until(pilot, lambda: "Try again in 10 s." in screen.error_text, "count down")
        clock.advance(timedelta(seconds=10))
        await wait_until(pilot, lambda: not button.disabled, "the wait is over")
        assert "You may try again now." in screen.error_text
        await type_into(pilot, screen.query_one("#sign-in-password", Input), "right")
        await pilot.press("enter")
        await settle(pilot)
        assert tries[-1] == ("ann", "right")
        assert results == ["signed in as ann"]
