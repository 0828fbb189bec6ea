"""The create form's recipients field: typed by hand, or imported from an xlsx file.

``ManualRecipientsBox`` takes one address at a time (Enter adds it and clears
the field for the next), lists the kept ones, and lists every refused one with
its reason. ``RecipientsField`` holds the choice between the two, refuses typed
addresses for a template with parameters (the seeds' rule, saying why), writes
the sample file and runs the upload (``ImportScreen``). It tells the form what
changed with ``Changed`` and what went wrong with ``Refused`` (shown beside the
field the error names).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, Select, Static

from kootui.core.errors import KootuiError, ValidationError
from kootui.core.plural import count_of
from kootui.core.printable import printable
from kootui.core.recipients import (
    MAX_MANUAL_RECIPIENTS,
    ManualRecipients,
    RecipientSource,
    TypedRecipients,
)
from kootui.core.recipients.xlsx import ImportReport, write_sample_xlsx
from kootui.tui.pages.tasks.import_report import ImportScreen
from kootui.tui.shell.kootui_node import KootuiNode
from kootui.tui.widgets.file_picker import FilePicker

MANUAL, UPLOAD = "manual", "upload"


class ManualRecipientsBox(Vertical):
    """Type an address, press Enter; the kept and the refused are listed below."""

    DEFAULT_CSS = """
    ManualRecipientsBox { height: auto; }
    ManualRecipientsBox #manual-kept { height: auto; }
    ManualRecipientsBox #manual-refused { color: $text-error; height: auto; }
    """

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id)
        self.recipients = ManualRecipients()

    def compose(self) -> ComposeResult:
        yield Input(
            placeholder=f"an address, then Enter for the next (at most {MAX_MANUAL_RECIPIENTS})",
            id="manual-address",
        )
        yield Static("", id="manual-kept")
        yield Static("", id="manual-refused")

    def on_mount(self) -> None:
        self.show()

    def add(self, text: str) -> str | None:
        """Add a typed address; a LimitReached propagates for the form to show."""
        if not text.strip():
            return None
        kept = self.recipients.add(text)
        self.show()
        return kept

    def forget_refusals(self) -> bool:
        """Drop the reasons shown for the last refused entry; True when there were some."""
        if not (self.recipients.refused or self.recipients.duplicates):
            return False
        self.recipients.forget_refusals()
        self.show()
        return True

    def drop_last(self) -> str | None:
        if not self.recipients.addresses:
            return None
        last = self.recipients.addresses[-1]
        self.recipients.remove(last)
        self.show()
        return last

    def show(self) -> None:
        kept = self.recipients.addresses
        # Typed addresses and the reasons quoting them: shown as text, controls visible.
        lines = [
            printable(f"{number:>2}. {address}") for number, address in enumerate(kept, start=1)
        ]
        count = f"{len(kept)} of at most {count_of(MAX_MANUAL_RECIPIENTS, 'address')}"
        self.query_one("#manual-kept", Static).update(
            Content("\n").join([Content.styled(count, "dim"), *map(Content, lines)])
        )
        refused = [f"✗ {item.text!r}: {item.reason}" for item in self.recipients.refused]
        refused += [f"✗ {address}: already in the list" for address in self.recipients.duplicates]
        refused = [printable(line) for line in refused]
        self.query_one("#manual-refused", Static).update(Content("\n".join(refused)))


class RecipientsField(KootuiNode, Vertical):
    """Manually or Upload file, as the seeds' form offers."""

    DEFAULT_CSS = """
    RecipientsField { height: auto; }
    RecipientsField #file-summary { color: $text-muted; height: auto; }
    """

    class Changed(Message):
        """The recipient list changed (the form shows the new count and estimate)."""

    class Refused(Message):
        def __init__(self, error: KootuiError) -> None:
            super().__init__()
            self.error = error

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id)
        self.parameters: tuple[str, ...] = ()
        self.report: ImportReport | None = None

    def compose(self) -> ComposeResult:
        yield Select(
            [("Manually (at most 10 addresses)", MANUAL), ("Upload an xlsx file", UPLOAD)],
            value=MANUAL,
            allow_blank=False,
            id="field-recipient_mode",
            compact=True,
        )
        yield ManualRecipientsBox(id="manual-box")
        yield Static("", id="file-summary", markup=False)

    def on_mount(self) -> None:
        self._show_mode(MANUAL)

    @property
    def mode(self) -> str:
        return str(self.query_one("#field-recipient_mode", Select).value)

    def source(self) -> RecipientSource | None:
        if self.mode == UPLOAD:
            return self.report.recipients if self.report is not None else None
        return TypedRecipients(list(self.query_one(ManualRecipientsBox).recipients.addresses))

    def set_parameters(self, parameters: tuple[str, ...]) -> None:
        """A template was chosen: its parameters decide which recipients it can take."""
        self.parameters = parameters
        if parameters:
            self.query_one("#field-recipient_mode", Select).value = UPLOAD
        if self.report is not None and set(parameters) - set(self.report.recipients.parameters):
            self.close()
            self.query_one("#file-summary", Static).update(
                "The template changed: upload the file again with its columns."
            )
            self.post_message(self.Changed())

    @on(Select.Changed, "#field-recipient_mode")
    def _mode_chosen(self, event: Select.Changed) -> None:
        self._show_mode(str(event.value))
        self.post_message(self.Changed())

    def _show_mode(self, mode: str) -> None:
        self.query_one("#manual-box").display = mode == MANUAL
        self.query_one("#file-summary").display = mode == UPLOAD
        if mode == UPLOAD and self.report is None:
            upload = self.kootui.key_display("task-create-upload")
            sample = self.kootui.key_display("task-create-sample")
            self.query_one("#file-summary", Static).update(
                f"No file yet. {sample}: write the sample file · {upload}: upload (at most 40 MB)"
            )

    # Typed by hand -----------------------------------------------------------------------------

    @on(Input.Submitted, "#manual-address")
    def _address_typed(self, event: Input.Submitted) -> None:
        event.stop()
        if self.parameters:
            columns = ", ".join(["email", *self.parameters])
            self._refuse(
                ValidationError(
                    "this template has parameters, so recipients must come from an xlsx file "
                    f"with the columns: {columns}",
                    field="recipients",
                )
            )
            return
        box = self.query_one(ManualRecipientsBox)
        try:
            kept = box.add(event.value)
        except KootuiError as error:
            self._refuse(error)
            return
        if kept is not None:
            event.input.value = ""  # Enter adds it; the field is ready for the next one
        # A refused address stays in the field to be fixed; its reason is listed below
        # until the field changes.
        self.post_message(self.Changed())

    @on(Input.Changed, "#manual-address")
    def _address_edited(self, event: Input.Changed) -> None:
        event.stop()
        if self.query_one(ManualRecipientsBox).forget_refusals():
            self.post_message(self.Changed())

    def drop_last(self) -> None:
        if self.query_one(ManualRecipientsBox).drop_last() is not None:
            self.post_message(self.Changed())

    def _refuse(self, error: KootuiError) -> None:
        self.post_message(self.Refused(error))

    # The sample file and the upload -----------------------------------------------------------

    @work(group="recipients-sample", exit_on_error=False)
    async def write_sample(self) -> None:
        picker = FilePicker(
            "Write the sample recipient file to…",
            start=Path.home(),
            must_exist=False,
            suffixes=(".xlsx",),
            file_name="recipients-sample.xlsx",
        )
        path = await self.app.push_screen_wait(picker)
        if path is None:
            return
        try:
            written = await asyncio.to_thread(write_sample_xlsx, path, self.parameters)
        except KootuiError as refusal:
            self._refuse(refusal)
            return
        self.notify(f"Wrote {written}: fill it in, then upload it.", timeout=6)

    @work(group="recipients-upload", exit_on_error=False)
    async def upload(self) -> None:
        picker = FilePicker("Upload recipients (.xlsx)", start=Path.home(), suffixes=(".xlsx",))
        path = await self.app.push_screen_wait(picker)
        if path is None:
            return
        screen = ImportScreen(path, self.parameters, context=self.kootui.context)
        report = await self.app.push_screen_wait(screen)
        if report is None:
            return
        self.close()
        self.report = report
        self.query_one("#field-recipient_mode", Select).value = UPLOAD
        self.query_one("#file-summary", Static).update(
            printable(f"{report.recipients.description}: {report.summary()}")
        )
        self.post_message(self.Changed())

    def close(self) -> None:
        """Delete the imported rows' temporary file (after submitting, or when discarded)."""
        if self.report is not None:
            self.report.close()
            self.report = None
