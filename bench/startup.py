"""Start-up benchmark: how soon `kootui` draws, and how soon the Overview shows figures.

    python bench/startup.py [--runs 5] [--size 120x40]

Starts `kootui` in a pseudo-terminal of the given size, as a user over SSH would, and
times from the exec to (1) the first frame: the Overview's guide heading is on screen,
and (2) the figures: the "figures as of" line that the Overview prints when its store
read has come back. Then it presses ctrl+q. The first run uses a new KOOTUI_HOME (the
store is created and migrated), the others reuse it. Reference, in the same run: the
time `python -c "import textual"` takes, the floor for any Textual app. One line each:

    first frame: median X ms (min A, max B) over N runs; fresh home C ms; CPU D ms
    figures: median Y ms (min A, max B) over N runs; fresh home C ms; CPU D ms
    reference python -c "import textual": median Z ms; CPU E ms

CPU is the median processor time kootui had used at that moment (user + system, read
from /proc, 10 ms steps): on a machine others share, wall times swing with their load,
the CPU a start-up needs much less.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import re
import resource
import select
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

# CSI sequences, OSC strings, charset selections and two-byte escapes: what is left is text.
ESCAPES = re.compile(
    rb"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|\x1b."
)
FIRST_FRAME = b"Process guide"
FIGURES = b"figures as of"
QUIT = b"\x11"  # ctrl+q
TIMEOUT = 30.0


def _kootui_command() -> list[str]:
    script = Path(sys.executable).with_name("kootui")
    return [str(script)] if script.exists() else [sys.executable, "-m", "kootui"]


def cpu_seconds(pid: int) -> float:
    """Processor time (user + system) the process has used so far; 0 where /proc is not."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    # utime and stime are the 14th and 15th fields; two are before the ")".
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_once(home: Path, columns: int, rows: int) -> tuple[float, float, float, float]:
    """Seconds from the exec to the first frame and to the figures, and the CPU seconds
    used by each."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    env = dict(os.environ, KOOTUI_HOME=str(home), TERM="xterm-256color", COLORTERM="truecolor")
    started = time.perf_counter()
    process = subprocess.Popen(
        _kootui_command(),
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        start_new_session=True,
        close_fds=True,
    )
    os.close(slave)
    screen = b""
    first_frame = figures = first_frame_cpu = figures_cpu = 0.0
    try:
        while not figures and time.perf_counter() - started < TIMEOUT:
            ready, _, _ = select.select([master], [], [], 0.05)
            if not ready:
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the child closed the terminal
                break
            screen += ESCAPES.sub(b"", chunk)
            now = time.perf_counter() - started
            if not first_frame and FIRST_FRAME in screen:
                first_frame, first_frame_cpu = now, cpu_seconds(process.pid)
            if first_frame and FIGURES in screen:
                figures, figures_cpu = now, cpu_seconds(process.pid)
        os.write(master, QUIT)
        _drain_until_exit(master, process)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(master)
    if not figures:
        raise SystemExit(f"kootui did not show its figures within {TIMEOUT:.0f} s")
    return first_frame, figures, first_frame_cpu, figures_cpu


def _drain_until_exit(master: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.perf_counter() + 10
    while process.poll() is None and time.perf_counter() < deadline:
        ready, _, _ = select.select([master], [], [], 0.05)
        if ready:
            try:
                os.read(master, 65536)
            except OSError:
                break


def import_textual_seconds() -> tuple[float, float]:
    """Wall and CPU seconds of `python -c "import textual"`."""
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import textual"], check=True)
    wall = time.perf_counter() - started
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    return wall, cpu


def _line(label: str, values: list[float], fresh: float, cpu: list[float]) -> str:
    ms = [value * 1000 for value in values]
    return (
        f"{label}: median {statistics.median(ms):.0f} ms (min {min(ms):.0f}, max {max(ms):.0f})"
        f" over {len(ms)} runs; fresh home {fresh * 1000:.0f} ms;"
        f" CPU {statistics.median(cpu) * 1000:.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="starts with an existing home")
    parser.add_argument("--size", default="120x40", help="terminal COLUMNSxROWS")
    args = parser.parse_args()
    columns, rows = (int(part) for part in args.size.lower().split("x"))
    home = Path(tempfile.mkdtemp(prefix="kootui-startup-"))
    try:
        fresh_frame, fresh_figures, _, _ = start_once(home, columns, rows)
        frames, figures, frames_cpu, figures_cpu = [], [], [], []
        references, references_cpu = [], []
        for _ in range(args.runs):
            frame, shown, frame_cpu, shown_cpu = start_once(home, columns, rows)
            frames.append(frame)
            figures.append(shown)
            frames_cpu.append(frame_cpu)
            figures_cpu.append(shown_cpu)
            reference, reference_cpu = import_textual_seconds()
            references.append(reference)
            references_cpu.append(reference_cpu)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    print(_line("first frame", frames, fresh_frame, frames_cpu))
    print(_line("figures", figures, fresh_figures, figures_cpu))
    reference = statistics.median(references) * 1000
    reference_cpu = statistics.median(references_cpu) * 1000
    print(
        f'reference python -c "import textual": median {reference:.0f} ms; '
        f"CPU {reference_cpu:.0f} ms"
    )


if __name__ == "__main__":
    main()
