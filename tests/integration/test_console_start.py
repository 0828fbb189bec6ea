"""`kootui` in a real pseudo-terminal whose store cannot open: the console opens its store
after drawing (issue 17, item 17), yet the error is still one line, as every command
prints it, and the exit status is 1."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from kootui.tui.read_ahead import spare_cores

ESCAPES = re.compile(rb"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b.")


def _run_in_terminal(
    home: Path, seconds: float = 60, *, quit_once: bytes = b""
) -> tuple[int | None, bytes]:
    """Run `kootui` until it ends (or, once ``quit_once`` is on screen, press ctrl+q)."""
    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    env = {k: v for k, v in os.environ.items() if not k.startswith("KOOTUI_")}
    env.update(KOOTUI_HOME=str(home), TERM="xterm-256color")
    process = subprocess.Popen(
        [sys.executable, "-m", "kootui"],
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        env=env,
        close_fds=True,
    )
    os.close(terminal)
    seen = b""
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([controller], [], [], 0.1)
            if ready:
                try:
                    seen += os.read(controller, 65536)
                except OSError:  # the console ended and closed the terminal
                    break
                if quit_once and quit_once in ESCAPES.sub(b"", seen):
                    os.write(controller, b"\x11")  # ctrl+q
                    quit_once = b""
            elif process.poll() is not None:
                break
        process.wait(10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(controller)
    return process.returncode, ESCAPES.sub(b"", seen)


def test_a_damaged_store_ends_the_console_with_one_line(tmp_path: Path) -> None:
    home = tmp_path / "home"
    database = home / "data" / "kootui.db"
    database.parent.mkdir(parents=True)
    database.write_bytes(b"not a database at all")
    status, shown = _run_in_terminal(home)
    assert status == 1
    assert b"Process guide" in shown  # drawn first, then the store was opened
    assert shown.count(b"kootui: error:") == 1, shown[-2000:]
    # Printed once the terminal is given back (the escapes stripped, the screen's text
    # runs on to it): the error's line, as `kootui task list` prints it.
    error = shown.partition(b"kootui: error:")[2].splitlines()[0].decode()
    assert error.startswith(f" the database file {database} ")
    assert error.endswith("`kootui db check` says more")
    assert b"Traceback" not in shown


@pytest.mark.skipif(spare_cores() < 1, reason="the read-ahead needs a second core")
def test_the_first_figures_come_from_the_read_ahead_process(tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = {k: v for k, v in os.environ.items() if not k.startswith("KOOTUI_")}
    env["KOOTUI_HOME"] = str(home)
    subprocess.run(
        [sys.executable, "-m", "kootui", "domain", "add", "mail.acme-test.com"],
        env=env,
        check=True,
        capture_output=True,
    )
    status, shown = _run_in_terminal(home, quit_once=b"figures as of")
    assert status == 0, shown[-2000:]
    assert b"figures as of" in shown
    log = (home / "state" / "kootui.log").read_text()
    assert "the first figures were read ahead by process" in log
