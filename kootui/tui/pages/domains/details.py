"""A sender domain's details: the records to publish, the DNS doctor, the BIND zone snippet.

Opened from the Sender Domains page. On opening it shows what the store knows and
asks the nameservers at once (the doctor records the result, as "verify" does),
so the user sees each record turn green as their DNS starts answering. Every
store and DNS call runs on a thread (``asyncio.to_thread`` in an async worker).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Label, Static
from textual.worker import Worker, WorkerState

from kootui.core.clock import local_text
from kootui.core.domains import (
    DOMAIN_STATUS_LABELS,
    RECORD_STATUS_LABELS,
    DoctorReport,
    DomainView,
    RecordDiagnosis,
    RecordView,
    ServerFinding,
    doctor_report,
    domain_records,
    get_domain,
    save_zone_snippet,
    start_rotation,
    zone_snippet,
)
from kootui.core.errors import KootuiError, ValidationError, user_message
from kootui.core.printable import printable
from kootui.core.store import DomainStatus, RecordStatus
from kootui.core.warmup import WarmupView, show_plan
from kootui.tui.clipboard import copy_text
from kootui.tui.keys.registry import bindings
from kootui.tui.pages.domains.warmup import warmup_form, warmup_line
from kootui.tui.shell.kootui_node import KootuiNode
from kootui.tui.shell.page import PageSpec, WorkspaceHeader
from kootui.tui.widgets.dialogs import ConfirmDialog
from kootui.tui.widgets.fitting_footer import FittingFooter
from kootui.tui.widgets.form import FormDialog, FormValues, TextField
from kootui.tui.widgets.record_table import REQUIRED_MARK, RecordTable
from kootui.tui.widgets.status_badge import app_variables, tone_of

if TYPE_CHECKING:
    from kootui.tui.app import KootuiApp

RECORD_TONES = {
    RecordStatus.PASSED: "$status-ok",
    RecordStatus.UNKNOWN: "$status-warn",
    RecordStatus.PENDING: "$status-info",
}


def _tone(status: RecordStatus) -> str:
    return RECORD_TONES.get(status, "$status-bad")


def status_content(status: DomainStatus) -> Content:
    return Content.styled(f"● {DOMAIN_STATUS_LABELS[status]}", f"$status-{tone_of(status)}")


DOCTOR_WIDTH = 100  # characters per line when the doctor's width is not known yet
# Columns around the doctor's text: the scroll area's padding, the box's border and
# padding, and the scroll bar.
DOCTOR_CHROME = 2 + 2 + 2 + 2
INDENT = "    "


def aligned(label: str, value: Content, column: int, width: int) -> list[Content]:
    """``label`` then ``value`` cut into lines that continue under the value's first
    character, so a 400-character DKIM key reads as a block, not from the left edge."""
    room = max(20, width - column)
    chunks = [value[i : i + room] for i in range(0, len(value), room)] or [Content("")]
    first = Content.assemble((f"{INDENT}{label}".ljust(column), "dim"), chunks[0])
    return [first, *(Content.assemble(" " * column, chunk) for chunk in chunks[1:])]


def _finding_lines(finding: ServerFinding, column: int, width: int) -> list[Content]:
    tcp = " (over TCP)" if finding.over_tcp else ""
    # Everything a nameserver answered is outside text: shown, never obeyed.
    shown = printable(finding.shown)
    lines = aligned(
        f"{finding.server}{tcp}", Content.styled(shown, _tone(finding.status)), column, width
    )
    for difference in finding.differences:
        lines.append(Content.styled(f"{INDENT}  ✗ {printable(difference.message)}", "$status-bad"))
    return lines


def diagnosis_content(record: RecordDiagnosis, width: int = DOCTOR_WIDTH) -> Content:
    """One record: what kootui expects, what each server said, how they differ."""
    need = "required" if record.required else "optional"
    labels = [
        "expected",
        *(f.server + (" (over TCP)" if f.over_tcp else "") for f in record.servers),
    ]
    column = len(INDENT) + min(max(len(label) for label in labels), 40) + 2
    expected = (
        Content(printable(record.expected))
        if record.expected
        else Content.styled(record.missing_setting, "italic")
    )
    lines = [
        Content.assemble(
            (f"{record.label}", "bold"),
            f" ({need}) {record.rtype} {printable(record.name)}  ",
            (f"● {RECORD_STATUS_LABELS[record.status]}", _tone(record.status)),
        ),
        *aligned("expected", expected, column, width),
    ]
    for finding in record.servers:
        lines += _finding_lines(finding, column, width)
    if record.servers and not record.servers_agree:
        lines.append(Content.styled(f"{INDENT}the nameservers disagree", "$status-warn"))
    already_said = {d.message for finding in record.servers for d in finding.differences}
    if record.reason and record.status != RecordStatus.PASSED and record.reason not in already_said:
        lines.append(Content.styled(f"{INDENT}→ {printable(record.reason)}", _tone(record.status)))
    return Content("\n").join(lines)


def doctor_content(report: DoctorReport, width: int = DOCTOR_WIDTH) -> Content:
    heading = Content.assemble(
        ("Asked at ", "dim"),
        local_text(report.checked_at, "%Y-%m-%d %H:%M"),
        ("  ·  result: ", "dim"),
        status_content(report.status),
    )
    parts = [heading, *(diagnosis_content(record, width) for record in report.records)]
    return Content("\n\n").join(parts)


@dataclass(frozen=True)
class DomainSnapshot:
    """What the screen shows from the store (read together in one worker)."""

    domain: DomainView
    records: list[RecordView]
    snippet: str
    warmup: WarmupView | None


def read_snapshot(app: KootuiApp, domain_id: int) -> DomainSnapshot:
    context = app.context
    return DomainSnapshot(
        get_domain(context, domain_id),
        domain_records(context, domain_id),
        zone_snippet(context, domain_id),
        show_plan(context, domain_id),
    )


def save_snippet_values(app: KootuiApp, domain_id: int, values: FormValues) -> Path:
    path = str(values["path"]).strip()
    if not path:
        raise ValidationError("type the file to write, such as ~/example.com.zone", field="path")
    return save_zone_snippet(app.context, domain_id, path)


class DomainDetailsScreen(KootuiNode, Screen[None]):
    """Records table, doctor and zone snippet of one domain; its keys are in the registry."""

    BINDINGS = bindings("domain-details")
    DEFAULT_CSS = """
    DomainDetailsScreen #details-scroll { height: 1fr; padding: 0 1; }
    DomainDetailsScreen .section-title {
        text-style: bold; color: $primary; padding: 1 0 0 0; width: 1fr;
    }
    DomainDetailsScreen #domain-heading { text-style: bold; padding: 1 0 0 0; }
    DomainDetailsScreen #domain-facts { color: $text-muted; }
    DomainDetailsScreen #records-legend { color: $text-muted; }
    DomainDetailsScreen #doctor, DomainDetailsScreen #snippet {
        border: round $primary 50%; padding: 0 1; background: $surface;
    }
    """

    def __init__(self, domain_id: int, display_name: str, page: PageSpec) -> None:
        super().__init__(id="domain-details")
        self.domain_id = domain_id
        self.display_name = display_name
        self.page = replace(page, title=f"{page.title} › {printable(display_name)}")
        self.snapshot: DomainSnapshot | None = None
        self.report: DoctorReport | None = None
        self.checking = False

    def compose(self) -> ComposeResult:
        yield WorkspaceHeader(self.page)
        with VerticalScroll(id="details-scroll"):
            yield Label(printable(self.display_name), id="domain-heading", markup=False)
            yield Static("reading…", id="domain-facts", markup=False)
            yield Static("", id="domain-warmup")
            yield Label("Records to publish", classes="section-title")
            yield RecordTable(id="records")
            yield Static(
                f'{REQUIRED_MARK} required for "Verification passed"; the others are shown '
                "but do not block sending.",
                id="records-legend",
                markup=False,
            )
            # What to paste comes before the diagnosis: a new domain needs the snippet first.
            yield Label("BIND zone snippet", classes="section-title", id="snippet-title")
            yield Static("", id="snippet", markup=False)
            yield Label("DNS doctor — what each nameserver answered", classes="section-title")
            yield Static("", id="doctor")
        yield FittingFooter()

    def on_mount(self) -> None:
        # The whole screen scrolls with the arrow and page keys; the table has no row actions.
        self.query_one("#details-scroll").focus()
        self.app.theme_changed_signal.subscribe(self, self._redraw_records)
        self.kootui.domains_changed_signal.subscribe(self, self._domains_changed)
        self.load()
        self.action_run_doctor()

    # Reading ------------------------------------------------------------------

    @work(group="domain-details", exit_on_error=False)
    async def load(self) -> None:
        """Read the domain, its records and its snippet again."""
        try:
            snapshot = await asyncio.to_thread(read_snapshot, self.kootui, self.domain_id)
        except KootuiError as refusal:
            self.notify(user_message(refusal), severity="error", timeout=8)
            return
        self.snapshot = snapshot
        domain = snapshot.domain
        self.query_one("#domain-heading", Label).update(
            Content.assemble(
                (printable(domain.display_name), "bold"), "  ", status_content(domain.status)
            )
        )
        facts = [f"stored as {domain.name}"] if domain.name != domain.display_name else []
        facts.append(f"DKIM selector {domain.dkim_selector or '—'}")
        checked = domain.last_checked_at
        facts.append(f"last checked {local_text(checked) if checked else 'never'}")
        if domain.status_reason:
            facts.append(domain.status_reason)
        self.query_one("#domain-facts", Static).update(printable(" · ".join(facts)))
        warmup_key = self.kootui.key_display("domain-details-warmup")
        self.query_one("#domain-warmup", Static).update(warmup_line(snapshot.warmup, warmup_key))
        self._redraw_records()
        self.query_one("#snippet", Static).update(
            printable(snapshot.snippet.rstrip("\n"), one_line=False)
        )
        copy_key = self.kootui.key_display("domain-details-copy")
        save_key = self.kootui.key_display("domain-details-save")
        self.query_one("#snippet-title", Label).update(
            f"BIND zone snippet — paste into your zone ({copy_key} copies, {save_key} saves)"
        )

    def _domains_changed(self, _nothing: None) -> None:
        """The background check recorded something: show it."""
        if not self.checking:
            self.load()

    def _redraw_records(self, _theme: object = None) -> None:
        if self.snapshot is not None:
            self.query_one(RecordTable).show(self.snapshot.records, app_variables(self.app))

    # The doctor -------------------------------------------------------------

    def action_run_doctor(self) -> None:
        """Ask the nameservers now; the result is recorded like a verification."""
        if self.checking:
            return
        self.checking = True
        self.query_one("#doctor", Static).update(Content.styled("asking the nameservers…", "dim"))
        self._run_doctor()

    @work(group="domain-doctor", exit_on_error=False)
    async def _run_doctor(self) -> None:
        try:
            report = await asyncio.to_thread(doctor_report, self.kootui.context, self.domain_id)
        except KootuiError as refusal:
            self.checking = False
            failed = Content.styled(printable(user_message(refusal)), "$status-bad")
            self.query_one("#doctor", Static).update(failed)
            return
        self.checking = False
        self.report = report
        doctor = self.query_one("#doctor", Static)
        # From the screen's width, not the box's: the box narrows when the scroll bar
        # appears, which may happen before or after the report arrives.
        width = self.size.width - DOCTOR_CHROME
        doctor.update(doctor_content(report, width if width > 20 else DOCTOR_WIDTH))
        self.load()

    # Snippet ------------------------------------------------------------------

    def action_copy_snippet(self) -> None:
        if self.snapshot is None:
            self.notify("The snippet is still being read.", timeout=3)
            return
        copy_text(self.app, self.snapshot.snippet, f"the zone snippet of {self.display_name}")

    def action_save_snippet(self) -> None:
        name = self.snapshot.domain.name if self.snapshot else self.display_name
        app = self.kootui
        form: FormDialog[Path] = FormDialog(
            f"Save the zone snippet of {self.display_name}",
            [TextField("path", "File (a folder saves as <domain>.zone in it)", f"{name}.zone")],
            lambda values: save_snippet_values(app, self.domain_id, values),
            submit_label="Save",
        )
        self.app.push_screen(form, self._snippet_saved)

    def _snippet_saved(self, path: Path | None) -> None:
        if path is not None:
            self.notify(f"Saved the zone snippet to {path}", timeout=6)

    # Warm-up ------------------------------------------------------------------

    @work(group="domain-warmup", exit_on_error=False)
    async def action_edit_warmup(self) -> None:
        context = self.kootui.context
        try:
            form = await asyncio.to_thread(
                warmup_form, context, self.domain_id, printable(self.display_name)
            )
        except KootuiError as refusal:
            self.notify(user_message(refusal), severity="error", timeout=8)
            return
        # Saved, cleared (None) or cancelled (None): reading the plan again costs little.
        await self.app.push_screen_wait(form)
        self.load()

    # DKIM key -----------------------------------------------------------------

    @work(group="domain-rotate", exit_on_error=False)
    async def action_rotate_key(self) -> None:
        question = ConfirmDialog(
            f"Rotate the DKIM key of {self.display_name}?",
            "kootui makes a new key with the next selector. Publish its TXT record (it "
            "appears in the table and the snippet); the current key keeps signing until "
            "the new record verifies, then it is retired.",
            confirm_label="Rotate",
        )
        if not await self.app.push_screen_wait(question):
            return
        try:
            selector = await asyncio.to_thread(start_rotation, self.kootui.context, self.domain_id)
        except KootuiError as refusal:
            self.notify(user_message(refusal), severity="error", timeout=8)
            return
        self.notify(f"New DKIM selector {selector}: publish its record, then check DNS.")
        self.load()

    # Frame --------------------------------------------------------------------

    def action_close(self) -> None:
        self.dismiss(None)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # An unexpected failure is reported (KootuiNode); the doctor must not stay "asking".
        if event.state == WorkerState.ERROR and event.worker.group == "domain-doctor":
            self.checking = False
            self.query_one("#doctor", Static).update(
                Content.styled("the check failed; press the check key to try again", "$status-bad")
            )
