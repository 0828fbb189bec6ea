"""The file picker the create form uses for attachments and recipient files."""

from __future__ import annotations

from pathlib import Path

from textual.app import App, ComposeResult
from textual.widgets import Input, Static

from kootui.tui.widgets.file_picker import FilePicker, check_choice, complete_path


class PickerApp(App[None]):
    def __init__(self, picker: FilePicker) -> None:
        super().__init__()
        self.picker = picker
        self.chosen: list[Path | None] = []

    def compose(self) -> ComposeResult:
        yield Static("behind")

    def on_mount(self) -> None:
        self.push_screen(self.picker, self.chosen.append)


def test_tab_completes_as_far_as_the_entries_agree(tmp_path: Path) -> None:
    (tmp_path / "recipients-may.xlsx").write_bytes(b"x")
    (tmp_path / "recipients-june.xlsx").write_bytes(b"x")
    (tmp_path / "reports").mkdir()
    assert complete_path(f"{tmp_path}/rec") == f"{tmp_path}/recipients-"
    assert complete_path(f"{tmp_path}/recipients-m") == f"{tmp_path}/recipients-may.xlsx"
    assert complete_path(f"{tmp_path}/repo") == f"{tmp_path}/reports/"
    assert complete_path(f"{tmp_path}/nothing") == f"{tmp_path}/nothing"


def test_choices_are_checked_with_a_reason(tmp_path: Path) -> None:
    (tmp_path / "list.xlsx").write_bytes(b"x")
    assert check_choice(str(tmp_path / "list.xlsx"), must_exist=True) == tmp_path / "list.xlsx"
    for text, must_exist, reason in [
        ("", True, "type a path"),
        (str(tmp_path / "gone.xlsx"), True, "does not exist"),
        (str(tmp_path), True, "is a folder"),
        (str(tmp_path / "no" / "such.xlsx"), False, "does not exist"),
        (str(tmp_path / "list.csv"), False, "choose a .xlsx file"),
    ]:
        try:
            check_choice(text, must_exist=must_exist, suffixes=(".xlsx",))
        except ValueError as error:
            assert reason in str(error)
        else:
            raise AssertionError(f"{text!r} was accepted")


async def test_typing_tab_and_enter_choose_a_file(tmp_path: Path) -> None:
    (tmp_path / "brochure.pdf").write_bytes(b"%PDF")
    app = PickerApp(FilePicker("Attach a file", start=tmp_path))
    async with app.run_test() as pilot:
        field = app.screen.query_one("#picker-path", Input)
        field.value = f"{tmp_path}/bro"
        field.cursor_position = len(field.value)
        await pilot.press("tab")
        assert field.value == f"{tmp_path}/brochure.pdf"
        await pilot.press("enter")
        await pilot.pause()
    assert app.chosen == [tmp_path / "brochure.pdf"]


async def test_a_missing_file_is_refused_in_place_and_escape_cancels(tmp_path: Path) -> None:
    app = PickerApp(FilePicker("Attach a file", start=tmp_path))
    async with app.run_test() as pilot:
        field = app.screen.query_one("#picker-path", Input)
        field.value = f"{tmp_path}/missing.pdf"
        await pilot.press("enter")
        await pilot.pause()
        error = str(app.screen.query_one("#picker-error", Static).render())
        assert "does not exist" in error
        await pilot.press("escape")
        await pilot.pause()
    assert app.chosen == [None]
