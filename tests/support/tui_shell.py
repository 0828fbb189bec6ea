"""The console as tests open it: its size, the app, waiting for workers, a config file."""

from __future__ import annotations

from pathlib import Path

from kootui.core.context import Context
from kootui.tui.app import KootuiApp
from kootui.tui.theming import ThemeCatalog

SIZE = (120, 40)


def build_app(context: Context, **kwargs: object) -> KootuiApp:
    """The console as `kootui` opens it, with no cursor blink (tests compare screens)."""
    catalog = ThemeCatalog.load(context.settings)
    return KootuiApp(context, catalog=catalog, cursor_blink=False, **kwargs)  # type: ignore[arg-type]


async def settle(pilot: object) -> None:
    """Let thread workers finish and their messages land."""
    app = pilot.app  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]
    await app.workers.wait_for_complete()
    await pilot.pause()  # type: ignore[attr-defined]


def write_config(home: Path, text: str) -> None:
    config = home / "config"
    config.mkdir(parents=True, exist_ok=True)
    (config / "config.toml").write_text(text, encoding="utf-8")
