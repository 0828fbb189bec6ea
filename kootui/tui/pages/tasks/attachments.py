"""The create form's attachments: files chosen in the file picker, 4 MB in total.

Each file is read and checked on a thread (its name reduced and
normalised, executable and script types refused, the total kept under the
seeds' 4 MB); a refusal is posted as ``Refused`` for the form to show beside
the field, with the reason.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Static

from kootui.core.errors import KootuiError
from kootui.core.plural import count_of
from kootui.core.printable import printable
from kootui.core.tasks import MAX_TOTAL_BYTES, AttachmentFile, check_attachments, load_attachment
from kootui.tui.shell.kootui_node import KootuiNode
from kootui.tui.widgets.file_picker import FilePicker

MB = 1024 * 1024


def load_checked(path: Path, attached: list[AttachmentFile]) -> AttachmentFile:
    """Read ``path`` as an attachment, refused when it would break the rules with the others."""
    item = load_attachment(path)
    check_attachments([*attached, item])
    return item


class AttachmentsField(KootuiNode, Vertical):
    DEFAULT_CSS = """
    AttachmentsField { height: auto; }
    AttachmentsField #attachment-list { color: $text-muted; height: auto; }
    """

    class Refused(Message):
        def __init__(self, error: KootuiError) -> None:
            super().__init__()
            self.error = error

    class Changed(Message):
        pass

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id)
        self.files: list[AttachmentFile] = []

    def compose(self) -> ComposeResult:
        yield Static("", id="attachment-list", markup=False)

    def on_mount(self) -> None:
        self.show()

    @work(group="attachment-add", exit_on_error=False)
    async def choose(self) -> None:
        path = await self.app.push_screen_wait(FilePicker("Attach a file", start=Path.home()))
        if path is None:
            return
        try:
            item = await asyncio.to_thread(load_checked, path, list(self.files))
        except KootuiError as refusal:
            self.post_message(self.Refused(refusal))
            return
        self.files.append(item)
        self.show()
        self.post_message(self.Changed())

    def drop_last(self) -> None:
        if self.files:
            self.files.pop()
            self.show()

    def show(self) -> None:
        total = sum(item.size for item in self.files)
        # File names are outside text: a name with an ESC or U+202E is shown, not obeyed.
        names = [
            printable(f"  {item.filename} ({count_of(item.size, 'byte')})") for item in self.files
        ]
        attach = self.kootui.key_display("task-create-attach")
        drop = self.kootui.key_display("task-create-unattach")
        keys = f"{attach}: add" + (f" · {drop}: drop the last" if self.files else "")
        head = f"{total / MB:.2f} MB of {MAX_TOTAL_BYTES / MB:.0f} MB · {keys}"
        self.query_one("#attachment-list", Static).update("\n".join([head, *names]))
