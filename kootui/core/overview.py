"""The Overview page's figures and the seeds' process guide, read from the store (the
figures' types are in ``overview_figures``, which loads nothing of the store)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Executable, func, select
from sqlmodel import col

from kootui.core.access import Act, requires
from kootui.core.clock import as_utc
from kootui.core.context import Context
from kootui.core.overview_figures import GuideStep, Overview
from kootui.core.store import (
    DomainStatus,
    Message,
    SenderAddress,
    SenderDomain,
    Task,
    TaskStatus,
    Template,
    TemplateStatus,
)


def _start_of_local_day(now: datetime) -> datetime:
    local = as_utc(now).astimezone()
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


@requires(Act.WORKSPACE_READ)
def load_overview(context: Context) -> Overview:
    now = context.clock.now()
    day_start = _start_of_local_day(now)
    day_end = day_start + timedelta(days=1)
    with context.store.session() as session:

        def count(statement: Executable) -> int:
            return int(session.execute(statement).scalar_one())

        domains = count(select(func.count()).select_from(SenderDomain))
        verified = count(
            select(func.count())
            .select_from(SenderDomain)
            .where(col(SenderDomain.status) == DomainStatus.PASSED)
        )
        addresses = count(select(func.count()).select_from(SenderAddress))
        my_templates = (
            select(func.count()).select_from(Template).where(col(Template.public_key).is_(None))
        )
        templates = count(my_templates)
        approved = count(my_templates.where(col(Template.status) == TemplateStatus.APPROVED))
        task_rows = session.execute(
            select(col(Task.status), func.count()).group_by(col(Task.status))
        ).all()
        tasks_by_status = {status.value: 0 for status in TaskStatus}
        tasks_by_status.update({status: int(n) for status, n in task_rows})
        message_rows = session.execute(
            select(col(Message.status), func.count())
            .where(col(Message.created_at) >= day_start, col(Message.created_at) < day_end)
            .group_by(col(Message.status))
        ).all()
        messages_by_status = {status: int(n) for status, n in message_rows}
        any_message = count(select(func.count()).select_from(Message)) > 0

    tasks_total = sum(tasks_by_status.values())
    guide = [
        GuideStep(
            1,
            "Create and verify a sender domain",
            "domains",
            verified > 0,
            "publish the DNS records kootui generates, then verify",
        ),
        GuideStep(
            2,
            "Create a sender address",
            "addresses",
            addresses > 0,
            "a prefix on a verified domain, with an optional alias",
        ),
        GuideStep(
            3,
            "Create a sender template",
            "templates",
            approved > 0,
            "write your own or copy a public template",
        ),
        GuideStep(
            4,
            "Create a sending task",
            "tasks",
            tasks_total > 0,
            "now or scheduled, recipients typed or from an xlsx file",
        ),
        GuideStep(
            5, "View sending details", "details", any_message, "what happened to each message"
        ),
        GuideStep(
            6,
            "View the statistics report",
            "reports",
            False,  # no report can be viewed before the Statistics Report page exists
            "hourly, daily and monthly delivery figures",
        ),
    ]
    return Overview(
        domains=domains,
        verified_domains=verified,
        addresses=addresses,
        templates=templates,
        approved_templates=approved,
        tasks_by_status=tasks_by_status,
        messages_today=sum(messages_by_status.values()),
        messages_today_by_status=messages_by_status,
        guide=guide,
    )
