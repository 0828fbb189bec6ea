"""Rows the engine tests send: a verified domain with a DKIM key, a sender, a template,
a task and its message rows, inserted directly (the tasks service is another issue)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, column, insert, inspect, select, table

from kootui.core.context import Context
from kootui.core.dispatch import StatKey
from kootui.core.domains import add_key
from kootui.core.mail import new_token
from kootui.core.store import (
    SENT_MEASURES,
    STAT_MEASURES,
    Attachment,
    DkimKey,
    DomainStatus,
    HourlyStat,
    Message,
    SenderAddress,
    SenderDomain,
    Task,
    TaskStatus,
    Template,
)


def seed_sender(context: Context, *, domain: str = "example.com", with_key: bool = True) -> int:
    """A verified domain (with a DKIM key unless told otherwise) and news@ on it."""
    now = context.clock.now()
    with context.store.session() as session:
        row = SenderDomain(
            name=domain, status=DomainStatus.PASSED, created_at=now, updated_at=now, verified_at=now
        )
        session.add(row)
        session.flush()
        assert row.id is not None
        if with_key:
            add_key(session, context.settings, row.id, "kootui1", now)
        address = SenderAddress(
            domain_id=row.id, local_part="news", alias="Zoë's News", created_at=now
        )
        session.add(address)
        session.flush()
        assert address.id is not None
        return address.id


def public_key_b64(context: Context, domain: str = "example.com") -> str:
    with context.store.session() as session:
        statement = (
            select(DkimKey.public_key_b64)
            .join(SenderDomain, SenderDomain.id == DkimKey.domain_id)
            .where(SenderDomain.name == domain)
        )
        return str(session.execute(statement).scalar_one())


def dns_for(context: Context, domain: str = "example.com") -> Any:
    """A dkimpy DNS lookup function answering the domain's published DKIM record."""
    key = public_key_b64(context, domain)

    def lookup(name: bytes, timeout: int = 5) -> bytes:
        assert name == f"kootui1._domainkey.{domain}.".encode()
        return b"v=DKIM1; k=rsa; p=" + key.encode()

    return lookup


def _insert(connection: Connection, model: Table, values: dict[str, Any]) -> int:
    """INSERT the values into the model's table as the store has it now: a store upgraded
    only to an older revision (the upgrade tests) lacks the newer columns, and the ORM
    and the model's defaults would name them."""
    stored = {found["name"] for found in inspect(connection).get_columns(model.name)}
    unknown = set(values) - stored
    if unknown:
        raise AssertionError(f"{model.name} has no columns {sorted(unknown)} at this revision")
    clause = table(model.name, column("id"), *[column(name, model.c[name].type) for name in values])
    inserted = connection.execute(insert(clause).values(values).returning(clause.c.id))
    return int(inserted.scalar_one())


def seed_task(
    context: Context,
    address_id: int,
    recipients: Sequence[str] | int,
    *,
    subject: str = "Hello {{name}}",
    body: str = "<p>Dear {{name}}, your code is <b>{{code}}</b>.</p>",
    body_type: str = "html",
    text_body: str = "",
    support_unsubscribe: bool = False,
    scheduled_at: datetime | None = None,
    attachments: Sequence[tuple[str, str, bytes]] = (),
    params: dict[str, str] | None = None,
    track_opens_clicks: bool = False,
    locale: str = "en",
    with_tokens: bool = False,
) -> int:
    """A template, a task and its pending messages; ``with_tokens`` gives each message its
    unsubscribe token now (the claim would otherwise make it when the message is sent)."""
    now = context.clock.now()
    when = scheduled_at or now
    if isinstance(recipients, int):
        recipients = [f"user{i}@example.org" for i in range(recipients)]
    with context.store.session() as session:
        connection = session.connection()
        template_id = _insert(
            connection,
            Template.__table__,
            {
                "title": "Welcome",
                "subject": subject,
                "body_type": body_type,
                "body": body,
                "text_body": text_body,
                "text_body_edited": False,
                "support_unsubscribe": support_unsubscribe,
                "locale": locale,
                "parameters": ["name", "code"],
                "status": "approved",
                "review_reason": "",
                "reviewed_by": "",
                "created_at": now,
                "updated_at": now,
                # Only when asked, so a store at an older revision can still be seeded.
                **({"track_opens_clicks": True} if track_opens_clicks else {}),
            },
        )
        task_id = _insert(
            connection,
            Task.__table__,
            {
                "name": "Welcome wave",
                "subject": subject,
                "template_id": template_id,
                "address_id": address_id,
                "send_type": "now",
                "send_method": "console",
                "status": TaskStatus.SCHEDULED.value,
                "scheduled_at": when,
                "recipient_source": "manual",
                "recipient_count": len(recipients),
                "created_at": now,
            },
        )
        for filename, content_type, content in attachments:
            session.add(
                Attachment(
                    task_id=task_id,
                    filename=filename,
                    content_type=content_type,
                    size=len(content),
                    content=content,
                )
            )
    rows = [
        {
            "task_id": task_id,
            "recipient": address,
            "params": params or {"name": f"Reader {index}", "code": f"C{index:05d}"},
            "status": "pending",
            "send_method": "console",
            "message_id_header": "",
            "unsubscribe_token": new_token() if with_tokens else "",
            "attempts": 0,
            "next_attempt_at": when,
            "created_at": now,
            "last_reply": "",
        }
        for index, address in enumerate(recipients)
    ]
    with context.store.engine.begin() as connection:
        connection.execute(insert(Message.__table__), rows)  # type: ignore[arg-type]
    return task_id


def messages(context: Context, task_id: int | None = None) -> list[Message]:
    with context.store.session() as session:
        statement = select(Message).order_by(Message.id)
        if task_id is not None:
            statement = statement.where(Message.task_id == task_id)
        return list(session.scalars(statement).all())


def task_status(context: Context, task_id: int) -> str:
    with context.store.session() as session:
        task = session.get(Task, task_id)
        assert task is not None
        return task.status


def stat_rows(context: Context) -> dict[StatKey, dict[str, int]]:
    """The statistics table as ``stats_from_messages`` recomputes it: by hour and what sent."""
    with context.store.session() as session:
        rows = session.scalars(select(HourlyStat)).all()
        return {
            StatKey(
                row.hour,
                row.task_id,
                row.domain_id,
                row.address_id,
                row.template_id,
                row.send_method,
            ): {name: getattr(row, name) for name in STAT_MEASURES}
            for row in rows
            if any(getattr(row, name) for name in STAT_MEASURES)
        }


def hourly_stats(context: Context) -> dict[datetime, dict[str, int]]:
    """The sending measures (sent and its outcomes) summed by hour, whatever sent them."""
    totals: dict[datetime, dict[str, int]] = {}
    for key, figures in stat_rows(context).items():
        entry = totals.setdefault(key.hour, dict.fromkeys(SENT_MEASURES, 0))
        for name in SENT_MEASURES:
            entry[name] += figures[name]
    return totals


def relay_settings(context: Context, port: int, **extra: Any) -> Context:
    """The same store and clock with the relay pointed at a loopback server."""
    settings = context.settings.with_values(
        relay__host="127.0.0.1",
        relay__port=port,
        relay__tls=extra.pop("relay__tls", "none"),
        relay__concurrency=extra.pop("concurrency", 2),
        relay__connect_timeout=extra.pop("connect_timeout", 2.0),
        relay__command_timeout=extra.pop("command_timeout", 2.0),
        relay__dot_timeout=extra.pop("dot_timeout", 2.0),
        **extra,
    )
    return Context(store=context.store, settings=settings, clock=context.clock)
