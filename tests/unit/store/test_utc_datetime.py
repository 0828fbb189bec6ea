"""UTC time columns: the same stored text as SQLAlchemy's own path, and what comes back."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy.dialects import sqlite
from sqlalchemy.dialects.sqlite import DATETIME

from kootui.core.context import Context
from kootui.core.store import SenderDomain, UTCDateTime


def _reference(value: datetime) -> str:
    """What SQLAlchemy stores: the value in UTC, naive, through SQLite's DATETIME."""
    process = DATETIME().bind_processor(sqlite.dialect())
    assert process is not None
    return str(process(value.astimezone(UTC).replace(tzinfo=None)))


def test_sqlite_text_equals_sqlalchemys_for_any_zone_and_precision() -> None:
    process = UTCDateTime().bind_processor(sqlite.dialect())
    assert process is not None
    rng = random.Random(3)
    zones = [UTC, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-11))]
    values = [
        datetime(1, 1, 1, 12, tzinfo=UTC),
        datetime(999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
        datetime(2026, 11, 23, 0, 0, 0, tzinfo=zones[1]),
    ]
    for _ in range(2000):
        values.append(
            datetime(2000, 1, 1, tzinfo=rng.choice(zones))
            + timedelta(
                seconds=rng.randrange(10**9), microseconds=rng.choice([0, rng.randrange(10**6)])
            )
        )
    for value in values:
        assert process(value) == _reference(value), value
    assert process(None) is None
    with pytest.raises(ValueError, match="naive datetime"):
        process(datetime(2026, 1, 1))


def test_a_stored_time_reads_back_equal_and_in_utc(context: Context) -> None:
    india = timezone(timedelta(hours=5, minutes=30))
    when = datetime(2026, 11, 23, 9, 15, 0, tzinfo=india)
    with context.store.session() as session:
        domain = SenderDomain(name="mail.example.com", created_at=when, updated_at=when)
        session.add(domain)
        session.flush()
        domain_id = domain.id
    with context.store.session() as session:
        stored = session.get(SenderDomain, domain_id)
        assert stored is not None
        assert stored.created_at == when
        assert stored.created_at.tzinfo == UTC
