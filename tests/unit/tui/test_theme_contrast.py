"""Every shipped truecolor theme meets WCAG AA (4.5:1) for the text the console draws.

The colours are the ones the app itself uses: each palette file's Textual colour system
plus the file's own variables (``App.get_css_variables`` merges the same two), with
"auto" and alpha values resolved over the background they are drawn on. The ANSI palette
is left out: its shades are the terminal's, not kootui's.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.color import Color

from kootui.tui.theming import DIM_FACTOR, parse_theme_file, shipped_themes_dir

AA_TEXT = 4.5

# (text colour, what it is drawn on, where the console shows it); a background may itself
# be translucent, "over" the one after the slash.
TEXT_PAIRS = [
    *((text, under) for text in ("foreground", "text", "text-muted")
      for under in ("background", "surface", "panel")),
    ("primary", "background"),  # page titles
    ("primary", "surface"),
    ("accent", "panel"),  # the brand in the header
    ("accent", "surface"),  # dialog titles, help headings
    ("text-error", "background"),  # beside a refused field
    ("text-error", "surface"),
    ("footer-key-foreground", "footer-background"),
    ("footer-description-foreground", "footer-background"),
    ("block-cursor-foreground", "block-cursor-background"),  # the highlighted row or step
    ("block-cursor-blurred-foreground", "block-cursor-blurred-background/surface"),
    ("panel", "warning"),  # the DEMO badge: reversed
    *((f"status-{tone}", under) for tone in ("ok", "warn", "bad", "info", "muted")
      for under in ("background", "surface")),
]  # fmt: skip


def truecolor_themes() -> list[Path]:
    paths = sorted(shipped_themes_dir().glob("*.toml"))
    return [path for path in paths if not parse_theme_file(path, shipped=True).theme.ansi]


def css_variables(path: Path) -> dict[str, str]:
    theme = parse_theme_file(path, shipped=True).theme
    return {**theme.to_color_system().generate(), **theme.variables}


def resolve(value: str, under: Color) -> Color:
    """A CSS colour value ("#fff", "#ffffff80", "auto 87%", "#fff 50%") as drawn on ``under``."""
    name, _, percent = value.partition(" ")
    alpha = float(percent.rstrip("%")) / 100 if percent else 1.0
    if name == "auto":
        colour = under.get_contrast_text(alpha)
    else:
        colour = Color.parse(name)
        colour = colour.with_alpha(colour.a * alpha)
    return under + colour


def background(variables: dict[str, str], spec: str) -> Color:
    name, _, over = spec.partition("/")
    base = background(variables, over) if over else Color(0, 0, 0)
    return resolve(variables[name], base)


def luminance(colour: Color) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(colour.r) + 0.7152 * channel(colour.g) + 0.0722 * channel(colour.b)


def contrast(one: Color, other: Color) -> float:
    light, dark = sorted((luminance(one), luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def dimmed(text: Color, under: Color) -> Color:
    """What the app's dim filter draws for dim text (kootui.tui.theming.ReadableDim)."""
    return under.blend(text, DIM_FACTOR)


@pytest.mark.parametrize("path", truecolor_themes(), ids=lambda path: path.stem)
def test_every_text_colour_reads_at_4_5_to_1(path: Path) -> None:
    variables = css_variables(path)
    failures = []
    for text, under in TEXT_PAIRS:
        ground = background(variables, under)
        ratio = contrast(resolve(variables[text], ground), ground)
        if ratio < AA_TEXT:
            failures.append(f"{text} on {under}: {ratio:.2f}")
    assert failures == [], f"{path.name}: below {AA_TEXT}:1 — {'; '.join(failures)}"


@pytest.mark.parametrize("path", truecolor_themes(), ids=lambda path: path.stem)
def test_dim_text_reads_at_4_5_to_1(path: Path) -> None:
    variables = css_variables(path)
    for under in ("background", "surface", "panel"):
        ground = background(variables, under)
        text = resolve(variables["foreground"], ground)
        ratio = contrast(dimmed(text, ground), ground)
        assert ratio >= AA_TEXT, f"{path.name}: dim text on {under}: {ratio:.2f}"


def test_the_checks_fail_on_a_palette_that_does_not_read() -> None:
    grey_on_grey = resolve("#777777", Color.parse("#888888"))
    assert contrast(grey_on_grey, Color.parse("#888888")) < AA_TEXT
    assert contrast(Color.parse("#000000"), Color.parse("#ffffff")) == pytest.approx(21)
