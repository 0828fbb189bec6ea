"""The store on SQLite and (in CI) PostgreSQL: schema, pragmas, UTC times, migrations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from kootui.core.context import Context
from kootui.core.errors import InvalidState, StoreError
from kootui.core.store import (
    Message,
    SenderAddress,
    SenderDomain,
    Task,
    Template,
    current_revision,
    downgrade,
    head_revision,
    open_store,
    stored_id,
    upgrade,
)
from kootui.core.store import engine as store_engine
from kootui.core.workspace import get_workspace, update_workspace

EXPECTED_TABLES = {
    "workspace_settings",
    "sender_domain",
    "dkim_key",
    "dns_record",
    "sender_address",
    "template",
    "task",
    "attachment",
    "message",
    "delivery_attempt",
    "hourly_stat",
    "suppression",
}


@pytest.mark.fresh_store
def test_schema_is_at_the_newest_revision(any_context: Context) -> None:
    store = any_context.store
    assert current_revision(store) == head_revision()
    tables = set(inspect(store.engine).get_table_names())
    assert EXPECTED_TABLES <= tables


def test_migrations_have_a_single_head() -> None:
    from alembic.script import ScriptDirectory

    from kootui.core.store.engine import _alembic_config, make_engine

    script = ScriptDirectory.from_config(_alembic_config(make_engine("sqlite://")))
    assert len(script.get_heads()) == 1


def test_the_newest_revision_read_from_the_files_is_alembics_head() -> None:
    from kootui.core.store.engine import newest_revision_on_disk

    assert newest_revision_on_disk() == head_revision()


def test_a_store_at_the_newest_revision_opens_without_running_alembic(
    any_context: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Loading alembic and its scripts costs about 0.1 s a start, to learn there is nothing
    # to do; the stored revision is one query.
    def upgrade_refused(store: object, revision: str = "head") -> None:
        raise AssertionError("alembic ran on a store at the newest revision")

    monkeypatch.setattr(store_engine, "upgrade", upgrade_refused)
    open_store(any_context.settings.database_url).close()


@pytest.mark.fresh_store
def test_opening_a_store_below_the_newest_revision_upgrades_it(any_context: Context) -> None:
    downgrade(any_context.store, "0009")
    assert current_revision(any_context.store) == "0009"
    reopened = open_store(any_context.settings.database_url)
    try:
        assert current_revision(reopened) == head_revision()
    finally:
        reopened.close()


@pytest.mark.fresh_store
def test_upgrade_is_idempotent_and_downgrade_round_trips(any_context: Context) -> None:
    store = any_context.store
    upgrade(store)
    downgrade(store, "base")
    assert not (EXPECTED_TABLES & set(inspect(store.engine).get_table_names()))
    upgrade(store)
    assert current_revision(store) == head_revision()


def test_sqlite_runs_in_wal_with_full_sync_and_foreign_keys(context: Context) -> None:
    with context.store.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_times_come_back_aware_in_utc(any_context: Context) -> None:
    plus8 = timezone(timedelta(hours=8))
    created = datetime(2026, 1, 2, 8, 0, tzinfo=plus8)
    with any_context.store.session() as session:
        domain = SenderDomain(name="example.com", created_at=created, updated_at=created)
        session.add(domain)
    with any_context.store.session() as session:
        loaded = session.get(SenderDomain, domain.id)
        assert loaded is not None
        assert loaded.created_at == datetime(2026, 1, 2, 0, 0, tzinfo=UTC)
        assert loaded.created_at.tzinfo is not None


def test_naive_times_are_refused(any_context: Context) -> None:
    with pytest.raises(Exception, match="naive datetime"), any_context.store.session() as session:
        session.add(
            SenderDomain(
                name="x.com", created_at=datetime(2026, 1, 1), updated_at=datetime(2026, 1, 1)
            )
        )
        session.flush()


def test_foreign_keys_are_enforced(any_context: Context) -> None:
    now = any_context.clock.now()
    with pytest.raises(IntegrityError), any_context.store.session() as session:
        session.add(SenderAddress(domain_id=999, local_part="x", created_at=now))
        session.flush()


def test_failed_transaction_leaves_nothing_half_written(any_context: Context) -> None:
    now = any_context.clock.now()
    with pytest.raises(IntegrityError), any_context.store.session() as session:
        session.add(SenderDomain(name="a.example", created_at=now, updated_at=now))
        session.add(SenderDomain(name="a.example", created_at=now, updated_at=now))
        session.flush()
    with any_context.store.session() as session:
        assert len(session.exec(select(SenderDomain)).all()) == 0


def test_stored_id_is_the_flushed_rows_key_and_refuses_an_unsaved_row(context: Context) -> None:
    now = context.clock.now()
    domain = SenderDomain(name="b.example", created_at=now, updated_at=now)
    with pytest.raises(InvalidState) as refused:
        stored_id(domain)
    assert refused.value.code == "store.row_not_saved"
    with context.store.session() as session:
        session.add(domain)
        session.flush()
        assert stored_id(domain) == domain.id


def test_message_rows_queue_with_json_params(any_context: Context) -> None:
    now = any_context.clock.now()
    with any_context.store.session() as session:
        domain = SenderDomain(name="b.example", created_at=now, updated_at=now)
        session.add(domain)
        session.flush()
        address = SenderAddress(domain_id=domain.id or 0, local_part="news", created_at=now)
        template = Template(
            title="T", body="<p>{{name}}</p>", parameters=["name"], created_at=now, updated_at=now
        )
        session.add_all([address, template])
        session.flush()
        task = Task(
            name="t",
            subject="s",
            template_id=template.id or 0,
            address_id=address.id or 0,
            scheduled_at=now,
            created_at=now,
        )
        session.add(task)
        session.flush()
        session.add(
            Message(
                task_id=task.id or 0,
                recipient="ana@example.org",
                params={"name": "Ana 安娜"},
                next_attempt_at=now,
                created_at=now,
            )
        )
    with any_context.store.session() as session:
        message = session.exec(select(Message)).one()
        assert message.params == {"name": "Ana 安娜"}
        assert message.status == "pending"


@pytest.mark.fresh_store
def test_workspace_row_exists_and_updates(any_context: Context) -> None:
    assert get_workspace(any_context).name == "My workspace"
    view = update_workspace(any_context, name="Acme mail", sensitive_industry=True)
    assert view.name == "Acme mail"
    assert view.sensitive_industry


def test_unreachable_database_is_a_one_line_store_error() -> None:
    with pytest.raises(StoreError, match="cannot open the database") as caught:
        open_store("postgresql://nobody@127.0.0.1:1/none")
    assert "\n" not in str(caught.value)
    assert "Connection refused" in str(caught.value) or "connection" in str(caught.value)
