"""Nothing kootui keeps (the store with every address, the outbox, exports) is readable by
other users, whatever the umask and however loose the folders were before."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from kootui.cli import main
from kootui.core.bootstrap import open_context
from kootui.core.config import Settings
from kootui.core.details import export_messages
from kootui.core.dispatch import run_until_idle
from kootui.core.store import PageRequest
from tests.support.dispatch_seed import seed_sender, seed_task
from tests.support.file_powers import run_kootui_bound_by_modes


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(params=[0o022, 0o000], ids=["umask 022", "umask 000"])
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    previous = os.umask(request.param)
    yield request.param
    os.umask(previous)


@pytest.fixture
def loose_folders(settings: Settings) -> Settings:
    """The data, config and state folders exist already, world-readable (mode 0755)."""
    paths = settings.paths
    for folder in (paths.data_dir, paths.config_dir, paths.state_dir, paths.outbox_dir):
        folder.mkdir(parents=True, exist_ok=True)
        folder.chmod(0o755)
    return settings


def test_a_new_store_and_its_wal_files_are_private_in_loose_folders(
    loose_folders: Settings, umask: int
) -> None:
    context = open_context(loose_folders)
    try:
        database = loose_folders.paths.database_file
        companions = [Path(f"{database}{suffix}") for suffix in ("-wal", "-shm", "-writers")]
        with context.store.writing():  # every companion exists while a writer holds its turn
            assert all(path.exists() for path in companions)
            assert {path.name: _mode(path) for path in (database, *companions)} == {
                path.name: 0o600 for path in (database, *companions)
            }
    finally:
        context.close()
    paths = loose_folders.paths
    for folder in (paths.data_dir, paths.config_dir, paths.state_dir):
        assert _mode(folder) == 0o700, folder


def test_an_existing_loose_store_is_tightened_with_its_companions(settings: Settings) -> None:
    open_context(settings).close()
    database = settings.paths.database_file
    wal = Path(f"{database}-wal")
    wal.touch()  # as a crash leaves it
    for path in (database, wal):
        path.chmod(0o664)
    context = open_context(settings)
    try:
        with context.store.writing():
            assert (_mode(database), _mode(wal)) == (0o600, 0o600)
    finally:
        context.close()


def test_tightening_never_makes_a_read_only_file_writable(settings: Settings) -> None:
    open_context(settings).close()
    database = settings.paths.database_file
    database.chmod(0o444)
    try:
        open_context(settings).close()
        assert _mode(database) == 0o400
    finally:
        database.chmod(0o600)


def test_outbox_files_and_folders_are_private(loose_folders: Settings, umask: int) -> None:
    context = open_context(loose_folders)
    try:
        seed_task(context, seed_sender(context), ["ann@example.org"])
        run_until_idle(context)
    finally:
        context.close()
    outbox = loose_folders.paths.outbox_dir
    written = list((outbox / "new").iterdir())
    assert len(written) == 1 and _mode(written[0]) == 0o600
    for folder in (outbox, outbox / "new", outbox / "tmp", outbox / "cur"):
        assert _mode(folder) == 0o700, folder


def test_an_export_is_private(settings: Settings, tmp_path: Path, umask: int) -> None:
    context = open_context(settings)
    try:
        result = export_messages(
            context, PageRequest(advanced={"range": "all"}), tmp_path / "x.xlsx"
        )
    finally:
        context.close()
    assert _mode(result.path) == 0o600


def _config_warnings(capsys: pytest.CaptureFixture[str]) -> list[str]:
    assert main(["config"]) == 0
    return list(json.loads(capsys.readouterr().out)["warnings"])


def test_kootui_config_lists_what_others_may_read_until_it_is_tightened(
    loose_folders: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    warnings = _config_warnings(capsys)
    data_dir = loose_folders.paths.data_dir
    assert any(w.startswith(f"{data_dir} is readable by other users (mode 0755)") for w in warnings)
    assert main(["workspace", "show"]) == 0
    capsys.readouterr()
    assert _config_warnings(capsys) == []


def test_a_file_that_cannot_be_tightened_is_a_warning_not_an_error(
    settings: Settings, home: Path
) -> None:
    open_context(settings).close()
    database = settings.paths.database_file
    # Another user's file, open to everyone: this user may use it but not chmod it.
    os.chown(database, 65534, 65534)
    database.chmod(0o666)
    try:
        shown = run_kootui_bound_by_modes("workspace", "show", home=home)
        assert shown.returncode == 0, shown.stderr
        assert f"{database} is readable by other users (mode 0666) and could not be made" in (
            shown.stderr
        )
        config = run_kootui_bound_by_modes("config", home=home)
        warnings = json.loads(config.stdout)["warnings"]
        assert any(w.startswith(f"{database} is readable by other users") for w in warnings)
    finally:
        os.chown(database, os.getuid(), os.getgid())
        database.chmod(0o600)


@pytest.mark.parametrize("target", ["folder", "/dev/null"])
def test_a_database_url_naming_a_folder_or_device_changes_nothing(
    home: Path,
    tmp_path: Path,
    target: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = Path(target)
    if target == "folder":  # like sqlite:////tmp: a shared folder that must stay open
        path = tmp_path / "shared"
        path.mkdir()
        path.chmod(0o755)
    before = _mode(path)
    monkeypatch.setenv("KOOTUI_DATABASE_URL", f"sqlite:///{path}")
    assert main(["task", "list"]) == 1
    err = capsys.readouterr().err
    assert f"the database path {path} is a folder or a device, not a file" in err
    assert _mode(path) == before  # never tightened like a database file
    assert not any(str(path) in warning for warning in _config_warnings(capsys))
