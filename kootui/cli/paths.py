"""Path options checked while the command line is read, so a missing file, a folder or
an unreadable file is one line naming the path and what is wrong (argparse's usage
error, exit status 2) instead of a traceback from deep inside a command.

Every option or argument that names a file uses ``file_to_read`` or ``file_to_write``
as its ``type``; ``tests/unit/cli/test_path_options.py`` checks that none is left out.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from kootui.core.printable import printable


def _refuse(path: Path, problem: str) -> argparse.ArgumentTypeError:
    return argparse.ArgumentTypeError(f"{printable(str(path))}: {problem}")


def file_to_read(text: str) -> Path:
    """An existing regular file this user may read."""
    if not text.strip():
        raise argparse.ArgumentTypeError("an empty file name; give the path of a file")
    path = Path(text).expanduser()
    try:
        if not path.exists():
            parent = path.parent
            if parent.exists() and not parent.is_dir():
                raise _refuse(path, f"{printable(str(parent))} is a file, not a folder")
            raise _refuse(path, "no such file")
        if path.is_dir():
            raise _refuse(path, "is a folder; give the path of a file")
        if not path.is_file():
            raise _refuse(path, "is not a regular file (a device, pipe or socket)")
    except OSError as exc:  # a name too long, a loop of links ...
        raise _refuse(path, exc.strerror or "cannot be looked at") from exc
    if not os.access(path, os.R_OK):
        raise _refuse(path, "cannot be read by this user (permission denied)")
    return path


def file_to_write(text: str) -> Path:
    """A file that can be created (or replaced) in an existing, writable folder."""
    if not text.strip():
        raise argparse.ArgumentTypeError("an empty file name; give the path of a file")
    path = Path(text).expanduser()
    folder = path.parent
    try:
        if path.is_dir() or text.endswith(("/", os.sep)):
            raise _refuse(path, "is a folder; give a file name inside it")
        if not folder.exists():
            raise _refuse(path, f"the folder {printable(str(folder))} does not exist")
        if not folder.is_dir():
            raise _refuse(path, f"{printable(str(folder))} is a file, not a folder")
        if path.exists() and not path.is_file():
            raise _refuse(path, "is not a regular file (a device, pipe or socket)")
    except OSError as exc:
        raise _refuse(path, exc.strerror or "cannot be looked at") from exc
    if not os.access(folder, os.W_OK | os.X_OK):
        raise _refuse(path, f"cannot write in the folder {printable(str(folder))}")
    if path.exists() and not os.access(path, os.W_OK):
        raise _refuse(path, "is read-only")
    return path


def file_or_folder_to_write(text: str) -> Path:
    """Like ``file_to_write``, or an existing writable folder to write a named file into."""
    path = Path(text).expanduser()
    try:
        is_folder = path.is_dir()
    except OSError:
        is_folder = False
    if not is_folder:
        return file_to_write(text)
    if not os.access(path, os.W_OK | os.X_OK):
        raise _refuse(path, "cannot write in this folder")
    return path
