"""Files and folders only their owner may read: kootui's store holds every recipient
address, its outbox every message, its config a relay password.

A folder that already exists keeps whatever mode it was made with (``mkdir`` applies
its mode only to a folder it creates), and a file takes the process's umask, so
both are set here explicitly: files 0600, folders 0700. What cannot be tightened
(another user owns it, a read-only file system) is logged as a warning and listed by
``kootui config``; it is never an error, since the data is still the user's own.
"""

from __future__ import annotations

import logging
import os
import secrets
import stat
from pathlib import Path

PRIVATE_FILE = 0o600
# SQLite gives its -wal, -shm and -journal files the main file's permissions; the
# writers' lock file is kootui's own (see store/writers_lock.py).
DATABASE_COMPANIONS = ("-wal", "-shm", "-journal", "-writers")

log = logging.getLogger(__name__)


def _open_to_others(mode: int) -> bool:
    return bool(mode & (stat.S_IRWXG | stat.S_IRWXO))


def loose_mode_warning(path: Path) -> str | None:
    """A warning if group or others may use ``path`` (nothing is changed)."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"cannot check who may read {path}: {exc.strerror}"
    if not _open_to_others(mode):
        return None
    return (
        f"{path} is readable by other users (mode {stat.S_IMODE(mode):04o}); "
        f"run: chmod go-rwx {path}"
    )


def make_private(path: Path) -> str | None:
    """Take group and other permissions off ``path`` (a file 0600, a folder 0700 at most).
    Returns (and logs) a warning when that cannot be done; a missing path is left alone."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return None
    except OSError as exc:
        warning = f"cannot check who may read {path}: {exc.strerror}"
        log.warning("%s", warning)
        return warning
    if not _open_to_others(mode):
        return None
    # Only group and other bits go: a file its owner made read-only stays read-only.
    wanted = stat.S_IMODE(mode) & stat.S_IRWXU
    try:
        os.chmod(path, wanted)
    except OSError as exc:
        warning = (
            f"{path} is readable by other users (mode {stat.S_IMODE(mode):04o}) and could not "
            f"be made private ({exc.strerror}); its owner should run: chmod go-rwx {path}"
        )
        log.warning("%s", warning)
        return warning
    return None


def create_private_file(path: Path) -> None:
    """Create ``path`` empty with mode 0600 unless it exists (then make it private).

    Creating it before SQLite does is what makes the database private whatever the
    umask: SQLite opens an existing file as it is and gives its -wal and -shm files
    the same permissions."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        make_private(path)
        return
    os.close(descriptor)
    os.chmod(path, PRIVATE_FILE)  # the umask may have taken bits off; never adds any


def make_database_private(database: Path) -> list[str]:
    """The SQLite file and its companions made private; the warnings for those that
    could not be."""
    warnings: list[str] = []
    for path in (database, *(Path(f"{database}{suffix}") for suffix in DATABASE_COMPANIONS)):
        if not path.is_file():
            continue  # missing, or not ours to change: SQLite reports what it cannot use
        warning = make_private(path)
        if warning is not None:
            warnings.append(warning)
    return warnings


def database_mode_warnings(database: Path) -> list[str]:
    """What ``make_database_private`` would have to change, without changing it."""
    paths = (database, *(Path(f"{database}{suffix}") for suffix in DATABASE_COMPANIONS))
    return [
        warning
        for path in paths
        if path.is_file() and (warning := loose_mode_warning(path)) is not None
    ]


def read_or_create_secret(path: Path, size: int) -> bytes:
    """The random key in ``path`` (mode 0600, its folder 0700), made with ``size`` bytes by
    the first process that needs it. Two processes racing both read the first file made."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    descriptor = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(secrets.token_bytes(size))
            handle.flush()
            os.fsync(handle.fileno())
        # link, not replace: when two processes race, the first file wins for both.
        os.link(temp, path)
    except FileExistsError:
        pass
    finally:
        temp.unlink(missing_ok=True)
    return path.read_bytes()
