"""The demo workspace: a separate store seeded with realistic data for every page.

Rows are written the way the services would leave them, so each page shows
objects in every state. The seed is deterministic for a given clock.
"""

from __future__ import annotations

import random
import shutil
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlmodel import col
from sqlmodel import select as select_model

from kootui.core.access import Act, requires
from kootui.core.bootstrap import open_context
from kootui.core.clock import Clock
from kootui.core.config import Settings
from kootui.core.context import Context
from kootui.core.demo.charges import seed_demo_charges
from kootui.core.demo.history import seed_demo_history
from kootui.core.dispatch import count_messages_sent_outside_the_engine
from kootui.core.domains import create_domain, get_domain, next_check_time
from kootui.core.senders import create_address, validate_alias, validate_prefix
from kootui.core.store import (
    BodyType,
    DnsRecord,
    DomainStatus,
    HourlyStat,
    Message,
    MessageStatus,
    RecordStatus,
    SenderAddress,
    SenderDomain,
    SendMethod,
    SendType,
    Suppression,
    SuppressionReason,
    Task,
    TaskStatus,
    Template,
    stored_id,
)
from kootui.core.templates import TemplateDraft, create_template, reject_template
from kootui.core.workspace import update_workspace

DEMO_DOMAINS = (
    ("mail.northwind-shop.com", DomainStatus.PASSED),
    ("news.northwind-shop.com", DomainStatus.PASSED),
    ("billing.contoso-bank.cn", DomainStatus.VERIFYING),
    ("alerts.fabrikam.io", DomainStatus.FAILED),
)

# (domain index, prefix, alias). The last one's domain failed verification after the
# address was made: it stays listed, flagged "domain not verified", and cannot send.
DEMO_ADDRESSES = (
    (0, "noreply", "Northwind Shop"),
    (0, "orders", "Northwind Orders 订单"),
    (3, "alerts", "Fabrikam Alerts"),
)

# (title, subject, body type, body, support unsubscription). The first two are saved
# before the workspace is marked a sensitive industry (approved at once), the rest after
# (waiting for an operator); the last of them is then rejected with a reason.
DEMO_TEMPLATES = (
    (
        "Welcome email",
        "Welcome to Northwind, {{name}}",
        BodyType.HTML,
        "<h1>Welcome, {{name}}!</h1>\n<p>Your account is ready. Sign in with {{email}}.</p>\n"
        '<p><a href="https://northwind-shop.com/start">Start shopping</a></p>',
        False,
    ),
    (
        "One-time code",
        "Your code is {{code}}",
        BodyType.HTML,
        "<p>Your verification code is <b>{{code}}</b>. It expires in 10 minutes.</p>",
        False,
    ),
    (
        "Monthly bill",
        "Your bill for {{month}}",
        BodyType.TEXT,
        "Dear {{name}},\n\nyour bill for {{month}} is {{amount}}.\n\nNorthwind Shop\n",
        False,
    ),
    (
        "Spring promotion",
        "Spring sale: 20% off",
        BodyType.HTML,
        "<h2>Everything 20% off</h2>\n<p>This week only, {{name}}!</p>",
        True,
    ),
)
DEMO_REJECTION = "promotional wording: 'everything' is not true for gift cards"
DEMO_OPERATOR = "demo-operator"

DEMO_TASKS = (
    ("April newsletter", TaskStatus.COMPLETED, 0, 40),
    ("Order confirmations", TaskStatus.SENDING, 1, 30),
    ("Password reset wave", TaskStatus.PARTLY_FAILED, 1, 20),
    ("May newsletter", TaskStatus.SCHEDULED, 0, 25),
    ("Paused reminder", TaskStatus.PAUSED, 0, 15),
    ("Cancelled teaser", TaskStatus.CANCELLED, 0, 10),
)

# The demo tasks whose messages went out: the hourly figures are theirs.
SENT_STATUSES = (TaskStatus.COMPLETED, TaskStatus.PARTLY_FAILED, TaskStatus.SENDING)
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


@requires(Act.WORKSPACE_UPDATE)
def seed_demo(context: Context) -> None:
    now = context.clock.now().replace(microsecond=0)
    rng = random.Random(20241113)
    update_workspace(context, name="Northwind demo")
    domain_ids = seed_demo_domains(context, now)
    address_ids = seed_demo_addresses(context, domain_ids, now)
    template_ids = seed_demo_templates(context)
    with context.store.session() as session:
        addresses = [session.get_one(SenderAddress, address_id) for address_id in address_ids]
        templates = [session.get_one(Template, template_id) for template_id in template_ids]
        session.flush()
        for offset, (name, status, address_index, size) in enumerate(DEMO_TASKS):
            _seed_task(
                session, rng, now, offset, name, status, addresses[address_index], templates, size
            )
        senders = [
            (stored_id(task), address.domain_id, address.id or 0, task.template_id)
            for task, address in session.execute(
                select(Task, SenderAddress)
                .join(SenderAddress, col(SenderAddress.id) == col(Task.address_id))
                .where(col(Task.status).in_(SENT_STATUSES))
                .order_by(col(Task.id))
            ).all()
        ]
        _seed_hourly(session, rng, now, senders)
    seed_demo_history(context, now)
    # The seeded rows' own figures, beside the fabricated history of _seed_hourly.
    with context.store.writing() as connection:
        count_messages_sent_outside_the_engine(connection)
    seed_demo_suppressions(context, now)
    seed_demo_charges(context, now)


def seed_demo_suppressions(context: Context, now: datetime) -> None:
    """The Suppression List as a workspace that has sent for a while has it: the hard
    bounces of the partly failed task (with their messages), an unsubscribe from the
    completed one, and an address added by hand."""
    with context.store.session() as session:
        by_status = {task.status: task.id for task in session.exec(select_model(Task)).all()}
        bounced = session.exec(
            select_model(Message)
            .where(Message.task_id == by_status.get(TaskStatus.PARTLY_FAILED))
            .where(Message.status == MessageStatus.REJECTED)
            .order_by(col(Message.id))
            .limit(3)
        ).all()
        # The demo's bounce and complaint (seed_demo_history) have suppressed two already.
        known = set(session.exec(select_model(Suppression.address)).all())
        unsubscribed = [
            message
            for message in session.exec(
                select_model(Message)
                .where(Message.task_id == by_status.get(TaskStatus.COMPLETED))
                .order_by(col(Message.id))
                .limit(10)
            ).all()
            if message.recipient.lower() not in known
        ][:1]
        entries = [
            (message, SuppressionReason.HARD_BOUNCE, "", now - timedelta(hours=9, minutes=index))
            for index, message in enumerate(bounced)
        ] + [
            (message, SuppressionReason.UNSUBSCRIBED, "", now - timedelta(hours=2))
            for message in unsubscribed
        ]
        for message, reason, note, when in entries:
            if message.recipient.lower() in known:
                continue
            known.add(message.recipient.lower())
            session.add(
                Suppression(
                    address=message.recipient.lower(),
                    reason=reason,
                    note=note,
                    message_id=message.id,
                    created_at=when,
                )
            )
        session.add(
            Suppression(
                address="procurement@contoso.example",
                reason=SuppressionReason.MANUAL,
                note="asked by phone not to receive newsletters",
                created_at=now - timedelta(days=3),
            )
        )


def seed_demo_addresses(context: Context, domain_ids: list[int], now: datetime) -> list[int]:
    """The demo addresses, made with create_address where the domain is verified."""
    ids: list[int] = []
    for domain_index, prefix, alias in DEMO_ADDRESSES:
        domain_id = domain_ids[domain_index]
        if get_domain(context, domain_id).is_verified:
            ids.append(create_address(context, domain_id=domain_id, prefix=prefix, alias=alias).id)
            continue
        # create_address rightly refuses an unverified domain; this address dates from when
        # its domain still passed, so it is written as the store keeps such an address.
        with context.store.session() as session:
            address = SenderAddress(
                domain_id=domain_id,
                local_part=validate_prefix(prefix),
                alias=validate_alias(alias),
                created_at=now - timedelta(days=20),
            )
            session.add(address)
            session.flush()
            ids.append(address.id or 0)
    return ids


def seed_demo_templates(context: Context) -> list[int]:
    """The demo templates in every state, saved and reviewed through the template service.

    The workspace ends up marked a sensitive industry, so the Templates page shows the
    operator's approve and reject keys at work."""
    ids: list[int] = []
    for index, (title, subject, body_type, body, unsubscribe) in enumerate(DEMO_TEMPLATES):
        if index == 2:
            update_workspace(context, sensitive_industry=True)
        draft = TemplateDraft(
            title=title,
            subject=subject,
            body_type=body_type,
            support_unsubscribe=unsubscribe,
        ).with_body(body)
        ids.append(create_template(context, draft).id)
    reject_template(context, ids[-1], operator=DEMO_OPERATOR, reason=DEMO_REJECTION)
    return ids


# How each demo domain's records stand after its last check: (status, what was found,
# why). "expected" stands for the expected value itself.
DEMO_RECORD_STATES: dict[DomainStatus, dict[str, tuple[RecordStatus, str, str]]] = {
    DomainStatus.PASSED: {
        "dkim": (RecordStatus.PASSED, "expected", ""),
        "spf": (RecordStatus.PASSED, "expected", ""),
        "dmarc": (RecordStatus.PASSED, "v=DMARC1; p=quarantine; rua=mailto:dmarc@example.net", ""),
        "tracking": (RecordStatus.NOT_FOUND, "", "no CNAME record at {name}"),
        "mx": (RecordStatus.FAILED, "10 mx.other-provider.example", "MX points elsewhere"),
        "bounce_mx": (RecordStatus.PASSED, "expected", ""),
        "bounce_spf": (RecordStatus.PASSED, "expected", ""),
    },
    DomainStatus.VERIFYING: {
        purpose: (RecordStatus.UNKNOWN, "", "ns1.{domain} did not answer within 5 s; will retry")
        for purpose in ("dkim", "spf", "dmarc", "tracking", "mx", "bounce_mx", "bounce_spf")
    },
    DomainStatus.FAILED: {
        "dkim": (RecordStatus.NOT_FOUND, "", "no TXT record at {name}"),
        "spf": (RecordStatus.PASSED, "expected", ""),
        "dmarc": (RecordStatus.NOT_FOUND, "", "no TXT record at {name}"),
        "tracking": (RecordStatus.NOT_FOUND, "", "no CNAME record at {name}"),
        "mx": (RecordStatus.NOT_FOUND, "", "no MX record at {name}"),
        "bounce_mx": (RecordStatus.NOT_FOUND, "", "no MX record at {name}"),
        "bounce_spf": (RecordStatus.NOT_FOUND, "", "no TXT record at {name}"),
    },
}


def seed_demo_domains(context: Context, now: datetime) -> list[int]:
    """The demo domains, made as a user would (create_domain: DKIM key, records), then left
    as their last check would leave them: passed, still verifying (DNS did not answer),
    failed (DKIM record missing). Returns their ids in DEMO_DOMAINS order."""
    ids: list[int] = []
    for index, (name, status) in enumerate(DEMO_DOMAINS):
        domain_id = create_domain(context, name).id
        created = now - timedelta(days=30 - index * 5)
        checked = now - timedelta(minutes=7 if status == DomainStatus.PASSED else 2)
        states = DEMO_RECORD_STATES[status]
        with context.store.session() as session:
            domain = session.get(SenderDomain, domain_id)
            assert domain is not None
            records = session.scalars(
                select(DnsRecord).where(col(DnsRecord.domain_id) == domain_id)
            )
            reasons: list[str] = []
            for record in records.all():
                record_status, found, why = states[record.purpose]
                record.status = record_status
                record.found = [record.expected if found == "expected" else found] if found else []
                record.detail = why.format(name=record.name, domain=name)
                record.checked_at = checked
                if record.required and record_status != RecordStatus.PASSED:
                    reasons.append(f"{record.purpose.upper()}: {record.detail}")
                session.add(record)
            domain.status = status
            domain.status_reason = (
                f"could not check DKIM, SPF ({reasons[0].split(': ', 1)[1]})"
                if status == DomainStatus.VERIFYING
                else "; ".join(reasons)
            )
            domain.created_at = created
            domain.updated_at = created if status == DomainStatus.PASSED else checked
            domain.verified_at = (
                created + timedelta(minutes=20) if status == DomainStatus.PASSED else None
            )
            domain.last_checked_at = checked
            domain.next_check_at = next_check_time(status, domain.updated_at, checked)
            session.add(domain)
        ids.append(domain_id)
    return ids


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
        session.add(
            Message(
                task_id=task.id or 0,
                recipient=recipient,
                params={  # what either demo template asks for, so the engine can send it
                    "name": FIRST_NAMES[index % len(FIRST_NAMES)],
                    "code": f"{rng.randrange(10**6):06d}",
                    "email": recipient,
                },
                status=_message_status(status, index, size),
                next_attempt_at=scheduled,
                created_at=created,
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
        if index == size // 2 + 1:
            return MessageStatus.SENDING  # a worker holds it right now
        if index == size // 2 + 6:
            return MessageStatus.FAILED  # its parameters do not fit the template
        return MessageStatus.DEFERRED if index % 5 == 0 else MessageStatus.PENDING
    if task_status == TaskStatus.PAUSED:
        return MessageStatus.DELIVERED if index < 5 else MessageStatus.PENDING
    if task_status == TaskStatus.CANCELLED:
        return MessageStatus.CANCELLED
    return MessageStatus.PENDING


def _seed_hourly(
    session: object,
    rng: random.Random,
    now: datetime,
    senders: list[tuple[int, int, int, int]],
) -> None:
    """48 hours of figures, each hour's under one of the demo tasks that sent (task,
    domain, address, template), so the report's filters find them."""
    from sqlmodel import Session

    assert isinstance(session, Session)
    hour = now.replace(minute=0, second=0)
    for back in range(48, 0, -1):
        task_id, domain_id, address_id, template_id = senders[back % len(senders)]
        sent = rng.randrange(0, 60)
        rejected = rng.randrange(0, max(1, sent // 15 + 1))
        failed = rng.randrange(0, 2) if sent else 0
        session.add(
            HourlyStat(
                hour=hour - timedelta(hours=back),
                task_id=task_id,
                domain_id=domain_id,
                address_id=address_id,
                template_id=template_id,
                send_method=SendMethod.CONSOLE.value,
                sent=sent,
                delivered=max(0, sent - rejected - failed),
                failed=failed,
                to_send=0,
                rejected=rejected,
            )
        )
