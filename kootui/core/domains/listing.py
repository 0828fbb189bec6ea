"""The sender domain list: one page of domains, filtered and sorted the house way.

Rows carry id, name (stored ASCII), display_name (Unicode), status,
status_reason, required_passing, required_total, last_checked_at and created_at.
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import and_, func, literal_column, select
from sqlmodel import col

from kootui.core.access import Act, requires
from kootui.core.context import Context
from kootui.core.domains.names import display_domain_name, search_form
from kootui.core.plural import count_of
from kootui.core.store import (
    Column,
    DnsRecord,
    DomainStatus,
    ListQuery,
    PageRequest,
    PageResult,
    RecordStatus,
    Row,
    SenderDomain,
    equals_filter,
)
from kootui.core.store import fetch_page as _fetch_page

DOMAIN_COLUMNS = (
    Column("display_name", "Domain", width=40),
    Column("status", "Status", width=12, kind="status"),
    Column("required_passing", "Required records", width=10, kind="number"),
    Column("last_checked_at", "Last checked", width=19, kind="time"),
    Column("created_at", "Created", width=19, kind="time"),
)


def _list_query() -> ListQuery:
    passing = (
        select(func.count())
        .select_from(DnsRecord)
        .where(
            and_(
                col(DnsRecord.domain_id) == SenderDomain.id,
                col(DnsRecord.required).is_(True),
                col(DnsRecord.status) == RecordStatus.PASSED,
            )
        )
        .scalar_subquery()
    )
    unchecked = (
        select(func.count())
        .select_from(DnsRecord)
        .where(
            and_(
                col(DnsRecord.domain_id) == SenderDomain.id,
                col(DnsRecord.required).is_(True),
                col(DnsRecord.status) == RecordStatus.UNKNOWN,
            )
        )
        .scalar_subquery()
    )
    required = (
        select(func.count())
        .select_from(DnsRecord)
        .where(col(DnsRecord.domain_id) == SenderDomain.id, col(DnsRecord.required).is_(True))
        .scalar_subquery()
    )
    statement = select(
        col(SenderDomain.id).label("id"),
        col(SenderDomain.name).label("name"),
        col(SenderDomain.status).label("status"),
        col(SenderDomain.status_reason).label("status_reason"),
        passing.label("required_passing"),
        required.label("required_total"),
        unchecked.label("required_unchecked"),
        col(SenderDomain.last_checked_at).label("last_checked_at"),
        col(SenderDomain.created_at).label("created_at"),
    )
    return ListQuery(
        statement=statement,
        sort_columns={
            "name": col(SenderDomain.name),
            "display_name": col(SenderDomain.name),
            "status": col(SenderDomain.status),
            "required_passing": literal_column("required_passing"),
            "last_checked_at": col(SenderDomain.last_checked_at),
            "created_at": col(SenderDomain.created_at),
        },
        default_sort="created_at",
        tiebreak=col(SenderDomain.id),
        search_columns=(col(SenderDomain.name),),
        filters={"status": equals_filter(col(SenderDomain.status), list(DomainStatus))},
    )


def required_text(row: Row, *, short: bool = False) -> str:
    """The required records as '1/2', saying so when DNS could not be asked about some
    (a bare '0/2' beside "passed" reads as a contradiction). ``short`` is for a narrow
    column: '?/2', with the words in a line beside it (``unchecked_note``)."""
    unchecked = int(row["required_unchecked"] or 0)
    total = row["required_total"]
    if unchecked and short:
        return f"?/{total}"
    text = f"{row['required_passing']}/{total}"
    return f"{text} ({unchecked_note(row)})" if unchecked else text


def unchecked_note(row: Row) -> str:
    """Why some required records have no verdict; empty when all were checked."""
    unchecked = int(row["required_unchecked"] or 0)
    if not unchecked:
        return ""
    return f"DNS could not be asked about {count_of(unchecked, 'required record')}"


@requires(Act.DOMAIN_READ)
def list_domains(context: Context, request: PageRequest | None = None) -> PageResult:
    """One page of domains. Rows carry id, name, display_name, status, status_reason,
    required_passing, required_total, required_unchecked (DNS could not be asked),
    last_checked_at, created_at. The text filter
    matches the name in either form ("bücher" finds xn--bcher-kva.example)."""
    request = request or PageRequest()
    if request.text_filter:
        request = replace(request, text_filter=search_form(request.text_filter.strip()))
    with context.store.session() as session:
        page = _fetch_page(session, _list_query(), request)
    rows = [
        Row(key=row.key, values={**row.values, "display_name": display_domain_name(row["name"])})
        for row in page.rows
    ]
    return PageResult(rows=rows, total=page.total, offset=page.offset)
