"""The rendered email as a reader sees it in a terminal, and what the editor does with it.

``compute_preview`` is plain Python (run in a thread worker): the problems of the
draft, its parameters, and the email rendered with the sample values, its HTML
turned into readable text by inscriptis. ``PreviewPanel`` shows the result;
``open_in_browser`` and ``write_html_file`` hand the rendered HTML to the outside.
"""

from __future__ import annotations

import os
import re
import tempfile
import webbrowser
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Static

from kootui.core.errors import ValidationError
from kootui.core.printable import printable
from kootui.core.store import BodyType
from kootui.core.templates import (
    Problem,
    RenderedMessage,
    TemplateDraft,
    check_draft,
    html_to_text,
    inspect_template,
    render_preview,
)

FIELD_LABELS = {
    "title": "Title",
    "subject": "Subject",
    "body": "Body",
    "text_body": "Plain-text part",
    "body_type": "Body type",
    "locale": "Language",
}
PLACEHOLDER_FROM = "Your Name <sender@your-domain.example>"


@dataclass(frozen=True)
class PreviewOutcome:
    """What one preview run found; ``generation`` says which edit it belongs to."""

    generation: int
    draft: TemplateDraft  # with the plain-text part as saving would derive it
    problems: tuple[Problem, ...]
    parameters: tuple[str, ...]
    rendered: RenderedMessage | None
    reader_text: str
    sample_error: str = ""


def problem_text(problem: Problem) -> str:
    """'Body, line 3, column 5: …' for text fields; 'Title: …' for one-line fields."""
    label = FIELD_LABELS.get(problem.field, problem.field)
    if problem.field in {"subject", "body", "text_body"}:
        return f"{label}, line {problem.line}, column {problem.column}: {problem.message}"
    return f"{label}: {problem.message}"


def compute_preview(
    draft: TemplateDraft,
    samples: Mapping[str, str],
    generation: int = 0,
    *,
    tracking_host: str | None = None,
) -> PreviewOutcome:
    """Check the draft and render it with the sample values (slow: call it off the loop)."""
    if draft.body_type == BodyType.HTML and not draft.text_body_edited:
        draft = draft.with_derived_text_body()
    problems = tuple(check_draft(draft))
    analysis = inspect_template(draft.subject, draft.body, draft.body_type, draft.text_body)
    rendered: RenderedMessage | None = None
    reader_text = ""
    sample_error = ""
    if analysis.ok and draft.body.strip():
        try:
            rendered = render_preview(
                subject=draft.subject,
                body_type=draft.body_type,
                body=draft.body,
                text_body=draft.text_body,
                support_unsubscribe=draft.support_unsubscribe,
                samples=samples,
                locale=draft.locale,
                tracking_host=tracking_host,
            )
        except ValidationError as error:  # a sample value the renderer refuses (a bad URL)
            sample_error = f"Sample value of {error.field}: {error.message}"
        else:
            reader_text = html_to_text(rendered.html) if rendered.html else rendered.text
    return PreviewOutcome(
        generation, draft, problems, analysis.parameters, rendered, reader_text, sample_error
    )


def open_in_browser(html: str) -> str:
    """Show the HTML in the system's graphical browser; the notice to give the user.

    A console browser (lynx, w3m) would take over this very terminal, so it counts
    as no browser here.
    """
    try:
        browser = webbrowser.get()
    except webbrowser.Error:
        return "No browser found: save the HTML as a file instead."
    if type(browser) is webbrowser.GenericBrowser:
        return "No graphical browser found (only a console one): save the HTML as a file."
    handle, name = tempfile.mkstemp(prefix="kootui-preview-", suffix=".html")
    with os.fdopen(handle, "w", encoding="utf-8") as file:
        file.write(html)
    if not browser.open(Path(name).as_uri()):
        return "The browser did not start: save the HTML as a file instead."
    return f"Opened in the browser ({name})."


def file_name_for(title: str) -> str:
    slug = re.sub(r"[^\w-]+", "-", title.strip().lower(), flags=re.UNICODE).strip("-")
    return f"{slug or 'template'}.html"


def write_html_file(path: str, html: str, title: str) -> Path:
    """Write the rendered HTML to ``path`` (a folder gets '<title>.html'); the full path."""
    if not path.strip():
        raise ValidationError("type the file to write, such as ~/welcome.html", field="path")
    target = Path(path.strip()).expanduser()
    if target.is_dir():
        target = target / file_name_for(title)
    elif target.suffix.lower() not in {".html", ".htm"}:
        target = target.with_name(target.name + ".html")
    temp = target.with_name(f".{target.name}.tmp")
    try:
        temp.write_text(html, encoding="utf-8")
        os.replace(temp, target)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise ValidationError(
            f"cannot write {target}: {exc.strerror or exc}",
            field="path",
            code="template.preview_unwritable",
        ) from None
    return target.resolve()


class PreviewPanel(Vertical):
    """Subject, From and the body as a reader would see it in a terminal."""

    DEFAULT_CSS = """
    PreviewPanel { height: 1fr; border: round $primary 50%; padding: 0 1; }
    PreviewPanel #preview-head { height: auto; border-bottom: solid $primary 30%; }
    PreviewPanel #preview-scroll { height: 1fr; }
    PreviewPanel #preview-note { height: auto; color: $text-warning; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = "Preview"
        self.sender = PLACEHOLDER_FROM

    def compose(self) -> ComposeResult:
        yield Static("", id="preview-head", markup=False)
        yield Static("", id="preview-note", markup=False)
        with VerticalScroll(id="preview-scroll"):
            yield Static("", id="preview-body", markup=False)

    def _head(self, subject: str) -> Content:
        return Content.assemble(
            ("From:    ", "dim"),
            # Sender, subject and body are typed or rendered from outside values.
            printable(self.sender),
            "\n",
            ("Subject: ", "dim"),
            (printable(subject), "bold"),
        )

    def show(self, outcome: PreviewOutcome) -> None:
        note = self.query_one("#preview-note", Static)
        if outcome.rendered is None:
            # Keep the last good rendering on screen; say why it is not following.
            why = outcome.sample_error or (
                "The preview waits until the problems are fixed."
                if outcome.draft.body.strip()
                else "Write a body to see the email."
            )
            note.update(printable(why, one_line=False))
            note.display = True
            return
        note.display = False
        self.query_one("#preview-head", Static).update(self._head(outcome.rendered.subject))
        self.query_one("#preview-body", Static).update(
            printable(outcome.reader_text.rstrip("\n"), one_line=False)
        )

    def set_sender(self, sender: str, outcome: PreviewOutcome | None) -> None:
        self.sender = sender or PLACEHOLDER_FROM
        subject = outcome.rendered.subject if outcome and outcome.rendered else ""
        self.query_one("#preview-head", Static).update(self._head(subject))
