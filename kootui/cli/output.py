"""Everything the commands write to the terminal goes through here.

Task names, subjects, DNS answers, SMTP replies, file names and headers come from
outside; written raw, an ESC in one retitles or clears the operator's terminal and
fakes a verdict. ``say`` prints a line whose values stay on it (a newline inside a
value is shown, not obeyed); ``say_block`` prints a text of several lines (a report,
a zone snippet, raw headers) whose own newlines are kept. Both make every control,
bidi override and undecodable byte visible with ``kootui.core.printable``. Commands
never call ``print`` themselves (``tests/unit/cli/test_output_edge.py`` checks).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from typing import IO, TYPE_CHECKING, NoReturn

from kootui.core.printable import printable

if TYPE_CHECKING:
    from _typeshed import SupportsWrite


def _stream(err: bool) -> IO[str]:
    return sys.stderr if err else sys.stdout


def say(text: object = "", *, err: bool = False) -> None:
    """One line: any newline, carriage return or control inside ``text`` is shown."""
    print(printable(text), file=_stream(err), flush=err)


def say_block(text: object, *, end: str = "\n", err: bool = False) -> None:
    """Several lines: ``text``'s own newlines and tabs are kept, every other control shown."""
    print(printable(text, one_line=False), end=end, file=_stream(err), flush=err)


def say_progress(text: object) -> None:
    """Overwrite the progress line on stderr (the one carriage return that is ours)."""
    sys.stderr.write("\r" + printable(text))
    sys.stderr.flush()


def end_progress() -> None:
    sys.stderr.write("\n")
    sys.stderr.flush()


def say_error(message: object) -> None:
    """The one line a failed command leaves on stderr."""
    say(f"kootui: error: {message}", err=True)


def flush_output() -> None:
    """Write what stdout holds: to a pipe it is buffered, so a closed pipe may show only here."""
    sys.stdout.flush()


def drop_further_output() -> None:
    """Point stdout at /dev/null after its reader went away (BrokenPipeError).

    Python ignores SIGPIPE, so the failed write raised; what is still buffered would
    raise again, with a traceback, in the interpreter's own flush at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass  # not a real file descriptor (a test's capture): nothing flushes to it


def ask(prompt: object) -> str:
    return input(printable(prompt))


class ArgumentParser(argparse.ArgumentParser):
    """argparse's own messages quote what was typed (an unknown argument, a bad choice, a
    path option's file): they are shown through ``printable`` too, and a usage error is
    one line like every other error (exit status 2). Subcommand parsers inherit the class.
    """

    def _print_message(self, message: str, file: SupportsWrite[str] | None = None) -> None:
        if message:
            (file or sys.stderr).write(printable(message, one_line=False))

    def error(self, message: str) -> NoReturn:
        say(f"{self.prog}: error: {message} (see {self.prog} --help)", err=True)
        raise SystemExit(2)


class PrintableFormatter(logging.Formatter):
    """A log line holds what it is given (an SMTP reply, a domain's TXT value) on one
    line, controls visible; a traceback keeps its lines."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        return printable(super().formatMessage(record))

    def formatException(self, ei: logging._SysExcInfoType) -> str:
        return printable(super().formatException(ei), one_line=False)
