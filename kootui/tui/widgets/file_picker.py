"""A small modal to choose a local file: a path field with tab completion, and a tree.

Used to pick attachments and recipient files (``must_exist``), and to say where a
file should be written (``must_exist=False``: the folder must exist, the file may
not). Typing a path and pressing Enter chooses it; ``tab`` completes the typed
path as far as the folder's entries agree; choosing a file in the tree fills the
field and chooses it, choosing a folder fills the field so its files can be typed.
The chosen path is returned (``None`` when cancelled). Disk reads are small
(one folder listing), so they run in place; the tree loads folders in its own
workers.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DirectoryTree, Input, Label, Static

from kootui.core.printable import printable
from kootui.tui.keys.registry import bindings
from kootui.tui.widgets.fitting_footer import FittingFooter


def complete_path(text: str) -> str:
    """``text`` extended as far as every matching entry of its folder agrees."""
    typed = os.path.expanduser(text) if text else "./"
    folder, _, partial = typed.rpartition(os.sep)
    base = Path(folder or os.sep) if typed.startswith(os.sep) else Path(folder or ".")
    try:
        names = sorted(entry.name for entry in base.iterdir() if entry.name.startswith(partial))
    except OSError:
        return text
    if not names:
        return text
    common = os.path.commonprefix(names)  # noqa: RUF071 - names, not paths: a text prefix
    completed = f"{folder}{os.sep}{common}" if folder or typed.startswith(os.sep) else common
    if len(names) == 1 and (base / names[0]).is_dir():
        completed += os.sep
    return completed


def check_choice(text: str, *, must_exist: bool, suffixes: Sequence[str] = ()) -> Path:
    """The path the user typed, or a ValueError saying why it cannot be used."""
    if not text.strip():
        raise ValueError("type a path, or choose a file in the tree")
    path = Path(os.path.expanduser(text.strip())).absolute()
    if path.is_dir():
        raise ValueError(
            f"{path} is a folder; {'choose a file in it' if must_exist else 'add a file name'}"
        )
    if suffixes and path.suffix.lower() not in suffixes:
        raise ValueError(f"choose a {' or '.join(suffixes)} file")
    if must_exist and not path.is_file():
        raise ValueError(f"{path} does not exist")
    if not must_exist and not path.parent.is_dir():
        raise ValueError(f"the folder {path.parent} does not exist")
    return path


class FilePicker(ModalScreen[Path | None]):
    """Enter chooses the typed path; tab completes it; escape cancels."""

    DEFAULT_CSS = """
    FilePicker { align: center middle; }
    FilePicker > #picker-box {
        width: 90; max-width: 95%; height: 30; max-height: 90%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    FilePicker #picker-title { text-style: bold; padding: 0 0 1 0; }
    FilePicker #picker-hint { color: $text-muted; }
    FilePicker #picker-error { color: $text-error; height: auto; }
    FilePicker DirectoryTree { height: 1fr; border: round $primary 50%; }
    """

    BINDINGS = bindings("file-picker")

    def __init__(
        self,
        title: str,
        *,
        start: Path | None = None,
        must_exist: bool = True,
        suffixes: Sequence[str] = (),
        file_name: str = "",
    ) -> None:
        super().__init__()
        self.picker_title = title
        self.folder = (start or Path.cwd()).absolute()
        self.must_exist = must_exist
        self.suffixes = tuple(suffix.lower() for suffix in suffixes)
        self.file_name = file_name

    def compose(self) -> ComposeResult:
        with Vertical(id="picker-box"):
            yield Label(printable(self.picker_title), id="picker-title", markup=False)
            start = f"{self.folder}{os.sep}{self.file_name}"
            yield Input(start, id="picker-path")
            yield Static("", id="picker-error", markup=False)
            yield Static(
                "Enter chooses · tab completes · ↓ to the tree · esc cancels",
                id="picker-hint",
                markup=False,
            )
            yield DirectoryTree(self.folder, id="picker-tree")
        yield FittingFooter()  # this dialog's keys, not the page's underneath

    def on_mount(self) -> None:
        self.query_one("#picker-path", Input).focus()

    @property
    def path_input(self) -> Input:
        return self.query_one("#picker-path", Input)

    def show_error(self, message: str) -> None:
        # The message quotes the typed path: its controls are shown, not obeyed.
        self.query_one("#picker-error", Static).update(printable(message))

    def action_complete(self) -> None:
        field = self.path_input
        if self.focused is not field:
            self.focus_next()
            return
        field.value = complete_path(field.value)
        field.cursor_position = len(field.value)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_to_tree(self) -> None:
        self.query_one(DirectoryTree).focus()

    def choose(self, text: str) -> None:
        try:
            path = check_choice(text, must_exist=self.must_exist, suffixes=self.suffixes)
        except ValueError as error:
            self.show_error(str(error))
            self.path_input.focus()
            return
        self.dismiss(path)

    @on(Input.Submitted, "#picker-path")
    def _typed(self, event: Input.Submitted) -> None:
        event.stop()
        self.choose(event.value)

    @on(DirectoryTree.FileSelected)
    def _file_chosen(self, event: DirectoryTree.FileSelected) -> None:
        event.stop()
        if self.must_exist:
            self.choose(str(event.path))
            return
        # Saving: a chosen file is offered for overwriting only after the user confirms
        # by pressing Enter in the field.
        self.path_input.value = str(event.path)
        self.path_input.focus()

    @on(DirectoryTree.DirectorySelected)
    def _folder_chosen(self, event: DirectoryTree.DirectorySelected) -> None:
        event.stop()
        name = "" if self.must_exist else self.file_name
        self.path_input.value = f"{event.path}{os.sep}{name}"
