"""Run a command without root's power to ignore file modes, so a read-only file or folder
is read-only to it as it would be to any user.

Tests here often run as root, whose CAP_DAC_OVERRIDE writes through any mode. The child
drops it (with CAP_DAC_READ_SEARCH and CAP_FOWNER) from its bounding set before exec, so
the new program starts without them; as another user nothing needs dropping.
"""

from __future__ import annotations

import ctypes
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

PR_CAPBSET_DROP = 24
CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER = 1, 2, 3


def _drop_file_powers() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER):
        if libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "cannot drop a capability")


def preexec() -> Callable[[], None] | None:
    return _drop_file_powers if os.geteuid() == 0 else None


def run_kootui_bound_by_modes(
    *args: str, home: Path, extra_env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """``python -m kootui *args`` in KOOTUI_HOME=home, bound by file modes."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KOOTUI_")}
    env["KOOTUI_HOME"] = str(home)
    env.update(extra_env or {})
    return subprocess.run(
        [sys.executable, "-m", "kootui", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        preexec_fn=preexec(),
    )
