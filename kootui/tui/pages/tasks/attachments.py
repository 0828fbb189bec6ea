"""The create form's attachments: files chosen in the file picker, 4 MB in total.

Each file is read and checked in a thread worker (its name reduced and
normalised, executable and script types refused, the total kept under the
seeds' 4 MB); a refusal is posted as ``Refused`` for the form to show beside
the field, with the reason.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Static

from kootui.core.errors import KootuiError, ValidationError
from kootui.core.tasks import MAX_TOTAL_BYTES, AttachmentFile, check_attachments, load_attachment
from kootui.tui.shell.store_calls import StoreReply, call_store
from kootui.tui.widgets.file_picker import FilePicker

if TYPE_CHECKING:
    from kootui.tui.app import KootuiApp

MB = 1024 * 1024


class AttachmentsField(Vertical):
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

    @property
    def kootui(self) -> KootuiApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Static("", id="attachment-list", markup=False)

    def on_mount(self) -> None:
        self.show()

    def choose(self) -> None:
        self.app.push_screen(FilePicker("Attach a file", start=Path.home()), self._chosen)

    def _chosen(self, path: Path | None) -> None:
        if path is None:
            return
        current = list(self.files)

        def load() -> AttachmentFile:
            item = load_attachment(path)
            check_attachments([*current, item])
            return item

        call_store(self, load, self._loaded)

    def _loaded(self, item: AttachmentFile | None, error: KootuiError | None) -> None:
        if error is not None or item is None:
            self.post_message(
                self.Refused(error or ValidationError("not attached", field="attachments"))
            )
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
        names = [f"  {item.filename} ({item.size:,} bytes)" for item in self.files]
        attach = self.kootui.key_display("task-create-attach")
        drop = self.kootui.key_display("task-create-unattach")
        keys = f"{attach}: add" + (f" · {drop}: drop the last" if self.files else "")
        head = f"{total / MB:.2f} MB of {MAX_TOTAL_BYTES / MB:.0f} MB · {keys}"
        self.query_one("#attachment-list", Static).update("\n".join([head, *names]))

    @on(StoreReply)
    def _store_reply(self, reply: StoreReply) -> None:
        reply.deliver()
