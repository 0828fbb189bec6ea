"""The template editor: the fields on the left, the rendered email on the right.

Every edit restarts a short timer; when it fires, a thread worker (exclusive, so
a newer run replaces an older one) checks the draft and renders it with the
sample values, and its result is shown only if no newer edit has happened since
(a generation number drops stale results). Problems show with their line and
column while typing; saving asks the core, which refuses with the same messages.
"""

from __future__ import annotations

import asyncio
import getpass
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from rich.style import Style
from textual import on, work
from textual.app import ComposeResult
from textual.color import Color, ColorParseError
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Checkbox, Input, Label, Select, Static, TextArea
from textual.widgets.text_area import TextAreaTheme

from kootui.core.errors import KootuiError, user_message
from kootui.core.printable import printable
from kootui.core.senders import usable_addresses
from kootui.core.store import BodyType
from kootui.core.templates import (
    HtmlUpload,
    TemplateDraft,
    TemplateView,
    create_template,
    read_html_file,
    update_template,
)
from kootui.tui.keys.registry import bindings
from kootui.tui.outside_text import outside
from kootui.tui.shell.kootui_node import KootuiNode
from kootui.tui.shell.page import PageSpec, WorkspaceHeader
from kootui.tui.widgets.dialogs import ConfirmDialog
from kootui.tui.widgets.fitting_footer import FittingFooter
from kootui.tui.widgets.form import FormDialog, TextField
from kootui.tui.widgets.html_upload import UploadForm, upload_question
from kootui.tui.widgets.param_samples import ParamSamples
from kootui.tui.widgets.status_badge import app_variables
from kootui.tui.widgets.template_preview import (
    PreviewOutcome,
    PreviewPanel,
    compute_preview,
    file_name_for,
    open_in_browser,
    problem_text,
    write_html_file,
)

PREVIEW_DELAY = 0.3  # seconds of quiet typing before the preview is rendered again
BODY_TYPES = [("HTML", BodyType.HTML.value), ("Plain text", BodyType.TEXT.value)]


def html_theme(variables: Mapping[str, str]) -> TextAreaTheme:
    """HTML highlighting in the app theme's colours (TextArea's own themes are fixed)."""

    def colour(name: str) -> Style:
        try:
            return Style(color=Color.parse(variables.get(name, "")).rich_color)
        except ColorParseError:  # a variable such as "auto 60%" is not one colour
            return Style()

    return TextAreaTheme(
        name="kootui-html",
        syntax_styles={
            "tag": colour("primary"),
            "tag.delimiter": colour("secondary"),
            "tag.attribute": colour("accent"),
            "string": colour("success"),
            "comment": colour("secondary") + Style(italic=True),
            "constant": colour("warning"),
            "operator": colour("secondary"),
            "text.uri": colour("success") + Style(underline=True),
        },
    )


class TemplateEditorScreen(KootuiNode, Screen[TemplateView | None]):
    """Edit a draft; dismissed with the saved template, or None when closed unsaved."""

    BINDINGS = bindings("template-editor")
    DEFAULT_CSS = """
    TemplateEditorScreen #editor-split { height: 1fr; }
    TemplateEditorScreen #editor-side { width: 1fr; padding: 0 1; }
    TemplateEditorScreen #preview-side { width: 1fr; padding: 0 1 0 0; }
    TemplateEditorScreen .editor-row { height: 1; margin: 0 0 1 0; }
    TemplateEditorScreen .editor-row > Label { width: 10; color: $text-muted; }
    /* Compact inputs keep one line each; the background shows where to type. */
    TemplateEditorScreen .editor-row > Input { width: 1fr; background: $boost; }
    TemplateEditorScreen .editor-row > Input:focus { background: $primary 25%; }
    TemplateEditorScreen .editor-row > Select { width: 19; }
    TemplateEditorScreen .editor-row > Checkbox { margin-left: 2; }
    TemplateEditorScreen .editor-row > #track-opens-clicks { margin-left: 0; }
    TemplateEditorScreen .part-label {
        color: $text-muted; height: 1; width: 100%; text-wrap: nowrap; text-overflow: ellipsis;
    }
    TemplateEditorScreen #body { height: 1fr; }
    TemplateEditorScreen #text-body { height: 8; }
    TemplateEditorScreen #problems { height: auto; max-height: 6; color: $text-error; }
    TemplateEditorScreen #problems.-clear { color: $text-success; }
    TemplateEditorScreen #sender { width: 1fr; }
    /* 80x24: rows without gaps, a shorter plain-text part, more width to the body. */
    TemplateEditorScreen.-short .editor-row { margin: 0; }
    TemplateEditorScreen.-short #text-body { height: 5; }
    TemplateEditorScreen.-narrow #editor-side { width: 3fr; }
    TemplateEditorScreen.-narrow #preview-side { width: 2fr; }
    """

    def __init__(
        self,
        draft: TemplateDraft,
        page: PageSpec,
        *,
        template_id: int | None = None,
        samples: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(id="template-editor")
        self.original = draft
        self.template_id = template_id
        self.initial_samples = dict(samples or {})
        self.text_edited = draft.text_body_edited
        self.generation = 0
        self.outcome: PreviewOutcome | None = None
        self._timer: Timer | None = None
        verb = "Edit" if template_id else "New"
        self.page = replace(page, title=f"{page.title} › {verb}: {draft.title or 'untitled'}")

    def compose(self) -> ComposeResult:
        draft = self.original
        html = draft.body_type == BodyType.HTML
        yield WorkspaceHeader(self.page)
        with Horizontal(id="editor-split"):
            with Vertical(id="editor-side"):
                with Horizontal(classes="editor-row"):
                    yield Label("Title")
                    yield Input(draft.title, id="title", compact=True, max_length=100)
                with Horizontal(classes="editor-row"):
                    yield Label("Subject")
                    yield Input(draft.subject, id="subject", compact=True)
                with Horizontal(classes="editor-row"):
                    yield Label("Body type")
                    yield Select(
                        BODY_TYPES, value=draft.body_type, allow_blank=False, id="body-type",
                        compact=True,
                    )  # fmt: skip
                    yield Checkbox(
                        "Support unsubscription", draft.support_unsubscribe, id="unsubscribe",
                        compact=True,
                    )  # fmt: skip
                with Horizontal(classes="editor-row"):
                    yield Label("Tracking")
                    yield Checkbox(
                        "Track opens and clicks", draft.track_opens_clicks,
                        id="track-opens-clicks", compact=True,
                    )  # fmt: skip
                yield Label("", id="body-label", classes="part-label")
                yield TextArea.code_editor(
                    draft.body, language="html" if html else None, id="body", soft_wrap=True
                )
                yield Label("", id="text-label", classes="part-label")
                yield TextArea(draft.text_body, id="text-body", soft_wrap=True)
                yield Static("", id="problems", markup=False)
            with Vertical(id="preview-side"):
                with Horizontal(classes="editor-row"):
                    yield Label("From")
                    yield Select(
                        [], prompt="sample sender (placeholder)", id="sender", compact=True
                    )
                yield PreviewPanel(id="preview")
                yield ParamSamples(self.initial_samples, id="samples")
        yield FittingFooter()

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, self._apply_theme)
        self._apply_theme()
        self._show_body_type()
        # Title first: what a user types on opening the editor is the template's name.
        self.query_one("#title", Input).focus()
        self._load_senders()
        self._run_preview()

    def _apply_theme(self, _theme: object = None) -> None:
        body = self.query_one("#body", TextArea)
        body.register_theme(html_theme(app_variables(self.app)))
        body.theme = "kootui-html"

    @work(group="editor-senders", exit_on_error=False)
    async def _load_senders(self) -> None:
        try:
            addresses = await asyncio.to_thread(usable_addresses, self.kootui.context)
        except KootuiError:
            return  # the preview keeps its placeholder sender
        if addresses:
            # Text, not a markup string: an alias is shown as written, controls visible.
            options = [(outside(view.display_address), view.preview) for view in addresses]
            sender = self.query_one("#sender", Select)
            sender.set_options(options)
            sender.value = options[0][1]  # a real address reads better than the placeholder

    # The draft -----------------------------------------------------------------

    def draft(self) -> TemplateDraft:
        """The fields as they are now, as the core's draft."""
        body_type = str(self.query_one("#body-type", Select).value)
        return TemplateDraft(
            title=self.query_one("#title", Input).value,
            subject=self.query_one("#subject", Input).value,
            body_type=body_type,
            body=self.query_one("#body", TextArea).text,
            text_body=self.query_one("#text-body", TextArea).text if body_type == "html" else "",
            text_body_edited=self.text_edited and body_type == "html",
            support_unsubscribe=self.query_one("#unsubscribe", Checkbox).value,
            locale=self.original.locale,
            track_opens_clicks=self.query_one("#track-opens-clicks", Checkbox).value,
        )

    @property
    def dirty(self) -> bool:
        draft = self.draft()
        return replace(draft, text_body="") != replace(self.original, text_body="") or (
            self.text_edited and draft.text_body != self.original.text_body
        )

    def _show_body_type(self) -> None:
        html = self.query_one("#body-type", Select).value == BodyType.HTML
        self.query_one("#body", TextArea).language = "html" if html else None
        # Tab indents inside the body, so say how to get out of it (Textual's Esc there).
        self.query_one("#body-label", Label).update(
            ("Body (HTML)" if html else "Body (plain text)") + " · tab indents, esc leaves the body"
        )
        derive = self.kootui.key_display("editor-derive-text")
        self.query_one("#text-label", Label).update(
            f"Plain-text part — yours, kept as the HTML changes ({derive}: derive)"
            if self.text_edited
            else "Plain-text part — derived from HTML; edit to keep your own"
        )
        self.query_one("#text-label").display = html
        self.query_one("#text-body").display = html

    # Live preview ----------------------------------------------------------------

    @property
    def preview_pending(self) -> bool:
        """An edit is waiting for its quiet moment before the preview runs."""
        return self._timer is not None

    def schedule_preview(self) -> None:
        self.generation += 1
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(PREVIEW_DELAY, self._run_preview)

    def _run_preview(self) -> None:
        self._timer = None
        self._preview_worker(self.draft(), self.query_one(ParamSamples).samples(), self.generation)

    @work(thread=True, exclusive=True, group="template-preview", exit_on_error=False)
    def _preview_worker(
        self, draft: TemplateDraft, samples: dict[str, str], generation: int
    ) -> None:
        host = self.kootui.context.settings.sending.tracking_host
        outcome = compute_preview(draft, samples, generation, tracking_host=host)
        self.app.call_from_thread(self._outcome_arrived, outcome)

    def _outcome_arrived(self, outcome: PreviewOutcome) -> None:
        # On the event loop; the async part runs next, in the order outcomes arrive.
        self.call_next(self._show_outcome, outcome)

    async def _show_outcome(self, outcome: PreviewOutcome) -> None:
        if outcome.generation != self.generation or not self.is_attached:
            return  # typed again since (a newer run is on its way), or the editor closed
        self.outcome = outcome
        text_area = self.query_one("#text-body", TextArea)
        if not self.text_edited and text_area.text != outcome.draft.text_body:
            with text_area.prevent(TextArea.Changed):
                text_area.load_text(outcome.draft.text_body)
        await self.query_one(ParamSamples).show_parameters(outcome.parameters)
        self.query_one(PreviewPanel).show(outcome)
        problems = self.query_one("#problems", Static)
        problems.set_class(not outcome.problems, "-clear")
        problems.update(
            # A problem quotes the template's source: shown as text, controls visible.
            "\n".join(printable(f"✗ {problem_text(problem)}") for problem in outcome.problems)
            or f"✓ No problems — {self.kootui.key_display('editor-save')} saves."
        )

    @on(Input.Changed, "#title, #subject")
    @on(TextArea.Changed, "#body")
    @on(Checkbox.Changed)
    @on(ParamSamples.Changed)
    def _edited(self) -> None:
        self.schedule_preview()

    @on(TextArea.Changed, "#text-body")
    def _text_part_edited(self) -> None:
        if not self.text_edited:
            self.text_edited = True
            self._show_body_type()
        self.schedule_preview()

    @on(Select.Changed, "#body-type")
    def _body_type_changed(self) -> None:
        self._show_body_type()
        self.schedule_preview()

    @on(Select.Changed, "#sender")
    def _sender_changed(self, event: Select.Changed) -> None:
        sender = "" if event.value is Select.NULL else str(event.value)
        self.query_one(PreviewPanel).set_sender(sender, self.outcome)

    def action_derive_text(self) -> None:
        self.text_edited = False
        self._show_body_type()
        self.schedule_preview()

    # Save and close ------------------------------------------------------------------

    @work(group="editor-save", exit_on_error=False)
    async def action_save(self) -> None:
        context, draft, template_id = self.kootui.context, self.draft(), self.template_id
        try:
            if template_id is None:
                view = await asyncio.to_thread(create_template, context, draft)
            else:
                view = await asyncio.to_thread(update_template, context, template_id, draft)
        except KootuiError as refusal:
            self.notify(user_message(refusal), title="Not saved", severity="error", timeout=10)
            return
        waits = " It waits for an operator's approval." if view.status == "approving" else ""
        self.notify(f'Saved "{view.title}" (#{view.id}).{waits}', timeout=6)
        self.dismiss(view)

    @work(group="editor-close", exit_on_error=False)
    async def action_close(self) -> None:
        if self.dirty:
            question = ConfirmDialog(
                "Close without saving?",
                "Your changes to this template are lost.",
                confirm_label="Discard",
                decline_label="Keep editing",
                destructive=True,
            )
            if not await self.app.push_screen_wait(question):
                return
        self.dismiss(None)

    # The rendered HTML outside kootui ----------------------------------------------------

    def _rendered_html(self) -> str | None:
        rendered = self.outcome.rendered if self.outcome else None
        if rendered is None or rendered.html is None:
            why = "a plain-text template has no HTML" if rendered else "fix the problems first"
            self.notify(f"Nothing to show: {why}.", severity="warning", timeout=5)
            return None
        return rendered.html

    @work(group="editor-browser", exit_on_error=False)
    async def action_open_in_browser(self) -> None:
        html = self._rendered_html()
        if html is None:
            return
        try:
            notice = await asyncio.to_thread(open_in_browser, html)
        except KootuiError as refusal:
            notice = user_message(refusal)
        self.notify(notice, timeout=6)

    def action_write_html(self) -> None:
        html = self._rendered_html()
        if html is None:
            return
        title = self.query_one("#title", Input).value
        default = str(Path("~") / file_name_for(title))
        form: FormDialog[Path] = FormDialog(
            "Save the rendered HTML (with the sample values) as a file",
            [TextField("path", "File or folder", default)],
            lambda values: write_html_file(values["path"], html, title),
        )
        self.app.push_screen(form, self._html_written)

    def _html_written(self, path: Path | None) -> None:
        if path is not None:
            self.notify(f"Saved {path}.", timeout=6)

    # Upload ------------------------------------------------------------------------------

    @work(group="editor-upload", exit_on_error=False)
    async def action_upload_html(self) -> None:
        form = UploadForm(lambda values: read_html_file(Path(values["upload"]).expanduser()))
        upload: HtmlUpload | None = await self.app.push_screen_wait(form)
        if upload is None:
            return
        title, message = upload_question(upload)
        question = ConfirmDialog(
            title, message, confirm_label="Replace the body", decline_label="Keep mine"
        )
        if not await self.app.push_screen_wait(question):
            return
        self.query_one("#body-type", Select).value = BodyType.HTML.value
        self.query_one("#body", TextArea).load_text(upload.html)
        self.notify(f"The body is now {upload.filename} (cleaned).", timeout=5)


def operator_name() -> str:
    """Who approves or rejects, as the core records it: the OS login name."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "operator"
