"""Fixtures the console's Pilot and snapshot tests share."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import textual._wait

from kootui.core.clock import FixedClock
from kootui.core.config import Settings
from kootui.core.context import Context
from tests.support.prepared_stores import PreparedStores


@pytest.fixture(autouse=True)
def _quick_idle_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pilot waits after every key until the process looks idle, sampling CPU time every
    1/50 s; a test's own threads (a DNS server, store workers) keep that clock moving, so a
    key can cost a second. Sampling every 1/250 s keeps the check and drops the waiting."""
    monkeypatch.setattr(textual._wait, "SLEEP_GRANULARITY", 1 / 250)
    monkeypatch.setattr(textual._wait, "SLEEP_IDLE", 1 / 250 / 20)


@pytest.fixture
def demo(
    settings: Settings, clock: FixedClock, prepared_stores: PreparedStores
) -> Iterator[Context]:
    """The demo workspace as `kootui demo` seeds it, at the fixed clock (a copy of the one
    this test process seeded)."""
    ctx = prepared_stores.open(settings.for_demo(), clock, demo=True)
    yield ctx
    ctx.close()
