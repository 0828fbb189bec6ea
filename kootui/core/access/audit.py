"""Reading the audit log: filtered, newest first, as JSON or CSV (``audit_write`` writes it)."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlmodel import col, select

from kootui.core.access.actions import Act
from kootui.core.access.guard import requires
from kootui.core.store import AuditEntry, stored_id

if TYPE_CHECKING:
    from kootui.core.context import Context

MAX_AUDIT_ROWS = 100_000


@dataclass(frozen=True)
class AuditLine:
    id: int
    at: datetime
    principal: str
    user_name: str
    action: str
    resource: str
    face: str
    address: str
    allowed: bool
    decided_by: str


@dataclass(frozen=True)
class AuditFilter:
    user_name: str | None = None
    action: str | None = None  # a * pattern, as in a policy
    since: datetime | None = None
    until: datetime | None = None
    refused_only: bool = False
    limit: int = 1000


def _line(row: AuditEntry) -> AuditLine:
    return AuditLine(
        id=stored_id(row),
        at=row.at,
        principal=row.principal,
        user_name=row.user_name,
        action=row.action,
        resource=row.resource,
        face=row.face,
        address=row.address,
        allowed=row.allowed,
        decided_by=row.decided_by,
    )


@requires(Act.AUDIT_READ)
def query_audit(context: Context, audit_filter: AuditFilter | None = None) -> list[AuditLine]:
    """The newest lines first, filtered; at most ``limit`` (up to 100,000)."""
    wanted = audit_filter or AuditFilter()
    statement = select(AuditEntry)
    if wanted.user_name:
        statement = statement.where(col(AuditEntry.user_name) == wanted.user_name.lower())
    if wanted.action:
        like = wanted.action.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        statement = statement.where(
            col(AuditEntry.action).ilike(like.replace("*", "%"), escape="\\")
        )
    if wanted.since is not None:
        statement = statement.where(col(AuditEntry.at) >= wanted.since)
    if wanted.until is not None:
        statement = statement.where(col(AuditEntry.at) < wanted.until)
    if wanted.refused_only:
        statement = statement.where(col(AuditEntry.allowed).is_(False))
    limit = max(1, min(wanted.limit, MAX_AUDIT_ROWS))
    statement = statement.order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc())
    with context.store.session() as session:
        return [_line(row) for row in session.exec(statement.limit(limit))]


def audit_as_json(lines: list[AuditLine]) -> str:
    rows = [{**asdict(line), "at": line.at.isoformat()} for line in lines]
    return json.dumps(rows, ensure_ascii=True, indent=2)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    text = value.isoformat() if isinstance(value, datetime) else str(value)
    # A spreadsheet must not run a name someone typed as a formula.
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def audit_as_csv(lines: list[AuditLine]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    fields = list(AuditLine.__dataclass_fields__)
    writer.writerow(fields)
    for line in lines:
        writer.writerow([_cell(getattr(line, name)) for name in fields])
    return out.getvalue()
