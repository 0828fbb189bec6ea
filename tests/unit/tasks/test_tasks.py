"""Creating sending tasks: every field rule, the bulk expansion, and all-or-nothing."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from kootui.core.context import Context
from kootui.core.errors import InvalidState, LimitReached, NotFound, StoreError, ValidationError
from kootui.core.recipients import TypedRecipients
from kootui.core.recipients.xlsx import import_recipients
from kootui.core.store import (
    Attachment,
    DomainStatus,
    Message,
    SenderDomain,
    SendType,
    Suppression,
    Task,
)
from kootui.core.tasks import (
    TaskDraft,
    check_draft,
    check_subject,
    create_task,
    get_task,
    parse_local_time,
    prepare_attachment,
)
from tests.support.task_seed import seed_sources, write_recipients_xlsx


@pytest.fixture
def ids(context: Context) -> dict[str, int]:
    return seed_sources(context)


@pytest.fixture
def any_ids(any_context: Context) -> dict[str, int]:
    return seed_sources(any_context)


def _count(context: Context, model: type) -> int:
    with context.store.session() as session:
        return session.exec(select(func.count()).select_from(model)).one()[0]


def _draft(ids: dict[str, int], **changes) -> TaskDraft:
    draft = TaskDraft(
        name="November notice",
        subject="Notice for you",
        template_id=ids["plain"],
        address_id=ids["sender"],
        recipients=TypedRecipients(["ann@example.com", "bob@example.org"]),
    )
    for key, value in changes.items():
        setattr(draft, key, value)
    return draft


def test_a_now_task_creates_one_pending_row_per_recipient(any_context, any_ids):
    task = create_task(any_context, _draft(any_ids))
    assert task.status == "scheduled" and task.send_type == "now"
    assert task.scheduled_at == any_context.clock.now()
    assert task.recipient_count == 2 and task.recipient_source == "typed by hand (2)"
    with any_context.store.session() as session:
        rows = session.exec(select(Message).where(Message.task_id == task.id)).all()
    assert [(m[0].recipient, m[0].status, m[0].params) for m in rows] == [
        ("ann@example.com", "pending", {}),
        ("bob@example.org", "pending", {}),
    ]
    first = rows[0][0]
    assert (
        first.next_attempt_at == any_context.clock.now()
        and first.created_at == any_context.clock.now()
    )
    assert first.message_id_header == "" and first.unsubscribe_token == ""
    assert first.send_method == "console" and first.attempts == 0


@pytest.mark.parametrize(
    ("changes", "field", "text"),
    [
        ({"name": "  "}, "name", "task name"),
        ({"name": "x" * 101}, "name", "100"),
        ({"subject": ""}, "subject", "subject"),
        ({"subject": "s" * 256}, "subject", "255"),
        ({"subject": "Hi {{ name }}"}, "subject", "'name'"),
        ({"subject": "Hi {{ name.upper() }}"}, "subject", "column"),
        ({"template_id": None}, "template_id", "template"),
        ({"address_id": None}, "address_id", "sender"),
        ({"recipients": None}, "recipients", "at least one"),
        ({"recipients": TypedRecipients([])}, "recipients", "at least one"),
        (
            {"recipients": TypedRecipients([f"u{i}@example.com" for i in range(11)])},
            "recipients",
            "10",
        ),
        ({"send_type": SendType.SCHEDULED}, "scheduled_at", "time"),
        ({"send_type": "later"}, "send_type", "now or scheduled"),
    ],
)
def test_field_rules(context, ids, changes, field, text):
    with pytest.raises(ValidationError) as caught:
        create_task(context, _draft(ids, **changes))
    assert caught.value.field == field
    assert text in caught.value.message
    assert _count(context, Task) == 0


def test_a_domain_unverified_after_the_check_is_caught_in_the_transaction(
    context, ids, monkeypatch
):
    checked = check_draft(context, _draft(ids))
    with context.store.session() as session:
        domain = session.get(SenderDomain, checked.domain.id)
        domain.status = DomainStatus.FAILED
        session.add(domain)
    with pytest.raises(InvalidState):
        create_task(context, _draft(ids))  # the form's check sees it
    # As if the domain failed between the form's check and the writing transaction:
    monkeypatch.setattr("kootui.core.tasks.create.require_usable_address", lambda _c, _i: None)
    with pytest.raises(ValidationError) as caught:
        create_task(context, _draft(ids))
    assert caught.value.code == "task.domain_not_verified"
    assert _count(context, Task) == 0


def test_template_must_exist_and_be_approved(context, ids, monkeypatch):
    with pytest.raises(InvalidState) as caught:
        check_draft(context, _draft(ids, template_id=ids["pending"]))
    assert caught.value.field == "template_id" and "Waiting" in caught.value.message
    with pytest.raises(NotFound):
        check_draft(context, _draft(ids, template_id=9999))
    # As if the template lost its approval between the form's check and the transaction:
    monkeypatch.setattr("kootui.core.tasks.create.require_usable_template", lambda _c, _i: None)
    with pytest.raises(ValidationError) as caught:
        create_task(context, _draft(ids, template_id=ids["pending"]))
    assert caught.value.code == "task.template_not_approved"
    assert _count(context, Task) == 0


def test_sender_must_be_on_a_verified_domain(context, ids):
    with pytest.raises(InvalidState) as caught:
        check_draft(context, _draft(ids, address_id=ids["unverified_sender"]))
    assert caught.value.field == "address_id"
    assert "new.example.net" in caught.value.message
    with pytest.raises(NotFound):
        check_draft(context, _draft(ids, address_id=9999))


def test_subject_may_use_the_templates_parameters_only():
    assert check_subject(" Hello {{ name }} ", ["name"]) == "Hello {{ name }}"
    with pytest.raises(ValidationError) as caught:
        check_subject("Hello {{ nmae }}", ["name", "code"])
    assert "'nmae'" in caught.value.message and caught.value.code == "task.unknown_parameter"


def test_a_task_subject_with_a_control_character_is_refused():
    for control in "\x00\x1b\x7f\x9b\t\u202e\u2066\u200b\ufeff":
        with pytest.raises(ValidationError) as caught:
            check_subject(f"Hello{control} {{{{ name }}}}", ["name"])
        assert caught.value.code == "task.subject_control" and caught.value.field == "subject"
        assert f"U+{ord(control):04X}" in caught.value.message


def test_a_template_with_parameters_refuses_typed_recipients(context, ids):
    with pytest.raises(ValidationError) as caught:
        check_draft(context, _draft(ids, template_id=ids["personal"]))
    assert caught.value.code == "task.recipients_need_file"
    assert "name, code" in caught.value.message


def test_an_unsubscribe_template_needs_the_tracking_host_setting(context, ids, tmp_path):
    context.settings = context.settings.with_values(sending__tracking_host="")
    path = write_recipients_xlsx(tmp_path / "r.xlsx", 2)
    with import_recipients(path, ["name", "code"]).recipients as recipients:
        with pytest.raises(ValidationError) as caught:
            check_draft(context, _draft(ids, template_id=ids["personal"], recipients=recipients))
    assert caught.value.field == "template_id"
    assert "sending.tracking_host" in caught.value.message


def test_scheduled_time_must_be_in_the_future(context, ids):
    now = context.clock.now()
    for past in (now, now - timedelta(minutes=1)):
        with pytest.raises(ValidationError, match="future"):
            check_draft(context, _draft(ids, send_type=SendType.SCHEDULED, scheduled_at=past))
    later = now + timedelta(hours=2)
    task = create_task(context, _draft(ids, send_type=SendType.SCHEDULED, scheduled_at=later))
    assert task.status == "scheduled" and task.scheduled_at == later
    with context.store.session() as session:
        times = session.exec(select(Message.next_attempt_at)).all()
    assert {row[0] for row in times} == {later}


def test_local_time_text_is_stored_in_utc(monkeypatch):
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    parsed = parse_local_time("2026-11-24 09:00")
    assert parsed.isoformat() == "2026-11-24T00:00:00+00:00"
    with pytest.raises(ValidationError) as caught:
        parse_local_time("24/11/2026 9am")
    assert caught.value.field == "scheduled_at"


def test_attachments_are_stored_with_the_task(any_context, any_ids):
    files = [prepare_attachment("plan.pdf", b"%PDF-1.7 plan"), prepare_attachment("a.txt", b"hi")]
    task = create_task(any_context, _draft(any_ids, attachments=files))
    with any_context.store.session() as session:
        stored = session.exec(select(Attachment).where(Attachment.task_id == task.id)).all()
    assert [(a[0].filename, a[0].content_type, a[0].size, a[0].content) for a in stored] == [
        ("plan.pdf", "application/pdf", 13, b"%PDF-1.7 plan"),
        ("a.txt", "text/plain", 2, b"hi"),
    ]
    too_much = [prepare_attachment(f"{i}.pdf", b"%" * (3 * 1024 * 1024)) for i in range(2)]
    with pytest.raises(LimitReached):
        create_task(any_context, _draft(any_ids, attachments=too_much))


def test_xlsx_recipients_with_parameters_and_unsubscribe_tokens(any_context, any_ids, tmp_path):
    path = write_recipients_xlsx(tmp_path / "r.xlsx", 3)
    with import_recipients(path, ["name", "code"]).recipients as recipients:
        task = create_task(
            any_context,
            _draft(
                any_ids,
                template_id=any_ids["personal"],
                subject="Welcome {{ name }}",
                recipients=recipients,
            ),
        )
    assert task.recipient_source == "r.xlsx (xlsx)"
    with any_context.store.session() as session:
        rows = [r[0] for r in session.exec(select(Message).order_by(Message.id)).all()]
    assert [(m.recipient, m.params) for m in rows][1] == (
        "user1@example.com",
        {"name": "Person 1", "code": "C000001"},
    )
    tokens = {m.unsubscribe_token for m in rows}
    assert len(tokens) == 3 and all(len(token) >= 16 for token in tokens)


def test_recipient_file_read_for_other_parameters_is_refused(context, ids, tmp_path):
    path = write_recipients_xlsx(tmp_path / "r.xlsx", 2)
    with import_recipients(path, ["name"]).recipients as recipients:
        with pytest.raises(ValidationError, match="'code'"):
            check_draft(context, _draft(ids, template_id=ids["personal"], recipients=recipients))


def test_suppressed_addresses_are_created_cancelled_with_the_reason(any_context, any_ids):
    with any_context.store.session() as session:
        session.add(
            Suppression(
                address="bob@example.org", reason="unsubscribed", created_at=any_context.clock.now()
            )
        )
    recipients = TypedRecipients(["ann@example.com", "Bob@example.org"])
    task = create_task(any_context, _draft(any_ids, recipients=recipients))
    with any_context.store.session() as session:
        rows = [r[0] for r in session.exec(select(Message).order_by(Message.id)).all()]
    assert [(m.recipient, m.status) for m in rows] == [
        ("ann@example.com", "pending"),
        ("Bob@example.org", "cancelled"),
    ]
    assert "suppression list (unsubscribed)" in rows[1].last_reply
    assert task.recipient_count == 2


class FailingRecipients:
    """Valid rows, then a row the database refuses (NULL address) in the third chunk."""

    description = "failing"
    parameters = ()

    def __init__(self, count: int) -> None:
        self._count = count

    @property
    def count(self) -> int:
        return self._count

    def row(self, index: int):
        return f"user{index}@example.com", {}

    def chunks(self, size: int) -> Iterator[list]:
        for start in range(0, self._count, size):
            chunk = [
                (f"user{i}@example.com", {}) for i in range(start, min(start + size, self._count))
            ]
            if start >= 2 * size:
                chunk[-1] = (None, {})  # slipped past validation: NOT NULL violation
            yield chunk


def test_a_failure_mid_expansion_leaves_nothing(any_context, any_ids):
    create_task(any_context, _draft(any_ids))  # an earlier task must survive untouched
    before = (
        _count(any_context, Task),
        _count(any_context, Message),
        _count(any_context, Attachment),
    )
    draft = _draft(
        any_ids,
        recipients=FailingRecipients(12_000),
        attachments=[prepare_attachment("a.pdf", b"%PDF")],
    )
    with pytest.raises(StoreError, match="nothing was created"):
        create_task(any_context, draft)
    assert (
        _count(any_context, Task),
        _count(any_context, Message),
        _count(any_context, Attachment),
    ) == before


def test_a_list_that_changes_under_the_expansion_is_refused(context, ids):
    class Shrinking(FailingRecipients):
        def chunks(self, size: int):
            yield [("a@example.com", {})]

    with pytest.raises(StoreError, match="nothing was saved"):
        create_task(context, _draft(ids, recipients=Shrinking(5)))
    assert _count(context, Task) == 0 and _count(context, Message) == 0


@pytest.mark.slow
def test_100k_recipients_expand_in_bulk(any_context, any_ids):
    """Prints the time (run with -s); never asserts it."""

    class Many(FailingRecipients):
        def chunks(self, size: int):
            for start in range(0, self._count, size):
                yield [
                    (f"user{i}@example.com", {})
                    for i in range(start, min(start + size, self._count))
                ]

    seen: list[int] = []
    started = time.perf_counter()
    task = create_task(
        any_context,
        _draft(any_ids, recipients=Many(100_000)),
        progress=lambda done, total: seen.append(done),
    )
    elapsed = time.perf_counter() - started
    print(f"\n100,000 message rows in {elapsed:.2f} s ({100_000 / elapsed:,.0f} rows/s)")
    assert task.recipient_count == 100_000
    assert _count(any_context, Message) == 100_000
    assert seen[-1] == 100_000 and len(seen) == 20
    assert get_task(any_context, task.id).recipient_count == 100_000
