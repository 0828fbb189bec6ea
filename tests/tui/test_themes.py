"""Themes: shipped palettes, user palette files, the remembered choice, the errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.command import CommandPalette

from kootui.cli import main
from kootui.core.bootstrap import open_context
from kootui.core.config import load_settings
from kootui.core.errors import SettingsError
from kootui.tui.theming import (
    MEANING_VARIABLES,
    ThemeCatalog,
    chart_colours,
    load_ui_state,
    parse_theme_file,
    shipped_themes_dir,
)
from tests.support.tui_shell import SIZE, build_app, settle, write_config

REPO = Path(__file__).resolve().parents[2]
REPO_THEMES = REPO / "themes"
SHIPPED = {"kootui-dark", "kootui-light", "kootui-ansi"}


def write_user_theme(home: Path, file_name: str, text: str) -> Path:
    folder = home / "config" / "themes"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / file_name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_palettes_are_the_one_copy_in_the_repository_themes_folder():
    assert shipped_themes_dir() == REPO_THEMES
    palettes = {path.name for path in REPO_THEMES.glob("*.toml")}
    assert {f"{name}.toml" for name in SHIPPED} <= palettes
    copies = [path for path in (REPO / "kootui").rglob("*.toml") if path.name in palettes]
    assert copies == [], "a palette lives only in themes/ (installed as kootui.themes)"


def test_shipped_themes_load_with_every_status_and_chart_colour(settings):
    catalog = ThemeCatalog.load(settings)
    assert SHIPPED <= set(catalog.names)
    for entry in catalog:
        assert set(MEANING_VARIABLES) <= set(entry.theme.variables)
    ansi = catalog.require("kootui-ansi")
    assert ansi.ansi is True
    assert all(ansi.variables[name].startswith("ansi_") for name in MEANING_VARIABLES), (
        "the ANSI theme must use only the terminal's own colours"
    )
    assert catalog.require("kootui-light").dark is False


def test_unknown_theme_names_the_available_ones(settings):
    catalog = ThemeCatalog.load(settings)
    with pytest.raises(SettingsError) as caught:
        catalog.require("solarized")
    message = str(caught.value)
    assert "solarized" in message
    assert all(name in message for name in SHIPPED)


def test_cli_unknown_theme_exits_2_with_the_list(home, capsys):
    assert main(["--theme", "nope"]) == 2
    err = capsys.readouterr().err
    assert "unknown theme 'nope'" in err and "kootui-dark" in err


def test_a_user_theme_file_is_offered_and_fills_missing_meaning_colours(home):
    write_user_theme(
        home,
        "ocean.toml",
        'name = "ocean"\nprimary = "#1e90ff"\nsuccess = "#00aa55"\n'
        '[variables]\nstatus-bad = "#ff0000"\n',
    )
    catalog = ThemeCatalog.load(load_settings())
    ocean = catalog.require("ocean")
    assert ocean.variables["status-bad"] == "#ff0000"
    assert ocean.variables["status-ok"] == "#00aa55"  # from success
    assert ocean.variables["chart-delivered"] == "#00aa55"


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ('name = "x"\nprimary = "blu"\n', "primary"),
        ('primary = "#ffffff"\n', "name"),
        ('name = "x"\n', "primary"),
        ('name = "x"\nprimary = "#fff"\ndark = "yes"\n', "dark"),
        ('name = "x"\nprimary = "#fff"\nbackgroud = "#000"\n', "backgroud"),
        ('name = "x"\nprimary = "#fff"\n[variables]\nstatus-ok = 3\n', "variables.status-ok"),
        ('name = "x"\nprimary = "#fff"\ntext_alpha = 4\n', "text_alpha"),
        ('name = "x"\nprimary = \n', "file"),
    ],
)
def test_a_malformed_user_theme_names_the_file_and_field(home, text, field):
    path = write_user_theme(home, "broken.toml", text)
    with pytest.raises(SettingsError) as caught:
        ThemeCatalog.load(load_settings())
    assert str(path) in str(caught.value)
    assert f": {field}:" in str(caught.value)


def test_two_user_files_with_one_name_are_refused(home):
    write_user_theme(home, "a.toml", 'name = "twin"\nprimary = "#111111"\n')
    write_user_theme(home, "b.toml", 'name = "twin"\nprimary = "#222222"\n')
    with pytest.raises(SettingsError, match="twin"):
        ThemeCatalog.load(load_settings())


def test_cli_malformed_user_theme_exits_2(home, capsys):
    write_user_theme(home, "bad.toml", 'name = "bad"\nprimary = "nocolour"\n')
    assert main([]) == 2
    assert "bad.toml: primary" in capsys.readouterr().err


def test_theme_precedence_flag_then_saved_then_config(home):
    write_config(home, '[ui]\ntheme = "kootui-ansi"\n')
    settings = load_settings()
    catalog = ThemeCatalog.load(settings)
    assert catalog.starting_theme(settings, None) == ("kootui-ansi", None)
    state = settings.paths.ui_state_file
    state.parent.mkdir(parents=True)
    state.write_text(json.dumps({"theme": "kootui-light"}))
    assert catalog.starting_theme(settings, None) == ("kootui-light", None)
    assert catalog.starting_theme(settings, "kootui-dark") == ("kootui-dark", None)
    state.write_text(json.dumps({"theme": "gone-theme"}))
    name, note = catalog.starting_theme(settings, None)
    assert name == "kootui-ansi" and note is not None and "gone-theme" in note
    state.write_text("{not json")
    assert catalog.starting_theme(settings, None) == ("kootui-ansi", None)


def test_config_naming_an_unknown_theme_is_a_settings_error(home):
    write_config(home, '[ui]\ntheme = "nope"\n')
    settings = load_settings()
    with pytest.raises(SettingsError, match="available"):
        ThemeCatalog.load(settings).starting_theme(settings, None)


async def test_switching_theme_in_the_palette_is_remembered_next_start(context):
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.theme == "kootui-dark"
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"kootui-light")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert not CommandPalette.is_open(app)
        assert app.theme == "kootui-light"
        assert app.current_theme.dark is False
    assert load_ui_state(context.settings.paths.ui_state_file)["theme"] == "kootui-light"
    again = build_app(context)
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert again.theme == "kootui-light"


async def test_theme_flag_wins_and_is_remembered(context):
    app = build_app(context, theme="kootui-ansi")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.theme == "kootui-ansi"
        assert app.native_ansi_color is True
    assert load_ui_state(context.settings.paths.ui_state_file)["theme"] == "kootui-ansi"


async def test_only_kootui_themes_are_offered(context):
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert set(app.available_themes) == set(app.catalog.names)
        assert "textual-dark" not in app.available_themes


async def test_a_user_theme_opens_and_its_colours_reach_the_css(home, clock):
    write_user_theme(
        home,
        "ocean.toml",
        'name = "ocean"\nprimary = "#1e90ff"\n[variables]\nstatus-ok = "#00ff7f"\n',
    )
    context = open_context(load_settings(), clock=clock)
    try:
        app = build_app(context, theme="ocean")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert app.theme == "ocean"
            assert app.theme_variables["status-ok"] == "#00ff7f"
            assert app.theme_variables["chart-sent"] == "#1e90ff"
            series = chart_colours(app.theme_variables)
            assert set(series) == {"sent", "delivered", "failed", "to-send", "rejected"}
            assert series["sent"].hex.lower() == "#1e90ff"
            app.choose_theme("kootui-light")
            await settle(pilot)
            assert chart_colours(app.theme_variables)["sent"].hex.lower() == "#1f6fb2"
    finally:
        context.close()


def test_parse_reports_a_theme_name_with_spaces(tmp_path):
    path = tmp_path / "t.toml"
    path.write_text('name = "two words"\nprimary = "#fff"\n')
    with pytest.raises(SettingsError, match="name"):
        parse_theme_file(path)
