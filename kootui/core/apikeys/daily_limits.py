"""Daily message limits on a user and on each of their credentials (revision 0019).

A limit counts messages *accepted* in the workspace's day: the rows the submission intake
stores for an API key or SMTP login, and the rows of a task a signed-in user creates. The
count moves in the transaction that writes those rows (``take_daily_room``), after the
writers' turn is taken (SQLite's write lock; ``FOR UPDATE`` on the counter rows on
PostgreSQL), so requests racing from many server processes never pass a limit together. A
request that does not fit is refused whole, never cut: the caller sees what it sent
either stored or not. What is accepted is counted whether or not a limit is set, so a
limit set at noon already knows the morning.

A subject is ``user/<id>`` for a user (its name may change, its id never does), or the
credential's public name (``kt_1a2b3c4d``, ``kts_1a2b3c4d``). The owner has no limit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, delete, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col

from kootui.core.access import Act, Principal, find_user_row, requires
from kootui.core.apikeys.keys import KEY_MARK, find_api_key
from kootui.core.apikeys.smtp_credentials import LOGIN_MARK, find_smtp_credential
from kootui.core.context import Context
from kootui.core.errors import DailyLimitReached, ValidationError
from kootui.core.plural import count_of
from kootui.core.store import DailyLimit, DailyLimitUse, IamUser, WorkspaceSettings, stored_id
from kootui.core.workspace import WORKSPACE_ID, effective_time_zone

MAX_DAILY_LIMIT = 100_000_000
USER_MARK = "user/"
_limit = DailyLimit.__table__
_use = DailyLimitUse.__table__
_workspace = WorkspaceSettings.__table__


@dataclass(frozen=True)
class LimitSubject:
    key: str  # user/<id>, kt_…, kts_…
    label: str  # how a refusal names it: "alice", "alice's API key kt_1a2b3c4d"


@dataclass(frozen=True)
class LimitDemand:
    """Messages one request would add, counted against each of its subjects."""

    subjects: tuple[LimitSubject, ...]
    messages: int


@dataclass(frozen=True)
class DailyLimitView:
    subject: str
    label: str
    messages: int | None  # None: no limit
    used_today: int
    day: str

    @property
    def left_today(self) -> int | None:
        return None if self.messages is None else max(0, self.messages - self.used_today)


def limit_subjects(principal: Principal) -> tuple[LimitSubject, ...]:
    """The limits a principal's messages count against: its user's and its credential's."""
    subjects: list[LimitSubject] = []
    if principal.user_id is not None:
        subjects.append(LimitSubject(f"{USER_MARK}{principal.user_id}", principal.name))
    if principal.credential:
        subjects.append(LimitSubject(principal.credential.lower(), principal.label))
    return tuple(subjects)


def workspace_day(connection: Connection, now: datetime) -> tuple[str, ZoneInfo]:
    stored = connection.execute(
        select(_workspace.c.time_zone).where(_workspace.c.id == WORKSPACE_ID)
    ).scalar()
    zone = ZoneInfo(effective_time_zone(stored or ""))
    return now.astimezone(zone).date().isoformat(), zone


def _insert_missing(connection: Connection, keys: Sequence[str], day: str) -> None:
    """Today's counters for ``keys``; when one is new (its subject's first request of the
    day), the subjects' counters of before yesterday go: only today's is ever read, and
    yesterday's stays for a day in case the workspace's time zone moves back across it."""
    values = [{"subject": key, "day": day, "used": 0} for key in keys]
    insert = postgresql_insert if connection.dialect.name == "postgresql" else sqlite_insert
    made = 0
    for value in values:  # one by one: a multi-row insert's count is not every driver's
        made += connection.execute(insert(_use).on_conflict_do_nothing(), value).rowcount
    if made:
        kept_from = (date.fromisoformat(day) - timedelta(days=1)).isoformat()
        connection.execute(delete(_use).where(_use.c.subject.in_(keys), _use.c.day < kept_from))


def take_daily_room(
    connection: Connection, demands: Sequence[LimitDemand], now: datetime
) -> list[DailyLimitReached | None]:
    """Count each demand against its subjects' day, in order, in the caller's transaction;
    a demand that would pass one of its limits is refused (its entry is the refusal) and
    counts nothing. SQLite: the caller holds the write lock already."""
    keys = sorted({subject.key for demand in demands for subject in demand.subjects})
    if not keys:
        return [None] * len(demands)
    day, zone = workspace_day(connection, now)
    _insert_missing(connection, keys, day)
    used: dict[str, int] = {
        row.subject: row.used
        for row in connection.execute(
            select(_use.c.subject, _use.c.used)
            .where(_use.c.subject.in_(keys), _use.c.day == day)
            .order_by(_use.c.subject)
            .with_for_update()
        )
    }
    limits: dict[str, int] = {
        row.subject: row.messages
        for row in connection.execute(
            select(_limit.c.subject, _limit.c.messages).where(_limit.c.subject.in_(keys))
        )
    }
    start = dict(used)
    answers: list[DailyLimitReached | None] = []
    for demand in demands:
        refusal = _refusal(demand, used, limits, zone)
        answers.append(refusal)
        if refusal is None:
            for subject in demand.subjects:
                used[subject.key] += demand.messages
    for key in keys:
        if used[key] != start[key]:
            connection.execute(
                update(_use).where(_use.c.subject == key, _use.c.day == day).values(used=used[key])
            )
    return answers


def _refusal(
    demand: LimitDemand, used: dict[str, int], limits: dict[str, int], zone: ZoneInfo
) -> DailyLimitReached | None:
    for subject in demand.subjects:
        limit = limits.get(subject.key)
        if limit is None or used[subject.key] + demand.messages <= limit:
            continue
        is_user = subject.key.startswith(USER_MARK)
        left = max(0, limit - used[subject.key])
        return DailyLimitReached(
            f"the daily limit of {count_of(limit, 'message')} for {subject.label} would be "
            f"passed: {count_of(demand.messages, 'message')} asked, {left} left today; "
            f"nothing was accepted, send again after midnight ({zone.key})",
            subject=subject.key,
            code="limit.user_daily" if is_user else "limit.credential_daily",
            field="user" if is_user else "credential",
        )
    return None


def _check_messages(messages: int | None) -> int | None:
    if messages is not None and not 0 <= messages <= MAX_DAILY_LIMIT:
        raise ValidationError(
            f"a daily limit is 0 to {MAX_DAILY_LIMIT:,} messages", field="messages"
        )
    return messages


def _store_limit(
    context: Context, subject: str, label: str, messages: int | None
) -> DailyLimitView:
    _check_messages(messages)
    with context.store.writing() as connection:
        connection.execute(_limit.delete().where(_limit.c.subject == subject))
        if messages is not None:
            connection.execute(
                _limit.insert().values(
                    subject=subject,
                    messages=messages,
                    set_by=context.principal.label[:100],
                    set_at=context.clock.now(),
                )
            )
    return _status(context, subject, label)


def _status(context: Context, subject: str, label: str) -> DailyLimitView:
    with context.store.engine.connect() as connection:
        day, _ = workspace_day(connection, context.clock.now())
        messages = connection.execute(
            select(_limit.c.messages).where(_limit.c.subject == subject)
        ).scalar()
        used = connection.execute(
            select(_use.c.used).where(_use.c.subject == subject, _use.c.day == day)
        ).scalar()
    return DailyLimitView(subject, label, messages, int(used or 0), day)


def _user_subject(context: Context, name: str) -> tuple[str, str]:
    with context.store.session() as session:
        row = find_user_row(session, name)
        return f"{USER_MARK}{stored_id(row)}", row.name


def _key_subject(context: Context, reference: str) -> tuple[str, str]:
    key = find_api_key(context, reference)
    return f"{KEY_MARK}{key.prefix}", f"API key {KEY_MARK}{key.prefix}"


def _login_subject(context: Context, reference: str) -> tuple[str, str]:
    login = find_smtp_credential(context, reference)
    return f"{LOGIN_MARK}{login.prefix}", f"SMTP login {login.username}"


@requires(Act.LIMIT_UPDATE)
def set_user_daily_limit(context: Context, name: str, messages: int | None) -> DailyLimitView:
    """At most ``messages`` a day for the user, all their credentials and tasks together
    (None: no limit)."""
    subject, label = _user_subject(context, name)
    return _store_limit(context, subject, label, messages)


@requires(Act.LIMIT_UPDATE)
def set_key_daily_limit(context: Context, reference: str, messages: int | None) -> DailyLimitView:
    """At most ``messages`` a day through one API key (None: no limit of its own)."""
    subject, label = _key_subject(context, reference)
    return _store_limit(context, subject, label, messages)


@requires(Act.LIMIT_UPDATE)
def set_login_daily_limit(context: Context, reference: str, messages: int | None) -> DailyLimitView:
    """At most ``messages`` a day through one SMTP login (None: no limit of its own)."""
    subject, label = _login_subject(context, reference)
    return _store_limit(context, subject, label, messages)


@requires(Act.LIMIT_READ)
def user_daily_limit(context: Context, name: str) -> DailyLimitView:
    subject, label = _user_subject(context, name)
    return _status(context, subject, label)


@requires(Act.LIMIT_READ)
def key_daily_limit(context: Context, reference: str) -> DailyLimitView:
    subject, label = _key_subject(context, reference)
    return _status(context, subject, label)


@requires(Act.LIMIT_READ)
def login_daily_limit(context: Context, reference: str) -> DailyLimitView:
    subject, label = _login_subject(context, reference)
    return _status(context, subject, label)


@requires(Act.LIMIT_READ)
def list_daily_limits(context: Context) -> list[DailyLimitView]:
    """Every limit set, with what its subject was accepted today."""
    with context.store.engine.connect() as connection:
        day, _ = workspace_day(connection, context.clock.now())
        rows = connection.execute(
            select(_limit.c.subject, _limit.c.messages, _use.c.used)
            .select_from(
                _limit.outerjoin(_use, (_use.c.subject == _limit.c.subject) & (_use.c.day == day))
            )
            .order_by(_limit.c.subject)
        ).all()
        names = {
            row.id: row.name
            for row in connection.execute(select(col(IamUser.id), col(IamUser.name)))
        }
    views = []
    for row in rows:
        label = row.subject
        if row.subject.startswith(USER_MARK):
            user_id = int(row.subject[len(USER_MARK) :])
            label = names.get(user_id, row.subject)
        views.append(DailyLimitView(row.subject, label, row.messages, int(row.used or 0), day))
    return views
