"""`kootui demo` in a real pseudo-terminal: the console starts the sending engine,
messages reach the demo outbox, and `q` stops both cleanly (exit status 0)."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path


def _drain(fd: int, seconds: float) -> bytes:
    """Read what the console draws for a while, so it never blocks on a full terminal."""
    seen = b""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                seen += os.read(fd, 65536)
            except OSError:
                break
    return seen


def _text(path: Path) -> str:
    return path.read_text() if path.exists() else ""


def _outbox_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and p.parent.name == "new"]


def run_console(home: Path, *args: str) -> tuple[subprocess.Popen[bytes], int]:
    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    env = {k: v for k, v in os.environ.items() if not k.startswith("KOOTUI_")}
    env.update(KOOTUI_HOME=str(home), TERM="xterm-256color", COLUMNS="120", LINES="40")
    process = subprocess.Popen(
        [sys.executable, "-m", "kootui", *args],
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        env=env,
        close_fds=True,
    )
    os.close(terminal)
    return process, controller


def _quit(process: subprocess.Popen[bytes], controller: int) -> None:
    """`q`; the demo still has queued mail, so the console asks, and `y` quits."""
    os.write(controller, b"q")
    deadline = time.monotonic() + 60
    while process.poll() is None and time.monotonic() < deadline:
        _drain(controller, 1.0)
        if process.poll() is None:
            os.write(controller, b"y")  # only the quit question has a `y` key


def test_the_console_sends_due_messages_and_quits_cleanly(tmp_path: Path) -> None:
    home = tmp_path / "home"
    process, controller = run_console(home, "demo")
    outbox = home / "data" / "demo" / "outbox"
    try:
        screen = b""
        deadline = time.monotonic() + 60
        # The engine starts once the store is open, after the first frame: wait for both.
        while time.monotonic() < deadline and not (
            b"DEMO" in screen and outbox.exists() and _outbox_files(outbox)
        ):
            screen += _drain(controller, 0.5)
        assert b"DEMO" in screen  # the console drew its header
        assert _outbox_files(outbox), "the console's engine sent nothing to the outbox"
        screen += _drain(controller, 1.0)
        _quit(process, controller)
        assert process.returncode == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(controller)
    message = _outbox_files(outbox)[0].read_bytes()
    assert message.startswith(b"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;")
    assert b"\r\nFrom: " in message or b"\nFrom: " in message
    log = (home / "state" / "kootui.log").read_text()
    assert "outbox" in log
    assert "sending with the" in log  # what the test below looks for


def test_no_engine_leaves_the_queue_alone(tmp_path: Path) -> None:
    home = tmp_path / "home"
    process, controller = run_console(home, "--no-engine", "demo")
    try:
        screen = b""
        deadline = time.monotonic() + 60
        # The console says in its log when it would have started an engine.
        log_file = home / "state" / "kootui.log"
        while time.monotonic() < deadline and "--no-engine" not in _text(log_file):
            screen += _drain(controller, 0.5)
        assert "--no-engine" in _text(log_file)
        assert b"DEMO" in screen
        _quit(process, controller)
        assert process.returncode == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(controller)
    assert not _outbox_files(home / "data" / "demo" / "outbox")
    # An engine says so in the log as it begins: the log of a whole run, not a wait for mail
    # that never comes, shows that none ran.
    assert "sending with the" not in _text(log_file)
