"""Themes: palette files turned into Textual themes, and the remembered choice.

kootui ships its palettes as ``.toml`` files in the repository's ``themes/`` folder,
installed as the ``kootui.themes`` package (see ``shipped_themes_dir``). Users add
their own files to the config folder's ``themes/``; a user file with a shipped
name replaces the shipped palette.

A palette file::

    name = "my-theme"          # required; what --theme and the palette use
    dark = true
    primary = "#4e9ad8"        # required; the other colours are optional
    background = "#101418"
    [variables]
    status-ok = "#4fb56b"      # badges and charts read these, never fixed colours

Which theme opens, highest first: ``kootui --theme``, the choice saved in
``ui-state.json``, ``ui.theme`` in config.toml, ``kootui-dark``.
"""

from __future__ import annotations

import importlib.resources
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.segment import Segment
from rich.style import Style
from textual.color import Color, ColorParseError
from textual.filter import NO_DIM, LineFilter, dim_color
from textual.theme import Theme

from kootui.core.config import Settings
from kootui.core.errors import SettingsError
from kootui.tui.ui_state import load_ui_state

DEFAULT_THEME = "kootui-dark"
# Dim text is drawn as this blend of its colour into the background (0: invisible, 1: as
# is), not left to the terminal, so it keeps 4.5:1 in every shipped palette.
DIM_FACTOR = 0.75

COLOUR_FIELDS = (
    "primary",
    "secondary",
    "accent",
    "warning",
    "error",
    "success",
    "foreground",
    "background",
    "surface",
    "panel",
    "boost",
)
OTHER_FIELDS = {"name", "dark", "ansi", "luminosity_spread", "text_alpha", "variables"}
OTHER_FIELDS |= {"description", "author"}

# Theme variables every widget may use for meaning, with the theme colour each
# falls back to when a palette file leaves it out. CSS: ``color: $status-ok;``.
STATUS_VARIABLES = {
    "status-ok": "success",
    "status-warn": "warning",
    "status-bad": "error",
    "status-info": "primary",
    "status-muted": "secondary",
}
# The seeds' report columns: sent, delivered (successful), failed, to send, rejected.
CHART_VARIABLES = {
    "chart-sent": "primary",
    "chart-delivered": "success",
    "chart-failed": "error",
    "chart-to-send": "secondary",
    "chart-rejected": "warning",
}
MEANING_VARIABLES = {**STATUS_VARIABLES, **CHART_VARIABLES}
FALLBACK_COLOURS = {"primary": "#4e9ad8", "secondary": "#7a8894", "success": "#4fb56b"}
FALLBACK_COLOURS |= {"warning": "#e0a030", "error": "#d9534f"}


def shipped_themes_dir() -> Path:
    """The folder of the shipped palettes: the repository's ``themes/`` when kootui runs
    from a checkout (an editable install too), else the installed ``kootui.themes`` package
    (pyproject's package-dir maps that package onto the same folder)."""
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / "pyproject.toml").is_file() and (checkout / "themes").is_dir():
        return checkout / "themes"
    return Path(str(importlib.resources.files("kootui.themes")))


@dataclass(frozen=True)
class ThemeEntry:
    theme: Theme
    source: Path
    shipped: bool
    description: str = ""


def _theme_error(path: Path, field: str, problem: str) -> SettingsError:
    return SettingsError(f"theme file {path}: {field}: {problem}", code="settings.theme")


def _colour(path: Path, field: str, value: Any) -> str:
    if not isinstance(value, str):
        raise _theme_error(path, field, "expected a colour such as '#1e90ff' or 'ansi_blue'")
    try:
        Color.parse(value)
    except ColorParseError as exc:
        raise _theme_error(path, field, f"{value!r} is not a colour") from exc
    return value


def parse_theme_file(path: Path, *, shipped: bool = False) -> ThemeEntry:
    """Read one palette file; any problem is a SettingsError naming the file and field."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise _theme_error(path, "file", f"cannot be read ({exc})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise _theme_error(path, "file", f"is not valid TOML ({exc})") from exc
    unknown = sorted(set(data) - OTHER_FIELDS - set(COLOUR_FIELDS))
    if unknown:
        known = ", ".join(sorted(OTHER_FIELDS | set(COLOUR_FIELDS)))
        raise _theme_error(path, unknown[0], f"unknown field (known: {known})")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip() or any(ch.isspace() for ch in name):
        raise _theme_error(path, "name", "required, one word such as 'my-theme'")
    if "primary" not in data:
        raise _theme_error(path, "primary", "required")
    colours = {field: _colour(path, field, data[field]) for field in COLOUR_FIELDS if field in data}
    flags: dict[str, Any] = {}
    for field in ("dark", "ansi"):
        if field in data:
            if not isinstance(data[field], bool):
                raise _theme_error(path, field, "expected true or false")
            flags[field] = data[field]
    for field in ("luminosity_spread", "text_alpha"):
        if field in data:
            value = data[field]
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
                raise _theme_error(path, field, "expected a number from 0 to 1")
            flags[field] = float(value)
    raw_variables = data.get("variables", {})
    if not isinstance(raw_variables, dict):
        raise _theme_error(path, "variables", "expected a table [variables]")
    variables: dict[str, str] = {}
    for key, value in raw_variables.items():
        field = f"variables.{key}"
        if key in MEANING_VARIABLES:
            variables[key] = _colour(path, field, value)
        elif isinstance(value, str):
            variables[key] = value
        else:
            raise _theme_error(path, field, "expected text")
    for key, colour_field in MEANING_VARIABLES.items():
        variables.setdefault(key, colours.get(colour_field, FALLBACK_COLOURS[colour_field]))
    # Theme's keywords are known only by name here: colours and flags come from the file.
    options: dict[str, Any] = {**colours, **flags}
    theme = Theme(name=name, variables=variables, **options)
    description = data.get("description", "")
    return ThemeEntry(theme, path, shipped, description if isinstance(description, str) else "")


class ThemeCatalog:
    """The themes this installation can show: shipped palettes plus the user's."""

    def __init__(self, entries: dict[str, ThemeEntry]) -> None:
        self._entries = dict(sorted(entries.items()))

    @classmethod
    def load(cls, settings: Settings) -> ThemeCatalog:
        entries: dict[str, ThemeEntry] = {}
        for path in sorted(shipped_themes_dir().glob("*.toml")):
            entry = parse_theme_file(path, shipped=True)
            entries[entry.theme.name] = entry
        user_dir = settings.paths.user_themes_dir
        if user_dir.is_dir():
            seen: dict[str, Path] = {}
            for path in sorted(user_dir.glob("*.toml")):
                entry = parse_theme_file(path)
                name = entry.theme.name
                if name in seen:
                    raise _theme_error(path, "name", f"{name!r} is also the name in {seen[name]}")
                seen[name] = path
                entries[name] = entry
        return cls(entries)

    @property
    def names(self) -> list[str]:
        return list(self._entries)

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[ThemeEntry]:
        return iter(self._entries.values())

    def require(self, name: str) -> Theme:
        entry = self._entries.get(name)
        if entry is None:
            raise SettingsError(
                f"unknown theme {name!r} (available: {', '.join(self.names)})",
                code="settings.unknown_theme",
            )
        return entry.theme

    def starting_theme(self, settings: Settings, flag: str | None) -> tuple[str, str | None]:
        """The theme to open with, and a note for the user when a saved choice was dropped."""
        if flag:
            self.require(flag)
            return flag, None
        saved = load_ui_state(settings.paths.ui_state_file).get("theme")
        if isinstance(saved, str) and saved in self:
            return saved, None
        configured = settings.ui.theme or DEFAULT_THEME
        self.require(configured)
        if isinstance(saved, str):
            return configured, f"Saved theme {saved!r} is no longer installed; using {configured}."
        return configured, None


def chart_colours(variables: Mapping[str, str]) -> dict[str, Color]:
    """The chart series colours of the running theme, for charts drawn in Python.

    Pass ``app.theme_variables``; keys are the series (``sent``, ``delivered``, ...).
    """
    return {
        name.removeprefix("chart-"): Color.parse(variables[name])
        for name in CHART_VARIABLES
        if name in variables
    }


class ReadableDim(LineFilter):
    """Draws dim text as its colour blended ``DIM_FACTOR`` of the way from the background,
    instead of leaving it to the terminal (many halve the brightness, below 4.5:1).

    Text in the terminal's own ANSI colours (the ANSI palette) stays dim for the terminal
    to draw: kootui does not know those shades.
    """

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        return [self._readable(segment, background) for segment in segments]

    @staticmethod
    def _readable(segment: Segment, background: Color) -> Segment:
        text, style, control = segment
        if style is None or not style.dim or style.color is None or style.color.triplet is None:
            return segment
        under = style.bgcolor if style.bgcolor is not None else background.rich_color
        if under.triplet is None:
            return segment
        colour = dim_color(under, style.color, DIM_FACTOR)
        return Segment(text, style + Style.from_color(colour) + NO_DIM, control)
