"""The fitting footer composes its keys again only when what it shows has changed.

Screens announce a bindings change after most focus moves and messages; recomposing the
footer each time (and measuring its keys again) took more of the processor, between the
first frame and the Overview's figures, than reading the figures (issue 17, item 17).
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.pilot import Pilot
from textual.widgets import Static
from textual.widgets._footer import FooterKey

from kootui.tui.widgets.fitting_footer import FittingFooter


class TwoKeys(App[None]):
    ENABLE_COMMAND_PALETTE = False
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "save", "Save", id="save"),
        Binding("x", "export", "Export", id="export"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.can_export = True

    def compose(self) -> ComposeResult:
        yield Static("body")
        yield FittingFooter()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.can_export if action == "export" else True

    def action_save(self) -> None:
        pass

    def action_export(self) -> None:
        pass


def shown(app: App[None]) -> list[tuple[str, bool]]:
    return [(key.description, key.disabled) for key in app.screen.query(FooterKey)]


async def settled(pilot: Pilot[None]) -> None:
    """Past the refreshes a bindings change schedules (the footer recomposes after one)."""
    for _ in range(4):
        await pilot.pause()


async def test_the_footer_keeps_its_keys_until_what_it_shows_changes() -> None:
    app = TwoKeys()
    async with app.run_test(size=(80, 5)) as pilot:
        await settled(pilot)
        keys = list(app.screen.query(FooterKey))
        assert shown(app) == [("Save", False), ("Export", False)]

        app.screen.refresh_bindings()  # nothing the footer shows has changed
        await settled(pilot)
        assert list(app.screen.query(FooterKey)) == keys  # the same widgets, not new ones

        app.can_export = False
        app.screen.refresh_bindings()
        await settled(pilot)
        assert shown(app) == [("Save", False)]
