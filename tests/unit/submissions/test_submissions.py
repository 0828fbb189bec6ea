"""Submissions from outside the console: the rules, the channel tasks, the group commit,
idempotency."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from email import policy
from email.parser import BytesParser

import pytest
from sqlalchemy import select, update

from kootui.core.apikeys import create_api_key
from kootui.core.context import Context
from kootui.core.dispatch import run_until_idle
from kootui.core.errors import Conflict, InvalidState, KootuiError, ValidationError
from kootui.core.store import (
    Message,
    SendMethod,
    Suppression,
    Task,
    TaskStatus,
    Template,
    TemplateStatus,
)
from kootui.core.submissions import (
    Intake,
    Pending,
    RecipientInput,
    SubmissionChecker,
    SubmissionReceipt,
    SubmissionRequest,
    commit_batch,
    find_answer,
    idempotency_claim,
)
from tests.support.task_seed import seed_sources

SENDER = "news@mail.example.com"


@pytest.fixture
def ids(any_context: Context) -> dict[str, int]:
    return seed_sources(any_context)


def _request(template_id: int | None, *emails: str, **fields: object) -> SubmissionRequest:
    recipients = [RecipientInput(email) for email in emails]
    return SubmissionRequest(SENDER, recipients, template_id, **fields)  # type: ignore[arg-type]


def _store(context: Context, request: SubmissionRequest) -> SubmissionReceipt:
    prepared = SubmissionChecker(context).prepare(request)
    [outcome] = commit_batch(context, [Pending(prepared)])
    assert isinstance(outcome, SubmissionReceipt)
    return outcome


def _messages(context: Context) -> list[Message]:
    with context.store.session() as session:
        return list(session.exec(select(Message).order_by(Message.id)).scalars())


def _task(context: Context, task_id: int) -> Task:
    with context.store.session() as session:
        task = session.get(Task, task_id)
        assert task is not None
        return task


def test_a_template_submission_is_message_rows_sent_by_api_on_one_channel_task(
    any_context: Context, ids: dict[str, int]
) -> None:
    first = _store(any_context, _request(ids["plain"], "a@example.org", "B@example.org"))
    second = _store(any_context, _request(ids["plain"], "c@example.org"))
    rows = _messages(any_context)
    assert [row.id for row in rows] == first.message_ids + second.message_ids
    assert {row.send_method for row in rows} == {SendMethod.API}
    assert first.task_id == second.task_id is not None
    task = _task(any_context, first.task_id)
    assert (task.send_method, task.recipient_count, task.status) == ("api", 3, "scheduled")
    assert [row.recipient for row in rows] == ["a@example.org", "B@example.org", "c@example.org"]


def test_a_finished_channel_reopens_and_a_cancelled_one_is_replaced(
    any_context: Context, ids: dict[str, int]
) -> None:
    first = _store(any_context, _request(ids["plain"], "a@example.org"))
    assert first.task_id is not None
    with any_context.store.session() as session:
        session.connection().execute(
            update(Task.__table__)
            .where(Task.__table__.c.id == first.task_id)
            .values(status=TaskStatus.COMPLETED.value, finished_at=any_context.clock.now())
        )
    again = _store(any_context, _request(ids["plain"], "b@example.org"))
    assert again.task_id == first.task_id
    assert _task(any_context, first.task_id).status == TaskStatus.SCHEDULED
    assert _task(any_context, first.task_id).finished_at is None
    with any_context.store.session() as session:
        session.connection().execute(
            update(Task.__table__)
            .where(Task.__table__.c.id == first.task_id)
            .values(status=TaskStatus.CANCELLED.value)
        )
    # A fresh checker: the old one remembers the channel, which must not matter either.
    replaced = _store(any_context, _request(ids["plain"], "c@example.org"))
    assert replaced.task_id not in (None, first.task_id)


def test_own_content_becomes_one_checked_template_reused_by_the_same_content(
    any_context: Context, ids: dict[str, int]
) -> None:
    request = _request(
        None,
        "a@example.org",
        subject="Your code",
        html="<p>Code: {{code}}</p><script>x</script>",
        params={"code": "1234"},
    )
    with pytest.raises(ValidationError) as refused:  # the editor's rule: nothing is lost
        _store(any_context, request)
    assert refused.value.field == "body"
    clean = _request(
        None,
        "a@example.org",
        subject="Your code",
        html="<p>Code: {{code}}</p>",
        params={"code": "1"},
    )
    first = _store(any_context, clean)
    second = _store(any_context, clean)
    assert first.task_id == second.task_id
    with any_context.store.session() as session:
        made = session.exec(select(Template).where(Template.title.like("API: %"))).scalars().all()
    assert len(made) == 1 and made[0].parameters == ["code"]
    assert [row.params for row in _messages(any_context)] == [{"code": "1"}, {"code": "1"}]


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"sender": "hello@new.example.net"}, "sender", "address.domain_not_verified"),
        ({"template": "pending"}, "template_id", "task.template_not_approved"),
        ({"template": "personal"}, "recipients[0].params.name", "submission.missing_parameter"),
        ({"emails": ["not an address"]}, "recipients[0].email", "validation.invalid"),
        ({"emails": [f"r{i}@example.org" for i in range(51)]}, "recipients", None),
        ({"attachments": [("run.exe", b"MZ")]}, "attachments[0]", "attachment.blocked_type"),
        ({"subject": "Hi"}, "template_id", "submission.template_and_content"),
    ],
)
def test_each_rule_is_the_consoles_and_names_its_field(
    context: Context, change: dict[str, object], field: str, code: str | None
) -> None:
    ids = seed_sources(context)
    emails = change.pop("emails", ["a@example.org"])
    template = ids[str(change.pop("template", "plain"))]
    sender = str(change.pop("sender", SENDER))
    request = SubmissionRequest(
        sender,
        [RecipientInput(e) for e in emails],
        template,
        **change,  # type: ignore[arg-type]
    )
    with pytest.raises(KootuiError) as refused:
        SubmissionChecker(context).prepare(request)
    assert refused.value.field == field
    if code is not None:
        assert refused.value.code == code
    assert _messages(context) == []


def test_repeats_are_counted_and_suppressed_addresses_skipped(
    any_context: Context, ids: dict[str, int]
) -> None:
    context = any_context
    with context.store.session() as session:
        session.add(
            Suppression(
                address="gone@example.org", reason="unsubscribed", created_at=context.clock.now()
            )
        )
    receipt = _store(
        context, _request(ids["plain"], "a@example.org", "A@example.org", "Gone@example.org")
    )
    assert receipt.duplicates == 1
    assert [(r.recipient, r.suppressed) for r in receipt.recipients] == [
        ("a@example.org", ""),
        ("Gone@example.org", "unsubscribed"),
    ]
    assert len(_messages(context)) == 1


def test_a_template_unapproved_since_the_check_is_refused_in_the_transaction(
    any_context: Context, ids: dict[str, int]
) -> None:
    context = any_context
    prepared = SubmissionChecker(context).prepare(_request(ids["plain"], "a@example.org"))
    with context.store.session() as session:
        session.connection().execute(
            update(Template.__table__)
            .where(Template.__table__.c.id == ids["plain"])
            .values(status=TemplateStatus.REJECTED.value)
        )
    [outcome] = commit_batch(context, [Pending(prepared)])
    assert isinstance(outcome, ValidationError) and outcome.field == "template_id"
    assert _messages(context) == []


def test_one_idempotency_key_stores_once_and_refuses_another_body(
    any_context: Context, ids: dict[str, int]
) -> None:
    checker = SubmissionChecker(any_context)
    prepared = checker.prepare(_request(ids["plain"], "a@example.org"))
    key = create_api_key(any_context, "test").key
    claim = idempotency_claim(key.id, "order-17", "POST /v1/messages", b"{body}")
    other = idempotency_claim(key.id, "order-17", "POST /v1/messages", b"{other}")
    # Three arrive in one batch: the first stores, the same body gets its answer, the
    # other body is a conflict.
    first, same, clash = commit_batch(
        any_context, [Pending(prepared, claim), Pending(prepared, claim), Pending(prepared, other)]
    )
    assert isinstance(first, SubmissionReceipt) and same == first
    assert isinstance(clash, Conflict) and clash.code == "idempotency.key_reused"
    # Later retries find the stored answer; after 24 hours the key is free again.
    [later] = commit_batch(any_context, [Pending(prepared, claim)])
    assert later == first
    assert find_answer(any_context, claim) is not None
    assert len(_messages(any_context)) == 1
    any_context.clock.advance(timedelta(hours=24, seconds=1))  # type: ignore[attr-defined]
    assert find_answer(any_context, claim) is None
    [fresh] = commit_batch(any_context, [Pending(prepared, claim)])
    assert isinstance(fresh, SubmissionReceipt) and fresh.message_ids != first.message_ids


async def test_the_intake_commits_together_and_answers_only_after_the_commit(
    any_context: Context, ids: dict[str, int]
) -> None:
    context = any_context
    checker = SubmissionChecker(context)
    prepared = [checker.prepare(_request(ids["plain"], f"r{i}@example.org")) for i in range(40)]
    intake = Intake(context, max_wait=0.005)
    seen_stored: list[bool] = []

    async def send(item: object) -> SubmissionReceipt:
        receipt = await intake.submit(item)  # type: ignore[arg-type]
        # Another connection sees the rows the moment the caller hears of them.
        with context.store.engine.connect() as connection:
            found = connection.execute(
                select(Message.__table__.c.id).where(
                    Message.__table__.c.id.in_(receipt.message_ids)
                )
            ).all()
        seen_stored.append(len(found) == 1)
        return receipt

    receipts = await asyncio.gather(*(send(item) for item in prepared))
    await intake.close()
    assert all(seen_stored) and len(seen_stored) == 40
    assert intake.batches < 10 and intake.largest_batch > 4
    assert len({r.message_ids[0] for r in receipts}) == 40
    with pytest.raises(KootuiError):
        await intake.submit(prepared[0])


async def test_a_failed_transaction_fails_every_caller_and_stores_nothing(
    any_context: Context, ids: dict[str, int]
) -> None:
    context = any_context
    checker = SubmissionChecker(context)
    good = checker.prepare(_request(ids["plain"], "a@example.org"))
    bad_claim = idempotency_claim(999_999, "k", "POST /v1/messages", b"x")  # no such API key
    intake = Intake(context)
    results = await asyncio.gather(
        intake.submit(good), intake.submit(good, bad_claim), return_exceptions=True
    )
    await intake.close()
    # The unknown key breaks the record's foreign key: the transaction, not one caller.
    assert isinstance(results[1], KootuiError)
    assert isinstance(results[0], KootuiError)
    assert _messages(context) == []


def test_an_unverified_sender_found_by_address_is_refused(context: Context) -> None:
    seed_sources(context)
    request = SubmissionRequest("hello@new.example.net", [RecipientInput("a@example.org")], 1)
    with pytest.raises(InvalidState):
        SubmissionChecker(context).prepare(request)


def test_a_parameter_with_a_line_break_reaches_the_subject_cleaned_not_as_a_header(
    context: Context,
) -> None:
    ids = seed_sources(context)
    injected = "Cy\r\nBcc: victim@example.net"
    request = SubmissionRequest(
        SENDER,
        [RecipientInput("a@example.org", {"name": injected})],
        ids["personal"],
        params={"code": "1"},
    )
    _store(context, request)
    run_until_idle(context)
    [sent] = [path for path in context.settings.paths.outbox_dir.rglob("*") if path.is_file()]
    message = BytesParser(policy=policy.default).parsebytes(sent.read_bytes())
    assert message["Bcc"] is None
    assert message["Subject"] == "Welcome Cy  Bcc: victim@example.net"
