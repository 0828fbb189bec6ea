"""The send simulator: any recipient row's message as it will go out, before submitting.

Steps through the rows (next, previous, or jump to row N) showing the subject,
From, To, the parameter values and the body as text, rendered by the same
renderer the engine uses, and the estimated send duration at the configured
rate. Each step is one render on a thread (an imported row is one
indexed read from the temporary file), so stepping a million-row list is as
quick as a ten-row one.
"""

from __future__ import annotations

import asyncio

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from kootui.core.errors import KootuiError, ValidationError
from kootui.core.plural import count_of
from kootui.core.printable import printable
from kootui.core.shaping import ShapedEstimate
from kootui.core.tasks import (
    SimulatedMessage,
    Simulator,
    duration_text,
    effective_rate,
    simulator_forecast,
)
from kootui.tui.keys.registry import bindings
from kootui.tui.shell.kootui_node import KootuiNode
from kootui.tui.widgets.fitting_footer import FittingFooter


def message_content(message: SimulatedMessage) -> Content:
    header = [
        ("Subject", message.subject),
        ("From", message.sender),  # decoded, as the message detail shows it
        ("To", message.to),
    ]
    if message.params:
        header.append(("Values", ", ".join(f"{k}={v}" for k, v in message.params.items())))
    # Rendered from the recipient's row and the template: outside text, shown not obeyed.
    lines = [Content.assemble((f"{label:<8}", "bold"), printable(value)) for label, value in header]
    body = Content(printable(message.text, one_line=False))
    return Content("\n").join([*lines, Content(""), body])


class SimulatorScreen(KootuiNode, ModalScreen[None]):
    """right/left (n/p) step through the rows; j asks for a row number; escape closes."""

    BINDINGS = bindings("task-simulator")
    AUTO_FOCUS = None  # nothing focused: the screen's keys step through the rows
    DEFAULT_CSS = """
    SimulatorScreen { align: center middle; }
    SimulatorScreen > #simulator-box {
        width: 100; max-width: 98%; height: 34; max-height: 95%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    SimulatorScreen #simulator-title { text-style: bold; }
    SimulatorScreen #simulator-estimate { color: $text-muted; }
    SimulatorScreen #simulator-forecast { color: $text-muted; padding: 0 0 1 0; }
    SimulatorScreen #simulator-destinations { color: $text-warning; padding: 0 0 1 0; }
    SimulatorScreen #simulator-jump-row { height: auto; display: none; }
    SimulatorScreen #simulator-jump-row.-shown { display: block; }
    SimulatorScreen #simulator-jump-row > Label { padding: 1 1 0 0; }
    SimulatorScreen #simulator-jump { width: 20; }
    SimulatorScreen #simulator-error { color: $text-error; height: auto; }
    SimulatorScreen #simulator-scroll { height: 1fr; border: round $primary 50%; }
    """

    def __init__(
        self, simulator: Simulator, rate: float, shaped: ShapedEstimate | None = None
    ) -> None:
        super().__init__()
        self.simulator = simulator
        self.rate = rate
        self.shaped = shaped  # the destination limits' part (core.tasks.destination_estimate)
        self.row_index = 0
        self.shown: SimulatedMessage | None = None

    def compose(self) -> ComposeResult:
        count = self.simulator.count
        rate = effective_rate(self.rate)
        limit = "the configured limit" if self.rate > 0 else "no limit set: an assumed speed"
        duration = duration_text(self.simulator.estimated_duration(self.rate))
        with Vertical(id="simulator-box"):
            yield Label("Send simulator", id="simulator-title")
            suppressed = self.simulator.suppressed
            skipped = f" · {suppressed:,} on the suppression list, not sent" if suppressed else ""
            yield Static(
                f"{count_of(count, 'message')}{skipped} · estimated send time {duration} "
                f"at {rate:,.0f}/s ({limit})",
                id="simulator-estimate",
                markup=False,
            )
            if self.shaped is not None and self.shaped.slowest:
                shaped = self.shaped
                yield Static(
                    f"Destination limits decide: {count_of(shaped.slowest_count, 'message')} "
                    f"to {shaped.slowest} take {duration_text(shaped.duration)} at its rate",
                    id="simulator-destinations",
                    markup=False,
                )
            yield Static("", id="simulator-forecast", markup=False)
            with Horizontal(id="simulator-jump-row"):
                yield Label(f"Row (1–{count:,})")
                # Disabled while hidden, so it never takes the arrow keys from the rows.
                yield Input(id="simulator-jump", type="integer", disabled=True)
            yield Static("", id="simulator-error", markup=False)
            # Not focusable: the arrow keys step through rows rather than scroll.
            with VerticalScroll(id="simulator-scroll", can_focus=False):
                yield Label("", id="simulator-position")
                yield Static("rendering…", id="simulator-message")
        yield FittingFooter()

    def on_mount(self) -> None:
        self.show_row(0)
        self.show_forecast()

    @work(group="simulator-forecast", exit_on_error=False)
    async def show_forecast(self) -> None:
        """Packages and the sender's warm-up plan: does it fit, and when does it end."""
        forecast = await asyncio.to_thread(simulator_forecast, self.kootui.context, self.simulator)
        lines = [forecast.summary(), *forecast.notes]
        self.query_one("#simulator-forecast", Static).update(" · ".join(lines))

    @work(group="simulator", exit_on_error=False)
    async def show_row(self, index: int) -> None:
        try:
            message = await asyncio.to_thread(self.simulator.message, index)
        except KootuiError as refusal:
            self._show_refusal(refusal)
            return
        self.query_one("#simulator-error", Static).update("")
        self.shown = message
        self.row_index = message.row_index
        self.query_one("#simulator-position", Label).update(
            f"Row {message.row_index + 1:,} of {message.total:,}"
        )
        self.query_one("#simulator-message", Static).update(message_content(message))

    def _show_refusal(self, refusal: KootuiError) -> None:
        # The line sits under the row number it is about: the message alone, no "row:".
        self.query_one("#simulator-error", Static).update(
            printable(refusal.message, one_line=False)
        )

    def action_next_row(self) -> None:
        if self.row_index + 1 < self.simulator.count:
            self.show_row(self.row_index + 1)

    def action_previous_row(self) -> None:
        if self.row_index > 0:
            self.show_row(self.row_index - 1)

    def action_jump_row(self) -> None:
        self.query_one("#simulator-jump-row").add_class("-shown")
        field = self.query_one("#simulator-jump", Input)
        field.disabled = False
        field.value = ""
        field.focus()

    def _hide_jump(self) -> None:
        self.query_one("#simulator-jump-row").remove_class("-shown")
        self.query_one("#simulator-jump", Input).disabled = True
        self.set_focus(None)

    def action_close(self) -> None:
        if self.focused is self.query_one("#simulator-jump", Input):
            self._hide_jump()
            return
        self.dismiss(None)

    @on(Input.Submitted, "#simulator-jump")
    def _jump(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            number = int(event.value)
        except ValueError:
            self._show_refusal(ValidationError("type a row number", field="row"))
            return
        self._hide_jump()
        self.show_row(number - 1)  # out of range: the core says which rows exist
