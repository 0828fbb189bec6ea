"""The console's remembered choices (``ui-state.json`` in the state folder): the theme,
reports seen, whether sign-in was on when the store was last opened.

Textual-free, so the command line may write it too (``kootui iam enable``). It is only
state: a missing or damaged file means nothing is remembered.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

# True when sign-in was on the last time a console (or `kootui iam enable`) saw the store:
# the next console then draws a neutral screen, never a page's frame, until someone signs in.
SIGN_IN_ON = "sign_in_on"


def load_ui_state(path: Path) -> dict[str, Any]:
    """The remembered UI choices; a missing or damaged file means none (it is only state)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def save_ui_state(path: Path, **changes: Any) -> None:
    """Merge ``changes`` into the state file, written atomically so a crash never truncates it."""
    state = load_ui_state(path)
    state.update(changes)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".ui-state.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            json.dump(state, file, indent=2, sort_keys=True)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def sign_in_expected(path: Path) -> bool:
    return load_ui_state(path).get(SIGN_IN_ON) is True


def remember_sign_in(path: Path, on: bool) -> None:
    """Kept for the next console's first frame; written only when it changes."""
    if load_ui_state(path).get(SIGN_IN_ON, False) is not on:
        save_ui_state(path, **{SIGN_IN_ON: on})
