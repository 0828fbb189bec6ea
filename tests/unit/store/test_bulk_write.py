"""Driver-level bulk writes store what SQLAlchemy would, in any number of rows."""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from kootui.core.context import Context
from kootui.core.dispatch import attempt_table, message_table
from kootui.core.store import insert_rows, update_rows
from tests.support.dispatch_seed import messages, seed_sender, seed_task


def test_thousands_of_rows_insert_and_update_exactly_across_statement_limits(
    any_context: Context,
) -> None:
    # 2,500 rows of 11 columns pass both the rows-per-statement cap and, on an SQLite
    # built with the old 999-variable limit, the variable limit: every row must land once.
    context = any_context
    task = seed_task(context, seed_sender(context, with_key=False), 2500)
    rows = messages(context, task)
    now = context.clock.now()
    attempts = [
        (row.id, now, now + timedelta(seconds=row.id % 7), "dot", "delivered", 250, "2.0.0",
         f"ok {row.id}", "mx", row.id % 2 == 0, "w")
        for row in rows
    ]  # fmt: skip
    columns = (
        "message_id", "started_at", "finished_at", "stage", "outcome", "reply_code",
        "enhanced_code", "reply_text", "remote_host", "tls", "worker",
    )  # fmt: skip
    updates = [("delivered", f"<{row.id}@x>", row.id) for row in reversed(rows)]
    with context.store.writing() as connection:
        insert_rows(connection, attempt_table, columns, attempts)
        update_rows(connection, message_table, ("status", "message_id_header"), updates)
    with context.store.engine.connect() as connection:
        stored = connection.execute(
            select(attempt_table.c.message_id, attempt_table.c.finished_at,
                   attempt_table.c.reply_text, attempt_table.c.tls)
            .order_by(attempt_table.c.message_id)
        ).all()  # fmt: skip
    assert [tuple(row) for row in stored] == [(a[0], a[2], a[7], a[9]) for a in attempts]
    after = messages(context, task)
    assert {(row.status, row.message_id_header) for row in after} == {
        ("delivered", f"<{row.id}@x>") for row in rows
    }


def test_an_on_conflict_clause_applies_to_every_row_of_a_multi_row_insert(
    any_context: Context,
) -> None:
    context = any_context
    task = seed_task(context, seed_sender(context, with_key=False), 3)
    ids = [row.id for row in messages(context, task)]
    now = context.clock.now()
    table = message_table.metadata.tables["message_header"]
    upsert = (
        "ON CONFLICT (message_id) DO UPDATE "
        "SET headers = excluded.headers, composed_at = excluded.composed_at"
    )
    columns = ("message_id", "headers", "composed_at")
    with context.store.writing() as connection:
        insert_rows(
            connection, table, columns, [(i, "first", now) for i in ids[:2]], on_conflict=upsert
        )
        insert_rows(
            connection, table, columns, [(i, "second", now) for i in ids], on_conflict=upsert
        )
    with context.store.engine.connect() as connection:
        stored = dict(connection.execute(select(table.c.message_id, table.c.headers)).all())
    assert stored == dict.fromkeys(ids, "second")


def test_engine_writers_queue_on_a_file_lock_beside_the_database(context: Context) -> None:
    # Another engine process holding the lock keeps this writer out of SQLite entirely;
    # the writer gets in the moment the lock is let go.
    database = context.store.engine.url.database
    assert database is not None
    holder = os.open(f"{database}-writers", os.O_RDWR | os.O_CREAT)
    fcntl.flock(holder, fcntl.LOCK_EX)
    entered = threading.Event()

    def write() -> None:
        with context.store.writing() as connection:
            connection.exec_driver_sql("UPDATE task SET name = name WHERE id = -1")
            entered.set()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        assert not entered.wait(0.3)
    finally:
        os.close(holder)
    assert entered.wait(5)
    writer.join()


def test_a_writer_holding_its_turn_is_not_queued_behind_itself(context: Context) -> None:
    writers = context.store.writers
    turn = writers.take(wait=False)
    assert turn is not None
    try:
        # Another writer finds the turn taken and is told so at once.
        assert writers.take(wait=False) is None
        # The holder's own transactions go ahead without queueing behind itself.
        with writers.holding(), context.store.writing() as connection:
            connection.exec_driver_sql("UPDATE task SET name = name WHERE id = -1")
    finally:
        writers.release(turn)
    again = writers.take(wait=False)
    assert again is not None
    writers.release(again)


def test_an_sqlite_older_than_update_from_gets_the_same_rows_by_executemany(
    context: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite3, "sqlite_version_info", (3, 31, 1))
    task = seed_task(context, seed_sender(context, with_key=False), 700)
    rows = messages(context, task)
    with context.store.writing() as connection:
        update_rows(
            connection,
            message_table,
            ("status", "message_id_header"),
            [("failed", f"<{row.id}@old>", row.id) for row in rows],
        )
    assert {(row.status, row.message_id_header) for row in messages(context, task)} == {
        ("failed", f"<{row.id}@old>") for row in rows
    }
