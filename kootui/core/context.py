"""What every service call needs: the store, the clock, the settings, and who is asking."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from kootui.core.access import OWNER, Principal
from kootui.core.clock import Clock, SystemClock
from kootui.core.config import Settings
from kootui.core.store import Store


@dataclass
class Context:
    store: Store
    settings: Settings
    clock: Clock = field(default_factory=SystemClock)
    # The owner unless a face signed someone in: every ``@requires`` entry point checks it.
    principal: Principal = OWNER

    def close(self) -> None:
        self.store.close()

    def acting_as(self, principal: Principal) -> Context:
        """The same store, settings and clock, asked by ``principal`` (per request)."""
        return replace(self, principal=principal)
