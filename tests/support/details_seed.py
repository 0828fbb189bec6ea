"""Seeding Sending Details tests: a task with given columns, and its message rows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import insert

from kootui.core.context import Context
from kootui.core.store import Message, Task, TaskStatus, Template

HOUR = timedelta(hours=1)


def add_task(
    context: Context,
    address_id: int,
    *,
    name: str,
    subject: str = "Hello {{name}}",
    template_title: str = "Welcome",
) -> tuple[int, int]:
    now = context.clock.now()
    with context.store.session() as session:
        template = Template(
            title=template_title,
            subject="Template subject",
            body="<p>{{name}}</p>",
            parameters=["name"],
            created_at=now,
            updated_at=now,
        )
        session.add(template)
        session.flush()
        assert template.id is not None
        task = Task(
            name=name,
            subject=subject,
            template_id=template.id,
            address_id=address_id,
            status=TaskStatus.SENDING,
            scheduled_at=now,
            created_at=now,
        )
        session.add(task)
        session.flush()
        assert task.id is not None
        return task.id, template.id


def add_messages(context: Context, task_id: int, rows: Sequence[dict[str, Any]]) -> list[int]:
    now = context.clock.now()
    values = [
        {
            "task_id": task_id,
            "recipient": row["recipient"],
            "params": row.get("params", {"name": row["recipient"].split("@")[0]}),
            "status": row.get("status", "pending"),
            "send_method": row.get("send_method", "console"),
            "message_id_header": "",
            "unsubscribe_token": "",
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": row.get("created_at", now - HOUR),
            "received_at": row.get("received_at"),
            "last_reply": "",
        }
        for row in rows
    ]
    with context.store.engine.begin() as connection:
        result = connection.execute(
            insert(Message.__table__).returning(Message.__table__.c.id),  # type: ignore[attr-defined]
            values,
        )
        return [row.id for row in result]
