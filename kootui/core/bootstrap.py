"""Opening a workspace: folders, the store at the newest schema, the workspace row and
the built-in public templates, in that order.

``open_context`` does it all. The console does it in two steps, to show its figures
sooner: ``open_readable_context`` (enough to read the store), then ``finish_opening``
(the public templates, whose modules take about as long to load as the store's)."""

from __future__ import annotations

from kootui.core.access import Act, requires
from kootui.core.clock import Clock, SystemClock
from kootui.core.config import Settings
from kootui.core.context import Context
from kootui.core.store import open_store
from kootui.core.workspace import ensure_workspace


def open_context(settings: Settings, *, clock: Clock | None = None) -> Context:
    """Create the folders, open (and upgrade) the store, make sure the workspace row exists,
    and bring the built-in public templates up to this version."""
    context = open_readable_context(settings, clock=clock)
    finish_opening(context)
    return context


def open_readable_context(settings: Settings, *, clock: Clock | None = None) -> Context:
    """The first steps of ``open_context``: folders, store, workspace row. Enough to read
    the figures; the public templates may still be the previous version's."""
    settings.ensure_folders()
    store = open_store(settings.database_url)
    context = Context(store=store, settings=settings, clock=clock or SystemClock())
    ensure_workspace(context)
    return context


@requires(Act.ENGINE_RUN)
def finish_opening(context: Context) -> None:
    """The last step of ``open_context``: the built-in public templates, at this version."""
    # Imported here: the templates' modules (Jinja, the mail package) are not needed to
    # read the store, and open_readable_context should not pay for them.
    from kootui.core.templates import sync_public_templates

    sync_public_templates(context)
