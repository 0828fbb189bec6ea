"""Picking a local .html file for a template body: a path field that completes names.

The file is read and cleaned off the event loop (``read_html_file``: size limit,
charset detection, nh3), and the user is then asked, with the charset and what
the cleaning removed in front of them, before the body is replaced.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from textual.suggester import Suggester
from textual.widgets import Input

from kootui.core.templates import HTML_SUFFIXES, HtmlUpload
from kootui.tui.widgets.form import FormDialog, FormValues, TextField


class PathSuggester(Suggester):
    """Completes the last part of a path with the first folder or .html file that fits
    (right arrow or End accepts it, as in any Input)."""

    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        if not value:
            return None
        typed = Path(value).expanduser()
        if value.endswith(os.sep):
            folder, stem, prefix = typed, "", value
        else:
            folder, stem = typed.parent, typed.name
            prefix = value[: len(value) - len(stem)]
        try:
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except OSError:
            return None
        for entry in entries:
            name = entry.name
            if name == stem or not name.startswith(stem) or name.startswith("."):
                continue
            if entry.is_dir():
                return f"{prefix}{name}{os.sep}"
            if name.lower().endswith(HTML_SUFFIXES):
                return f"{prefix}{name}"
        return None


class UploadForm(FormDialog[HtmlUpload]):
    """The path form; its submit reads and cleans the file (in the form's worker)."""

    def __init__(self, read: Callable[[FormValues], HtmlUpload]) -> None:
        super().__init__(
            "Upload an HTML file as the body (up to 2 MB; it is cleaned first)",
            [
                TextField(
                    "upload", "Path of the .html file (→ completes)", placeholder="~/mail.html"
                )
            ],
            read,
            submit_label="Read",
        )

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#field-upload", Input).suggester = PathSuggester()


def upload_question(upload: HtmlUpload) -> tuple[str, str]:
    """The confirmation's title and text: the charset, what was removed, what happens."""
    removed = (
        "Nothing was removed by cleaning."
        if upload.cleaned.nothing_removed
        else f"{upload.cleaned.summary()}."
    )
    return (
        f"Replace the body with {upload.filename}?",
        f"Charset: {upload.charset} ({upload.charset_reason})\n{removed}\n\n"
        "The uploaded file overwrites the existing body.",
    )
