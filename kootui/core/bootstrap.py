"""Opening a workspace: folders, the store at the newest schema, the workspace row and
the built-in public templates, in that order."""

from __future__ import annotations

from kootui.core.clock import Clock, SystemClock
from kootui.core.config import Settings
from kootui.core.context import Context
from kootui.core.store import open_store
from kootui.core.templates import sync_public_templates
from kootui.core.workspace import ensure_workspace


def open_context(settings: Settings, *, clock: Clock | None = None) -> Context:
    """Create the folders, open (and upgrade) the store, make sure the workspace row exists,
    and bring the built-in public templates up to this version."""
    settings.ensure_folders()
    store = open_store(settings.database_url)
    context = Context(store=store, settings=settings, clock=clock or SystemClock())
    ensure_workspace(context)
    sync_public_templates(context)
    return context
