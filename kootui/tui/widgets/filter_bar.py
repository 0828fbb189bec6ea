"""The quick filter: type and the list narrows, after a short pause in the typing."""

from __future__ import annotations

from textual import on
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input

from kootui.core.store import MAX_FILTER_LENGTH
from kootui.tui.keys.registry import bindings

FILTER_DEBOUNCE_SECONDS = 0.3  # one query per pause in typing, not one per key


class FilterBar(Input):
    """An input that posts ``FilterBar.Applied`` once typing pauses (or on Enter).

    Enter also hands focus back to the list (k9s habit); Escape clears a
    non-empty filter, and on an empty one hands focus back to the list too.
    """

    DEFAULT_CSS = """
    FilterBar { margin: 0 0; }
    """

    BINDINGS = bindings("filter")

    class Applied(Message):
        def __init__(self, filter_bar: FilterBar, text: str) -> None:
            super().__init__()
            self.filter_bar = filter_bar
            self.text = text

        @property
        def control(self) -> FilterBar:
            return self.filter_bar

    class Done(Message):
        """Enter in the filter: the page moves focus back to its list."""

    def __init__(
        self,
        *,
        placeholder: str = "Filter (press / to focus)",
        debounce: float = FILTER_DEBOUNCE_SECONDS,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(
            placeholder=placeholder, max_length=MAX_FILTER_LENGTH, id=id, classes=classes
        )
        self.debounce = debounce
        self._timer: Timer | None = None
        self._applied = ""

    @property
    def applied_text(self) -> str:
        """The filter the list is showing now (typing may be ahead of it)."""
        return self._applied

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        if event.input is not self:
            return
        event.stop()
        self.refresh_bindings()  # Escape's meaning follows the text (check_action)
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(self.debounce, self._apply)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        if event.input is not self:
            return
        event.stop()
        self._apply()
        self.post_message(self.Done())

    def _apply(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        text = self.value.strip()
        if text != self._applied:
            self._applied = text
            self.post_message(self.Applied(self, text))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Escape clears a filter that has text, else leaves the field: one key, and the
        # footer names what it does now.
        if action == "clear_filter":
            return bool(self.value)
        if action == "leave_filter":
            return not self.value
        return super().check_action(action, parameters)

    def action_clear_filter(self) -> None:
        self.value = ""
        self._apply()

    def action_leave_filter(self) -> None:
        self._apply()
        self.post_message(self.Done())
