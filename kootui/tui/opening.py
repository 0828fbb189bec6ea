"""How the console gets its store: on a thread, after the first frame is on screen.

Loading the store's modules (SQLAlchemy, SQLModel, the models), checking the
migrations and making sure the workspace row exists take most of a second; the
console draws its shell with the settings and the clock alone, then opens the store
off the event loop and fills its pages when the ``Context`` comes back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kootui.core.clock import Clock, SystemClock
from kootui.core.config import Settings
from kootui.tui.shell.signing_in import SignInFace

if TYPE_CHECKING:
    from kootui.core.context import Context
    from kootui.tui.pages.overview.paint import OverviewPaint


@dataclass(frozen=True)
class EarlyRead:
    """The Overview's figures, ready to paint, and the workspace's name, read before the
    store opened here (by the console's read-ahead process, ``kootui.cli.read_ahead``)."""

    paint: OverviewPaint
    workspace_name: str


@dataclass(frozen=True)
class StoreOpening:
    """What the console has before its store is open, and how to open it.

    ``open`` returns a context the first page can read from (the Overview's figures);
    ``finish`` then does the rest (the public templates, the sending engine) while those
    are read. Both run on worker threads; the other pages open once both are done. Either
    may raise what ``open_context`` raises (a store that needs migrating, is locked, is
    out of reach): the console then exits and keeps the error in ``KootuiApp.store_error``
    for the command line to report. ``sign_in`` says where the console runs: with
    sign-in on (or always, in a browser) no page opens before someone has signed in.
    ``read_ahead`` (blocking; run on a thread) gives what another process read meanwhile,
    or None: the first page paints it, and ``open`` is called only after that.
    """

    settings: Settings
    open: Callable[[], Context]
    clock: Clock = field(default_factory=SystemClock)
    finish: Callable[[Context], None] | None = None
    sign_in: SignInFace = field(default_factory=SignInFace)
    read_ahead: Callable[[], EarlyRead | None] | None = None
