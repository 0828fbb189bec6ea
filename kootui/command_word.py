"""Which command a kootui command line runs, told before anything heavy loads (by
``kootui.__main__``, to decide how the process starts, and by the command line, to build
only the parser it needs)."""

from __future__ import annotations

from collections.abc import Sequence

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
