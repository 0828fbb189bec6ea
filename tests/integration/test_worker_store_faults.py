"""``kootui worker`` on a store it cannot use stops with one clear log line and exit 1,
instead of warning every second forever; a damaged file stops it before it starts."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from kootui.core.bootstrap import open_context
from kootui.core.config import Settings
from tests.support.dispatch_seed import seed_sender, seed_task
from tests.support.file_powers import run_kootui_bound_by_modes


@pytest.fixture
def queued(settings: Settings) -> Path:
    """A store with messages due now."""
    context = open_context(settings)
    try:
        seed_task(context, seed_sender(context), ["ann@example.org", "bob@example.org"])
    finally:
        context.close()
    return settings.paths.database_file


def test_a_read_only_store_stops_the_worker_with_one_line(queued: Path, home: Path) -> None:
    queued.chmod(0o400)
    started = time.monotonic()
    try:
        result = run_kootui_bound_by_modes(
            "worker", "--until-idle", "--processes", "1", home=home, timeout=90
        )
    finally:
        queued.chmod(0o600)
    assert time.monotonic() - started < 60
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if " ERROR " in line]
    assert len(errors) == 1
    assert "stopping: the store cannot be used [store.read_only]" in errors[0]
    assert f"the database file {queued} cannot be written" in errors[0]
    assert " WARNING " not in result.stderr


def test_a_damaged_store_stops_the_worker_before_it_starts(queued: Path, home: Path) -> None:
    for companion in ("-wal", "-shm"):
        Path(f"{queued}{companion}").unlink(missing_ok=True)
    queued.write_bytes(b"\x00" * 100 + queued.read_bytes()[100:])
    result = run_kootui_bound_by_modes("worker", "--until-idle", "--processes", "2", home=home)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert (
        result.stderr.strip()
        .splitlines()[-1]
        .startswith(f"kootui: error: the database file {queued} is not a SQLite database")
    )


def test_a_folder_where_the_writers_lock_cannot_be_made_stops_the_worker(
    queued: Path, home: Path, tmp_path: Path
) -> None:
    # SQLite can work here (its -wal and -shm exist and are writable); only the writers'
    # lock file beside them cannot be created.
    folder = tmp_path / "shared"
    folder.mkdir()
    moved = folder / "kootui.db"
    queued.rename(moved)
    for companion in ("-wal", "-shm"):
        Path(f"{moved}{companion}").touch(mode=0o600)
    folder.chmod(0o500)
    try:
        result = run_kootui_bound_by_modes(
            "worker",
            "--until-idle",
            "--processes",
            "1",
            home=home,
            extra_env={"KOOTUI_DATABASE_URL": f"sqlite:///{moved}"},
        )
    finally:
        folder.chmod(0o700)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    [error] = [line for line in result.stderr.splitlines() if " ERROR " in line]
    assert f"[store.cannot_open]: cannot open {moved}-writers" in error


def test_a_fault_met_while_recording_stops_the_worker(queued: Path, home: Path) -> None:
    # Claiming works (the message table is sound); recording the results cannot (the
    # delivery_attempt table's pages are overwritten). The engine used to wait for the
    # unrecorded results for ever under --until-idle.
    with sqlite3.connect(queued) as connection:
        pages = [
            page
            for (page,) in connection.execute(
                "SELECT rootpage FROM sqlite_master "
                "WHERE tbl_name = 'delivery_attempt' AND rootpage > 0"
            )
        ]
        size = int(connection.execute("PRAGMA page_size").fetchone()[0])
    with queued.open("r+b") as file:
        for page in pages:
            file.seek((page - 1) * size)
            file.write(b"\xde\xad" * (size // 2))
    started = time.monotonic()
    result = run_kootui_bound_by_modes(
        "worker", "--until-idle", "--processes", "1", home=home, timeout=60
    )
    assert time.monotonic() - started < 30
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    [error] = [line for line in result.stderr.splitlines() if " ERROR " in line]
    assert f"[store.corrupt]: the database file {queued} is damaged" in error
