"""Sending Details: every message of every task, one row each, filtered and paged.

The list query reads the message table alone (no join), so the count and the page
walk one index: ``created_at`` for the default 24-hour view, ``(status, created_at)``
and ``(task_id, created_at)`` for the status and task filters. Filters on the task,
template and sender become ``task_id IN (SELECT id FROM task ...)``, a few dozen ids at
most. The task, template and sender of the rows on a page are then read in one query
for the page's task ids, and each row's subject is rendered with its own parameters.

Recipients are personal data: every row shows ``***@domain``. The full address comes
only from ``reveal_recipient`` (one row, asked for explicitly) or an export or detail
asked with ``reveal`` for that call.

No Textual here: the TUI page, ``kootui messages`` and the export all call these.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    and_,
    func,
    literal_column,
    or_,
    select,
    true,
)

from kootui.core.access import Act, check_access, requires
from kootui.core.context import Context
from kootui.core.details.rows import (
    SEND_METHOD_LABELS,
    STATUS_LABELS,
    address_table,
    domain_table,
    load_task_facts,
    message_table,
    present_row,
    task_table,
    template_table,
)
from kootui.core.domains import search_form
from kootui.core.errors import NotFound, ValidationError
from kootui.core.store import (
    MAX_FILTER_LENGTH,
    Column,
    FilterBuilder,
    ListQuery,
    PageRequest,
    PageResult,
    contains,
    date_from_filter,
    date_to_filter,
    fetch_page,
)

RANGES: dict[str, timedelta | None] = {
    "24h": timedelta(hours=24),
    "7d": timedelta(days=7),
    "30d": timedelta(days=30),
    "all": None,
}
RANGE_LABELS = (
    ("24h", "Last 24 hours"),
    ("7d", "Last 7 days"),
    ("30d", "Last 30 days"),
    ("all", "All time"),
)
DEFAULT_RANGE = "24h"
# The quick filter travels to fetch_page as this advanced key (it needs a subquery,
# which a plain search column cannot express); callers may not send it themselves.
_QUICK_KEY = "_quick"

DETAILS_COLUMNS: tuple[Column, ...] = (
    Column("message_id", "Message ID", width=10, kind="number"),
    Column("task", "Task name/ID", width=22),
    Column("send_method", "Send method", sortable=False, width=8),
    Column("status", "Status", width=10, kind="status"),
    Column("template", "Template name/ID", sortable=False, width=22),
    Column("subject", "Subject", sortable=False, width=30),
    Column("sender", "Sender", sortable=False, width=28),
    Column("recipient", "Recipient", sortable=False, width=22),
    Column("created", "Created", width=19, kind="time"),
    Column("received", "Received", width=19, kind="time"),
)


@dataclass(frozen=True)
class AdvancedField:
    """One field of the advanced search panel; ``name`` is its key in ``PageRequest.advanced``."""

    name: str
    label: str
    kind: str  # "text" | "number" | "choice" | "date"
    choices: tuple[tuple[str, str], ...] = ()  # (value, label), for kind "choice"


ADVANCED_FIELDS: tuple[AdvancedField, ...] = (
    AdvancedField("template_name", "Template name", "text"),
    AdvancedField("template_id", "Template ID", "number"),
    AdvancedField("task_name", "Task name", "text"),
    AdvancedField("task_id", "Task ID", "number"),
    AdvancedField("subject", "Subject", "text"),
    AdvancedField("sender", "Sender", "text"),
    AdvancedField("recipient", "Recipient", "text"),
    AdvancedField("status", "Sending status", "choice", tuple(STATUS_LABELS.items())),
    AdvancedField("send_method", "Send method", "choice", tuple(SEND_METHOD_LABELS.items())),
    AdvancedField("created_from", "Created from", "date"),
    AdvancedField("created_to", "Created to", "date"),
    AdvancedField("range", "Created within", "choice", RANGE_LABELS),
)


# -- filters --------------------------------------------------------------------------


class _TaskMatch:
    """Filters on a message's task, template or sender: ``message.task_id IN (...)``.

    With a connection the matching task ids are read first and listed in the query, so
    the planner knows how many rows each id holds: PostgreSQL then searches
    ``(task_id, created_at)`` instead of walking the created index and testing a
    subquery on every row (~100x on a task in the middle of a million rows). More than
    ``MAX_LISTED_TASKS`` matching tasks, or no connection: the subquery itself.
    """

    MAX_LISTED_TASKS = 500

    def __init__(self, connection: Connection | None) -> None:
        self.connection = connection

    def where(self, *conditions: ColumnElement[bool]) -> ColumnElement[bool]:
        ids = (
            select(task_table.c.id)
            .select_from(
                task_table.join(template_table, template_table.c.id == task_table.c.template_id)
                .join(address_table, address_table.c.id == task_table.c.address_id)
                .join(domain_table, domain_table.c.id == address_table.c.domain_id)
            )
            .where(and_(*conditions))
        )
        if self.connection is not None:
            found = self.connection.execute(ids.limit(self.MAX_LISTED_TASKS + 1)).scalars()
            listed = list(found)
            if len(listed) <= self.MAX_LISTED_TASKS:
                return message_table.c.task_id.in_(listed)
        return message_table.c.task_id.in_(ids.scalar_subquery())

    def text(self, column: Callable[[], ColumnElement[Any]]) -> FilterBuilder:
        def build(name: str, value: str) -> ColumnElement[bool]:
            return self.where(contains(column(), _bounded(name, value)))

        return build

    def template_id(self, name: str, value: str) -> ColumnElement[bool]:
        return self.where(task_table.c.template_id == _positive_id(name, value))

    def sender(self, name: str, value: str) -> ColumnElement[bool]:
        """The address (a Unicode domain typed as shown matches its stored IDNA form) or
        the alias."""
        value = _bounded(name, value)
        prefix, at, domain = value.rpartition("@")
        stored_form = f"{prefix}{at}{search_form(domain)}" if at else search_form(value)
        return self.where(
            or_(contains(_sender_text(), stored_form), contains(address_table.c.alias, value))
        )

    def quick(self, name: str, value: str) -> ColumnElement[bool]:
        """Recipient address, task name or subject contains the text."""
        value = _bounded("filter", value)
        in_tasks = self.where(
            or_(contains(task_table.c.name, value), contains(_subject_source(), value))
        )
        return or_(_recipient_match(value), in_tasks)


def _subject_source() -> ColumnElement[Any]:
    """The subject the engine renders: the task's own, else its template's."""
    return func.coalesce(func.nullif(task_table.c.subject, ""), template_table.c.subject)


def _sender_text() -> ColumnElement[Any]:
    return address_table.c.local_part + "@" + domain_table.c.name


def _bounded(name: str, value: str) -> str:
    if len(value) > MAX_FILTER_LENGTH:
        raise ValidationError(f"is longer than {MAX_FILTER_LENGTH} characters", field=name)
    return value


def _positive_id(name: str, value: str) -> int:
    if not value.isascii() or not value.isdigit() or int(value) < 1 or len(value) > 18:
        raise ValidationError("must be a whole number from 1 up", field=name)
    return int(value)


def _choice(name: str, value: str, allowed: Iterable[str]) -> str:
    allowed = list(allowed)
    if value not in allowed:
        raise ValidationError(f"must be one of: {', '.join(allowed)}", field=name)
    return value


def _task_id(name: str, value: str) -> ColumnElement[bool]:
    return message_table.c.task_id == _positive_id(name, value)


_WHOLE_ADDRESS = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")


def _recipient_match(value: str) -> ColumnElement[bool]:
    """A whole address matches exactly, in any case, through ix_message_recipient_lower;
    part of one is a substring, which no index can answer: the created range bounds it."""
    value = value.strip()
    if _WHOLE_ADDRESS.fullmatch(value):
        local, _, domain = value.rpartition("@")
        wanted = f"{local}@{search_form(domain)}".lower()
        return func.lower(message_table.c.recipient) == wanted
    return contains(message_table.c.recipient, value)


def _recipient(name: str, value: str) -> ColumnElement[bool]:
    return _recipient_match(_bounded(name, value))


def _status(name: str, value: str) -> ColumnElement[bool]:
    return message_table.c.status == _choice(name, value, STATUS_LABELS)


def _send_method(name: str, value: str) -> ColumnElement[bool]:
    return message_table.c.send_method == _choice(name, value, SEND_METHOD_LABELS)


def _day(name: str, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationError("must be a date like 2026-11-23", field=name) from None


def _range(now: datetime) -> FilterBuilder:
    def build(name: str, value: str) -> ColumnElement[bool]:
        span = RANGES[_choice(name, value, RANGES)]
        if span is None:
            return true()
        return message_table.c.created_at >= now - span

    return build


def _filters(now: datetime, connection: Connection | None) -> dict[str, FilterBuilder]:
    tasks = _TaskMatch(connection)
    return {
        "template_name": tasks.text(lambda: template_table.c.title),
        "template_id": tasks.template_id,
        "task_name": tasks.text(lambda: task_table.c.name),
        "task_id": _task_id,
        "subject": tasks.text(_subject_source),
        "sender": tasks.sender,
        "recipient": _recipient,
        "status": _status,
        "send_method": _send_method,
        "created_from": date_from_filter(message_table.c.created_at),
        "created_to": date_to_filter(message_table.c.created_at),
        "range": _range(now),
        _QUICK_KEY: tasks.quick,
    }


_SORT_COLUMNS: dict[str, ColumnElement[Any]] = {
    "message_id": message_table.c.id,
    "task": message_table.c.task_id,  # groups a task's rows; newer tasks have larger ids
    "status": message_table.c.status,
    "created": message_table.c.created_at,
    "received": message_table.c.received_at,
}
# SQLite sorts NULL below every time, PostgreSQL above: there, a message not received
# yet counts as received at -infinity, so both stores put it last when sorting newest first.
_POSTGRES_SORT_COLUMNS: dict[str, ColumnElement[Any]] = {
    **_SORT_COLUMNS,
    "received": func.coalesce(
        message_table.c.received_at, literal_column("'-infinity'::timestamp")
    ),
}

_ROW_STATEMENT: Select[Any] = select(
    message_table.c.id.label("id"),
    message_table.c.task_id.label("task_id"),
    message_table.c.recipient.label("recipient"),
    message_table.c.params.label("params"),
    message_table.c.status.label("status"),
    message_table.c.send_method.label("send_method"),
    message_table.c.created_at.label("created_at"),
    message_table.c.received_at.label("received_at"),
)


def details_query(
    now: datetime, dialect: str = "sqlite", connection: Connection | None = None
) -> ListQuery:
    """The list query for ``now`` (the relative ranges count back from it) on a store
    of ``dialect`` (``Store.dialect``); with ``connection``, task filters list the
    matching task ids (read when the filter is applied) instead of a subquery."""
    return ListQuery(
        statement=_ROW_STATEMENT,
        sort_columns=_POSTGRES_SORT_COLUMNS if dialect == "postgresql" else _SORT_COLUMNS,
        default_sort="created",
        tiebreak=message_table.c.id,
        filters=_filters(now, connection),
        key_column="id",
    )


def prepared_request(request: PageRequest | None) -> PageRequest:
    """The request as ``fetch_page`` runs it: the default range and order applied, the
    quick filter moved to its subquery filter, and the created dates checked as a pair."""
    if request is None:
        request = PageRequest()
    if request.sort_key is None:
        request = replace(request, sort_key="created", descending=True)  # newest first
    advanced = {key: value.strip() for key, value in request.advanced.items()}
    if _QUICK_KEY in advanced:
        raise ValidationError("is not a search field of this list", field=_QUICK_KEY)
    dates = {key: advanced.get(key, "") for key in ("created_from", "created_to")}
    if not advanced.get("range") and not any(dates.values()):
        advanced["range"] = DEFAULT_RANGE
    if all(dates.values()) and _day("created_from", dates["created_from"]) > _day(
        "created_to", dates["created_to"]
    ):
        raise ValidationError("must not be before created_from", field="created_to")
    text = request.text_filter.strip()
    if text:
        advanced[_QUICK_KEY] = text
    return replace(request, text_filter="", advanced=advanced)


@requires(Act.MESSAGE_READ)
def query_messages(
    context: Context, request: PageRequest | None = None, *, reveal: bool = False
) -> PageResult:
    """One page of messages, newest first by default, the last 24 hours unless the request
    names a range or created dates. Every bad value is a ValidationError naming its field.
    Recipients are masked unless the caller reveals them for this one call."""
    if reveal:  # whole addresses are an action of their own
        check_access(context, Act.MESSAGE_REVEAL)
    prepared = prepared_request(request)
    with context.store.session() as session:
        connection = session.connection()
        query = details_query(context.clock.now(), context.store.dialect, connection)
        page = fetch_page(session, query, prepared)
        facts = load_task_facts(session.connection(), (row["task_id"] for row in page.rows))
    rows = [present_row(row.values, facts, reveal=reveal) for row in page.rows]
    return PageResult(rows=rows, total=page.total, offset=page.offset)


@requires(Act.MESSAGE_REVEAL)
def reveal_recipient(context: Context, message_id: int) -> str:
    """The full recipient address of one message, for a user who asked to see it."""
    with context.store.engine.connect() as connection:
        recipient = connection.execute(
            select(message_table.c.recipient).where(message_table.c.id == message_id)
        ).scalar_one_or_none()
    if recipient is None:
        raise NotFound(f"there is no message {message_id}", field="message_id")
    return str(recipient)
