"""Fixtures the console's Pilot and snapshot tests share."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kootui.core.clock import FixedClock
from kootui.core.config import Settings
from kootui.core.context import Context
from tests.support.prepared_stores import PreparedStores


@pytest.fixture
def demo(
    settings: Settings, clock: FixedClock, prepared_stores: PreparedStores
) -> Iterator[Context]:
    """The demo workspace as `kootui demo` seeds it, at the fixed clock (a copy of the one
    this test process seeded)."""
    ctx = prepared_stores.open(settings.for_demo(), clock, demo=True)
    yield ctx
    ctx.close()
