"""``python -m kootui`` and the ``kootui`` command start here, before anything heavy loads.

``kootui worker`` and ``kootui serve`` take SIGTERM and SIGINT as a graceful stop; their
handlers can only be installed once settings and the store's modules have loaded (up to a
second). So the two signals are blocked here, first thing: one sent while the process
starts waits, pending, until ``StopRequest.listen`` installs the handlers and unblocks it,
instead of killing the process by the default action. Every other command keeps the
signals as they are.
"""

from __future__ import annotations

import gc
import signal
import sys
from collections.abc import Sequence

STOP_SIGNALS = {signal.SIGTERM, signal.SIGINT}
# The console's own options that take a value: the command comes after it.
OPTIONS_WITH_A_VALUE = frozenset({"--theme", "--web-peer"})


def command_of(args: Sequence[str]) -> str:
    """The command word of a kootui command line ('' for the console)."""
    skip_value = False
    for arg in args:
        if skip_value:
            skip_value = False
        elif arg in OPTIONS_WITH_A_VALUE:
            skip_value = True
        elif not arg.startswith("-"):
            return arg
    return ""


def main() -> int:
    command = command_of(sys.argv[1:])
    if command in ("worker", "serve"):
        signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    if command in ("", "worker", "serve"):
        # Start-up makes long-lived objects only (modules, the shell, the store's tables,
        # the API's routes): full collections walking them cost the console about 100 ms
        # before the Overview's figures and held a server's requests 55-85 ms each. They
        # are frozen and collection is on again when start-up ends (kootui.core.long_lived).
        gc.disable()
    from kootui.cli import main as run_command

    return run_command()


if __name__ == "__main__":
    raise SystemExit(main())
