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
import os
import signal
import sys

from kootui.command_word import command_of

STOP_SIGNALS = {signal.SIGTERM, signal.SIGINT}
# No console opens (help, version), or it signs in first (a browser's): no read-ahead.
CONSOLE_WITHOUT_READ_AHEAD = frozenset({"-h", "--help", "--version", "--web-session"})


def main() -> int:
    # pydantic looks for its plugins in every installed distribution's entry points the
    # first time a model is built: 35-55 ms of every start, for hooks kootui never uses.
    # Set the variable (even empty) to have them looked for.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    command = command_of(sys.argv[1:])
    if command in ("worker", "serve"):
        signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    if command in ("", "worker", "serve"):
        # Start-up makes long-lived objects only (modules, the shell, the store's tables,
        # the API's routes): full collections walking them cost the console about 100 ms
        # before the Overview's figures and held a server's requests 55-85 ms each. They
        # are frozen and collection is on again when start-up ends (kootui.core.long_lived).
        gc.disable()
    if command == "" and not CONSOLE_WITHOUT_READ_AHEAD.intersection(sys.argv[1:]):
        # The first figures are read on the other core while this process draws.
        from kootui.tui.read_ahead import start_read_ahead

        start_read_ahead()
    from kootui.cli import main as run_command

    return run_command()


if __name__ == "__main__":
    raise SystemExit(main())
