"""The collapsible advanced search: labelled fields that produce the ``advanced`` dict.

Each field's value is a string keyed by the field name (a date range gives two
keys, ``<name>_from`` and ``<name>_to``); an empty string means "any". The core
query validates the values, and an error naming a field is shown beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from textual import on
from textual.containers import Horizontal
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Button, Collapsible, Input, Label, Select, Static

from kootui.core.printable import printable
from kootui.tui.keys.registry import bindings

SearchKind = str  # "text", "select" or "date_range"
DATE_PLACEHOLDER = "YYYY-MM-DD"


@dataclass(frozen=True)
class SearchField:
    name: str
    label: str
    kind: SearchKind = "text"
    options: Sequence[tuple[str, str]] = ()  # (shown label, value) for a select
    placeholder: str = ""
    # What a select shows while nothing is chosen: "Any", or the query's own default
    # when it has one (the last 24 hours, say).
    prompt: str = "Any"

    def keys(self) -> list[str]:
        """The keys this field contributes to the ``advanced`` dict."""
        if self.kind == "date_range":
            return [f"{self.name}_from", f"{self.name}_to"]
        return [self.name]


class AdvancedSearch(Collapsible):
    """Enter in a field, a choice in a select, or the Search button searches;
    ctrl+l clears every field."""

    DEFAULT_CSS = """
    AdvancedSearch { height: auto; }
    AdvancedSearch .search-row { height: auto; }
    AdvancedSearch .search-row > Label { width: 18; padding: 1 1 0 0; }
    AdvancedSearch .search-row > Input { width: 28; }
    AdvancedSearch .search-row > Select { width: 28; }
    AdvancedSearch .search-row > .field-error { width: 1fr; padding: 1 1 0 1; color: $text-error; }
    AdvancedSearch .search-buttons { height: auto; }
    AdvancedSearch .search-buttons > Button { margin-right: 1; }
    AdvancedSearch.-compact .search-row > Label { padding: 0 1 0 0; }
    AdvancedSearch.-compact .search-row > Input { margin-right: 1; }
    AdvancedSearch.-compact .search-row > Select { margin-right: 1; }
    AdvancedSearch.-compact .search-row > .field-error { padding: 0 1; }
    AdvancedSearch.-compact .search-buttons { margin-top: 1; }
    """

    BINDINGS = bindings("search")

    class Submitted(Message):
        def __init__(self, advanced_search: AdvancedSearch, values: dict[str, str]) -> None:
            super().__init__()
            self.advanced_search = advanced_search
            self.values = values

        @property
        def control(self) -> AdvancedSearch:
            return self.advanced_search

    def __init__(
        self,
        fields: Sequence[SearchField],
        *,
        title: str = "Advanced search",
        collapsed: bool = True,
        compact: bool = False,
        id: str | None = None,
    ) -> None:
        # compact: one line a field (no borders), for a list with many search fields.
        self.fields = list(fields)
        rows = [self._field_row(field, compact) for field in self.fields]
        buttons = Horizontal(
            Button("Search", id="search-submit", variant="primary", compact=compact),
            Button("Clear", id="search-clear", compact=compact),
            classes="search-buttons",
        )
        super().__init__(*rows, buttons, title=title, collapsed=collapsed, id=id)
        self.set_class(compact, "-compact")
        self.base_title = title
        # Enter or the Search button in a short window: fold once the rows have come, so
        # they are what the user sees (the list panel folds it; a refusal keeps it open).
        self.fold_when_found = False

    @staticmethod
    def _field_row(field: SearchField, compact: bool = False) -> Horizontal:
        inputs: list[Widget]
        if field.kind == "select":
            select: Select[str] = Select(
                list(field.options),
                prompt=field.prompt,
                compact=compact,
                id=f"search-{field.name}",
            )
            inputs = [select]
        elif field.kind == "date_range":
            start, end = field.keys()
            inputs = [
                Input(
                    placeholder=f"from {DATE_PLACEHOLDER}", compact=compact, id=f"search-{start}"
                ),
                Input(placeholder=f"to {DATE_PLACEHOLDER}", compact=compact, id=f"search-{end}"),
            ]
        elif field.kind == "text":
            inputs = [
                Input(
                    placeholder=field.placeholder,
                    compact=compact,
                    id=f"search-{field.name}",
                )
            ]
        else:
            raise ValueError(f"unknown search field kind {field.kind!r}")
        error = Static("", id=f"search-error-{field.name}", classes="field-error", markup=False)
        return Horizontal(Label(field.label, markup=False), *inputs, error, classes="search-row")

    def values(self) -> dict[str, str]:
        values: dict[str, str] = {}
        for field in self.fields:
            for key in field.keys():
                widget = self.query_one(f"#search-{key}")
                if isinstance(widget, Select):
                    value = widget.value
                    values[key] = "" if value is Select.NULL else str(value)
                elif isinstance(widget, Input):
                    values[key] = widget.value.strip()
        return values

    def field_for_key(self, key: str) -> SearchField | None:
        return next((field for field in self.fields if key in field.keys()), None)

    def show_error(self, key: str, message: str) -> bool:
        """Show ``message`` beside the field that owns ``key``; False if none does."""
        field = self.field_for_key(key)
        if field is None:
            return False
        # The message quotes the typed value: its controls are shown, not obeyed.
        self.query_one(f"#search-error-{field.name}", Static).update(printable(message))
        self.fold_when_found = False
        self.collapsed = False
        return True

    def clear_errors(self) -> None:
        for error in self.query(".field-error").results(Static):
            error.update("")

    def search(self, *, fold: bool = False) -> None:
        self.clear_errors()
        values = self.values()
        chosen = sum(1 for field in self.fields if any(values[key] for key in field.keys()))
        # Folded, the title still says a search narrows the list.
        self.title = f"{self.base_title} · {chosen} set" if chosen else self.base_title
        self.fold_when_found = fold and self.screen.has_class("-short")
        self.post_message(self.Submitted(self, values))

    def fold_after_search(self) -> bool:
        """Fold if the last search asked to (see ``fold_when_found``); True when it did."""
        fold, self.fold_when_found = self.fold_when_found, False
        if fold:
            self.collapsed = True
        return fold

    def action_clear_search(self) -> None:
        for field in self.fields:
            for key in field.keys():
                widget = self.query_one(f"#search-{key}")
                if isinstance(widget, Select):
                    widget.clear()
                elif isinstance(widget, Input):
                    widget.value = ""
        self.search()

    @on(Input.Submitted)
    def _enter_pressed(self, event: Input.Submitted) -> None:
        event.stop()
        self.search(fold=True)

    @on(Select.Changed)
    def _choice_made(self, event: Select.Changed) -> None:
        event.stop()  # a choice is complete by itself: search at once
        self.search()

    @on(Button.Pressed, "#search-submit")
    def _search_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.search(fold=True)

    @on(Button.Pressed, "#search-clear")
    def _clear_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_clear_search()
