"""The ``?`` panel names its sections in the user's words and shows each key's binding ID,
the name config.toml's ``[keys]`` remaps it by (README: "see ? in the app")."""

from __future__ import annotations

from kootui.tui.keys.registry import REGISTRY, in_scopes
from kootui.tui.pages import PAGES
from kootui.tui.shell.help import SCOPE_TITLES, HelpScreen, key_table
from tests.support.tui_shell import build_app, settle

NARROW = (80, 24)


def help_text(app) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one("#help-text").render())


async def test_sections_have_names_and_keys_show_their_binding_ids(context):
    app = build_app(context)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pilot.press("g", "e")
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        text = help_text(app)
    for scope in ("sending-details", "list-sort", "message-detail", "details-export"):
        assert f"({scope})" not in text
    for title in ("On this page", "In the list", "Sorting the list", "In a message's details"):
        assert title in text
    reveal = next(line for line in text.splitlines() if "Reveal —" in line)
    assert reveal.split()[0] == "r"  # the key, then what it does, then its binding ID
    assert reveal.rstrip().endswith("details-reveal")
    assert 'Remap a key by the name at its right in config.toml: [keys] help = "f1"' in text


def test_every_scope_a_page_lists_has_words():
    scopes = {scope for page in PAGES for scope in page.screen_factory().KEY_SCOPES}  # type: ignore[attr-defined]
    pages_own = {scope for scope in scopes if in_scopes([scope]) and scope not in SCOPE_TITLES}
    # What is left are the pages' own scopes, shown as "On this page".
    assert pages_own <= {
        "overview",
        "domains",
        "addresses",
        "templates",
        "tasks",
        "sending-details",
        "suppression",
        "reports",
        "destinations",
        "webhooks",
        "packages",
        "access",
    }


def test_lines_fit_the_width_and_long_help_wraps_under_its_text():
    rows = [(action.key, action) for action in REGISTRY if action.scope == "template-editor"]
    table = str(key_table("In the template editor", rows, width=60))
    lines = table.splitlines()
    assert all(len(line) <= 60 for line in lines), lines
    assert any(line.startswith(" " * 12) for line in lines[1:]), "a wrapped line is indented"
    assert "editor-upload" in table


async def test_a_short_window_shows_the_pages_own_keys_without_scrolling(demo):
    app = build_app(demo)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        app.go_page("destinations")
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        box = app.screen.query_one("#help-box")
        shown = str(app.screen.query_one("#help-text").render()).splitlines()
        visible = shown[: box.scrollable_content_region.height]
        for binding_id in ("destinations-new", "destinations-workspace"):
            assert any(line.rstrip().endswith(binding_id) for line in visible), binding_id
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, HelpScreen)
