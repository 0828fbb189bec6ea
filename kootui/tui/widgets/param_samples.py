"""The sample-values table of the template editor: one editable value per parameter.

The rows follow the template's parameters (in order of first appearance) as the
user types; a value typed for a parameter survives while the parameter comes and
goes, so deleting ``{{name}}`` by mistake and typing it back loses nothing. Every
edit posts ``ParamSamples.Changed`` with all values, which the editor's preview uses.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Input, Label, Static

from kootui.core.printable import printable


class ParamSamples(VerticalScroll):
    """Parameter | sample value, one Input per parameter; empty shows ``{{name}}``."""

    DEFAULT_CSS = """
    ParamSamples { height: auto; max-height: 9; }
    ParamSamples .samples-header { height: 1; color: $text-muted; text-style: bold; }
    ParamSamples .samples-header > Label, ParamSamples .sample-row > Label {
        width: 18; padding: 0 1 0 0;
    }
    ParamSamples .sample-row { height: 1; }
    ParamSamples .sample-row > Input { width: 1fr; }
    ParamSamples .samples-empty { color: $text-muted; }
    """

    class Changed(Message):
        def __init__(self, samples: ParamSamples, values: dict[str, str]) -> None:
            super().__init__()
            self.samples = samples
            self.values = values

        @property
        def control(self) -> ParamSamples:
            return self.samples

    def __init__(self, values: Mapping[str, str] | None = None, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.values: dict[str, str] = dict(values or {})
        self.parameters: tuple[str, ...] = ()

    def compose(self) -> ComposeResult:
        with Horizontal(classes="samples-header"):
            yield Label("Parameter")
            yield Label("Sample value (used only in this preview)")
        yield Static(
            "No parameters: write {{name}} in the subject or body to add one.",
            classes="samples-empty",
            markup=False,
        )

    def samples(self) -> dict[str, str]:
        """Every value known (before the first check, the parameters are not known yet:
        the given values still count), and "" for a parameter with none typed."""
        return {**self.values, **{name: self.values.get(name, "") for name in self.parameters}}

    async def show_parameters(self, parameters: Sequence[str]) -> None:
        """Follow the template's parameters; rows are rebuilt only when the list changes."""
        wanted = tuple(parameters)
        if wanted == self.parameters:
            return
        self.parameters = wanted
        await self.query(".sample-row").remove()
        self.query_one(".samples-empty").display = not wanted
        rows = [
            Horizontal(
                Label(printable(name), markup=False),
                Input(
                    self.values.get(name, ""),
                    placeholder="{{" + name + "}}",
                    id=f"sample-{name}",
                    compact=True,
                ),
                classes="sample-row",
            )
            for name in wanted
        ]
        if rows:
            await self.mount_all(rows)

    def value_input(self, name: str) -> Input:
        return self.query_one(f"#sample-{name}", Input)

    @on(Input.Changed)
    def _value_typed(self, event: Input.Changed) -> None:
        event.stop()
        name = (event.input.id or "").removeprefix("sample-")
        if self.values.get(name, "") == event.value:
            return  # a row being mounted with its value: nothing changed
        self.values[name] = event.value
        self.post_message(self.Changed(self, self.samples()))

    @on(Input.Submitted)
    def _next_value(self, event: Input.Submitted) -> None:
        event.stop()
        self.screen.focus_next()
