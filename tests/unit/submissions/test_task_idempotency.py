"""An Idempotency-Key answered by concurrent transactions: on task creation the answer is
recorded in the task's own transaction, so concurrent retries make one task and the others
replay its answer; messages committed by two server processes at once are stored once."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import Connection, func, select

from kootui.core.apikeys import create_api_key
from kootui.core.context import Context
from kootui.core.errors import Conflict
from kootui.core.recipients import TypedRecipients
from kootui.core.store import Message, SendMethod, Task, open_store
from kootui.core.submissions import (
    AlreadyAnswered,
    IdempotencyClaim,
    Pending,
    RecipientInput,
    SubmissionChecker,
    SubmissionReceipt,
    SubmissionRequest,
    commit_batch,
    find_answer,
    idempotency_claim,
    record_first_answer,
    replay,
)
from kootui.core.tasks import TaskDraft, create_task
from tests.support.task_seed import seed_sources


def _draft(ids: dict[str, int], name: str = "Keyed") -> TaskDraft:
    return TaskDraft(
        name=name,
        subject="Notice",
        template_id=ids["plain"],
        address_id=ids["sender"],
        recipients=TypedRecipients(["keyed@example.org"]),
        send_method=SendMethod.API,
    )


def _answering(context: Context, claim: IdempotencyClaim) -> Any:
    def record(connection: Connection, task: Task) -> None:
        body = f'{{"task": {task.id}}}'
        record_first_answer(connection, claim, 201, body, context.clock.now())

    return record


def _counts(context: Context) -> tuple[int, int]:
    with context.store.engine.connect() as connection:
        tasks = connection.execute(select(func.count()).select_from(Task.__table__)).scalar()
        rows = connection.execute(
            select(func.count())
            .select_from(Message.__table__)
            .where(Message.__table__.c.recipient == "keyed@example.org")
        ).scalar()
    return int(tasks or 0), int(rows or 0)


def test_a_retry_replays_the_first_answer_and_creates_nothing(any_context: Context) -> None:
    ids = seed_sources(any_context)
    key = create_api_key(any_context, "tasks").key
    claim = idempotency_claim(key.id, "t-1", "POST /v1/tasks", b"{same}")
    first = create_task(any_context, _draft(ids), in_transaction=_answering(any_context, claim))
    before = _counts(any_context)
    with pytest.raises(AlreadyAnswered) as again:
        create_task(any_context, _draft(ids), in_transaction=_answering(any_context, claim))
    assert replay(claim, again.value.answer).body == f'{{"task": {first.id}}}'
    assert _counts(any_context) == before  # the retry's task and rows were rolled back
    other = idempotency_claim(key.id, "t-1", "POST /v1/tasks", b"{other}")
    with pytest.raises(AlreadyAnswered) as clash:
        create_task(any_context, _draft(ids), in_transaction=_answering(any_context, other))
    with pytest.raises(Conflict) as refused:
        replay(other, clash.value.answer)
    assert refused.value.code == "idempotency.key_reused"
    answer = find_answer(any_context, claim)
    assert answer is not None and answer.status == 201


def test_concurrent_creations_with_one_key_make_one_task(any_context: Context) -> None:
    ids = seed_sources(any_context)
    key = create_api_key(any_context, "tasks").key
    claim = idempotency_claim(key.id, "t-2", "POST /v1/tasks", b"{same}")
    start = threading.Barrier(4)
    outcomes: list[object] = []

    def create() -> None:
        start.wait()
        try:
            made = create_task(
                any_context, _draft(ids), in_transaction=_answering(any_context, claim)
            )
            outcomes.append(made.id)
        except AlreadyAnswered as exc:
            outcomes.append(exc.answer.body)

    threads = [threading.Thread(target=create) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    made = [item for item in outcomes if isinstance(item, int)]
    assert len(made) == 1, outcomes
    created = made[0]
    assert outcomes.count(f'{{"task": {created}}}') == 3
    assert _counts(any_context)[1] == 1


def test_two_processes_committing_one_key_at_once_store_the_messages_once(
    any_context: Context,
) -> None:
    ids = seed_sources(any_context)
    key = create_api_key(any_context, "messages").key
    claim = idempotency_claim(key.id, "m-1", "POST /v1/messages", b"{same}")
    request = SubmissionRequest(
        "news@mail.example.com", [RecipientInput("keyed@example.org")], ids["plain"]
    )
    prepared = SubmissionChecker(any_context).prepare(request)
    url = any_context.store.engine.url.render_as_string(hide_password=False)
    # Each "server process" its own connections to the store.
    processes = [
        Context(open_store(url, migrate=False), any_context.settings, any_context.clock)
        for _ in range(3)
    ]
    start = threading.Barrier(len(processes))
    outcomes: list[object] = []

    def commit(context: Context) -> None:
        start.wait()
        outcomes.extend(commit_batch(context, [Pending(prepared, claim)]))

    threads = [threading.Thread(target=commit, args=(context,)) for context in processes]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    finally:
        for context in processes:
            context.close()
    assert len(outcomes) == len(processes)  # none of them failed
    assert all(isinstance(outcome, SubmissionReceipt) for outcome in outcomes), outcomes
    assert len({tuple(outcome.message_ids) for outcome in outcomes}) == 1  # type: ignore[attr-defined]
    assert _counts(any_context)[1] == 1
