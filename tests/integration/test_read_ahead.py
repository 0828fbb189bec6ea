"""The console's read-ahead (issue 17, item 17): a process forked as `kootui` starts reads
the Overview's figures on the other core; it migrates a new store, reads nothing while
sign-in is on, and whatever goes wrong in it means no figures, never output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kootui.core.access import enable_iam
from kootui.core.bootstrap import open_context
from kootui.core.config import Settings
from kootui.core.domains import create_domain
from kootui.core.store import current_revision, head_revision
from kootui.tui.read_ahead import read_early, spare_cores
from kootui.tui.ui_state import remember_sign_in

FORK_AND_READ = """
import json, os
from kootui.tui.read_ahead import start_read_ahead, take_read_ahead
start_read_ahead()
reader = take_read_ahead()
early = reader.result()
try:
    os.waitpid(reader.pid, os.WNOHANG)
    left = "a child left behind"
except ChildProcessError:
    left = ""
shown = None if early is None else [early.workspace_name, early.paint.overview.domains]
print(json.dumps({"early": shown, "left": left}))
"""


def _fork_and_read(home: Path) -> tuple[dict[str, object], str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KOOTUI_")}
    env["KOOTUI_HOME"] = str(home)
    done = subprocess.run(
        [sys.executable, "-c", FORK_AND_READ], capture_output=True, text=True, env=env, check=True
    )
    lines = done.stdout.splitlines()
    assert len(lines) == 1, done.stdout  # nothing of the child's reaches the terminal
    return json.loads(lines[0]), done.stderr


def test_a_new_home_is_migrated_and_its_figures_read(settings: Settings) -> None:
    early = read_early(settings)
    assert early is not None
    assert early.workspace_name == "My workspace"
    assert early.paint.overview.domains == 0
    assert [step.number for step in early.paint.overview.guide] == [1, 2, 3, 4, 5, 6]
    context = open_context(settings)
    try:
        assert current_revision(context.store) == head_revision()
    finally:
        context.close()


def test_nothing_is_read_while_sign_in_is_on(settings: Settings) -> None:
    context = open_context(settings)
    try:
        enable_iam(context, "admin", "admin-password-1")
    finally:
        context.close()
    assert read_early(settings) is None


def test_nothing_is_read_when_the_last_console_signed_in(settings: Settings) -> None:
    settings.ensure_folders()
    remember_sign_in(settings.paths.ui_state_file, True)
    assert read_early(settings) is None
    assert not settings.paths.database_file.exists()  # not even opened


@pytest.mark.skipif(spare_cores() < 1, reason="the read-ahead needs a second core")
def test_the_forked_reader_sends_its_figures_and_is_reaped(settings: Settings, home: Path) -> None:
    context = open_context(settings)
    try:
        create_domain(context, "mail.acme-test.com")
    finally:
        context.close()
    answer, errors = _fork_and_read(home)
    assert answer == {"early": ["My workspace", 1], "left": ""}
    assert errors == ""


@pytest.mark.skipif(spare_cores() < 1, reason="the read-ahead needs a second core")
def test_a_reader_that_fails_sends_nothing_and_says_nothing(settings: Settings, home: Path) -> None:
    settings.ensure_folders()
    settings.paths.database_file.write_bytes(b"not a database at all")
    answer, errors = _fork_and_read(home)
    assert answer == {"early": None, "left": ""}
    assert errors == ""  # the child's StoreError went nowhere
