"""Shared fixtures: an isolated KOOTUI_HOME, settings, a fixed clock, and stores.

``context`` runs on SQLite; ``any_context`` runs each test on SQLite and, when
KOOTUI_TEST_POSTGRES_URL points at a server (``.ci/run`` starts one), also on a
PostgreSQL database made for that test. Both start from a copy of a store this test
process built once (``tests/support/prepared_stores.py``); a test marked ``fresh_store``
opens its store from nothing instead, as a first start does.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kootui.core.bootstrap import open_context
from kootui.core.clock import FixedClock
from kootui.core.config import Settings, load_settings
from kootui.core.context import Context
from tests.support.prepared_stores import PreparedStores, admin_engine

FIXED_NOW = datetime(2026, 11, 23, 15, 30, tzinfo=UTC)
POSTGRES_URL = os.environ.get("KOOTUI_TEST_POSTGRES_URL", "")


@pytest.fixture(autouse=True)
def _utc_local_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """Local time is UTC in every test, so shown times do not depend on the machine."""
    monkeypatch.setenv("TZ", "UTC")
    import time

    time.tzset()


@pytest.fixture(autouse=True)
def _light_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests hash passwords with argon2id at its lightest (1 pass, 8 MiB): the shipped cost
    (3 passes, 64 MiB) is a few hundred ms a hash on a busy CI core, paid per sign-in."""
    from argon2 import PasswordHasher, Type

    light = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1, type=Type.ID)
    monkeypatch.setattr("kootui.core.access.passwords._hasher", lambda: light)


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


def _fresh_store_wanted(request: pytest.FixtureRequest) -> bool:
    return request.node.get_closest_marker("fresh_store") is not None


@pytest.fixture(scope="session")
def prepared_stores(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PreparedStores]:
    """The stores this test process (one per xdist worker) copies for each test."""
    stores = PreparedStores(tmp_path_factory.mktemp("prepared-stores"), POSTGRES_URL)
    yield stores
    stores.close()


@pytest.fixture
def context(
    request: pytest.FixtureRequest,
    settings: Settings,
    clock: FixedClock,
    prepared_stores: PreparedStores,
) -> Iterator[Context]:
    if _fresh_store_wanted(request):
        ctx = open_context(settings, clock=clock)
    else:
        ctx = prepared_stores.open(settings, clock)
    yield ctx
    ctx.close()


def _require_postgres() -> None:
    if not POSTGRES_URL:
        if os.environ.get("KOOTUI_REQUIRE_POSTGRES"):
            pytest.fail("KOOTUI_REQUIRE_POSTGRES is set but KOOTUI_TEST_POSTGRES_URL is not")
        pytest.skip("KOOTUI_TEST_POSTGRES_URL is not set")


@contextmanager
def _postgres_database(create: Callable[[str], None]) -> Iterator[str]:
    """A database ``create`` makes under a new name for one test, dropped afterwards."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    name = f"kootui_test_{uuid.uuid4().hex[:12]}"
    create(name)
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        admin = admin_engine(POSTGRES_URL)
        try:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        finally:
            admin.dispose()


@pytest.fixture
def postgres_database_url() -> Iterator[str]:
    """A new, empty PostgreSQL database for one test, dropped afterwards."""
    _require_postgres()
    from sqlalchemy import text

    def create_empty(name: str) -> None:
        admin = admin_engine(POSTGRES_URL)
        try:
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
        finally:
            admin.dispose()

    with _postgres_database(create_empty) as url:
        yield url


@pytest.fixture
def prepared_postgres_database_url(
    settings: Settings, clock: FixedClock, prepared_stores: PreparedStores
) -> Iterator[str]:
    """A PostgreSQL database for one test holding what a first start with these settings
    and clock writes (a copy of this process's template database), dropped afterwards."""
    _require_postgres()

    def create_copy(name: str) -> None:
        prepared_stores.create_postgres_copy(name, settings, clock)

    with _postgres_database(create_copy) as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_context(
    request: pytest.FixtureRequest,
    settings: Settings,
    clock: FixedClock,
    prepared_stores: PreparedStores,
) -> Iterator[Context]:
    fresh = _fresh_store_wanted(request)
    if request.param == "postgres":
        fixture = "postgres_database_url" if fresh else "prepared_postgres_database_url"
        settings = settings.with_values(database__url=request.getfixturevalue(fixture))
    if fresh:
        ctx = open_context(settings, clock=clock)
    else:
        ctx = prepared_stores.open(settings, clock)
    yield ctx
    ctx.close()
