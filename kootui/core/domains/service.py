"""Sender domains: create, rename, delete, list, and the records each must publish.

The rules (each a typed error naming the field): at most
``workspace_settings.max_domains`` domains (``domain.limit_reached``); a valid
host name, stored as lower-case punycode (see ``domains.names``); no duplicates
(``domain.duplicate``). Creating a domain generates its DKIM key (selector
``kootui1``); renaming resets verification and starts over with a new key;
deleting a domain its sender addresses use is refused with their list unless
``force=True``. The list page's query lives in ``domains.listing``,
verification in ``domains.verification``, the DNS doctor in ``domains.doctor``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import delete, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from kootui.core.access import Act, requires
from kootui.core.context import Context
from kootui.core.dns import DkimPublicKey, ExpectedRecord, expected_records
from kootui.core.domains.dkim_keys import active_keys, add_key, remove_key_files
from kootui.core.domains.names import display_domain_name, normalize_domain_name
from kootui.core.domains.resource import domain_resource
from kootui.core.errors import Conflict, InvalidState, LimitReached, NotFound
from kootui.core.plural import count_of
from kootui.core.store import (
    DkimKey,
    DnsRecord,
    DomainStatus,
    RecordStatus,
    SenderAddress,
    SenderDomain,
    Task,
    WorkspaceSettings,
)
from kootui.core.workspace import WORKSPACE_ID

# The words every face shows for a status (the seeds' "Verification passed/failed").
DOMAIN_STATUS_LABELS = {
    DomainStatus.VERIFYING: "Verifying",
    DomainStatus.PASSED: "Verification passed",
    DomainStatus.FAILED: "Verification failed",
}
RECORD_STATUS_LABELS = {
    RecordStatus.PENDING: "Not checked yet",
    RecordStatus.PASSED: "Successful",
    RecordStatus.FAILED: "Failed",
    RecordStatus.NOT_FOUND: "Not found",
    RecordStatus.UNKNOWN: "Could not check, will retry",
}


@dataclass(frozen=True)
class DomainView:
    id: int
    name: str  # stored ASCII form
    display_name: str  # Unicode form for the screen
    status: DomainStatus
    status_reason: str
    created_at: datetime
    updated_at: datetime
    verified_at: datetime | None
    last_checked_at: datetime | None
    next_check_at: datetime | None
    dkim_selector: str

    @property
    def is_verified(self) -> bool:
        return self.status == DomainStatus.PASSED

    @property
    def status_label(self) -> str:
        return DOMAIN_STATUS_LABELS[self.status]


@dataclass(frozen=True)
class RecordView:
    """One row of the verification table: Type / Name / Expected / Found / Status."""

    purpose: str
    label: str
    rtype: str
    name: str
    expected: str
    required: bool
    status: RecordStatus
    found: tuple[str, ...]
    detail: str
    checked_at: datetime | None
    missing_setting: str

    @property
    def status_label(self) -> str:
        return RECORD_STATUS_LABELS[self.status]


def _not_found(domain_id: int) -> NotFound:
    return NotFound(f"sender domain {domain_id} does not exist", code="domain.not_found")


def _load(session: Session, domain_id: int) -> SenderDomain:
    domain = session.get(SenderDomain, domain_id)
    if domain is None:
        raise _not_found(domain_id)
    return domain


def _view(session: Session, domain: SenderDomain) -> DomainView:
    keys = active_keys(session, domain.id or 0)
    return DomainView(
        id=domain.id or 0,
        name=domain.name,
        display_name=display_domain_name(domain.name),
        status=DomainStatus(domain.status),
        status_reason=domain.status_reason,
        created_at=domain.created_at,
        updated_at=domain.updated_at,
        verified_at=domain.verified_at,
        last_checked_at=domain.last_checked_at,
        next_check_at=domain.next_check_at,
        dkim_selector=keys[0].selector if keys else "",
    )


def _check_unique(session: Session, name: str, except_id: int | None = None) -> None:
    statement = select(SenderDomain.id).where(SenderDomain.name == name)
    if except_id is not None:
        statement = statement.where(SenderDomain.id != except_id)
    if session.exec(statement).first() is not None:
        shown = display_domain_name(name)
        raise Conflict(f"{shown} is already a sender domain", field="name", code="domain.duplicate")


def _store_expected_records(session: Session, context: Context, domain: SenderDomain) -> None:
    """Replace the domain's record rows with fresh, unchecked ones."""
    session.execute(delete(DnsRecord).where(col(DnsRecord.domain_id) == domain.id))
    for record in current_expected_records(session, context, domain):
        session.add(
            DnsRecord(
                domain_id=domain.id or 0,
                purpose=record.purpose,
                rtype=record.rtype,
                name=record.name,
                expected=record.value,
                required=record.required,
                status=RecordStatus.PENDING,
                found=[],
                detail=record.missing_setting,
            )
        )


@requires(Act.DOMAIN_READ)
def current_expected_records(
    session: Session, context: Context, domain: SenderDomain
) -> list[ExpectedRecord]:
    keys = [
        DkimPublicKey(k.selector, k.public_key_b64) for k in active_keys(session, domain.id or 0)
    ]
    return expected_records(context.settings, domain.name, keys)


@requires(Act.DOMAIN_CREATE, resource=lambda a: f"domain/{a['name']}")
def create_domain(context: Context, name: str) -> DomainView:
    """Add a sender domain, generate its DKIM key and the records it must publish."""
    stored = normalize_domain_name(name)
    now = context.clock.now()
    created_file: Path | None = None
    try:
        with context.store.session() as session:
            # Locking the workspace row makes concurrent creations take turns on
            # PostgreSQL, so two of them cannot both take the last free place.
            workspace = session.exec(
                select(WorkspaceSettings)
                .where(WorkspaceSettings.id == WORKSPACE_ID)
                .with_for_update()
            ).one()
            limit = workspace.max_domains
            count = session.exec(select(func.count()).select_from(SenderDomain)).one()
            if count >= limit:
                raise LimitReached(
                    f"a workspace can have at most {limit} sender domains; delete one first",
                    field="name",
                    code="domain.limit_reached",
                )
            _check_unique(session, stored)
            domain = SenderDomain(
                name=stored,
                status=DomainStatus.VERIFYING,
                status_reason="not checked yet",
                created_at=now,
                updated_at=now,
                next_check_at=now,  # due at once; the schedule takes over after
            )
            session.add(domain)
            session.flush()
            _key, created_file = add_key(session, context.settings, domain.id or 0, "kootui1", now)
            session.flush()
            _store_expected_records(session, context, domain)
            view = _view(session, domain)
    except IntegrityError:
        _discard(created_file)
        raise Conflict(
            f"{display_domain_name(stored)} is already a sender domain",
            field="name",
            code="domain.duplicate",
        ) from None
    except BaseException:
        _discard(created_file)
        raise
    return view


def _discard(path: Path | None) -> None:
    if path is not None:
        path.unlink(missing_ok=True)


@requires(Act.DOMAIN_UPDATE, resource=domain_resource)
def rename_domain(context: Context, domain_id: int, name: str) -> DomainView:
    """Change the name: verification starts over, with a new DKIM key and new records."""
    stored = normalize_domain_name(name)
    now = context.clock.now()
    created_file: Path | None = None
    old_files: list[str] = []
    try:
        with context.store.session() as session:
            domain = _load(session, domain_id)
            if domain.name == stored:
                return _view(session, domain)
            _check_unique(session, stored, except_id=domain_id)
            old_keys = session.exec(select(DkimKey).where(DkimKey.domain_id == domain_id)).all()
            old_files = [key.key_file for key in old_keys]
            session.execute(delete(DkimKey).where(col(DkimKey.domain_id) == domain_id))
            domain.name = stored
            domain.status = DomainStatus.VERIFYING
            domain.status_reason = "renamed; not checked yet"
            domain.verified_at = None
            domain.last_checked_at = None
            domain.updated_at = now
            domain.next_check_at = now
            session.add(domain)
            _key, created_file = add_key(session, context.settings, domain_id, "kootui1", now)
            session.flush()
            _store_expected_records(session, context, domain)
            view = _view(session, domain)
    except IntegrityError:
        _discard(created_file)
        raise Conflict(
            f"{display_domain_name(stored)} is already a sender domain",
            field="name",
            code="domain.duplicate",
        ) from None
    except BaseException:
        _discard(created_file)
        raise
    remove_key_files(context.settings, old_files)
    return view


@requires(Act.DOMAIN_READ)
def addresses_using(context: Context, domain_id: int) -> list[str]:
    """The sender addresses (``local@domain``, Unicode domain) that use the domain."""
    with context.store.session() as session:
        domain = _load(session, domain_id)
        return _address_texts(session, domain)


def _address_texts(session: Session, domain: SenderDomain) -> list[str]:
    statement = (
        select(SenderAddress.local_part)
        .where(SenderAddress.domain_id == domain.id)
        .order_by(col(SenderAddress.local_part))
    )
    shown = display_domain_name(domain.name)
    return [f"{local}@{shown}" for local in session.exec(statement).all()]


@requires(Act.DOMAIN_DELETE, resource=domain_resource)
def delete_domain(context: Context, domain_id: int, *, force: bool = False) -> list[str]:
    """Delete the domain, its records and keys; returns the sender addresses removed with it.

    Without ``force`` a domain in use is refused with Conflict (``domain.in_use``)
    naming the addresses. With ``force`` they are deleted in the same transaction,
    unless sending tasks still use them (``domain.addresses_have_tasks``).
    """
    with context.store.session() as session:
        domain = _load(session, domain_id)
        addresses = _address_texts(session, domain)
        if addresses and not force:
            raise Conflict(
                f"{display_domain_name(domain.name)} is used by "
                f"{count_of(len(addresses), 'sender address')}: {', '.join(addresses)}; "
                "confirm to delete them too",
                code="domain.in_use",
            )
        address_ids = select(SenderAddress.id).where(SenderAddress.domain_id == domain_id)
        tasks = session.exec(
            select(func.count()).select_from(Task).where(col(Task.address_id).in_(address_ids))
        ).one()
        if tasks:
            verb = "uses" if tasks == 1 else "use"
            raise Conflict(
                f"{count_of(tasks, 'sending task')} {verb} addresses of "
                f"{display_domain_name(domain.name)}; "
                "delete those tasks first",
                code="domain.addresses_have_tasks",
            )
        key_files = list(
            session.exec(select(DkimKey.key_file).where(DkimKey.domain_id == domain_id)).all()
        )
        session.execute(delete(SenderAddress).where(col(SenderAddress.domain_id) == domain_id))
        session.execute(delete(DnsRecord).where(col(DnsRecord.domain_id) == domain_id))
        session.execute(delete(DkimKey).where(col(DkimKey.domain_id) == domain_id))
        session.delete(domain)
    remove_key_files(context.settings, key_files)
    return addresses


@requires(Act.DOMAIN_READ)
def get_domain(context: Context, domain_id: int) -> DomainView:
    with context.store.session() as session:
        return _view(session, _load(session, domain_id))


@requires(Act.DOMAIN_READ)
def find_domain(context: Context, name: str) -> DomainView:
    """The domain with this name, typed in either form (``bücher.example``, ``xn--…``)."""
    stored = normalize_domain_name(name)
    with context.store.session() as session:
        domain = session.exec(select(SenderDomain).where(SenderDomain.name == stored)).first()
        if domain is None:
            raise NotFound(
                f"{display_domain_name(stored)} is not a sender domain",
                field="name",
                code="domain.not_found",
            )
        return _view(session, domain)


@requires(Act.DOMAIN_READ)
def require_verified_domain(context: Context, domain_id: int) -> DomainView:
    """The domain, if verification passed; otherwise InvalidState ``domain.not_verified``."""
    domain = get_domain(context, domain_id)
    if not domain.is_verified:
        why = f" ({domain.status_reason})" if domain.status_reason else ""
        raise InvalidState(
            f"{domain.display_name} is not verified yet{why}; publish its DNS records and verify",
            field="domain_id",
            code="domain.not_verified",
        )
    return domain


@requires(Act.DOMAIN_READ)
def verified_domains(context: Context) -> list[DomainView]:
    """Domains a sender address may use, by name (for the address form's select)."""
    with context.store.session() as session:
        statement = (
            select(SenderDomain)
            .where(SenderDomain.status == DomainStatus.PASSED)
            .order_by(col(SenderDomain.name))
        )
        return [_view(session, domain) for domain in session.exec(statement).all()]


@requires(Act.DOMAIN_READ)
def domain_records(context: Context, domain_id: int) -> list[RecordView]:
    """The verification table of a domain, in display order.

    Expected values come from the current settings; a stored result checked
    against a different expected value is shown as pending until the next check.
    """
    with context.store.session() as session:
        domain = _load(session, domain_id)
        expected = current_expected_records(session, context, domain)
        stored = {
            row.purpose: row
            for row in session.exec(select(DnsRecord).where(DnsRecord.domain_id == domain_id))
        }
    views: list[RecordView] = []
    for record in expected:
        row = stored.get(record.purpose)
        fresh = row is not None and row.expected == record.value and row.name == record.name
        views.append(
            RecordView(
                purpose=record.purpose,
                label=record.label,
                rtype=record.rtype,
                name=record.name,
                expected=record.value,
                required=record.required,
                status=RecordStatus(row.status) if fresh and row else RecordStatus.PENDING,
                found=tuple(row.found) if fresh and row else (),
                detail=(row.detail if fresh and row else "")
                or record.missing_setting
                or ("" if fresh else "changed since the last check; verify again"),
                checked_at=row.checked_at if fresh and row else None,
                missing_setting=record.missing_setting,
            )
        )
    return views
