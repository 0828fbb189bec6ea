"""The contract every list page's query fulfils: one page of rows, a total, nothing more.

A page asks with a ``PageRequest`` (where, how many, sorted by what, filtered how)
and gets a ``PageResult``. ``fetch_page`` applies a request to a SQLAlchemy select
so that every list in the console pages, sorts and filters the same safe way:

- sorting only by a whitelist of known sort keys (anything else is a
  ``ValidationError`` naming the field ``sort``), with the primary key as a
  tie-break so pages never overlap or skip rows;
- text filters as bound LIKE parameters with ``%``, ``_`` and ``\\`` escaped, so
  what the user types is matched literally;
- LIMIT/OFFSET paging plus one COUNT query, so no list ever loads all its rows.

No Textual here: the TUI, the CLI and the API all page through the same functions.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, SQLColumnExpression, false, func, or_, select
from sqlalchemy.orm import Session

from kootui.core.clock import as_utc
from kootui.core.errors import ValidationError

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
MAX_FILTER_LENGTH = 200
LIKE_ESCAPE = "\\"

ColumnKind = str  # "text", "number" (ids), "count" (amounts), "time", "status": how a face shows it


@dataclass(frozen=True)
class Column:
    """One column a list shows: ``key`` names the row value it reads."""

    key: str
    title: str
    sortable: bool = True
    width: int | None = None  # a hint in characters; None lets the face decide
    kind: ColumnKind = "text"


@dataclass(frozen=True)
class Row:
    """One record as a list shows it; ``key`` identifies it across pages (for marking)."""

    key: str
    values: Mapping[str, Any]

    def __getitem__(self, name: str) -> Any:
        return self.values[name]


@dataclass(frozen=True)
class PageRequest:
    offset: int = 0
    limit: int = DEFAULT_PAGE_SIZE
    sort_key: str | None = None  # None: the query's default order
    descending: bool = False
    text_filter: str = ""
    advanced: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.offset < 0:
            raise ValidationError("the offset must be 0 or more", field="offset")
        if not 1 <= self.limit <= MAX_PAGE_SIZE:
            raise ValidationError(
                f"the page size must be between 1 and {MAX_PAGE_SIZE}", field="limit"
            )
        if len(self.text_filter) > MAX_FILTER_LENGTH:
            raise ValidationError(
                f"the filter is longer than {MAX_FILTER_LENGTH} characters", field="filter"
            )

    def next_page(self) -> PageRequest:
        return replace(self, offset=self.offset + self.limit)

    def previous_page(self) -> PageRequest:
        return replace(self, offset=max(0, self.offset - self.limit))

    def first_page(self) -> PageRequest:
        return replace(self, offset=0)


@dataclass(frozen=True)
class PageResult:
    rows: list[Row]
    total: int  # rows matching the filters, on every page together
    offset: int = 0  # where this page starts (a request past the end is pulled back)

    @property
    def first_number(self) -> int:
        """1-based number of the first row shown, 0 when nothing matched."""
        return self.offset + 1 if self.rows else 0

    @property
    def last_number(self) -> int:
        return self.offset + len(self.rows)

    @property
    def has_next(self) -> bool:
        return self.last_number < self.total

    @property
    def has_previous(self) -> bool:
        return self.offset > 0

    def range_text(self) -> str:
        """'rows 21–40 of 143', as every list footer says it."""
        if not self.rows:
            return f"no rows of {self.total}"
        return f"rows {self.first_number}–{self.last_number} of {self.total}"


def escape_like(text: str) -> str:
    """``text`` with LIKE's wildcards escaped, so it matches itself and nothing more."""
    return (
        text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2)
        .replace("%", LIKE_ESCAPE + "%")
        .replace("_", LIKE_ESCAPE + "_")
    )


def contains(column: SQLColumnExpression[Any], text: str) -> ColumnElement[bool]:
    """Case-insensitive 'column contains text', the text bound and escaped."""
    return column.ilike(f"%{escape_like(text)}%", escape=LIKE_ESCAPE)


FilterBuilder = Callable[[str, str], ColumnElement[bool]]  # (field name, value) -> clause


def equals_filter(column: SQLColumnExpression[Any], allowed: Sequence[str] = ()) -> FilterBuilder:
    """An advanced filter matching one exact value (a select field); ``allowed`` limits it."""

    def build(name: str, value: str) -> ColumnElement[bool]:
        if allowed and value not in allowed:
            raise ValidationError(f"must be one of: {', '.join(allowed)}", field=name)
        return column == value

    return build


def contains_filter(column: SQLColumnExpression[Any]) -> FilterBuilder:
    def build(_name: str, value: str) -> ColumnElement[bool]:
        return contains(column, value)

    return build


def _local_day_start(name: str, value: str) -> datetime:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise ValidationError("must be a date like 2026-11-23", field=name) from None
    # The user means their own calendar day; the store keeps UTC.
    return as_utc(datetime.combine(day, time.min).astimezone())


def date_from_filter(column: SQLColumnExpression[Any]) -> FilterBuilder:
    """Rows on or after the start of the given local day."""

    def build(name: str, value: str) -> ColumnElement[bool]:
        return column >= _local_day_start(name, value)

    return build


def date_to_filter(column: SQLColumnExpression[Any]) -> FilterBuilder:
    """Rows up to the end of the given local day (the day itself is included)."""

    def build(name: str, value: str) -> ColumnElement[bool]:
        return column < _local_day_start(name, value) + timedelta(days=1)

    return build


@dataclass(frozen=True)
class ListQuery:
    """How one list reads the store: the select and what may sort and filter it.

    ``statement`` selects labelled columns; each label becomes a row value key.
    ``sort_columns`` is the whitelist of sort keys. ``search_columns`` are the
    columns the quick text filter looks in. ``filters`` maps advanced search
    field names to clause builders. ``key_column`` (a label) identifies a row and
    ``tiebreak`` (usually the primary key) makes the order total.

    A sort column may be an expression: ``func.lower(Template.title)`` sorts names
    the same way on SQLite (binary collation) and PostgreSQL (locale collation).
    """

    statement: Select[Any]
    sort_columns: Mapping[str, SQLColumnExpression[Any]]
    default_sort: str
    tiebreak: SQLColumnExpression[Any]
    search_columns: Sequence[SQLColumnExpression[Any]] = ()
    filters: Mapping[str, FilterBuilder] = field(default_factory=dict)
    key_column: str = "id"

    def __post_init__(self) -> None:
        if self.default_sort not in self.sort_columns:
            raise ValueError(f"default sort {self.default_sort!r} is not a sort column")


def _filtered(query: ListQuery, request: PageRequest) -> Select[Any]:
    statement = query.statement
    text = request.text_filter.strip()
    if text:
        if query.search_columns:
            statement = statement.where(or_(*(contains(c, text) for c in query.search_columns)))
        else:
            statement = statement.where(false())
    for name, value in request.advanced.items():
        builder = query.filters.get(name)
        if builder is None:
            raise ValidationError("is not a search field of this list", field=name)
        value = value.strip()
        if value:
            statement = statement.where(builder(name, value))
    return statement


def ordered_statement(query: ListQuery, request: PageRequest) -> Select[Any]:
    sort_key = request.sort_key or query.default_sort
    column = query.sort_columns.get(sort_key)
    if column is None:
        known = ", ".join(sorted(query.sort_columns))
        raise ValidationError(f"cannot sort by {sort_key!r}; sort by one of: {known}", field="sort")
    if request.descending:
        return _filtered(query, request).order_by(column.desc(), query.tiebreak.desc())
    return _filtered(query, request).order_by(column.asc(), query.tiebreak.asc())


def count_rows(session: Session, query: ListQuery, request: PageRequest) -> int:
    """How many rows match the request's filters (paging and order ignored)."""
    filtered = _filtered(query, request).order_by(None).subquery()
    counted = session.connection().execute(select(func.count()).select_from(filtered))
    return int(counted.scalar_one())


def fetch_page(session: Session, query: ListQuery, request: PageRequest) -> PageResult:
    """One page of rows and the total; a request past the end returns the last page."""
    ordered = ordered_statement(query, request)  # validates the sort key before any I/O
    total = count_rows(session, query, request)
    offset = request.offset
    if offset >= total:
        # Rows were deleted or the filter narrowed: show the last page, not a void.
        offset = max(0, (total - 1) // request.limit * request.limit) if total else 0
    result = session.connection().execute(ordered.limit(request.limit).offset(offset))
    rows = [Row(key=str(m[query.key_column]), values=dict(m)) for m in result.mappings()]
    return PageResult(rows=rows, total=total, offset=offset)
