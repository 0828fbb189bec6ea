"""The first code of `kootui`: a worker's stop signals wait, blocked, until it can handle
them; every other command keeps them as they are."""

from __future__ import annotations

import json
import signal
import subprocess
import sys

import pytest

from kootui.command_word import command_of

# Runs the real entry point with the command's own main replaced by a report of the
# signals blocked at that moment, in a fresh interpreter (the mask is per process).
PROBE = """
import json, signal, sys
import kootui.cli
held = lambda: [int(s) for s in signal.pthread_sigmask(signal.SIG_BLOCK, [])]
kootui.cli.main = lambda: print(json.dumps(held()))
import kootui.__main__ as entry
sys.argv = ["kootui", *sys.argv[1:]]
raise SystemExit(entry.main() or 0)
"""


def _blocked(*args: str) -> set[int]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, check=True
    )
    return set(json.loads(result.stdout))


@pytest.mark.parametrize(
    ("args", "command"),
    [
        ([], ""),
        (["worker"], "worker"),
        (["--theme", "worker", "task", "list"], "task"),
        (["--theme=kootui-dark", "worker", "--processes", "2"], "worker"),
        (["--no-engine"], ""),
    ],
)
def test_the_command_word_is_found_past_the_consoles_options(args, command) -> None:
    assert command_of(args) == command


def test_a_worker_starts_with_its_stop_signals_held_and_other_commands_do_not() -> None:
    stops = {int(signal.SIGTERM), int(signal.SIGINT)}
    assert stops <= _blocked("worker", "--until-idle")
    assert not stops & _blocked("task", "list")
