"""Every option that names a file is checked as the command line is read: a missing
file, a folder, a device or an unreadable file is one line naming it (exit 2)."""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from kootui.cli import build_parser, main
from kootui.cli.paths import file_or_folder_to_write, file_to_read, file_to_write
from kootui.core.config import Settings
from tests.support.file_powers import run_kootui_bound_by_modes

PATH_TYPES = {file_to_read, file_to_write, file_or_folder_to_write}
READ_OPTIONS = [
    ["task", "create", "--name", "n", "--subject", "s", "--template", "1", "--sender", "1",
     "--xlsx"],
    ["task", "create", "--name", "n", "--subject", "s", "--template", "1", "--sender", "1",
     "--to", "a@example.com", "--attach"],
]  # fmt: skip
WRITE_OPTIONS = [
    ["messages", "export"],
    ["task", "sample-xlsx", "--template", "1"],
    ["domain", "zone", "shop.example", "--output"],
]


def _actions(
    parser: argparse.ArgumentParser, trail: str = "kootui"
) -> Iterator[tuple[str, argparse.Action]]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _actions(sub, f"{trail} {name}")
        else:
            yield trail, action


def test_every_option_naming_a_file_is_checked_as_a_path() -> None:
    unchecked = [
        f"{trail} {action.dest}"
        for trail, action in _actions(build_parser())
        if action.metavar in {"FILE", "PATH"} or action.dest in {"path", "xlsx", "attach", "output"}
        if action.type not in PATH_TYPES
    ]
    assert unchecked == []


def _refusal(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe.xlsx"
    os.mkfifo(path)
    return path


@pytest.mark.parametrize("option", READ_OPTIONS, ids=["--xlsx", "--attach"])
def test_a_file_to_read_that_is_not_there_or_not_a_file(
    settings: Settings,
    tmp_path: Path,
    fifo: Path,
    option: list[str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    cases = {
        tmp_path / "missing.xlsx": "no such file",
        tmp_path: "is a folder; give the path of a file",
        fifo: "is not a regular file",
        tmp_path / "missing-folder" / "r.xlsx": "no such file",
    }
    plain = tmp_path / "plain.txt"
    plain.write_text("x")
    cases[plain / "r.xlsx"] = f"{plain} is a file, not a folder"
    for path, problem in cases.items():
        err = _refusal([*option, str(path)], capsys)
        assert f"{option[-1]}: {path}: {problem}" in err
    assert "an empty file name" in _refusal([*option, ""], capsys)


@pytest.mark.parametrize("option", WRITE_OPTIONS, ids=["export", "sample-xlsx", "zone -o"])
def test_a_file_to_write_where_it_cannot_be(
    settings: Settings, tmp_path: Path, option: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    missing_folder = tmp_path / "nowhere" / "out.xlsx"
    err = _refusal([*option, str(missing_folder)], capsys)
    assert f"{missing_folder}: the folder {missing_folder.parent} does not exist" in err
    plain = tmp_path / "plain.txt"
    plain.write_text("x")
    err = _refusal([*option, str(plain / "out.xlsx")], capsys)
    assert f"{plain} is a file, not a folder" in err
    if option[-1] != "--output":  # a zone snippet may be saved into a folder
        assert "is a folder; give a file name inside it" in _refusal(
            [*option, str(tmp_path)], capsys
        )
    assert "is not a regular file" in _refusal([*option, "/dev/null"], capsys)


def test_a_path_with_control_characters_is_named_inert(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "\x1b]0;owned\x07\x1b[2Jlist.xlsx"
    err = _refusal([*READ_OPTIONS[0], str(path)], capsys)
    assert (
        "\x1b" not in err and "\x07" not in err and "␛]0;owned␇␛[2Jlist.xlsx: no such file" in err
    )


def test_an_unreadable_file_and_an_unwritable_folder(
    settings: Settings, home: Path, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.xlsx"
    secret.write_bytes(b"x")
    secret.chmod(0o000)
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        read = run_kootui_bound_by_modes(*READ_OPTIONS[0], str(secret), home=home)
        write = run_kootui_bound_by_modes("messages", "export", str(locked / "x.xlsx"), home=home)
    finally:
        locked.chmod(0o700)
    assert read.returncode == 2 and read.stderr.count("\n") == 1
    assert f"{secret}: cannot be read by this user (permission denied)" in read.stderr
    assert write.returncode == 2 and write.stderr.count("\n") == 1
    assert f"cannot write in the folder {locked}" in write.stderr


def test_a_zone_snippet_saved_into_a_folder(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["domain", "add", "shop.example"]) == 0
    capsys.readouterr()
    assert main(["domain", "zone", "shop.example", "-o", str(tmp_path)]) == 0
    assert (tmp_path / "shop.example.zone").read_text().startswith(";")
