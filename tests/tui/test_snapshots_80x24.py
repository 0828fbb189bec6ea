"""Every page and its main dialogs at 80x24, the usual SSH window, in the default theme.

Below 100 columns the navigation folds away; what is left must still show rows, whole
footer keys and ellipses where text is cut. One console per page walks the page and its
dialogs and takes a picture of each (one start instead of one per picture keeps the suite
quick), all on the demo workspace at the fixed clock. The three heaviest walks are marked
``slow`` (CI runs them after the suite: ``pytest -m slow``). Regenerate after a change
with ``pytest -m "" tests/tui/test_snapshots_80x24.py --snapshot-update``; look at the SVGs.
"""

from __future__ import annotations

import pytest
from pytest_textual_snapshot import SVGImageExtension
from syrupy import SnapshotAssertion
from textual.pilot import Pilot

from kootui.core.context import Context
from kootui.tui.widgets.advanced_search import AdvancedSearch
from tests.support.tui_shell import build_app, settle
from tests.support.tui_templates import wait_for_preview

SSH_SIZE = (80, 24)


class Pictures:
    """Takes the console's picture after each step and compares it with the stored one;
    every mismatch is reported at the end, not only the first."""

    def __init__(self, snapshot: SnapshotAssertion, pilot: Pilot[None]) -> None:
        self.snapshot = snapshot.use_extension(SVGImageExtension)
        self.pilot = pilot
        self.mismatches: list[str] = []

    async def press(self, *keys: str) -> None:
        for key in keys:
            await self.pilot.press(key)
            await settle(self.pilot)

    async def close_popup(self) -> None:
        """Close the dialog on top as its own close key would, whichever key that is."""
        self.pilot.app.screen.dismiss(None)
        await settle(self.pilot)

    async def take(self, name: str) -> None:
        await self.pilot.wait_for_scheduled_animations()
        await self.pilot.pause()
        app = self.pilot.app
        svg = app.export_screenshot(title=app.title, simplify=True)
        if not self.snapshot(name=name) == svg:
            self.mismatches.append(name)

    def check(self) -> None:
        assert not self.mismatches, f"pictures that changed: {', '.join(self.mismatches)}"


async def walk(context: Context, snapshot: SnapshotAssertion, steps) -> None:  # type: ignore[no-untyped-def]
    app = build_app(context, theme="kootui-dark")
    async with app.run_test(size=SSH_SIZE) as pilot:
        await settle(pilot)
        pictures = Pictures(snapshot, pilot)
        await steps(pictures)
    pictures.check()


async def test_overview_and_the_shell_popups(demo, snapshot):
    async def steps(pictures: Pictures) -> None:
        await pictures.take("overview")
        await pictures.press("question_mark")
        await pictures.take("help")
        await pictures.close_popup()
        await pictures.press("g")
        await pictures.take("go-popup")

    await walk(demo, snapshot, steps)


async def test_sender_domains(demo, snapshot):
    async def steps(pictures: Pictures) -> None:
        await pictures.press("g", "d")
        await pictures.take("list")
        await pictures.press("n")
        await pictures.take("new-domain")
        await pictures.close_popup()
        await pictures.press("enter")
        await pictures.take("details")

    await walk(demo, snapshot, steps)


async def test_sender_addresses(demo, snapshot):
    async def steps(pictures: Pictures) -> None:
        await pictures.press("g", "a")
        await pictures.take("list")
        await pictures.press("n")
        await pictures.take("new-address")

    await walk(demo, snapshot, steps)


@pytest.mark.slow  # 4.5-6 s measured (editor preview, progress, 50-row pages)
async def test_templates(demo, snapshot):
    async def steps(pictures: Pictures) -> None:
        await pictures.press("g", "t")
        await pictures.take("list")
        await pictures.press("e")
        await wait_for_preview(pictures.pilot)
        await pictures.take("editor")
        await pictures.close_popup()
        await pictures.press("2", "enter")
        await pictures.take("public-preview")

    await walk(demo, snapshot, steps)


@pytest.mark.slow  # 4.5-6 s measured (editor preview, progress, 50-row pages)
async def test_sending_tasks(demo, snapshot):
    async def steps(pictures: Pictures) -> None:
        await pictures.press("g", "s")
        await pictures.take("list")
        await pictures.press("enter")
        await pictures.take("progress")
        await pictures.close_popup()
        await pictures.press("n")
        await pictures.take("create-form")

    await walk(demo, snapshot, steps)


@pytest.mark.slow  # 4.5-6 s measured (editor preview, progress, 50-row pages)
async def test_sending_details(demo, snapshot):
    async def steps(pictures: Pictures) -> None:
        await pictures.press("g", "e")
        await pictures.take("list")
        search = pictures.pilot.app.screen.query_one(AdvancedSearch)
        search.collapsed = False
        await settle(pictures.pilot)
        await pictures.take("search-open")
        search.collapsed = True
        await settle(pictures.pilot)
        await pictures.press("enter")
        await pictures.take("message")
        # No picture of the export dialog: its default path names this machine's home.

    await walk(demo, snapshot, steps)


async def test_packages(demo, snapshot):
    from datetime import date

    from kootui.core.packages import add_package

    add_package(
        demo,
        name="Winter 100k",
        units=100_000,
        first_day=date(2026, 11, 1),
        last_day=date(2027, 2, 28),
    )

    async def steps(pictures: Pictures) -> None:
        await pictures.press("g", "p")
        await pictures.take("list")
        await pictures.press("n")
        await pictures.take("add-form")

    await walk(demo, snapshot, steps)
