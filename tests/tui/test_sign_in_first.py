"""With sign-in on, the console's first frame is a neutral screen, never a page's: no
page is made, not even empty, until someone has signed in."""

from __future__ import annotations

import threading

from textual.widgets import Input

from kootui.core.context import Context
from kootui.tui.opening import StoreOpening
from kootui.tui.pages.overview.page import OverviewScreen
from kootui.tui.shell.page import PageScreen
from kootui.tui.shell.sign_in import OpeningScreen, SignInScreen
from kootui.tui.shell.signing_in import SignInFace
from kootui.tui.ui_state import remember_sign_in, sign_in_expected
from tests.support.tui_access import SENDER, SENDER_PASSWORD, turn_sign_in_on
from tests.support.tui_shell import SIZE, build_app, paste_into, wait_until


def _pages_made(app: object) -> list[str]:
    return [
        screen.page.id
        for stack in app._screen_stacks.values()  # type: ignore[attr-defined]
        for screen in stack
        if isinstance(screen, PageScreen)
    ]


async def test_a_console_that_signs_in_draws_no_page_before_sign_in(context: Context) -> None:
    turn_sign_in_on(context)
    remember_sign_in(context.settings.paths.ui_state_file, True)  # as `iam enable` leaves it
    store_may_open = threading.Event()

    def open_slowly() -> Context:  # the store takes its time, as a real one does
        store_may_open.wait(10)
        return context

    opening = StoreOpening(context.settings, open_slowly, clock=context.clock, sign_in=SignInFace())
    app = build_app(opening)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()  # settle would wait for the store, which waits for the test
        assert isinstance(app.screen, OpeningScreen)
        assert _pages_made(app) == []
        await pilot.press("g", "d")  # no key opens a page meanwhile
        await pilot.pause()
        assert _pages_made(app) == []
        store_may_open.set()
        await wait_until(pilot, lambda: isinstance(app.screen, SignInScreen), "sign-in")
        assert _pages_made(app) == []
        screen = app.screen
        await paste_into(pilot, screen.query_one("#sign-in-name", Input), SENDER)
        await paste_into(pilot, screen.query_one("#sign-in-password", Input), SENDER_PASSWORD)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, OverviewScreen), "the Overview")


async def test_the_console_remembers_whether_sign_in_was_on(context: Context) -> None:
    state_file = context.settings.paths.ui_state_file
    remember_sign_in(state_file, True)  # stale: sign-in is off in this store
    opening = StoreOpening(context.settings, lambda: context, clock=context.clock)
    app = build_app(opening)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, OverviewScreen), "the Overview")
    assert not sign_in_expected(state_file)
