"""Packages: add, list, show, remove, and the workspace's quota policy.

A package's days are dates in the workspace's zone: it is valid from the midnight that
starts its first day to the midnight that ends its last, both fixed as UTC instants when
it is added (a later change of zone does not move a bought period).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlmodel import col

from kootui.core.access import Act, requires
from kootui.core.context import Context
from kootui.core.errors import Conflict, NotFound, ValidationError
from kootui.core.store import (
    Package,
    PageRequest,
    PageResult,
    QuotaSettings,
    Row,
    stored_id,
)
from kootui.core.workspace import workspace_zone

QUOTA_SETTINGS_ID = 1
MAX_UNITS = 1_000_000_000
WARN_BELOW_RANGE = (0, MAX_UNITS)
NAME_LENGTH = (1, 100)
REFERENCE_LENGTH = 200
ADDED_BY_LENGTH = 100


@dataclass(frozen=True)
class PackageView:
    id: int
    name: str
    units: int
    used: int
    valid_from: datetime  # UTC instants; first_day/last_day are the dates as typed
    valid_until: datetime
    first_day: date
    last_day: date
    added_by: str
    added_at: datetime
    reference: str

    @property
    def left(self) -> int:
        return max(0, self.units - self.used)

    def state(self, now: datetime) -> str:
        """ "upcoming", "active", "used up" or "expired" at ``now``."""
        if now >= self.valid_until:
            return "expired"
        if now < self.valid_from:
            return "upcoming"
        return "used up" if self.left == 0 else "active"


@dataclass(frozen=True)
class QuotaPolicy:
    hard_stop: bool  # beyond every package, hold messages instead of counting pay-per-use
    warn_below: int  # the Overview warns when fewer units than this are left


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


def _view(row: Package, zone: ZoneInfo) -> PackageView:
    return PackageView(
        id=stored_id(row),
        name=row.name,
        units=row.units,
        used=row.used,
        valid_from=row.valid_from,
        valid_until=row.valid_until,
        first_day=row.valid_from.astimezone(zone).date(),
        last_day=(row.valid_until - timedelta(microseconds=1)).astimezone(zone).date(),
        added_by=row.added_by,
        added_at=row.added_at,
        reference=row.reference,
    )


def parse_day(text: str, field: str) -> date:
    """A date typed as YYYY-MM-DD, or a ValidationError naming ``field``."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError(
            f"{text.strip()!r} is not a date; give it as YYYY-MM-DD, e.g. 2027-01-31",
            field=field,
            code="package.date",
        ) from None


@requires(Act.PACKAGE_CREATE)
def add_package(
    context: Context,
    *,
    name: str,
    units: int,
    first_day: date,
    last_day: date,
    added_by: str = "",
    reference: str = "",
) -> PackageView:
    """Record a package valid from ``first_day`` to ``last_day`` (both included) in the
    workspace's zone. Held messages go on by themselves: the next claim sees it."""
    name = name.strip()
    low, high = NAME_LENGTH
    if not low <= len(name) <= high:
        raise ValidationError(
            f"must be {low} to {high} characters", field="name", code="package.name"
        )
    if not 1 <= units <= MAX_UNITS:
        raise ValidationError(
            f"must be between 1 and {MAX_UNITS:,}", field="units", code="package.units"
        )
    if last_day < first_day:
        raise ValidationError(
            f"the last day ({last_day}) is before the first ({first_day})",
            field="last_day",
            code="package.period",
        )
    reference = reference.strip()
    if len(reference) > REFERENCE_LENGTH:
        raise ValidationError(
            f"must be at most {REFERENCE_LENGTH} characters",
            field="reference",
            code="package.reference",
        )
    zone = workspace_zone(context)
    row = Package(
        name=name,
        units=units,
        valid_from=_local_midnight(first_day, zone),
        valid_until=_local_midnight(last_day + timedelta(days=1), zone),
        added_by=added_by.strip()[:ADDED_BY_LENGTH],
        added_at=context.clock.now(),
        reference=reference,
    )
    with context.store.session() as session:
        session.add(row)
        session.flush()
        return _view(row, zone)


@requires(Act.PACKAGE_READ)
def list_packages(context: Context) -> list[PackageView]:
    """Every package, the one used first (expiring first) at the top."""
    zone = workspace_zone(context)
    with context.store.session() as session:
        rows = session.scalars(
            select(Package).order_by(col(Package.valid_until), col(Package.id))
        ).all()
        return [_view(row, zone) for row in rows]


@requires(Act.PACKAGE_READ)
def get_package(context: Context, package_id: int) -> PackageView:
    zone = workspace_zone(context)
    with context.store.session() as session:
        row = session.get(Package, package_id)
        if row is None:
            raise _not_found(package_id)
        return _view(row, zone)


@requires(Act.PACKAGE_READ)
def find_package(context: Context, reference: str) -> PackageView:
    """A package by its ID (digits) or its exact name, any case."""
    text = reference.strip()
    if text.isdigit():
        return get_package(context, int(text))
    found = [p for p in list_packages(context) if p.name.casefold() == text.casefold()]
    if not found:
        raise NotFound(f"no package is named {text!r}", field="package", code="package.not_found")
    if len(found) > 1:
        ids = ", ".join(str(p.id) for p in found)
        raise Conflict(
            f"{len(found)} packages are named {text!r} (IDs {ids}); give the ID",
            field="package",
            code="package.ambiguous",
        )
    return found[0]


@requires(Act.PACKAGE_DELETE)
def remove_package(context: Context, package_id: int) -> PackageView:
    """Remove a package nothing was sent from (a mistyped one); a used package is a
    billing record and stays."""
    zone = workspace_zone(context)
    with context.store.session() as session:
        row = session.get(Package, package_id)
        if row is None:
            raise _not_found(package_id)
        if row.used:
            raise Conflict(
                f"{row.used:,} emails were already sent from package {row.name!r}, so it stays "
                "as their record; add a corrected package instead",
                field="package",
                code="package.in_use",
            )
        view = _view(row, zone)
        session.delete(row)
        return view


def _not_found(package_id: int) -> NotFound:
    return NotFound(
        f"there is no package with ID {package_id}", field="package", code="package.not_found"
    )


@requires(Act.PACKAGE_READ)
def get_policy(context: Context) -> QuotaPolicy:
    with context.store.session() as session:
        row = session.get(QuotaSettings, QUOTA_SETTINGS_ID)
        if row is None:
            return QuotaPolicy(hard_stop=False, warn_below=QuotaSettings().warn_below)
        return QuotaPolicy(hard_stop=row.hard_stop, warn_below=row.warn_below)


@requires(Act.PACKAGE_UPDATE)
def set_policy(
    context: Context, *, hard_stop: bool | None = None, warn_below: int | None = None
) -> QuotaPolicy:
    """Change what is given. Turning the hard stop off lets held messages go on as
    pay-per-use at the next claim."""
    low, high = WARN_BELOW_RANGE
    if warn_below is not None and not low <= warn_below <= high:
        raise ValidationError(
            f"must be between {low} and {high:,}", field="warn_below", code="package.warn_below"
        )
    with context.store.session() as session:
        row = session.get(QuotaSettings, QUOTA_SETTINGS_ID)
        if row is None:
            row = QuotaSettings(id=QUOTA_SETTINGS_ID, updated_at=context.clock.now())
        if hard_stop is not None:
            row.hard_stop = hard_stop
        if warn_below is not None:
            row.warn_below = warn_below
        row.updated_at = context.clock.now()
        session.add(row)
        return QuotaPolicy(hard_stop=row.hard_stop, warn_below=row.warn_below)


PACKAGE_SORTS = ("name", "units", "used", "left", "first_day", "last_day", "state", "added_at")


@requires(Act.PACKAGE_READ)
def package_rows(context: Context, request: PageRequest) -> PageResult:
    """The packages as a list page shows them: filtered by part of the name or the
    reference, sorted by any column (the one used first at the top by default)."""
    now = context.clock.now()
    text = request.text_filter.strip().casefold()
    rows = [
        Row(
            key=str(p.id),
            values={
                "id": p.id,
                "name": p.name,
                "units": p.units,
                "used": p.used,
                "left": p.left,
                "first_day": p.first_day.isoformat(),
                "last_day": p.last_day.isoformat(),
                "state": p.state(now).replace(" ", "_"),
                "added_by": p.added_by,
                "added_at": p.added_at,
                "reference": p.reference,
            },
        )
        for p in list_packages(context)
        if not text or text in p.name.casefold() or text in p.reference.casefold()
    ]
    if request.sort_key in PACKAGE_SORTS:
        key = request.sort_key
        rows.sort(key=lambda row: row[key], reverse=request.descending)
    total = len(rows)
    offset = min(request.offset, max(0, total - 1))
    return PageResult(rows=rows[offset : offset + request.limit], total=total, offset=offset)
