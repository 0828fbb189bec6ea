"""Sender addresses: ``prefix@domain`` on a verified domain, with an optional alias.

The prefix is a dot-atom local part checked by email-validator in strict mode
(ASCII only: an address every receiving server accepts without SMTPUTF8). The
alias is any Unicode without control characters; ``format_from`` encodes it per
RFC 2047 when it is not plain ASCII. An address whose domain later loses
verification stays listed, flagged not usable, and cannot be chosen for tasks.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import ColumnElement, Select, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from kootui.core.access import Act, requires
from kootui.core.context import Context
from kootui.core.domains import display_domain_name, require_verified_domain, search_form
from kootui.core.errors import Conflict, InvalidState, NotFound, ValidationError
from kootui.core.mail import format_mailbox
from kootui.core.references import resolve_reference
from kootui.core.store import (
    Column,
    DomainStatus,
    ListQuery,
    PageRequest,
    PageResult,
    Row,
    SenderAddress,
    SenderDomain,
    Task,
    TaskStatus,
    equals_filter,
    fetch_page,
    stored_id,
)

MAX_PREFIX_CHARS = 64
MAX_ALIAS_CHARS = 64
PENDING_TASK_STATUSES = (TaskStatus.SCHEDULED, TaskStatus.SENDING, TaskStatus.PAUSED)

ADDRESS_COLUMNS = (
    Column("display_address", "Sender address", width=40),
    Column("alias", "Alias", width=24),
    Column("domain_status", "Domain", width=12, kind="status"),
    Column("created_at", "Created", width=19, kind="time"),
)


@dataclass(frozen=True)
class AddressView:
    id: int
    domain_id: int
    local_part: str
    alias: str
    domain_name: str  # stored ASCII (IDNA) form
    domain_status: str
    created_at: datetime

    @property
    def usable(self) -> bool:
        """Only an address on a verified domain may be chosen for a new task."""
        return self.domain_status == DomainStatus.PASSED

    @property
    def address(self) -> str:
        """The address as it goes on the wire (ASCII domain)."""
        return f"{self.local_part}@{self.domain_name}"

    @property
    def display_address(self) -> str:
        return f"{self.local_part}@{display_domain_name(self.domain_name)}"

    @property
    def preview(self) -> str:
        return preview_address(self.local_part, display_domain_name(self.domain_name), self.alias)


def preview_address(prefix: str, domain: str, alias: str = "") -> str:
    """The read-only preview of the form: 'Alias <prefix@domain>' or 'prefix@domain'."""
    address = f"{prefix}@{domain}"
    return f"{alias} <{address}>" if alias else address


def format_from(address: AddressView) -> str:
    """The RFC 5322 From value, built by mail's one header rule (``format_mailbox``)."""
    return format_mailbox(address.alias, address.address)


def validate_prefix(prefix: str) -> str:
    """The prefix as stored, or a ValidationError (field ``prefix``) saying which rule failed."""
    prefix = prefix.strip()
    if not prefix:
        raise ValidationError("is required", field="prefix", code="address.prefix_required")
    if len(prefix) > MAX_PREFIX_CHARS:
        raise ValidationError(
            f"is {len(prefix)} characters; at most {MAX_PREFIX_CHARS} are allowed",
            field="prefix",
            code="address.prefix_too_long",
        )
    if "@" in prefix:
        raise ValidationError(
            "is only the part before the @; choose the domain separately",
            field="prefix",
            code="address.prefix_invalid",
        )
    try:
        # The domain is checked elsewhere (it is verified); a neutral one isolates the prefix.
        checked = validate_email(
            f"{prefix}@example.com",
            check_deliverability=False,
            allow_smtputf8=False,
            allow_quoted_local=False,
            allow_domain_literal=False,
            allow_display_name=False,
            allow_empty_local=False,
            strict=True,
        )
    except EmailNotValidError as exc:
        raise ValidationError(str(exc), field="prefix", code="address.prefix_invalid") from exc
    return checked.local_part


def validate_alias(alias: str) -> str:
    alias = alias.strip()
    if len(alias) > MAX_ALIAS_CHARS:
        raise ValidationError(
            f"is {len(alias)} characters; at most {MAX_ALIAS_CHARS} are allowed",
            field="alias",
            code="address.alias_too_long",
        )
    for character in alias:
        # Cc covers NUL, CR, LF and the rest; line/paragraph separators break headers too.
        if unicodedata.category(character) in {"Cc", "Cs", "Zl", "Zp"}:
            raise ValidationError(
                f"must not contain control characters (found U+{ord(character):04X})",
                field="alias",
                code="address.alias_invalid",
            )
    return alias


def _view(address: SenderAddress, domain: SenderDomain) -> AddressView:
    return AddressView(
        id=address.id or 0,
        domain_id=address.domain_id,
        local_part=address.local_part,
        alias=address.alias,
        domain_name=domain.name,
        domain_status=domain.status,
        created_at=address.created_at,
    )


def _load(session: Session, address_id: int) -> tuple[SenderAddress, SenderDomain]:
    address = session.get(SenderAddress, address_id)
    domain = session.get(SenderDomain, address.domain_id) if address is not None else None
    if address is None or domain is None:
        raise NotFound(f"sender address {address_id} does not exist", code="address.not_found")
    return address, domain


def _domain_is_verified(domain: SenderDomain) -> bool:
    # The same rule as domains.require_verified_domain, read inside this session.
    return domain.status == DomainStatus.PASSED


@requires(Act.SENDER_CREATE)
def create_address(
    context: Context, *, domain_id: int, prefix: str, alias: str = ""
) -> AddressView:
    """Create ``prefix@domain``; the domain must be verified and the address new."""
    local_part = validate_prefix(prefix)
    alias = validate_alias(alias)
    with context.store.session() as session:
        domain = session.get(SenderDomain, domain_id)
        if domain is None:
            raise ValidationError(
                "choose a sender domain", field="domain_id", code="address.domain_required"
            )
        if not _domain_is_verified(domain):
            raise ValidationError(
                f"{display_domain_name(domain.name)} is not verified; "
                "only a verified domain can send",
                field="domain_id",
                code="address.domain_not_verified",
            )
        duplicate = session.exec(
            select(SenderAddress.id).where(
                SenderAddress.domain_id == domain_id,
                func.lower(SenderAddress.local_part) == local_part.lower(),
            )
        ).first()
        if duplicate is not None:
            raise Conflict(
                f"{local_part}@{display_domain_name(domain.name)} already exists",
                field="prefix",
                code="address.duplicate",
            )
        address = SenderAddress(
            domain_id=domain_id,
            local_part=local_part,
            alias=alias,
            created_at=context.clock.now(),
        )
        session.add(address)
        session.flush()
        return _view(address, domain)


@requires(Act.SENDER_READ)
def get_address(context: Context, address_id: int) -> AddressView:
    with context.store.session() as session:
        return _view(*_load(session, address_id))


@requires(Act.SENDER_READ)
def find_address(context: Context, reference: str) -> AddressView:
    """The sender address named by its ID or written out (``news@bücher.de`` or its
    ASCII form, any case)."""

    def by_name(text: str) -> list[tuple[int, AddressView]]:
        local_part, _, domain = text.rpartition("@")
        with context.store.session() as session:
            rows = session.exec(
                select(SenderAddress, SenderDomain)
                .join(SenderDomain, col(SenderDomain.id) == SenderAddress.domain_id)
                .where(
                    func.lower(col(SenderAddress.local_part)) == local_part.lower(),
                    col(SenderDomain.name) == search_form(domain.lower()),
                )
            ).all()
            return [(stored_id(address), _view(address, domain)) for address, domain in rows]

    return resolve_reference(
        reference,
        by_id=lambda address_id: get_address(context, address_id),
        by_name=by_name,
        what="sender address",
        field="sender",
        listing="kootui address list",
    )


@requires(Act.SENDER_READ)
def require_usable_address(context: Context, address_id: int) -> AddressView:
    """The address, if a new task may send from it (its domain is verified)."""
    address = get_address(context, address_id)
    try:
        require_verified_domain(context, address.domain_id)
    except InvalidState as exc:
        raise InvalidState(
            f"{address.display_address} cannot send: {exc.message}",
            field="address_id",
            code="address.domain_not_verified",
        ) from exc
    return address


@requires(Act.SENDER_READ)
def usable_addresses(context: Context) -> list[AddressView]:
    """Addresses a new task may use, by address (for the task form's select)."""
    with context.store.session() as session:
        rows = session.exec(
            select(SenderAddress, SenderDomain)
            .join(SenderDomain, col(SenderDomain.id) == SenderAddress.domain_id)
            .where(SenderDomain.status == DomainStatus.PASSED)
            .order_by(col(SenderDomain.name), col(SenderAddress.local_part))
        ).all()
        return [_view(address, domain) for address, domain in rows]


def _tasks_using(session: Session, address_id: int) -> list[Task]:
    return list(
        session.exec(select(Task).where(Task.address_id == address_id).order_by(col(Task.id))).all()
    )


@requires(Act.SENDER_DELETE)
def delete_address(context: Context, address_id: int) -> None:
    """Delete an address; refused while a scheduled, sending or paused task uses it.

    Finished tasks keep pointing at the address they were sent from (their history
    shows it), so an address that sent before is refused too, naming that task.
    """
    with context.store.session() as session:
        address, domain = _load(session, address_id)
        shown = f"{address.local_part}@{display_domain_name(domain.name)}"
        tasks = _tasks_using(session, address_id)
        pending = [task for task in tasks if task.status in PENDING_TASK_STATUSES]
        if pending:
            task = pending[0]
            raise Conflict(
                f'{shown} is used by task "{task.name}" (#{task.id}, {task.status}); '
                "cancel it or let it finish first",
                code="address.in_use",
            )
        if tasks:
            task = tasks[0]
            raise Conflict(
                f'{shown} sent task "{task.name}" (#{task.id}, {task.status}); its history '
                "needs the address, so delete that task first",
                code="address.has_history",
            )
        session.delete(address)


def _list_query() -> ListQuery:
    address_text = col(SenderAddress.local_part) + "@" + col(SenderDomain.name)
    statement: Select[*tuple[Any, ...]] = sa_select(  # sqlmodel's select types at most 4 columns
        col(SenderAddress.id).label("id"),
        col(SenderAddress.local_part).label("local_part"),
        col(SenderAddress.alias).label("alias"),
        col(SenderAddress.domain_id).label("domain_id"),
        col(SenderDomain.name).label("domain_name"),
        col(SenderDomain.status).label("domain_status"),
        col(SenderAddress.created_at).label("created_at"),
    ).join(SenderDomain, col(SenderDomain.id) == SenderAddress.domain_id)
    return ListQuery(
        statement=statement,
        sort_columns={
            "display_address": address_text,
            "address": address_text,
            "alias": col(SenderAddress.alias),
            "domain_status": col(SenderDomain.status),
            "created_at": col(SenderAddress.created_at),
        },
        default_sort="created_at",
        tiebreak=col(SenderAddress.id),
        search_columns=(address_text,),
        filters={
            "domain_id": _domain_id_clause,
            "domain_status": equals_filter(col(SenderDomain.status), list(DomainStatus)),
        },
    )


def _domain_id_clause(name: str, value: str) -> ColumnElement[bool]:
    if not value.isdigit():
        raise ValidationError("must be a domain ID (a number)", field=name)
    return col(SenderAddress.domain_id) == int(value)


@requires(Act.SENDER_READ)
def list_addresses(context: Context, request: PageRequest | None = None) -> PageResult:
    """One page of addresses; the text filter matches ``prefix@domain`` as a substring.

    Rows carry id, local_part, alias, domain_id, domain_name, domain_status,
    created_at, plus address, display_address, preview and usable.
    """
    request = request or PageRequest()
    if request.text_filter.strip():
        prefix, at, domain = request.text_filter.strip().rpartition("@")
        typed = f"{prefix}{at}{search_form(domain)}" if at else search_form(domain)
        request = replace(request, text_filter=typed)
    with context.store.session() as session:
        page = fetch_page(session, _list_query(), request)
    rows = []
    for row in page.rows:
        view = AddressView(
            id=row["id"],
            domain_id=row["domain_id"],
            local_part=row["local_part"],
            alias=row["alias"],
            domain_name=row["domain_name"],
            domain_status=row["domain_status"],
            created_at=row["created_at"],
        )
        values = {
            **row.values,
            "address": view.address,
            "display_address": view.display_address,
            "preview": view.preview,
            "usable": view.usable,
        }
        rows.append(Row(key=row.key, values=values))
    return PageResult(rows=rows, total=page.total, offset=page.offset)
