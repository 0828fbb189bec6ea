"""Start-up's objects frozen once start-up ends, in the processes that start with the
collector off; nothing changes anywhere else."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from kootui.core.long_lived import (
    freeze_start_up_objects,
    pause_collection_while_starting,
    start_up_done,
)


@pytest.fixture
def collector_restored() -> Iterator[None]:
    try:
        yield
    finally:
        gc.unfreeze()
        gc.enable()


def test_start_up_done_freezes_and_turns_collection_on(collector_restored: None) -> None:
    pause_collection_while_starting()
    made_while_starting = [[index] for index in range(1000)]
    freeze_start_up_objects()
    assert gc.get_freeze_count() >= len(made_while_starting)
    start_up_done(collect_first=True)
    assert gc.isenabled()


def test_a_process_that_never_paused_is_left_alone(collector_restored: None) -> None:
    frozen = gc.get_freeze_count()
    freeze_start_up_objects()
    start_up_done(collect_first=True)
    assert gc.get_freeze_count() == frozen and gc.isenabled()


@pytest.mark.parametrize(
    ("command", "collecting"), [("serve", False), ("worker", False), ("", False), ("domain", True)]
)
def test_the_long_running_commands_start_with_the_collector_off(
    command: str, collecting: bool, tmp_path: Path
) -> None:
    probe = (
        "import gc, sys, kootui.__main__ as entry, kootui.cli as cli;"
        "cli.main = lambda: print(gc.isenabled()) or 0;"
        f"sys.argv = ['kootui'] + ({command!r} and [{command!r}] or []);"
        "entry.main()"
    )
    env = {name: value for name, value in os.environ.items() if not name.startswith("KOOTUI_")}
    env["KOOTUI_HOME"] = str(tmp_path)  # the console's read-ahead reads this home's store
    shown = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=env
    ).stdout
    assert shown.strip() == str(collecting)
