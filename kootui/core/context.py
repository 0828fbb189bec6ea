"""What every service call needs: the store, the clock and the settings."""

from __future__ import annotations

from dataclasses import dataclass, field

from kootui.core.clock import Clock, SystemClock
from kootui.core.config import Settings
from kootui.core.store import Store


@dataclass
class Context:
    store: Store
    settings: Settings
    clock: Clock = field(default_factory=SystemClock)

    def close(self) -> None:
        self.store.close()
