"""Shared plumbing for the subcommands that work on the store."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING

from kootui.core.config import Settings

if TYPE_CHECKING:  # the store is imported only when a command runs
    from kootui.core.context import Context


def with_context(run: Callable[[argparse.Namespace, Context], int]) -> Callable[..., int]:
    """Wrap a command so it gets an open Context, closed again however the command ends."""

    def handler(args: argparse.Namespace, settings: Settings) -> int:
        from kootui.core.bootstrap import open_context

        context = open_context(settings)
        try:
            return run(args, context)
        finally:
            context.close()

    return handler
