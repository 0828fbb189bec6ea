"""The report's advanced search: sender domain, sender address, template, task and send
method, each a picker of what the store holds (``report_choices``).

The Sending Details pattern (``AdvancedSearch``): a collapsible panel whose choices search
at once. A deleted task is offered by the name its statistics kept, marked "(deleted)".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.text import Text
from textual.widgets import Select

from kootui.core.printable import printable
from kootui.core.reports import Choice, ReportChoices, ReportFilters
from kootui.tui.outside_text import outside
from kootui.tui.widgets.advanced_search import AdvancedSearch, SearchField

# (field name, label, the ReportChoices attribute that feeds it)
FIELDS = (
    ("domain", "Sender domain", "domains"),
    ("address", "Sender address", "addresses"),
    ("template", "Template", "templates"),
    ("task", "Task", "tasks"),
    ("send_method", "Send method", "send_methods"),
)


def option_label(choice: Choice) -> Text:
    # Names users typed: shown as text (never markup), controls made visible.
    return outside(choice.label + (" (deleted)" if choice.deleted else ""))


def options_of(choices: Sequence[Choice]) -> list[tuple[Text, str]]:
    return [(option_label(choice), str(choice.value)) for choice in choices]


def filters_from(values: Mapping[str, str]) -> ReportFilters:
    """The search panel's values as the core's filters ("" means any)."""

    def ids(name: str) -> tuple[int, ...]:
        value = values.get(name, "")
        return (int(value),) if value else ()

    method = values.get("send_method", "")
    return ReportFilters(
        domain_ids=ids("domain"),
        address_ids=ids("address"),
        template_ids=ids("template"),
        task_ids=ids("task"),
        send_methods=(method,) if method else (),
    )


class ReportSearch(AdvancedSearch):
    """Collapsed at first; ``offer`` fills the pickers once the choices are read."""

    def __init__(self, *, id: str | None = None) -> None:
        fields = [SearchField(name, label, "select") for name, label, _ in FIELDS]
        super().__init__(fields, title="Filters", compact=True, id=id)
        self.choices: ReportChoices | None = None

    def offer(self, choices: ReportChoices) -> None:
        """Fill the pickers, keeping what is chosen where it is still offered."""
        self.choices = choices
        for name, _label, attribute in FIELDS:
            select: Select[str] = self.query_one(f"#search-{name}", Select)
            current = select.value
            options = options_of(getattr(choices, attribute))
            with select.prevent(Select.Changed):
                select.set_options(options)
                if current is not Select.NULL and str(current) in {v for _, v in options}:
                    select.value = current

    def deleted_task_names(self) -> list[str]:
        """The deleted tasks the figures may hold (all of them, or the one chosen)."""
        if self.choices is None:
            return []
        chosen = self.values().get("task", "")
        return [
            printable(choice.label)
            for choice in self.choices.tasks
            if choice.deleted and (not chosen or str(choice.value) == chosen)
        ]

    def focus_first(self) -> None:
        self.query_one(f"#search-{FIELDS[0][0]}", Select).focus()
