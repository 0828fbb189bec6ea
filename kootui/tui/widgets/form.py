"""The form dialog: declared fields, a submit call off the event loop, errors beside fields.

A page declares its fields and a ``submit`` callable (usually a core function
taking the values). Submit runs in a thread worker. If it raises a
``KootuiError`` whose ``field`` names one of the form's fields, the message is
shown under that field and focus moves there; any other error shows at the
top. Either way the dialog stays open with everything the user typed. On
success the dialog closes and returns what ``submit`` returned.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Generic, TypeVar

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, Label, Select, Static, TextArea

from kootui.core.errors import KootuiError
from kootui.core.printable import printable
from kootui.tui.keys.registry import bindings
from kootui.tui.outside_text import outside
from kootui.tui.shell.rights import refusal_text
from kootui.tui.widgets.fitting_footer import FittingFooter

ResultT = TypeVar("ResultT")
FormValues = dict[str, Any]  # str for text fields, bool for checkboxes, str | None for selects


@dataclass(frozen=True)
class TextField:
    name: str
    label: str
    value: str = ""
    placeholder: str = ""
    password: bool = False  # typed secrets are masked and never echoed back


@dataclass(frozen=True)
class SelectField:
    name: str
    label: str
    options: Sequence[tuple[str, str]]  # (shown label, value)
    value: str | None = None


@dataclass(frozen=True)
class CheckboxField:
    name: str
    label: str
    value: bool = False


@dataclass(frozen=True)
class MultilineField:
    name: str
    label: str
    value: str = ""


FormField = TextField | SelectField | CheckboxField | MultilineField


def field_widget(field: FormField) -> Widget:
    widget_id = f"field-{field.name}"
    if isinstance(field, TextField):
        return Input(
            field.value, placeholder=field.placeholder, password=field.password, id=widget_id
        )
    if isinstance(field, SelectField):
        # Labels may be stored names (a domain, an alias): text, never markup.
        options = [(outside(label), value) for label, value in field.options]
        return Select(options, value=field.value or Select.NULL, id=widget_id)
    if isinstance(field, CheckboxField):
        return Checkbox(Content(field.label), field.value, id=widget_id)
    return TextArea(field.value, id=widget_id, soft_wrap=True)


def field_value(widget: Widget) -> Any:
    if isinstance(widget, Input):
        return widget.value
    if isinstance(widget, Select):
        return None if widget.value is Select.NULL else widget.value
    if isinstance(widget, Checkbox):
        return widget.value
    if isinstance(widget, TextArea):
        return widget.text
    raise TypeError(f"not a form field widget: {widget!r}")


class _SubmitFinished(Message, bubble=False):
    def __init__(self, result: Any = None, error: BaseException | None = None) -> None:
        super().__init__()
        self.result, self.error = result, error


class FormDialog(ModalScreen[ResultT | None], Generic[ResultT]):
    """A modal form: ctrl+s (or the Save button, or Enter in the last text field) submits;
    Enter in another text field moves on; Escape cancels with None."""

    DEFAULT_CSS = """
    FormDialog { align: center middle; }
    FormDialog > #form-box {
        width: 76; max-width: 95%; height: auto; max-height: 90%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    FormDialog #form-title { text-style: bold; padding: 0 0 1 0; width: 1fr; }
    FormDialog #form-error { color: $text-error; display: none; padding: 0 0 1 0; }
    FormDialog #form-error.-shown { display: block; }
    FormDialog #form-fields { height: auto; max-height: 30; }
    /* Under 32 rows the fields scroll, so the buttons below them stay in the window. */
    FormDialog.-short #form-fields { max-height: 11; }
    FormDialog .form-field { height: auto; }
    FormDialog .form-field > Label { padding: 1 0 0 0; width: 1fr; }
    FormDialog .form-field > TextArea { height: 6; }
    FormDialog .form-field > Checkbox { width: 1fr; }
    FormDialog .field-error { color: $text-error; height: auto; display: none; }
    FormDialog .field-error.-shown { display: block; }
    FormDialog #form-buttons { height: auto; align-horizontal: right; padding: 1 0 0 0; }
    FormDialog #form-buttons > Button { margin-left: 1; }
    """

    BINDINGS = bindings("form")

    def __init__(
        self,
        title: str,
        fields: Sequence[FormField],
        submit: Callable[[FormValues], ResultT],
        *,
        submit_label: str = "Save",
    ) -> None:
        super().__init__()
        self._name_submit_key(submit_label)
        names = [field.name for field in fields]
        if len(set(names)) != len(names):
            raise ValueError(f"form field names must be unique: {names}")
        self.form_title = title
        self.fields = list(fields)
        self.submit_callable = submit
        self.submit_label = submit_label
        self.submitting = False

    def _name_submit_key(self, label: str) -> None:
        """The footer's submit key says what the button says ("^s Add", not "^s Save").
        Only this dialog's bindings change: their lists are shared with the class's."""
        by_key = self._bindings.key_to_bindings
        for key, found in by_key.items():
            if any(binding.action == "submit" for binding in found):
                by_key[key] = [
                    replace(binding, description=label) if binding.action == "submit" else binding
                    for binding in found
                ]

    def compose(self) -> ComposeResult:
        with Vertical(id="form-box"):
            yield Label(printable(self.form_title), id="form-title", markup=False)
            yield Static("", id="form-error", markup=False)
            with VerticalScroll(id="form-fields"):
                for field in self.fields:
                    with Vertical(classes="form-field", id=f"form-field-{field.name}"):
                        if not isinstance(field, CheckboxField):
                            yield Label(field.label, markup=False)
                        yield field_widget(field)
                        yield Static(
                            "", id=f"error-{field.name}", classes="field-error", markup=False
                        )
            with Horizontal(id="form-buttons"):
                yield Button("Cancel", id="form-cancel")
                yield Button(self.submit_label, id="form-submit", variant="primary")
        yield FittingFooter()  # this dialog's keys, not the page's underneath

    def on_mount(self) -> None:
        if self.fields:
            self.query_one(f"#field-{self.fields[0].name}").focus()

    def values(self) -> FormValues:
        return {
            field.name: field_value(self.query_one(f"#field-{field.name}")) for field in self.fields
        }

    def show_errors(self, *, top: str = "", by_field: Mapping[str, str] | None = None) -> None:
        """Replace the shown errors: ``top`` above the fields, the rest under their fields."""
        by_field = by_field or {}
        banner = self.query_one("#form-error", Static)
        # Errors quote what was typed: shown as text, controls visible.
        banner.update(printable(top, one_line=False))
        banner.set_class(bool(top), "-shown")
        for field in self.fields:
            message = by_field.get(field.name, "")
            error = self.query_one(f"#error-{field.name}", Static)
            error.update(printable(message, one_line=False))
            error.set_class(bool(message), "-shown")

    def clear_error(self, name: str) -> None:
        """The field was changed: its error line (and the banner above) are stale."""
        for selector in (f"#error-{name}", "#form-error"):
            shown = self.query_one(selector, Static)
            shown.update("")
            shown.remove_class("-shown")

    @on(Input.Changed)
    @on(Select.Changed)
    @on(Checkbox.Changed)
    @on(TextArea.Changed)
    def _field_changed(
        self, event: Input.Changed | Select.Changed | Checkbox.Changed | TextArea.Changed
    ) -> None:
        # One rule for every field: editing it clears what was said about it.
        for ancestor in event.control.ancestors_with_self:
            if ancestor.id and ancestor.id.startswith("form-field-"):
                self.clear_error(ancestor.id.removeprefix("form-field-"))
                return

    def action_submit(self) -> None:
        if self.submitting:
            return  # one submit at a time: a second ctrl+s must not create twice
        self.submitting = True
        self.query_one("#form-submit", Button).disabled = True
        self._run_submit(self.values())

    def action_cancel(self) -> None:
        if not self.submitting:
            self.dismiss(None)

    @work(thread=True, exclusive=True, group="form-submit")
    def _run_submit(self, values: FormValues) -> None:
        try:
            result = self.submit_callable(values)
        except Exception as error:  # shown in the dialog; the user's input must survive
            self.post_message(_SubmitFinished(error=error))
            return
        self.post_message(_SubmitFinished(result=result))

    @on(_SubmitFinished)
    def _submit_finished(self, message: _SubmitFinished) -> None:
        self.submitting = False
        self.query_one("#form-submit", Button).disabled = False
        error = message.error
        if error is None:
            self.dismiss(message.result)
            return
        if isinstance(error, KootuiError):
            names = {field.name for field in self.fields}
            if error.field in names:
                self.show_errors(by_field={error.field: error.message})
                self.query_one(f"#field-{error.field}").focus()
            else:
                self.show_errors(top=refusal_text(error))
            return
        # Not a rule the core knows: name the kind of failure, never its text, which
        # could carry a secret (a connection string, a password) onto the screen.
        self.show_errors(top=f"Could not save: unexpected {type(error).__name__}.")

    @on(Input.Submitted)
    def _enter_in_field(self, event: Input.Submitted) -> None:
        """Enter moves to the next field; on the last text field it submits."""
        event.stop()
        inputs = list(self.query("#form-fields Input").results(Input))
        if inputs and event.input is inputs[-1]:
            self.action_submit()
        else:
            self.focus_next()

    @on(Button.Pressed, "#form-submit")
    def _save_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_submit()

    @on(Button.Pressed, "#form-cancel")
    def _cancel_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_cancel()
