"""Every command's output may be piped: `kootui template show 15 | head` ends quietly.

Python ignores SIGPIPE, so a write to a pipe whose reader has gone raises
BrokenPipeError; the buffered output of a short command meets it in the flush at exit.
Each test runs kootui as a subprocess writing into a real pipe whose reading end is
closed before kootui writes a byte.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kootui.cli import READER_GONE_STATUS
from kootui.core.context import Context


def _into_a_closed_pipe(home: Path, *args: str) -> tuple[int, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KOOTUI_")}
    env["KOOTUI_HOME"] = str(home)
    process = subprocess.Popen(
        [sys.executable, "-m", "kootui", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=env,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # the reader (`head`) is gone before the first write
    errors = process.stderr.read().decode()
    return process.wait(timeout=60), errors


@pytest.mark.parametrize(
    "args",
    [
        ["config"],  # a short output: the flush at exit meets the pipe (no store: cheap)
        ["--help"],  # argparse writes, then exits
    ],
)
def test_a_closed_pipe_ends_the_command_quietly(home: Path, args: list[str]) -> None:
    status, errors = _into_a_closed_pipe(home, *args)
    assert errors == ""
    assert status == READER_GONE_STATUS == 141


# A shell, kootui on a store and head take 3-5 s; the closed pipe above is the same case.
@pytest.mark.slow
def test_template_show_into_head_ends_quietly(context: Context, home: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KOOTUI_")}
    env["KOOTUI_HOME"] = str(home)
    result = subprocess.run(
        ["sh", "-c", f"'{sys.executable}' -m kootui template show 1 | head -n 1"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 0
    assert result.stderr == ""
    assert len(result.stdout.splitlines()) == 1
