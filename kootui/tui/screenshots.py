"""Regenerate ``screenshots/``: one SVG per page and theme, from the demo workspace.

    python -m kootui.tui.screenshots [--out screenshots] [--theme kootui-dark ...]

The demo workspace is built in a temporary KOOTUI_HOME with a fixed clock and
TZ=UTC, so the pictures only change when the console does. Nothing of the user's
own workspace, settings or remembered theme is read or written.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from kootui.core.bootstrap import open_context
from kootui.core.clock import FixedClock
from kootui.core.config import load_settings
from kootui.core.context import Context
from kootui.core.demo import seed_demo
from kootui.tui.app import KootuiApp
from kootui.tui.pages import PAGES
from kootui.tui.theming import ThemeCatalog

SIZE = (120, 40)
SHOT_TIME = datetime(2026, 11, 23, 15, 30, tzinfo=UTC)
THEMES = ("kootui-dark", "kootui-light", "kootui-ansi")


def file_name(page_id: str, theme: str) -> str:
    return f"{page_id}-{theme.removeprefix('kootui-')}.svg"


async def _shoot(context: Context, catalog: ThemeCatalog, page_id: str, theme: str) -> str:
    app = KootuiApp(context, catalog=catalog, theme=theme, cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.go_page(page_id)
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        title = next(page.title for page in app.pages if page.id == page_id)
        return app.export_screenshot(title=f"kootui — {title} ({theme})")


def write_screenshots(out: Path, themes: Sequence[str] = THEMES) -> list[Path]:
    os.environ["TZ"] = "UTC"
    time.tzset()
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="kootui-shots-") as home:
        settings = load_settings({"KOOTUI_HOME": home}).for_demo()
        catalog = ThemeCatalog.load(settings)
        for theme in themes:
            catalog.require(theme)
        context = open_context(settings, clock=FixedClock(SHOT_TIME))
        try:
            seed_demo(context)
            for theme in themes:
                for page in PAGES:
                    svg = asyncio.run(_shoot(context, catalog, page.id, theme))
                    path = out / file_name(page.id, theme)
                    path.write_text(svg, encoding="utf-8")
                    written.append(path)
        finally:
            context.close()
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kootui.tui.screenshots", description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("screenshots"), help="folder to write")
    parser.add_argument("--theme", action="append", help="only this theme (repeatable)")
    args = parser.parse_args(argv)
    for path in write_screenshots(args.out, args.theme or THEMES):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
