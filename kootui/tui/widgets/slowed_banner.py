"""One line naming the destinations the engines are slowing and why, hidden when none.

Shown on the Sending Tasks and Sending Details pages, where a send that takes longer
than its estimate is looked at. It reads ``shaping.slowings`` on a thread every
``RefreshIntervals.destinations`` seconds; Destinations (g l) has the whole story."""

from __future__ import annotations

import asyncio

from textual import work
from textual.content import Content
from textual.widgets import Static

from kootui.core.printable import printable
from kootui.core.shaping import Slowing, slowing_text, slowings
from kootui.tui.shell.kootui_node import KootuiNode


def banner_text(states: list[Slowing]) -> Content:
    first = states[0]
    more = f" (and {len(states) - 1} more, g l)" if len(states) > 1 else " (g l)"
    return Content.assemble(
        ("Slowed: ", "bold $status-warn"),
        (printable(f"{first.label} at {slowing_text(first)}"), ""),
        (more, "dim"),
    )


class SlowedBanner(KootuiNode, Static):
    DEFAULT_CSS = """
    SlowedBanner { height: 1; padding: 0 1; display: none; }
    SlowedBanner.-shown { display: block; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id, markup=False)

    def on_mount(self) -> None:
        self.check()
        self.set_interval(self.kootui.refresh_intervals.destinations, self.check)

    @work(group="slowed-banner", exclusive=True, exit_on_error=False)
    async def check(self) -> None:
        states = await asyncio.to_thread(slowings, self.kootui.context.store)
        ordered = sorted(states.values(), key=lambda state: state.since)
        self.set_class(bool(ordered), "-shown")
        self.update(banner_text(ordered) if ordered else "")
