"""Store faults are one line a user can act on, from the core and from every command:
real damaged files, read-only files and folders, missing drivers, unusable URLs."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from kootui.cli import main
from kootui.core.bootstrap import open_context
from kootui.core.config import Settings
from kootui.core.errors import StoreError
from kootui.core.store import check_store, open_store
from kootui.core.store.faults import store_fault
from tests.support.file_powers import run_kootui_bound_by_modes

SECRET = "s3cret-pw"


@pytest.fixture
def database(settings: Settings) -> Path:
    """A real workspace's store, closed (its WAL checkpointed into the file)."""
    open_context(settings).close()
    path = settings.paths.database_file
    assert path.stat().st_size > 4 * 4096
    return path


def _url(path: Path) -> str:
    return f"sqlite:///{path}"


def _page_size(path: Path) -> int:
    with sqlite3.connect(path) as connection:
        return int(connection.execute("PRAGMA page_size").fetchone()[0])


def _root_pages(path: Path, table: str) -> list[int]:
    """The table's pages and its indexes' (a query may read only an index)."""
    with sqlite3.connect(path) as connection:
        rows = connection.execute(
            "SELECT rootpage FROM sqlite_master WHERE tbl_name = ? AND rootpage > 0", (table,)
        )
        return [int(page) for (page,) in rows]


def _overwrite_page(path: Path, page: int, filler: bytes = b"\xde\xad\xbe\xef") -> None:
    size = _page_size(path)
    with path.open("r+b") as file:
        file.seek((page - 1) * size)
        file.write((filler * size)[:size])


def _damage(path: Path, how: str) -> None:
    for companion in ("-wal", "-shm"):
        Path(f"{path}{companion}").unlink(missing_ok=True)
    if how == "garbage":
        path.write_bytes(os.urandom(3 * 4096))
    elif how == "short garbage":
        path.write_bytes(b"not a database at all")
    elif how == "truncated":
        with path.open("r+b") as file:
            file.truncate(path.stat().st_size // 3)
    elif how == "header overwritten":
        _overwrite_page(path, 1, b"\x00")
    elif how == "task table pages overwritten":
        for page in _root_pages(path, "task"):
            _overwrite_page(path, page)
    elif how == "schema page overwritten":
        _overwrite_page(path, 1, b"SQLite format 3\x00" + b"\x10\x00" + b"\x07" * 14)
    else:
        raise AssertionError(how)


DAMAGE = [
    "garbage",
    "short garbage",
    "truncated",
    "header overwritten",
    "task table pages overwritten",
    "schema page overwritten",
]


def _one_line(text: str) -> str:
    assert text.count("\n") == 1 and "Traceback" not in text, text
    return text


@pytest.mark.parametrize("how", DAMAGE)
def test_a_damaged_file_is_one_line_from_every_kind_of_command(
    database: Path, how: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _damage(database, how)
    commands = [["task", "list"], ["workspace", "set", "--name", "x"], ["db", "current"]]
    if how == "task table pages overwritten":  # the rest of the file reads well
        commands = [["task", "list"], ["task", "show", "1"]]
    for command in commands:
        assert main(command) == 1, command
        err = _one_line(capsys.readouterr().err)
        assert err.startswith(f"kootui: error: the database file {database} ")
        assert "backup" in err or "db upgrade" in err


@pytest.mark.parametrize("how", DAMAGE)
def test_db_check_finds_the_damage_and_says_what_to_do(database: Path, how: str) -> None:
    _damage(database, how)
    verdict = check_store(_url(database))
    assert not verdict.ok
    shown = "\n".join(verdict.lines)
    assert str(database) in shown
    assert "backup" in shown or "db upgrade" in shown


def test_db_check_lists_what_integrity_check_found(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Empty an index of a table with rows (a well-formed empty leaf page): the file opens
    # and reads, only the check sees the rows the index lacks.
    with sqlite3.connect(database) as connection:
        [(page,)] = connection.execute(
            "SELECT rootpage FROM sqlite_master WHERE type = 'index' "
            "AND tbl_name = 'alembic_version'"
        ).fetchall()
    size = _page_size(database)
    with database.open("r+b") as file:
        file.seek((page - 1) * size)
        file.write(bytes([0x0A, 0, 0, 0, 0, size >> 8 & 0xFF, size & 0xFF, 0]))
    assert main(["workspace", "show"]) == 0  # the file opens and reads
    capsys.readouterr()
    assert main(["db", "check"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"the database file {database} is damaged: integrity_check found ")
    assert "backup" in err and ".recover" in err


def test_db_check_on_a_sound_store_and_a_missing_one(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["db", "check"]) == 0
    assert "integrity_check: ok; schema at the newest revision" in capsys.readouterr().out
    database.unlink()
    assert main(["db", "check"]) == 1
    assert f"no database at {database}" in capsys.readouterr().err
    assert not database.exists()  # checking never creates an empty store in its place


def test_the_core_raises_store_errors_not_driver_errors(database: Path) -> None:
    _damage(database, "garbage")
    with pytest.raises(StoreError) as raised:
        open_store(_url(database))
    assert raised.value.code == "store.not_a_database"


def test_a_busy_database_stays_a_fault_that_passes(tmp_path: Path) -> None:
    path = tmp_path / "busy.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN EXCLUSIVE")
    waiter = sqlite3.connect(path, timeout=0)
    try:
        with pytest.raises(sqlite3.OperationalError) as raised:
            waiter.execute("SELECT * FROM t")
        assert store_fault("file busy.db", raised.value) is None  # the engine retries it
    finally:
        waiter.close()
        holder.close()


@pytest.mark.parametrize(
    ("url", "code"),
    [
        (f"postgresql+asyncpg://kootui:{SECRET}@127.0.0.1/kootui", "store.driver_unusable"),
        (f"postgresql+pg8000://kootui:{SECRET}@127.0.0.1/kootui", "store.driver_missing"),
        (f"postgresql+nosuchdriver://kootui:{SECRET}@127.0.0.1/kootui", "store.driver_missing"),
        (f"postgresql://kootui:{SECRET}@127.0.0.1:1/kootui", "store.unavailable"),
        ("sqlite://", "store.memory"),
        ("sqlite:///:memory:", "store.memory"),
        ("sqlite:///file:kootui?mode=memory&uri=true", "store.memory"),
    ],
)
def test_unusable_urls_are_one_line_without_the_password(
    home: Path,
    url: str,
    code: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(StoreError) as raised:
        open_store(url)
    assert raised.value.code == code
    assert SECRET not in str(raised.value)
    monkeypatch.setenv("KOOTUI_DATABASE_URL", url)
    assert main(["task", "list"]) in (1, 2)
    err = _one_line(capsys.readouterr().err)
    assert SECRET not in err and "ModuleNotFoundError" not in err


@pytest.fixture
def read_only(database: Path) -> Iterator[Path]:
    mode = database.stat().st_mode
    database.chmod(0o400)
    yield database
    database.chmod(stat.S_IMODE(mode))


def test_a_read_only_file_refuses_writes_in_one_line_and_still_reads(
    read_only: Path, home: Path
) -> None:
    listed = run_kootui_bound_by_modes("task", "list", home=home)
    assert listed.returncode == 0, listed.stderr
    changed = run_kootui_bound_by_modes("workspace", "set", "--name", "New name", home=home)
    assert changed.returncode == 1
    err = _one_line(changed.stderr)
    assert f"the database file {read_only} cannot be written" in err
    assert "writable by this user" in err


def test_a_database_in_a_read_only_folder_is_one_line(database: Path, tmp_path: Path) -> None:
    folder = tmp_path / "shared"
    folder.mkdir()
    moved = folder / "kootui.db"
    database.rename(moved)
    folder.chmod(0o500)
    try:
        result = run_kootui_bound_by_modes(
            "workspace",
            "set",
            "--name",
            "x",
            home=database.parents[1],
            extra_env={"KOOTUI_DATABASE_URL": _url(moved)},
        )
    finally:
        folder.chmod(0o700)
    assert result.returncode == 1
    err = _one_line(result.stderr)
    assert str(moved) in err and ("cannot be opened" in err or "cannot be written" in err)


@pytest.mark.slow  # waits out the store's whole 10 s busy timeout
def test_a_store_locked_past_the_wait_is_one_line_from_a_command(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    holder = sqlite3.connect(database, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another process's long write
    try:
        assert main(["workspace", "set", "--name", "while locked"]) == 1
    finally:
        holder.close()
    err = _one_line(capsys.readouterr().err)
    assert f"the database sqlite:///{database} could not be used (database is locked)" in err
    assert "try again" in err
