"""Shared fixtures: an isolated KOOTUI_HOME, settings, a fixed clock, and stores.

``context`` runs on SQLite; ``any_context`` runs each test on SQLite and, when
KOOTUI_TEST_POSTGRES_URL points at a server (``.ci/run`` starts one), also on a
fresh PostgreSQL database made for that test.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kootui.core.bootstrap import open_context
from kootui.core.clock import FixedClock
from kootui.core.config import Settings, load_settings
from kootui.core.context import Context

FIXED_NOW = datetime(2026, 11, 23, 15, 30, tzinfo=UTC)
POSTGRES_URL = os.environ.get("KOOTUI_TEST_POSTGRES_URL", "")


@pytest.fixture(autouse=True)
def _utc_local_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """Local time is UTC in every test, so shown times do not depend on the machine."""
    monkeypatch.setenv("TZ", "UTC")
    import time

    time.tzset()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "kootui-home"
    monkeypatch.setenv("KOOTUI_HOME", str(root))
    for name in list(os.environ):
        if name.startswith("KOOTUI_") and name not in {"KOOTUI_HOME", "KOOTUI_TEST_POSTGRES_URL"}:
            monkeypatch.delenv(name)
    return root


@pytest.fixture
def settings(home: Path) -> Settings:
    return load_settings()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(FIXED_NOW)


@pytest.fixture
def context(settings: Settings, clock: FixedClock) -> Iterator[Context]:
    ctx = open_context(settings, clock=clock)
    yield ctx
    ctx.close()


@pytest.fixture
def postgres_database_url() -> Iterator[str]:
    """A new, empty PostgreSQL database for one test, dropped afterwards."""
    if not POSTGRES_URL:
        if os.environ.get("KOOTUI_REQUIRE_POSTGRES"):
            pytest.fail("KOOTUI_REQUIRE_POSTGRES is set but KOOTUI_TEST_POSTGRES_URL is not")
        pytest.skip("KOOTUI_TEST_POSTGRES_URL is not set")
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"kootui_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(
        make_url(POSTGRES_URL).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_context(
    request: pytest.FixtureRequest, settings: Settings, clock: FixedClock
) -> Iterator[Context]:
    if request.param == "postgres":
        url = request.getfixturevalue("postgres_database_url")
        settings = settings.with_values(database__url=url)
    ctx = open_context(settings, clock=clock)
    yield ctx
    ctx.close()
