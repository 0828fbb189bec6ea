"""The create form of a sending task: every field of the seeds' table 5-4.

Task name, subject (may use the template's parameters), an approved template, a
sender address on a verified domain, attachments (file picker; 4 MB in total),
send now or at a local time, and recipients typed by hand (``task_recipients``)
or imported from an xlsx file. The simulator (``task_simulator``) shows any
row's message before submitting. Every core refusal is shown beside the field
it names. Submitting runs ``create_task`` in a thread worker with a progress
bar (a big list takes seconds to expand); it creates the task whole or nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Label, ProgressBar, Select, Static

from kootui.core.attachments import (
    MAX_TOTAL_BYTES,
    AttachmentFile,
    check_attachments,
    load_attachment,
)
from kootui.core.clock import local_text
from kootui.core.context import Context
from kootui.core.errors import KootuiError, ValidationError
from kootui.core.models import SendType, Task
from kootui.core.paging import MAX_PAGE_SIZE, PageRequest
from kootui.core.senders import usable_addresses
from kootui.core.simulator import Simulator, duration_text, estimated_duration
from kootui.core.tasks import TaskDraft, create_task, parse_local_time, template_parameters
from kootui.core.templates import list_templates
from kootui.core.xlsx_import import ImportReport, write_sample_xlsx
from kootui.tui.actions import bindings
from kootui.tui.screens.store_calls import StoreReply, call_store
from kootui.tui.screens.task_recipients import ImportScreen, ManualRecipientsBox
from kootui.tui.screens.task_simulator import SimulatorScreen
from kootui.tui.widgets.file_picker import FilePicker

if TYPE_CHECKING:
    from kootui.tui.app import KootuiApp

MANUAL, UPLOAD = "manual", "upload"
# Each field the core may name, in form order (ValidationError.field -> its error line).
FIELDS = (
    ("name", "Task name"),
    ("template_id", "Email template"),
    ("subject", "Email subject"),
    ("address_id", "Sender"),
    ("attachments", "Attachments"),
    ("send_type", "Sending type"),
    ("scheduled_at", "Send at (local time, YYYY-MM-DD HH:MM)"),
    ("recipients", "Recipients"),
)
FIELD_ALIASES = {"xlsx": "recipients", "task_id": "", "send_method": ""}


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


class _Created(Message, bubble=False):
    def __init__(self, task: Task | None, error: BaseException | None) -> None:
        super().__init__()
        self.task, self.error = task, error


class TaskCreateScreen(ModalScreen[Task | None]):
    """ctrl+s submits; the footer lists the other keys (attach, upload, simulator...)."""

    BINDINGS = bindings("task-create")
    DEFAULT_CSS = """
    TaskCreateScreen { align: center middle; }
    TaskCreateScreen > #create-box {
        width: 110; max-width: 100%; height: 1fr; max-height: 100%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    TaskCreateScreen #create-title { text-style: bold; }
    TaskCreateScreen #create-error { color: $text-error; height: auto; }
    TaskCreateScreen #create-fields { height: 1fr; }
    TaskCreateScreen .create-field { height: auto; }
    TaskCreateScreen .create-field > Label { padding: 1 0 0 0; text-style: bold; }
    TaskCreateScreen .field-error { color: $text-error; height: auto; }
    TaskCreateScreen .field-note { color: $text-muted; height: auto; }
    TaskCreateScreen #submit-bar { display: none; }
    TaskCreateScreen #submit-bar.-shown { display: block; }
    """

    def __init__(self) -> None:
        super().__init__(id="task-create")
        self.parameters: tuple[str, ...] = ()
        self.attachments: list[AttachmentFile] = []
        self.report: ImportReport | None = None
        self.submitting = False

    @property
    def kootui(self) -> KootuiApp:
        return self.app  # type: ignore[return-value]

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
        yield Footer()

    def _field(self, name: str) -> ComposeResult:
        if name in ("name", "subject"):
            hint = "" if name == "name" else "may use the template's {{ parameters }}"
            yield Input(id=f"field-{name}", placeholder=hint)
        elif name in ("template_id", "address_id"):
            yield Select([], id=f"field-{name}", prompt="reading…")
            if name == "template_id":
                yield Static("", id="template-note", classes="field-note", markup=False)
        elif name == "attachments":
            yield Static("", id="attachment-list", classes="field-note", markup=False)
        elif name == "send_type":
            yield Select(
                [("Now", SendType.NOW.value), ("Scheduled", SendType.SCHEDULED.value)],
                value=SendType.NOW.value,
                allow_blank=False,
                id="field-send_type",
            )
        elif name == "scheduled_at":
            yield Input(id="field-scheduled_at", placeholder="YYYY-MM-DD HH:MM")
            yield Static("", id="schedule-echo", classes="field-note", markup=False)
        else:
            yield Select(
                [("Manually (at most 10 addresses)", MANUAL), ("Upload an xlsx file", UPLOAD)],
                value=MANUAL,
                allow_blank=False,
                id="field-recipient_mode",
            )
            yield ManualRecipientsBox(id="manual-box")
            yield Static("", id="file-summary", classes="field-note", markup=False)

    def on_mount(self) -> None:
        self.query_one("#field-name", Input).focus()
        self.query_one("#create-field-scheduled_at").display = False
        self._show_mode(MANUAL)
        self._show_attachments()
        context = self.kootui.context
        call_store(self, lambda: read_choices(context), self._choices_read)

    def _choices_read(self, choices: FormChoices | None, error: KootuiError | None) -> None:
        if error is not None or choices is None:
            self.show_errors(top=str(error))
            return
        for name, options, none in (
            ("template_id", choices.templates, "no approved template yet (Templates page)"),
            ("address_id", choices.addresses, "no address on a verified domain yet"),
        ):
            select: Select[str] = self.query_one(f"#field-{name}", Select)
            select.set_options(options)
            select.prompt = "choose…" if options else none

    # Errors beside fields -------------------------------------------------------------------

    def show_errors(self, *, top: str = "", by_field: dict[str, str] | None = None) -> None:
        by_field = by_field or {}
        self.query_one("#create-error", Static).update(top)
        for name, _label in FIELDS:
            self.query_one(f"#error-{name}", Static).update(by_field.get(name, ""))

    def show_error(self, error: KootuiError) -> None:
        field = FIELD_ALIASES.get(error.field or "", error.field or "")
        if field in dict(FIELDS):
            self.show_errors(by_field={field: error.message})
            if field == "scheduled_at":
                self.query_one("#create-field-scheduled_at").display = True
            self.query_one(f"#create-field-{field}").scroll_visible()
        else:
            self.show_errors(top=str(error))

    # Template, send type, recipient mode --------------------------------------------------

    @on(Select.Changed, "#field-template_id")
    def _template_chosen(self, event: Select.Changed) -> None:
        if event.value is Select.NULL:
            return
        context, template_id = self.kootui.context, int(str(event.value))
        call_store(self, lambda: template_parameters(context, template_id), self._parameters)

    def _parameters(self, parameters: Any, error: KootuiError | None) -> None:
        if error is not None:
            self.show_error(error)
            return
        self.parameters = tuple(parameters)
        note = self.query_one("#template-note", Static)
        if self.parameters:
            names = ", ".join(self.parameters)
            note.update(f"Parameters: {names} — recipients must come from an xlsx file.")
            self.query_one("#field-recipient_mode", Select).value = UPLOAD
        else:
            note.update("No parameters: recipients may be typed or uploaded.")
        if self.report is not None and set(self.parameters) - set(
            self.report.recipients.parameters
        ):
            self._drop_report()
            self.query_one("#file-summary", Static).update(
                "The template changed: upload the file again with its columns."
            )

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

    @on(Select.Changed, "#field-recipient_mode")
    def _mode_chosen(self, event: Select.Changed) -> None:
        self._show_mode(str(event.value))

    def _show_mode(self, mode: str) -> None:
        self.query_one("#manual-box").display = mode == MANUAL
        self.query_one("#file-summary").display = mode == UPLOAD
        if mode == UPLOAD and self.report is None:
            upload = self.kootui.key_display("task-create-upload")
            sample = self.kootui.key_display("task-create-sample")
            self.query_one("#file-summary", Static).update(
                f"No file yet. {sample}: write the sample file · {upload}: upload (at most 40 MB)"
            )
        self._show_estimate()

    @property
    def mode(self) -> str:
        return str(self.query_one("#field-recipient_mode", Select).value)

    # Manual recipients --------------------------------------------------------------------

    @on(Input.Submitted, "#manual-address")
    def _address_typed(self, event: Input.Submitted) -> None:
        event.stop()
        if self.parameters:
            columns = ", ".join(["email", *self.parameters])
            self.show_errors(
                by_field={
                    "recipients": "this template has parameters, so recipients must come from "
                    f"an xlsx file with the columns: {columns}"
                }
            )
            return
        try:
            self.query_one(ManualRecipientsBox).add(event.value)
        except KootuiError as error:
            self.show_error(error)
            return
        self.show_errors()
        event.input.value = ""  # Enter adds it; the field is ready for the next one
        self._show_estimate()

    def action_drop_recipient(self) -> None:
        if self.query_one(ManualRecipientsBox).drop_last() is not None:
            self._show_estimate()

    # Upload and the sample file -------------------------------------------------------------

    def _chosen_template(self) -> int | None:
        value = self.query_one("#field-template_id", Select).value
        if value is Select.NULL:
            self.show_errors(
                by_field={
                    "template_id": "choose the template first: its parameters are the columns"
                }
            )
            return None
        return int(str(value))

    def action_sample(self) -> None:
        if self._chosen_template() is None:
            return
        picker = FilePicker(
            "Write the sample recipient file to…",
            start=Path.home(),
            must_exist=False,
            suffixes=(".xlsx",),
            file_name="recipients-sample.xlsx",
        )
        self.app.push_screen(picker, self._write_sample)

    def _write_sample(self, path: Path | None) -> None:
        if path is None:
            return
        parameters = self.parameters
        call_store(self, lambda: write_sample_xlsx(path, parameters), self._sample_written)

    def _sample_written(self, path: Any, error: KootuiError | None) -> None:
        if error is not None:
            self.show_error(error)
        else:
            self.notify(f"Wrote {path}: fill it in, then upload it.", timeout=6)

    def action_upload(self) -> None:
        if self._chosen_template() is None:
            return
        picker = FilePicker("Upload recipients (.xlsx)", start=Path.home(), suffixes=(".xlsx",))
        self.app.push_screen(picker, self._import)

    def _import(self, path: Path | None) -> None:
        if path is not None:
            self.app.push_screen(ImportScreen(path, self.parameters), self._imported)

    def _imported(self, report: ImportReport | None) -> None:
        if report is None:
            return
        self._drop_report()
        self.report = report
        self.query_one("#field-recipient_mode", Select).value = UPLOAD
        self.query_one("#file-summary", Static).update(
            f"{report.recipients.description}: {report.summary()}"
        )
        self.show_errors()
        self._show_estimate()

    def _drop_report(self) -> None:
        if self.report is not None:
            self.report.close()
            self.report = None

    # Attachments -----------------------------------------------------------------------------

    def action_attach(self) -> None:
        self.app.push_screen(FilePicker("Attach a file", start=Path.home()), self._attach_file)

    def _attach_file(self, path: Path | None) -> None:
        if path is None:
            return
        current = list(self.attachments)

        def load() -> AttachmentFile:
            item = load_attachment(path)
            check_attachments([*current, item])
            return item

        call_store(self, load, self._attached)

    def _attached(self, item: AttachmentFile | None, error: KootuiError | None) -> None:
        if error is not None or item is None:
            self.show_error(error or ValidationError("not attached", field="attachments"))
            return
        self.attachments.append(item)
        self.show_errors()
        self._show_attachments()

    def action_unattach(self) -> None:
        if self.attachments:
            self.attachments.pop()
            self._show_attachments()

    def _show_attachments(self) -> None:
        total = sum(item.size for item in self.attachments)
        names = [f"{item.filename} ({item.size:,} bytes)" for item in self.attachments]
        attach = self.kootui.key_display("task-create-attach")
        head = f"{total / 1_048_576:.2f} MB of {MAX_TOTAL_BYTES / 1_048_576:.0f} MB · {attach}: add"
        self.query_one("#attachment-list", Static).update("\n".join([head, *names]))

    # The draft, the simulator and submitting -------------------------------------------------

    def _recipients(self) -> Any:
        if self.mode == UPLOAD:
            return self.report.recipients if self.report is not None else None
        return self.query_one(ManualRecipientsBox).recipients.as_source()

    def _show_estimate(self) -> None:
        source = self._recipients()
        count = source.count if source is not None else 0
        rate = float(self.kootui.context.settings.get("sending.rate"))
        duration = duration_text(estimated_duration(count, rate))
        self.query_one("#estimate", Static).update(
            f"{count:,} recipients · estimated send time {duration}"
        )

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
            recipients=self._recipients(),
            send_type=send_type,
            scheduled_at=scheduled_at,
            attachments=list(self.attachments),
        )

    def action_simulate(self) -> None:
        try:
            draft = self.draft()
        except KootuiError as error:
            self.show_error(error)
            return
        context = self.kootui.context
        call_store(self, lambda: Simulator.open(context, draft), self._simulator_open)

    def _simulator_open(self, simulator: Simulator | None, error: KootuiError | None) -> None:
        if error is not None or simulator is None:
            self.show_error(error or ValidationError("nothing to simulate"))
            return
        self.show_errors()
        rate = float(self.kootui.context.settings.get("sending.rate"))
        self.app.push_screen(SimulatorScreen(simulator, rate))

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

    @work(thread=True, exclusive=True, group="task-create")
    def _create(self, draft: TaskDraft) -> None:
        context = self.kootui.context

        def progress(written: int, total: int) -> None:
            self.post_message(_Expanding(written, total))

        try:
            task = create_task(context, draft, progress=progress)
        except Exception as error:  # shown on the form; what was typed survives
            self.post_message(_Created(None, error))
            return
        self.post_message(_Created(task, None))

    @on(_Expanding)
    def _expanding(self, message: _Expanding) -> None:
        self.query_one("#submit-bar", ProgressBar).update(
            total=message.total, progress=message.written
        )

    @on(_Created)
    def _created(self, message: _Created) -> None:
        self.submitting = False
        self.query_one("#submit-bar").remove_class("-shown")
        if message.task is not None:
            self._drop_report()  # the rows are in the store now
            self.dismiss(message.task)
            return
        error = message.error
        if isinstance(error, KootuiError):
            self.show_error(error)
        else:
            # Not a rule the core knows: name the kind only, its text could hold a secret.
            self.show_errors(top=f"Could not create the task: unexpected {type(error).__name__}.")

    def action_close(self) -> None:
        if self.submitting:
            return
        typed = self.focused
        if isinstance(typed, Input) and typed.id == "manual-address" and typed.value:
            typed.value = ""  # escape first clears a half-typed address
            return
        self._drop_report()
        self.dismiss(None)

    @on(StoreReply)
    def _store_reply(self, reply: StoreReply) -> None:
        reply.deliver()

    @on(Input.Submitted, "#field-name, #field-subject, #field-scheduled_at")
    def _enter_moves_on(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()
