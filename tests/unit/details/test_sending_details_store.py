"""The store side of Sending Details: the plans SQLite chooses, and migration 0002.

The plans are read with EXPLAIN QUERY PLAN on the very statements ``query_messages``
sends (caught on the engine), so a change to the query that loses an index fails here.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, inspect, select

from kootui.core.clock import FixedClock
from kootui.core.config import Settings
from kootui.core.context import Context
from kootui.core.details import message_detail, query_messages
from kootui.core.dispatch import run_until_idle
from kootui.core.store import (
    Message,
    PageRequest,
    current_revision,
    downgrade,
    head_revision,
    open_store,
    upgrade,
)
from tests.support.dispatch_seed import seed_sender, seed_task

DETAILS_INDEXES = {
    "ix_message_status_created": ["status", "created_at"],
    "ix_message_task_created": ["task_id", "created_at"],
    "ix_message_received_at": ["received_at"],
    "ix_message_unsubscribe_token": ["unsubscribe_token"],
}


def _plans(context: Context, request: PageRequest) -> list[str]:
    """The query plan of each statement on the message table that the page runs."""
    sent: list[tuple[str, Any]] = []

    def catch(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_rest: Any) -> None:
        if "FROM message" in statement:
            sent.append((statement, parameters))

    event.listen(context.store.engine, "before_cursor_execute", catch)
    try:
        query_messages(context, request)
    finally:
        event.remove(context.store.engine, "before_cursor_execute", catch)
    assert len(sent) == 2  # the count and the page
    plans = []
    with context.store.engine.connect() as connection:
        for statement, parameters in sent:
            rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
            plans.append(" | ".join(str(row[-1]) for row in rows))
    return plans


@pytest.mark.parametrize(
    ("advanced", "index"),
    [
        ({}, "ix_message_created_at (created_at>?)"),
        ({"status": "delivered"}, "ix_message_status_created (status=? AND created_at>?)"),
        ({"status": "rejected", "range": "all"}, "ix_message_status_created (status=?)"),
        ({"task_id": "7"}, "ix_message_task_created (task_id=? AND created_at>?)"),
        ({"task_name": "wave"}, "ix_message_task_created (task_id=? AND created_at>?)"),
        ({"template_id": "3"}, "ix_message_task_created (task_id=? AND created_at>?)"),
        ({"created_from": "2026-11-01"}, "ix_message_created_at (created_at>?)"),
    ],
)
def test_the_default_view_and_the_status_and_task_filters_search_an_index(
    context: Context, advanced: dict[str, str], index: str
) -> None:
    for plan in _plans(context, PageRequest(advanced=advanced)):
        assert f"SEARCH message USING COVERING INDEX {index}" in plan or (
            f"SEARCH message USING INDEX {index}" in plan
        ), plan
        assert "SCAN message" not in plan


@pytest.mark.parametrize(
    "request_",
    [
        PageRequest(advanced={"recipient": "Ann.Lee@Example.ORG", "range": "all"}),
        PageRequest(text_filter="ann.lee@example.org", advanced={"range": "all"}),
    ],
)
def test_a_whole_address_searches_the_lower_recipient_index(
    context: Context, request_: PageRequest
) -> None:
    for plan in _plans(context, request_):
        assert "ix_message_recipient_lower" in plan, plan
        assert "SCAN message" not in plan


def test_a_whole_address_matches_in_any_case_and_a_part_still_matches_within(
    context: Context,
) -> None:
    address = seed_sender(context, with_key=False)
    # Stored as tasks store them: the domain in its IDNA form.
    seed_task(
        context, address, ["Ann.Lee@example.org", "bob@example.org", "annabel@xn--bcher-kva.de"]
    )
    shown = query_messages(context, PageRequest(advanced={"recipient": "ann.lee@EXAMPLE.org"}))
    assert shown.total == 1
    assert query_messages(context, PageRequest(text_filter="ANN.LEE@example.org")).total == 1
    assert query_messages(context, PageRequest(advanced={"recipient": "ann"})).total == 2
    by_unicode = query_messages(context, PageRequest(advanced={"recipient": "annabel@bücher.de"}))
    assert by_unicode.total == 1


def test_sorting_by_received_over_all_time_walks_its_index(context: Context) -> None:
    _count, page = _plans(context, PageRequest(sort_key="received", advanced={"range": "all"}))
    assert "ix_message_received_at" in page and "TEMP B-TREE" not in page


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def old_store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "postgres":
        yield request.getfixturevalue("postgres_database_url")
    else:
        yield f"sqlite:///{tmp_path / 'from-0001.db'}"


def test_a_0001_store_with_messages_upgrades_and_keeps_them(
    old_store_url: str, settings: Settings, clock: FixedClock
) -> None:
    store = open_store(old_store_url, migrate=False)
    try:
        upgrade(store, "0001")
        old = Context(store=store, settings=settings, clock=clock)
        address = seed_sender(old, with_key=False)
        task = seed_task(old, address, ["ann@example.org", "bob@example.org"])
        message = Message.__table__
        with store.engine.connect() as connection:
            before = connection.execute(select(message).order_by(message.c.id)).all()  # type: ignore[attr-defined]
        assert "message_header" not in inspect(store.engine).get_table_names()

        upgrade(store)  # what the app does on start
        assert "message_header" in inspect(store.engine).get_table_names()

        assert current_revision(store) == head_revision()
        with store.engine.connect() as connection:
            after = connection.execute(select(message).order_by(message.c.id)).all()  # type: ignore[attr-defined]
        assert after == before
        indexes = {
            ix["name"]: ix["column_names"] for ix in inspect(store.engine).get_indexes("message")
        }
        for name, columns in DETAILS_INDEXES.items():
            assert indexes.get(name) == columns
        # The upgraded store works end to end: the list, the engine, the stored headers.
        page = query_messages(old, PageRequest(advanced={"task_id": str(task)}))
        assert page.total == 2
        run_until_idle(old)
        detail = message_detail(old, int(page.rows[0].key))
        assert "To: ***@example.org" in detail.headers

        downgrade(store, "0001")  # and back, so a release can be rolled back
        assert "message_header" not in inspect(store.engine).get_table_names()
        upgrade(store)
        assert current_revision(store) == head_revision()
    finally:
        store.close()


def test_the_unsubscribe_lookup_searches_the_token_index(context: Context) -> None:
    from kootui.core.mail import new_token, record_unsubscribe

    sent: list[tuple[str, Any]] = []

    def catch(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_rest: Any) -> None:
        if "unsubscribe_token" in statement:
            sent.append((statement, parameters))

    event.listen(context.store.engine, "before_cursor_execute", catch)
    try:
        assert record_unsubscribe(context, new_token()) is None
    finally:
        event.remove(context.store.engine, "before_cursor_execute", catch)
    [(statement, parameters)] = sent
    with context.store.engine.connect() as connection:
        plan = " | ".join(
            str(row[-1])
            for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
        )
    assert "USING INDEX ix_message_unsubscribe_token (unsubscribe_token=?)" in plan, plan
