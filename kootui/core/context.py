"""What every service call needs: the store, the clock and the settings."""

from __future__ import annotations

from dataclasses import dataclass, field

from kootui.core.clock import Clock, SystemClock
from kootui.core.db import Store, open_store
from kootui.settings import Settings


@dataclass
class Context:
    store: Store
    settings: Settings
    clock: Clock = field(default_factory=SystemClock)

    def close(self) -> None:
        self.store.close()


def open_context(settings: Settings, *, clock: Clock | None = None) -> Context:
    """Create the folders, open (and upgrade) the store, make sure the workspace row exists,
    and bring the built-in public templates up to this version."""
    from kootui.core.public_templates import sync_public_templates
    from kootui.core.workspace import ensure_workspace

    settings.ensure_folders()
    store = open_store(settings.database_url)
    context = Context(store=store, settings=settings, clock=clock or SystemClock())
    ensure_workspace(context)
    sync_public_templates(context)
    return context
