"""The create form of a sending task: every field of the seeds' table 5-4.

Task name, subject (may use the template's parameters), an approved template, a
sender address on a verified domain, attachments (file picker; 4 MB in total),
send now or at a local time, and recipients typed by hand or imported from an
xlsx file (``task_recipients``, ``task_import``). The simulator
(``task_simulator``) shows any row's message before submitting. Every core
refusal is shown beside the field it names. Submitting runs ``create_task`` on
a thread with a progress bar (a big list takes seconds to expand); it
creates the task whole or nothing.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, Label, ProgressBar, Select, Static

from kootui.core.clock import local_text
from kootui.core.context import Context
from kootui.core.errors import KootuiError, ValidationError, user_message
from kootui.core.printable import printable
from kootui.core.senders import usable_addresses
from kootui.core.shaping import read_limits
from kootui.core.store import MAX_PAGE_SIZE, PageRequest, SendType, Task
from kootui.core.tasks import (
    TRACKING_CHOICES,
    Simulator,
    TaskDraft,
    create_task,
    destination_estimate,
    parse_local_time,
)
from kootui.core.templates import get_template, list_templates
from kootui.tui.keys.registry import bindings
from kootui.tui.outside_text import outside
from kootui.tui.pages.tasks.attachments import AttachmentsField
from kootui.tui.pages.tasks.estimate import estimate_text, no_recipients_text, reading_text
from kootui.tui.pages.tasks.recipients import RecipientsField
from kootui.tui.pages.tasks.simulator import SimulatorScreen
from kootui.tui.shell.kootui_node import KootuiNode
from kootui.tui.widgets.dialogs import ConfirmDialog
from kootui.tui.widgets.fitting_footer import FittingFooter

# Each field the core may name, in form order (ValidationError.field -> its error line).
FIELDS = (
    ("name", "Task name"),
    ("template_id", "Email template"),
    ("subject", "Email subject"),
    ("address_id", "Sender"),
    ("attachments", "Attachments"),
    ("send_type", "Sending type"),
    ("scheduled_at", "Send at (local time, YYYY-MM-DD HH:MM)"),
    ("track_opens_clicks", "Open and click tracking"),
    ("recipients", "Recipients"),
)
FIELD_ALIASES = {"xlsx": "recipients", "task_id": "", "send_method": ""}


def draft_count(draft: TaskDraft) -> int:
    return draft.recipients.count if draft.recipients is not None else 0


@dataclass(frozen=True)
class FormChoices:
    templates: list[tuple[str, str]]  # (label, template id)
    addresses: list[tuple[str, str]]  # (label, address id)


def read_choices(context: Context) -> FormChoices:
    """Approved templates (mine, then the built-in public ones) and usable senders."""
    request = PageRequest(limit=MAX_PAGE_SIZE, advanced={"status": "approved"})
    templates = []
    for public in (False, True):
        for row in list_templates(context, request, public=public).rows:
            mark = " (public)" if public else ""
            templates.append((f"{row['title']}{mark} · {row['id']}", str(row["id"])))
    addresses = [(view.address, str(view.id)) for view in usable_addresses(context)]
    return FormChoices(templates, addresses)


class _Expanding(Message, bubble=False):
    def __init__(self, written: int, total: int) -> None:
        super().__init__()
        self.written, self.total = written, total

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, _Expanding)  # only the newest count matters


class TaskCreateScreen(KootuiNode, ModalScreen[Task | None]):
    """ctrl+s submits; the footer lists the other keys (attach, upload, simulator...)."""

    BINDINGS = bindings("task-create")
    DEFAULT_CSS = """
    TaskCreateScreen { align: center middle; }
    TaskCreateScreen > #create-box {
        width: 110; max-width: 100%; height: 1fr; max-height: 100%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    TaskCreateScreen #create-title { text-style: bold; }
    TaskCreateScreen #create-error { color: $text-error; height: auto; display: none; }
    TaskCreateScreen #create-error.-shown { display: block; }
    TaskCreateScreen #create-fields { height: 1fr; }
    TaskCreateScreen .create-field { height: auto; }
    TaskCreateScreen .create-field { margin: 0 0 1 0; }
    TaskCreateScreen .create-field > Label { text-style: bold; }
    /* One-line fields, so the whole form fits a 40-line terminal. */
    TaskCreateScreen Input { height: 1; border: none; padding: 0 1; background: $boost; }
    TaskCreateScreen Input:focus { border: none; background: $primary 25%; }
    TaskCreateScreen .field-error { color: $text-error; height: auto; display: none; }
    TaskCreateScreen .field-error.-shown { display: block; }
    TaskCreateScreen .field-note { color: $text-muted; height: auto; }
    TaskCreateScreen #submit-bar { display: none; }
    TaskCreateScreen #submit-bar.-shown { display: block; }
    """

    def __init__(self) -> None:
        super().__init__(id="task-create")
        self.parameters: tuple[str, ...] = ()
        self.submitting = False

    def compose(self) -> ComposeResult:
        with Vertical(id="create-box"):
            yield Label("New sending task", id="create-title")
            yield Static("", id="create-error", markup=False)
            with VerticalScroll(id="create-fields"):
                for name, label in FIELDS:
                    with Vertical(classes="create-field", id=f"create-field-{name}"):
                        yield Label(label)
                        yield from self._field(name)
                        yield Static("", id=f"error-{name}", classes="field-error", markup=False)
            yield Static("", id="estimate", classes="field-note", markup=False)
            yield ProgressBar(id="submit-bar", show_eta=False)
        yield FittingFooter()

    def _field(self, name: str) -> ComposeResult:
        if name in ("name", "subject"):
            hint = "" if name == "name" else "may use the template's {{ parameters }}"
            yield Input(id=f"field-{name}", placeholder=hint)
        elif name in ("template_id", "address_id"):
            yield Select([], id=f"field-{name}", prompt="reading…", compact=True)
            if name == "template_id":
                yield Static("", id="template-note", classes="field-note", markup=False)
        elif name == "attachments":
            yield AttachmentsField(id="attachments-field")
        elif name == "send_type":
            yield Select(
                [("Now", SendType.NOW.value), ("Scheduled", SendType.SCHEDULED.value)],
                value=SendType.NOW.value,
                allow_blank=False,
                id="field-send_type",
                compact=True,
            )
        elif name == "track_opens_clicks":
            yield Select(
                [("As the template says", "template"), ("On", "on"), ("Off", "off")],
                value="template",
                allow_blank=False,
                id="field-track_opens_clicks",
                compact=True,
            )
        elif name == "scheduled_at":
            yield Input(id="field-scheduled_at", placeholder="YYYY-MM-DD HH:MM")
            yield Static("", id="schedule-echo", classes="field-note", markup=False)
        else:
            yield RecipientsField(id="recipients-field")

    def on_mount(self) -> None:
        self.query_one("#field-name", Input).focus()
        self.query_one("#create-field-scheduled_at").display = False
        self._show_estimate()
        self._read_choices()

    @work(group="task-create-choices", exit_on_error=False)
    async def _read_choices(self) -> None:
        try:
            choices = await asyncio.to_thread(read_choices, self.kootui.context)
        except KootuiError as refusal:
            self.show_errors(top=user_message(refusal))
            return
        for name, options, none in (
            ("template_id", choices.templates, "no approved template yet (Templates page)"),
            ("address_id", choices.addresses, "no address on a verified domain yet"),
        ):
            select: Select[str] = self.query_one(f"#field-{name}", Select)
            # Template titles and aliases were typed by people: text, never markup.
            select.set_options([(outside(label), value) for label, value in options])
            select.prompt = "choose…" if options else none

    # Errors beside fields -------------------------------------------------------------------

    def show_errors(self, *, top: str = "", by_field: dict[str, str] | None = None) -> None:
        by_field = by_field or {}
        banner = self.query_one("#create-error", Static)
        banner.update(printable(top, one_line=False))
        banner.set_class(bool(top), "-shown")
        for name, _label in FIELDS:
            message = by_field.get(name, "")
            error = self.query_one(f"#error-{name}", Static)
            error.update(printable(message, one_line=False))
            error.set_class(bool(message), "-shown")

    def clear_error(self, name: str) -> None:
        """The field was changed: its error line (and the banner above) are stale."""
        for selector in (f"#error-{name}", "#create-error"):
            shown = self.query_one(selector, Static)
            shown.update("")
            shown.remove_class("-shown")

    @on(Input.Changed)
    @on(Select.Changed)
    def _field_changed(self, event: Input.Changed | Select.Changed) -> None:
        # One rule for every field: editing it clears what was said about it.
        for ancestor in event.control.ancestors_with_self:
            if ancestor.id and ancestor.id.startswith("create-field-"):
                self.clear_error(ancestor.id.removeprefix("create-field-"))
                return

    def show_error(self, error: KootuiError) -> None:
        field = FIELD_ALIASES.get(error.field or "", error.field or "")
        if field in dict(FIELDS):
            self.show_errors(by_field={field: error.message})
            if field == "scheduled_at":
                self.query_one("#create-field-scheduled_at").display = True
            box = self.query_one(f"#create-field-{field}")
            box.scroll_visible()
            focusable = [widget for widget in box.query("Input, Select") if widget.focusable]
            typing_there = self.focused is not None and box in self.focused.ancestors_with_self
            if focusable and not typing_there:
                focusable[0].focus()  # straight to the field to fix
        else:
            self.show_errors(top=user_message(error))

    # Template, send type, recipient mode --------------------------------------------------

    @on(Select.Changed, "#field-template_id")
    def _template_chosen(self, event: Select.Changed) -> None:
        if event.value is not Select.NULL:
            self._read_template(int(str(event.value)))

    @work(exclusive=True, group="task-create-template", exit_on_error=False)
    async def _read_template(self, template_id: int) -> None:
        try:
            template = await asyncio.to_thread(get_template, self.kootui.context, template_id)
        except KootuiError as refusal:
            self.show_error(refusal)
            return
        subject = self.query_one("#field-subject", Input)
        if not subject.value.strip():
            subject.value = template.subject  # the template's own subject, to keep or change
        self.parameters = tuple(template.parameters)
        note = self.query_one("#template-note", Static)
        if self.parameters:
            names = ", ".join(self.parameters)
            note.update(printable(f"Parameters: {names} — recipients must come from an xlsx file."))
        else:
            note.update("No parameters: recipients may be typed or uploaded.")
        self.recipients_field.set_parameters(self.parameters)

    @on(Select.Changed, "#field-send_type")
    def _send_type_chosen(self, event: Select.Changed) -> None:
        scheduled = event.value == SendType.SCHEDULED.value
        self.query_one("#create-field-scheduled_at").display = scheduled

    @on(Input.Changed, "#field-scheduled_at")
    def _echo_time(self, event: Input.Changed) -> None:
        echo = self.query_one("#schedule-echo", Static)
        try:
            when = parse_local_time(event.value)
        except ValidationError:
            echo.update("")
            return
        echo.update(f"sends from {local_text(when, '%a %d %b %Y %H:%M %Z')} (local time)")

    @property
    def recipients_field(self) -> RecipientsField:
        return self.query_one(RecipientsField)

    @on(RecipientsField.Changed)
    def _recipients_changed(self, event: RecipientsField.Changed) -> None:
        event.stop()
        self.clear_error("recipients")
        self._show_estimate()

    @on(RecipientsField.Refused)
    def _recipient_refused(self, event: RecipientsField.Refused) -> None:
        event.stop()
        self.show_error(event.error)

    def action_drop_recipient(self) -> None:
        self.recipients_field.drop_last()

    def _template_chosen_first(self) -> bool:
        if self.query_one("#field-template_id", Select).value is Select.NULL:
            self.show_errors(
                by_field={
                    "template_id": "choose the template first: its parameters are the columns"
                }
            )
            return False
        return True

    def action_sample(self) -> None:
        if self._template_chosen_first():
            self.recipients_field.write_sample()

    def action_upload(self) -> None:
        if self._template_chosen_first():
            self.recipients_field.upload()

    # Attachments -----------------------------------------------------------------------------

    def action_attach(self) -> None:
        self.query_one(AttachmentsField).choose()

    def action_unattach(self) -> None:
        self.query_one(AttachmentsField).drop_last()

    @on(AttachmentsField.Refused)
    def _attachment_refused(self, event: AttachmentsField.Refused) -> None:
        event.stop()
        self.show_error(event.error)

    @on(AttachmentsField.Changed)
    def _attachment_added(self, event: AttachmentsField.Changed) -> None:
        event.stop()
        self.clear_error("attachments")

    # The draft, the simulator and submitting -------------------------------------------------

    def _show_estimate(self) -> None:
        source = self.recipients_field.source()
        count = source.count if source is not None else 0
        self.query_one("#estimate", Static).update(
            reading_text(count) if count else no_recipients_text()
        )
        if count:
            self._show_forecast()

    @on(Select.Changed, "#field-address_id")
    @on(Select.Changed, "#field-send_type")
    def _sender_or_schedule_chosen(self) -> None:
        self._show_estimate()

    @work(exclusive=True, group="task-create-forecast", exit_on_error=False)
    async def _show_forecast(self) -> None:
        source = self.recipients_field.source()
        if source is None:
            return
        try:
            draft: TaskDraft | None = self.draft()
        except KootuiError:  # a half-typed time: the rates and limits alone
            draft = None
        text = await estimate_text(self.kootui.context, source, draft)
        self.query_one("#estimate", Static).update(text)

    def draft(self) -> TaskDraft:
        """What the form holds; a badly typed time is a ValidationError for its field."""

        def chosen(name: str) -> int | None:
            value = self.query_one(f"#field-{name}", Select).value
            return None if value is Select.NULL else int(str(value))

        send_type = str(self.query_one("#field-send_type", Select).value)
        scheduled_at = None
        if send_type == SendType.SCHEDULED.value:
            scheduled_at = parse_local_time(self.query_one("#field-scheduled_at", Input).value)
        return TaskDraft(
            name=self.query_one("#field-name", Input).value,
            subject=self.query_one("#field-subject", Input).value,
            template_id=chosen("template_id"),
            address_id=chosen("address_id"),
            recipients=self.recipients_field.source(),
            send_type=send_type,
            scheduled_at=scheduled_at,
            attachments=list(self.query_one(AttachmentsField).files),
            track_opens_clicks=TRACKING_CHOICES.get(
                str(self.query_one("#field-track_opens_clicks", Select).value)
            ),
        )

    @work(group="task-create-simulate", exit_on_error=False)
    async def action_simulate(self) -> None:
        try:
            draft = self.draft()
            simulator = await asyncio.to_thread(Simulator.open, self.kootui.context, draft)
            # The rate in force (set live from a console, else sending.rate), not the file's.
            rate = (await asyncio.to_thread(read_limits, self.kootui.context)).workspace_rate
            shaped = (
                await asyncio.to_thread(destination_estimate, self.kootui.context, draft.recipients)
                if draft.recipients is not None
                else None
            )
        except KootuiError as refusal:
            self.show_error(refusal)
            return
        self.show_errors()
        self.app.push_screen(SimulatorScreen(simulator, rate, shaped))

    def action_submit(self) -> None:
        if self.submitting:
            return  # one submit at a time: a second ctrl+s must not create twice
        try:
            draft = self.draft()
        except KootuiError as error:
            self.show_error(error)
            return
        self.submitting = True
        self.show_errors()
        self.query_one("#submit-bar").add_class("-shown")
        self._create(draft)

    @work(exclusive=True, group="task-create")
    async def _create(self, draft: TaskDraft) -> None:
        def progress(written: int, total: int) -> None:  # on the store's thread
            self.post_message(_Expanding(written, total))

        try:
            task = await asyncio.to_thread(
                create_task, self.kootui.context, draft, progress=progress
            )
        except Exception as error:  # shown on the form; what was typed survives
            self._not_created(error)
            return
        self.submitting = False
        self.query_one("#submit-bar").remove_class("-shown")
        self.recipients_field.close()  # the rows are in the store now
        self.dismiss(task)

    @on(_Expanding)
    def _expanding(self, message: _Expanding) -> None:
        self.query_one("#submit-bar", ProgressBar).update(
            total=message.total, progress=message.written
        )

    def _not_created(self, error: Exception) -> None:
        self.submitting = False
        self.query_one("#submit-bar").remove_class("-shown")
        if isinstance(error, KootuiError):
            self.show_error(error)
        else:
            # Not a rule the core knows: name the kind only, its text could hold a secret.
            self.show_errors(top=f"Could not create the task: unexpected {type(error).__name__}.")

    @property
    def has_input(self) -> bool:
        """Something the user typed or chose would be lost by closing."""
        typed = any(
            self.query_one(f"#field-{name}", Input).value.strip()
            for name in ("name", "subject", "scheduled_at")
        )
        chosen = any(
            self.query_one(f"#field-{name}", Select).value is not Select.NULL
            for name in ("template_id", "address_id")
        )
        source = self.recipients_field.source()
        listed = source is not None and source.count > 0
        return typed or chosen or listed or bool(self.query_one(AttachmentsField).files)

    @work(group="task-create-close", exclusive=True, exit_on_error=False)
    async def action_close(self) -> None:
        if self.submitting:
            return
        typed = self.focused
        if isinstance(typed, Input) and typed.id == "manual-address" and typed.value:
            typed.value = ""  # escape first clears a half-typed address
            return
        if self.has_input:  # as the template editor does: typed work is not dropped unasked
            question = ConfirmDialog(
                "Discard this task?",
                "What you typed and chose in this form is lost; nothing was created.",
                confirm_label="Discard",
                decline_label="Keep editing",
                destructive=True,
            )
            if not await self.app.push_screen_wait(question):
                return
        self.recipients_field.close()
        self.dismiss(None)

    @on(Input.Submitted, "#field-name, #field-subject, #field-scheduled_at")
    def _enter_moves_on(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()
