"""Pilot tests of the console shell: pages, navigation and every shell key."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from textual.app import ComposeResult
from textual.command import CommandPalette
from textual.widgets import Input, OptionList, Static

from kootui.core.bootstrap import open_context
from kootui.core.clock import FixedClock
from kootui.core.config import Settings, load_settings
from kootui.core.context import Context
from kootui.core.store import DomainStatus, SenderDomain
from kootui.tui.app import KootuiApp
from kootui.tui.pages import PAGES, PageScreen, PageSpec
from kootui.tui.shell.help import HelpScreen
from kootui.tui.shell.jump import GoScreen, JumpScreen
from kootui.tui.shell.not_built import NotBuiltScreen
from tests.support.prepared_stores import PreparedStores
from tests.support.tui_shell import SIZE, build_app, settle, write_config


def text_of(app: KootuiApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


@pytest.fixture
def demo_context(
    settings: Settings, clock: FixedClock, prepared_stores: PreparedStores
) -> Iterator[Context]:
    ctx = prepared_stores.open(settings.for_demo(), clock, demo=True)
    yield ctx
    ctx.close()


async def test_opens_on_overview_with_workspace_name_and_demo_badge(demo_context):
    app = build_app(demo_context)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.current_mode == "overview"
        assert text_of(app, "#workspace-name") == "Northwind demo"
        assert app.screen.query_one("#demo-badge").display is True
        assert "Mon 23 Nov 2026 15:30" in text_of(app, "#clock")


async def test_a_normal_workspace_has_no_demo_badge(context):
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert text_of(app, "#workspace-name") == "My workspace"
        assert app.screen.query_one("#demo-badge").display is False


async def test_overview_counts_and_guide_come_from_the_store(demo_context):
    app = build_app(demo_context)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        domains = text_of(app, "#card-domains")
        assert "4" in domains and "2 verified" in domains
        assert "3" in text_of(app, "#card-addresses")
        assert "2 approved" in text_of(app, "#card-templates")
        tasks = text_of(app, "#card-tasks")
        assert "1 partly failed" in tasks and "1 scheduled" in tasks
        assert "140" in text_of(app, "#card-messages")
        assert "kootui demo" not in text_of(app, "#overview-loaded")
        guide = app.screen.query_one("#guide", OptionList)
        prompts = [str(guide.get_option_at_index(i).prompt) for i in range(guide.option_count)]
        assert len(prompts) == 6
        assert all("✓" in prompt for prompt in prompts[:5])
        assert "✓" not in prompts[5]  # no report was shown from this home yet


async def test_an_empty_workspace_ticks_nothing(context):
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        guide = app.screen.query_one("#guide", OptionList)
        prompts = [str(guide.get_option_at_index(i).prompt) for i in range(guide.option_count)]
        assert not any("✓" in prompt for prompt in prompts)
        assert "none yet" in text_of(app, "#card-tasks")
        assert "kootui demo" in text_of(app, "#overview-loaded")


async def test_guide_number_keys_and_enter_jump_to_the_steps_page(demo_context):
    app = build_app(demo_context)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("3")
        assert app.current_mode == "templates"
        await pilot.press("escape")
        assert app.current_mode == "overview"
        guide = app.screen.query_one("#guide", OptionList)
        guide.focus()
        guide.highlighted = 3
        await pilot.press("enter")
        assert app.current_mode == "tasks"


async def test_every_page_opens_and_unbuilt_ones_say_so(context):
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        for page in PAGES[1:]:
            app.go_page(page.id)
            await settle(pilot)
            screen_class = page.screen_factory()  # imported when the page was shown
            if screen_class is not NotBuiltScreen:  # a page whose issue has landed
                assert isinstance(app.screen, screen_class)  # type: ignore[arg-type]
                continue
            assert isinstance(app.screen, NotBuiltScreen)
            panel = text_of(app, "#not-built-text")
            assert "Not built yet" in panel
            assert app.screen.page.title in text_of(app, "#breadcrumb")


async def test_clicking_the_navigation_opens_the_page(context):
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # Rows inside the navigation: padding, Overview, EMAIL heading, Sender Domains, ...
        await pilot.click("#navigation", offset=(3, 4))
        await settle(pilot)
        assert app.current_mode == "addresses"
        await pilot.click("#navigation", offset=(3, 1))
        await settle(pilot)
        assert app.current_mode == "overview"


async def test_keyboard_in_the_navigation_opens_the_page(context):
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.screen.query_one("#navigation").focus()
        await pilot.press("down", "enter")  # the EMAIL heading is skipped
        await settle(pilot)
        assert app.current_mode == "domains"


async def test_help_lists_the_pages_keys_with_remapped_keys(home, clock):
    write_config(home, '[keys]\nhelp = "f1"\njump = "ctrl+j"\ngo-tasks = "k"\n')
    ctx = open_context(load_settings(), clock=clock)
    try:
        app = build_app(ctx)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("question_mark")
            assert not isinstance(app.screen, HelpScreen)
            await pilot.press("f1")
            assert isinstance(app.screen, HelpScreen)
            text = text_of(app, "#help-text")
            assert "f1  Help" in text
            assert "^j  Jump" in text
            assert "k  Sending Tasks" in text
            assert "1 2 3 4 5 6  Guide step" in text  # the Overview page's own keys
            assert "Filter — focus this page's filter (not on this page)" in text
            await pilot.press("escape")
            assert not isinstance(app.screen, HelpScreen)
            await pilot.press("ctrl+j")
            assert isinstance(app.screen, JumpScreen)
            await pilot.press("escape", "g", "k")  # the remapped go letter
            await settle(pilot)
            assert app.current_mode == "tasks"
    finally:
        ctx.close()


async def test_jump_prompt_goes_to_a_page_by_part_of_its_name(context):
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("colon")
        assert isinstance(app.screen, JumpScreen)
        await pilot.press(*"temp")
        assert "Templates" in text_of(app, "#jump-hint")
        await pilot.press("enter")
        await settle(pilot)
        assert app.current_mode == "templates"
        await pilot.press("colon", *"zzz")
        assert "no page matches" in text_of(app, "#jump-hint")
        await pilot.press("enter")
        assert isinstance(app.screen, JumpScreen)  # nothing to go to: stays open
        await pilot.press("escape")
        assert app.current_mode == "templates" and not isinstance(app.screen, JumpScreen)


async def test_jump_prompt_down_picks_the_second_match(context):
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("colon", *"sending", "down", "enter")
        await settle(pilot)
        # "sending" matches Sending Tasks, then Sending Details, in navigation order
        assert app.current_mode == "details"


async def test_g_then_a_letter_goes_to_the_page(context):
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for letter, page in [("s", "tasks"), ("e", "details"), ("r", "reports"), ("o", "overview")]:
            await pilot.press("g")
            assert isinstance(app.screen, GoScreen)
            await pilot.press(letter)
            await settle(pilot)
            assert app.current_mode == page
        await pilot.press("g", "escape")
        assert app.current_mode == "overview" and not isinstance(app.screen, GoScreen)


class FilteredPage(PageScreen):
    """A page with a filter field, the way the list pages have one."""

    def compose_content(self) -> ComposeResult:
        yield Input(placeholder="filter", classes="page-filter", id="test-filter")
        yield OptionList("one", "two", id="test-rows")


async def test_slash_focuses_the_filter_and_esc_leaves_it(context):
    pages = (*PAGES[:1], PageSpec("domains", "Sender Domains", "Email", FilteredPage, "test"))
    app = build_app(context, pages=pages)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        assert "This page has no filter." in [n.message for n in app._notifications]
        app.go_page("domains")
        await settle(pilot)
        assert app.focused is not None and app.focused.id == "test-rows"
        await pilot.press("slash")
        assert app.focused.id == "test-filter"
        await pilot.press(*"q/g")  # typed into the field, not taken as keys
        assert app.screen.query_one("#test-filter", Input).value == "q/g"
        assert app.current_mode == "domains"
        await pilot.press("escape")
        assert app.focused.id == "test-rows"
        assert app.current_mode == "domains"
        await pilot.press("escape")
        assert app.current_mode == "overview"


async def test_palette_lists_every_page_and_runs_one(context):
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        assert CommandPalette.is_open(app)
        listing = app.screen.query_one("CommandList", OptionList)
        shown = [str(listing.get_option_at_index(i).prompt) for i in range(listing.option_count)]
        for page in PAGES:
            assert any(f"Go to {page.title}" in line for line in shown)
        assert any("Theme: kootui-light" in line for line in shown)
        await pilot.press(*"Sending Details")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert not CommandPalette.is_open(app)
        assert app.current_mode == "details"


async def test_palette_lists_the_pages_own_actions_and_runs_one(context):
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.go_page("domains")
        await settle(pilot)
        page = app.screen
        await pilot.press("ctrl+p")
        await settle(pilot)
        listing = app.screen.query_one("CommandList", OptionList)
        shown = [str(listing.get_option_at_index(i).prompt) for i in range(listing.option_count)]
        assert any(line.startswith("Verify now") for line in shown)
        assert any(line.startswith("Delete") for line in shown)
        await pilot.press(*"New")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert not CommandPalette.is_open(app)
        assert app.screen is not page  # the new-domain form is open over the page
        assert "domain" in str(app.screen.query_one("#form-title", Static).render()).lower()


async def test_esc_goes_back_through_the_pages_visited(context):
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.go_page("domains")
        app.go_page("tasks")
        await settle(pilot)
        await pilot.press("escape")
        assert app.current_mode == "domains"
        await pilot.press("escape")
        assert app.current_mode == "overview"
        await pilot.press("escape")  # nothing further back: stays
        assert app.current_mode == "overview"


async def test_ctrl_r_shows_a_row_added_to_the_store_since(context):
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "0 verified" in text_of(app, "#card-domains")
        now = context.clock.now()
        with context.store.session() as session:
            session.add(
                SenderDomain(
                    name="fresh.example.com",
                    status=DomainStatus.PASSED,
                    created_at=now,
                    updated_at=now,
                    verified_at=now,
                )
            )
        await settle(pilot)
        assert "0 verified" in text_of(app, "#card-domains")  # not re-read on its own
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert "1 verified" in text_of(app, "#card-domains")


async def test_ctrl_r_on_a_page_without_data_says_so(context):
    plain_page = PageSpec("reports", "A page with no data", "Email", PageScreen, "nothing")
    app = build_app(context, pages=(PAGES[0], plain_page))
    async with app.run_test(size=SIZE) as pilot:
        app.go_page("reports")
        await settle(pilot)
        await pilot.press("ctrl+r")
        assert any("Nothing on this page" in n.message for n in app._notifications)


async def test_q_quits(context):
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.return_code is None
        await pilot.press("q")
        await pilot.pause()
        assert app.return_code == 0  # exit() was called; None while running


async def test_the_jump_field_does_not_blink_when_blink_is_off(context):
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("colon")
        await pilot.pause()
        assert app.screen.query_one("#jump-input", Input).cursor_blink is False


async def test_a_narrow_terminal_folds_the_navigation_away_but_keys_still_go_everywhere(context):
    app = build_app(context)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.screen.query_one("#navigation").display is False
        await pilot.press("g", "t")
        await settle(pilot)
        assert app.current_mode == "templates"
    wide = build_app(context)
    async with wide.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert wide.screen.query_one("#navigation").display is True


async def test_clicking_a_guide_step_opens_its_page(demo_context):
    app = build_app(demo_context)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.click("#guide", offset=(8, 4))  # third step: two lines per step
        await settle(pilot)
        assert app.current_mode == "templates"


async def test_a_store_that_fails_is_reported_not_a_crash(context):
    from sqlalchemy import text

    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        with context.store.session() as session:
            session.execute(text("DROP TABLE message"))  # a damaged database
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert app.return_code is None  # still running
        problems = [n.message for n in app._notifications if n.severity == "error"]
        # A store fault is a StoreError naming the file and what to do (core/store/faults.py).
        assert any("lacks kootui's tables (no such table: message)" in p for p in problems)
        await pilot.press("g", "d")  # and still usable
        await settle(pilot)
        assert app.current_mode == "domains"


async def test_the_overview_refreshes_itself_only_while_shown(context):
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        overview = app.screen
        now = context.clock.now()
        with context.store.session() as session:
            session.add(SenderDomain(name="a.example.com", created_at=now, updated_at=now))
        app.go_page("reports")
        await settle(pilot)
        overview._refresh_if_shown()  # what its timer calls
        await settle(pilot)
        assert str(overview.query_one("#card-domains", Static).render()).splitlines()[1] == "0"
        app.go_page("overview")
        await settle(pilot)
        overview._refresh_if_shown()
        await settle(pilot)
        assert text_of(app, "#card-domains").splitlines()[1] == "1"


async def test_the_guide_heading_names_remapped_step_keys(home, clock):
    write_config(home, '[keys]\nopen-step = "o"\n')
    ctx = open_context(load_settings(), clock=clock)
    try:
        app = build_app(ctx)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert text_of(app, "#guide-heading").endswith("— 1–6 or o")
            await pilot.press("o")
            await settle(pilot)
            assert app.current_mode == "domains"  # the first open step of a new workspace
    finally:
        ctx.close()
