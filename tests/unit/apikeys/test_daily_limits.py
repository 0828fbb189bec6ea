"""Daily message limits on users and credentials: counted with the rows, refused whole, in
the workspace's day, exact when requests race."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from kootui.core.access import Face, attach_policy, authenticate, create_user
from kootui.core.apikeys import (
    api_key_principal,
    create_api_key,
    create_smtp_credential,
    key_daily_limit,
    list_daily_limits,
    set_key_daily_limit,
    set_login_daily_limit,
    set_user_daily_limit,
    smtp_credential_principal,
    user_daily_limit,
)
from kootui.core.apikeys.daily_limits import workspace_day
from kootui.core.clock import FixedClock
from kootui.core.context import Context
from kootui.core.errors import DailyLimitReached, ValidationError
from kootui.core.store import DailyLimitUse, Message
from kootui.core.submissions import (
    Pending,
    RecipientInput,
    SubmissionChecker,
    SubmissionReceipt,
    SubmissionRequest,
    commit_batch,
)
from kootui.core.workspace import update_workspace
from kootui.serve.smtp.handler import refusal
from tests.support.task_seed import add_scheduled_task, seed_sources

SENDER = "news@mail.example.com"
PASSWORD = "correct horse battery"


@pytest.fixture
def ids(any_context: Context) -> dict[str, int]:
    found = seed_sources(any_context)
    create_user(any_context, "alice", PASSWORD)
    attach_policy(any_context, "KooMessage FullAccess", user="alice")
    return found


def _key(context: Context, name: str) -> str:
    created = create_api_key(context, name, owner="alice")
    return f"kt_{created.key.prefix}"


def _pending(context: Context, template_id: int, principal_ref: str, count: int) -> Pending:
    principal = api_key_principal(context, principal_ref)
    request = SubmissionRequest(
        SENDER,
        [RecipientInput(f"r{i}@example.org") for i in range(count)],
        template_id,
    )
    return Pending(SubmissionChecker(context).prepare(request, principal))


def _messages(context: Context) -> int:
    with context.store.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(Message)).scalar_one())


def test_a_key_limit_refuses_the_request_that_would_pass_it_whole(
    any_context: Context, ids: dict[str, int]
) -> None:
    key = _key(any_context, "shop")
    set_key_daily_limit(any_context, key, 5)
    first, second, third = commit_batch(
        any_context,
        [
            _pending(any_context, ids["plain"], key, 3),
            _pending(any_context, ids["plain"], key, 3),  # 6 > 5: refused whole
            _pending(any_context, ids["plain"], key, 2),  # 5: fits
        ],
    )
    assert isinstance(first, SubmissionReceipt) and isinstance(third, SubmissionReceipt)
    assert isinstance(second, DailyLimitReached)
    assert (second.code, second.field, second.http_status) == (
        "limit.credential_daily",
        "credential",
        429,
    )
    assert "daily limit of 5 messages" in second.message and "2 left today" in second.message
    assert _messages(any_context) == 5
    status = key_daily_limit(any_context, key)
    assert (status.messages, status.used_today, status.left_today) == (5, 5, 0)
    assert refusal(second).startswith("451 4.7.1 credential: the daily limit")


def test_a_user_limit_covers_all_their_credentials_and_the_next_day_starts_again(
    any_context: Context, ids: dict[str, int], clock: FixedClock
) -> None:
    update_workspace(any_context, time_zone="Europe/Helsinki")
    api_key = _key(any_context, "shop")
    login = create_smtp_credential(any_context, "relay", owner="alice").credential.username
    set_user_daily_limit(any_context, "alice", 4)
    [accepted] = commit_batch(any_context, [_pending(any_context, ids["plain"], api_key, 3)])
    assert isinstance(accepted, SubmissionReceipt)
    request = SubmissionRequest(
        SENDER, [RecipientInput("x@example.org"), RecipientInput("y@example.org")], ids["plain"]
    )
    by_login = Pending(
        SubmissionChecker(any_context).prepare(
            request, smtp_credential_principal(any_context, login)
        )
    )
    [refused] = commit_batch(any_context, [by_login])
    assert isinstance(refused, DailyLimitReached) and refused.code == "limit.user_daily"
    assert "alice" in refused.message and "Europe/Helsinki" in refused.message
    # 15:30 UTC is 17:30 in Helsinki: the workspace's next day begins at 22:00 UTC.
    clock.advance(timedelta(hours=6, minutes=29))
    [still] = commit_batch(any_context, [by_login])
    assert isinstance(still, DailyLimitReached)
    clock.advance(timedelta(minutes=1))
    [next_day] = commit_batch(any_context, [by_login])
    assert isinstance(next_day, SubmissionReceipt)
    assert user_daily_limit(any_context, "alice").used_today == 2
    set_login_daily_limit(any_context, login, 1)
    listed = {
        view.label: (view.messages, view.used_today) for view in list_daily_limits(any_context)
    }
    assert listed == {"alice": (4, 2), login: (1, 2)}


def test_racing_requests_never_pass_the_limit_together(
    any_context: Context, ids: dict[str, int]
) -> None:
    key = _key(any_context, "shop")
    set_key_daily_limit(any_context, key, 7)
    requests = [_pending(any_context, ids["plain"], key, 1) for _ in range(12)]
    outcomes: list[object] = []
    lock = threading.Lock()
    start = threading.Barrier(len(requests))

    def send(item: Pending) -> None:
        start.wait()
        [outcome] = commit_batch(any_context, [item])
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=send, args=(item,)) for item in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    accepted = [item for item in outcomes if isinstance(item, SubmissionReceipt)]
    assert len(accepted) == 7
    assert sum(isinstance(item, DailyLimitReached) for item in outcomes) == 5
    assert _messages(any_context) == 7 == key_daily_limit(any_context, key).used_today


def test_a_signed_in_users_task_counts_and_is_refused_whole_the_owner_has_no_limit(
    any_context: Context, ids: dict[str, int]
) -> None:
    set_user_daily_limit(any_context, "alice", 5)
    alice = any_context.acting_as(authenticate(any_context, "alice", PASSWORD, Face.CLI))
    add_scheduled_task(alice, ids, name="First", count=3)
    with pytest.raises(DailyLimitReached) as refused:
        add_scheduled_task(alice, ids, name="Second", count=3)
    assert refused.value.code == "limit.user_daily"
    assert _messages(any_context) == 3
    add_scheduled_task(any_context, ids, name="The owner's", count=10)
    assert user_daily_limit(any_context, "alice").used_today == 3


def test_a_limit_is_checked_and_can_be_cleared(any_context: Context, ids: dict[str, int]) -> None:
    with pytest.raises(ValidationError) as refused:
        set_user_daily_limit(any_context, "alice", -1)
    assert refused.value.field == "messages"
    set_user_daily_limit(any_context, "alice", 0)
    assert user_daily_limit(any_context, "alice").left_today == 0
    assert set_user_daily_limit(any_context, "alice", None).messages is None
    assert list_daily_limits(any_context) == []


def test_the_cli_sets_lists_and_clears_limits(
    context: Context, capsys: pytest.CaptureFixture[str]
) -> None:
    from kootui.cli import main

    create_user(context, "alice", PASSWORD)
    key = _key(context, "shop")
    login = create_smtp_credential(context, "relay", owner="alice").credential.username
    assert main(["iam", "user", "set-limit", "alice", "1,000"]) == 0
    assert main(["apikey", "set-limit", key, "50"]) == 0
    assert main(["smtp-credential", "set-limit", login, "none"]) == 0
    assert main(["iam", "limits"]) == 0
    # The command runs on the machine's clock: the day in brackets is left out.
    lines = [line.split(" (")[0] for line in capsys.readouterr().out.splitlines()]
    assert lines == [
        "alice: at most 1,000 messages a day; 0 accepted today",
        f"API key {key}: at most 50 messages a day; 0 accepted today",
        f"SMTP login {login}: no daily limit; 0 accepted today",
        f"{key}: at most 50 messages a day; 0 accepted today",
        "alice: at most 1,000 messages a day; 0 accepted today",
        "2 limit(s)",
    ]
    with pytest.raises(SystemExit) as refused:
        main(["apikey", "set-limit", key, "lots"])
    assert refused.value.code == 2
    assert "'lots' is not a number of messages" in capsys.readouterr().err


def test_counters_of_before_yesterday_are_dropped_when_a_new_day_begins(
    any_context: Context, ids: dict[str, int], clock: FixedClock
) -> None:
    api_key = _key(any_context, "daily")
    for _ in range(4):  # four days, a request each
        [accepted] = commit_batch(any_context, [_pending(any_context, ids["plain"], api_key, 1)])
        assert isinstance(accepted, SubmissionReceipt)
        clock.advance(timedelta(days=1))
    with any_context.store.engine.connect() as connection:
        use = DailyLimitUse.__table__
        kept = sorted(
            connection.execute(select(use.c.day).where(use.c.subject == api_key)).scalars()
        )
        last = [  # the workspace's days of the last two requests
            workspace_day(connection, clock.now() - timedelta(days=back))[0] for back in (2, 1)
        ]
    assert kept == last
    assert key_daily_limit(any_context, api_key).used_today == 0  # a new day, nothing yet
