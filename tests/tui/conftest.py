"""Fixtures the console's Pilot and snapshot tests share."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kootui.core.bootstrap import open_context
from kootui.core.clock import FixedClock
from kootui.core.config import Settings
from kootui.core.context import Context
from kootui.core.demo import seed_demo


@pytest.fixture
def demo(settings: Settings, clock: FixedClock) -> Iterator[Context]:
    """The demo workspace as `kootui demo` seeds it, at the fixed clock."""
    ctx = open_context(settings.for_demo(), clock=clock)
    seed_demo(ctx)
    yield ctx
    ctx.close()
