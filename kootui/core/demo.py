"""The demo workspace: a separate store seeded with realistic data for every page.

Rows are written the way the services would leave them, so each page shows
objects in every state. The seed is deterministic for a given clock.
"""

from __future__ import annotations

import random
import shutil
from datetime import datetime, timedelta

from sqlalchemy import func, select

from kootui.core.clock import Clock
from kootui.core.context import Context, open_context
from kootui.core.models import (
    BodyType,
    DnsRecord,
    DomainStatus,
    HourlyStat,
    Message,
    MessageStatus,
    RecordStatus,
    SenderAddress,
    SenderDomain,
    SendType,
    Task,
    TaskStatus,
    Template,
    TemplateStatus,
)
from kootui.core.workspace import update_workspace
from kootui.settings import Settings

DEMO_DOMAINS = (
    ("mail.northwind-shop.com", DomainStatus.PASSED),
    ("news.northwind-shop.com", DomainStatus.PASSED),
    ("billing.contoso-bank.cn", DomainStatus.VERIFYING),
    ("alerts.fabrikam.io", DomainStatus.FAILED),
)

DEMO_ADDRESSES = (
    (0, "noreply", "Northwind Shop"),
    (0, "orders", "Northwind Orders"),
    (1, "hello", "Northwind News"),
)

DEMO_TEMPLATES = (
    (
        "Welcome email",
        "Welcome to Northwind, {{name}}",
        TemplateStatus.APPROVED,
        "<h1>Welcome, {{name}}!</h1><p>Your account is ready.</p>",
    ),
    (
        "One-time code",
        "Your code is {{code}}",
        TemplateStatus.APPROVED,
        "<p>Your verification code is <b>{{code}}</b>. It expires in 10 minutes.</p>",
    ),
    (
        "Monthly bill",
        "Your bill for {{month}}",
        TemplateStatus.APPROVING,
        "<p>Dear {{name}}, your bill for {{month}} is {{amount}}.</p>",
    ),
    (
        "Spring promotion",
        "Spring sale: 20% off",
        TemplateStatus.REJECTED,
        "<p>Everything 20% off this week only!</p>",
    ),
)

DEMO_TASKS = (
    ("April newsletter", TaskStatus.COMPLETED, 0, 40),
    ("Order confirmations", TaskStatus.SENDING, 1, 30),
    ("Password reset wave", TaskStatus.PARTLY_FAILED, 1, 20),
    ("May newsletter", TaskStatus.SCHEDULED, 0, 25),
    ("Paused reminder", TaskStatus.PAUSED, 0, 15),
    ("Cancelled teaser", TaskStatus.CANCELLED, 0, 10),
)

FIRST_NAMES = ("Ana", "Wei", "Lars", "Priya", "Tom", "Mei", "Jonas", "Sofia", "Kenji", "Olu")
MAIL_HOSTS = ("example.com", "example.org", "example.net", "mail.example.cn")


def reset_demo(settings: Settings) -> None:
    """Delete the demo workspace's folder (database, keys, outbox)."""
    if not settings.demo:
        raise ValueError("reset_demo only removes the demo workspace")
    shutil.rmtree(settings.paths.data_dir, ignore_errors=True)


def seed_demo_if_empty(settings: Settings, clock: Clock | None = None) -> bool:
    context = open_context(settings, clock=clock)
    try:
        with context.store.session() as session:
            if session.execute(select(func.count()).select_from(SenderDomain)).scalar_one():
                return False
        seed_demo(context)
        return True
    finally:
        context.close()


def seed_demo(context: Context) -> None:
    now = context.clock.now().replace(microsecond=0)
    rng = random.Random(20241113)
    update_workspace(context, name="Northwind demo")
    with context.store.session() as session:
        domains = []
        for index, (name, status) in enumerate(DEMO_DOMAINS):
            created = now - timedelta(days=30 - index * 5)
            domain = SenderDomain(
                name=name,
                status=status,
                status_reason="" if status != DomainStatus.FAILED else "DKIM record not found",
                created_at=created,
                updated_at=created,
                verified_at=created + timedelta(minutes=20)
                if status == DomainStatus.PASSED
                else None,
                last_checked_at=now - timedelta(minutes=7),
            )
            session.add(domain)
            domains.append(domain)
        session.flush()
        for domain in domains:
            for record in _demo_records(domain, now):
                session.add(record)
        addresses = []
        for domain_index, local_part, alias in DEMO_ADDRESSES:
            address = SenderAddress(
                domain_id=domains[domain_index].id or 0,
                local_part=local_part,
                alias=alias,
                created_at=now - timedelta(days=20),
            )
            session.add(address)
            addresses.append(address)
        templates = []
        for title, subject, status, body in DEMO_TEMPLATES:
            template = Template(
                title=title,
                subject=subject,
                body_type=BodyType.HTML,
                body=body,
                parameters=_parameters(subject + body),
                status=status,
                review_reason="promotional wording" if status == TemplateStatus.REJECTED else "",
                created_at=now - timedelta(days=18),
                updated_at=now - timedelta(days=18),
            )
            session.add(template)
            templates.append(template)
        session.flush()
        for offset, (name, status, address_index, size) in enumerate(DEMO_TASKS):
            _seed_task(
                session, rng, now, offset, name, status, addresses[address_index], templates, size
            )
        _seed_hourly(session, rng, now)


def _parameters(text: str) -> list[str]:
    import re

    return sorted(set(re.findall(r"\{\{\s*([A-Za-z][A-Za-z0-9_]*)\s*\}\}", text)))


def _demo_records(domain: SenderDomain, now: datetime) -> list[DnsRecord]:
    passed = domain.status == DomainStatus.PASSED
    dkim_status = (
        RecordStatus.PASSED
        if passed
        else (
            RecordStatus.NOT_FOUND if domain.status == DomainStatus.FAILED else RecordStatus.PENDING
        )
    )
    spf_status = (
        RecordStatus.PASSED if domain.status != DomainStatus.VERIFYING else RecordStatus.PENDING
    )
    rows = [
        (
            "dkim",
            "TXT",
            f"kootui1._domainkey.{domain.name}",
            "v=DKIM1; k=rsa; p=MIIBIjANBgkqh…",
            True,
            dkim_status,
        ),
        ("spf", "TXT", domain.name, "v=spf1 include:spf.northwind-mail.net ~all", True, spf_status),
        (
            "dmarc",
            "TXT",
            f"_dmarc.{domain.name}",
            "v=DMARC1; p=none; rua=mailto:dmarc@northwind-shop.com",
            False,
            RecordStatus.PASSED if passed else RecordStatus.NOT_FOUND,
        ),
        (
            "tracking",
            "CNAME",
            f"tracking.{domain.name}",
            "track.northwind-mail.net",
            False,
            RecordStatus.PASSED if passed else RecordStatus.PENDING,
        ),
        ("mx", "MX", domain.name, "10 mx.northwind-mail.net", False, RecordStatus.FAILED),
    ]
    return [
        DnsRecord(
            domain_id=domain.id or 0,
            purpose=purpose,
            rtype=rtype,
            name=name,
            expected=expected,
            required=required,
            status=status,
            found=[expected] if status == RecordStatus.PASSED else [],
            checked_at=now - timedelta(minutes=7),
        )
        for purpose, rtype, name, expected, required, status in rows
    ]


def _seed_task(
    session: object,
    rng: random.Random,
    now: datetime,
    offset: int,
    name: str,
    status: TaskStatus,
    address: SenderAddress,
    templates: list[Template],
    size: int,
) -> None:
    from sqlmodel import Session

    assert isinstance(session, Session)
    template = templates[offset % 2]
    created = now - timedelta(hours=12 - offset * 2)
    scheduled = created + (
        timedelta(days=2) if status == TaskStatus.SCHEDULED else timedelta(minutes=1)
    )
    task = Task(
        name=name,
        subject=template.subject,
        template_id=template.id or 0,
        address_id=address.id or 0,
        send_type=SendType.SCHEDULED if status == TaskStatus.SCHEDULED else SendType.NOW,
        status=status,
        scheduled_at=scheduled,
        recipient_source="recipients.xlsx" if size > 10 else "manual",
        recipient_count=size,
        created_at=created,
        started_at=None if status in (TaskStatus.SCHEDULED, TaskStatus.CANCELLED) else scheduled,
        finished_at=scheduled + timedelta(minutes=3)
        if status in (TaskStatus.COMPLETED, TaskStatus.PARTLY_FAILED)
        else None,
        cancelled_at=created + timedelta(minutes=5) if status == TaskStatus.CANCELLED else None,
    )
    session.add(task)
    session.flush()
    for index in range(size):
        recipient = (
            f"{FIRST_NAMES[index % len(FIRST_NAMES)].lower()}{index}@{rng.choice(MAIL_HOSTS)}"
        )
        message_status = _message_status(status, index, size)
        accepted = scheduled + timedelta(seconds=2 + index)
        session.add(
            Message(
                task_id=task.id or 0,
                recipient=recipient,
                params={
                    "name": FIRST_NAMES[index % len(FIRST_NAMES)],
                    "code": f"{rng.randrange(10**6):06d}",
                },
                status=message_status,
                message_id_header=f"<demo.{task.id}.{index}@{address.local_part}.kootui>",
                attempts=0
                if message_status in (MessageStatus.PENDING, MessageStatus.CANCELLED)
                else 1,
                next_attempt_at=scheduled,
                created_at=created,
                sent_at=accepted if message_status == MessageStatus.DELIVERED else None,
                received_at=accepted if message_status == MessageStatus.DELIVERED else None,
                last_reply_code={
                    MessageStatus.DELIVERED: 250,
                    MessageStatus.REJECTED: 550,
                    MessageStatus.DEFERRED: 451,
                }.get(message_status),
                last_reply={
                    MessageStatus.DELIVERED: "2.0.0 Ok: queued",
                    MessageStatus.REJECTED: "5.1.1 User unknown",
                    MessageStatus.DEFERRED: "4.7.1 Try again later",
                }.get(message_status, ""),
            )
        )


def _message_status(task_status: TaskStatus, index: int, size: int) -> MessageStatus:
    if task_status == TaskStatus.COMPLETED:
        return MessageStatus.DELIVERED
    if task_status == TaskStatus.PARTLY_FAILED:
        return MessageStatus.REJECTED if index % 7 == 3 else MessageStatus.DELIVERED
    if task_status == TaskStatus.SENDING:
        if index < size // 2:
            return MessageStatus.DELIVERED
        return MessageStatus.DEFERRED if index % 5 == 0 else MessageStatus.PENDING
    if task_status == TaskStatus.PAUSED:
        return MessageStatus.DELIVERED if index < 5 else MessageStatus.PENDING
    if task_status == TaskStatus.CANCELLED:
        return MessageStatus.CANCELLED
    return MessageStatus.PENDING


def _seed_hourly(session: object, rng: random.Random, now: datetime) -> None:
    from sqlmodel import Session

    assert isinstance(session, Session)
    hour = now.replace(minute=0, second=0)
    for back in range(48, 0, -1):
        sent = rng.randrange(0, 60)
        rejected = rng.randrange(0, max(1, sent // 15 + 1))
        failed = rng.randrange(0, 2) if sent else 0
        session.add(
            HourlyStat(
                hour=hour - timedelta(hours=back),
                sent=sent,
                delivered=max(0, sent - rejected - failed),
                failed=failed,
                to_send=0,
                rejected=rejected,
            )
        )
