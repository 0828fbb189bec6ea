"""The suppression list: addresses no task mails again, with why, when and from which message.

Addresses arrive by themselves (an unsubscribe link, a hard bounce, later a complaint)
or by hand, with a reason and a note. One row per address, stored in lower case as the
task expansion and the engine look them up. Addresses are personal data: every list row
shows ``***@domain``, like Sending Details; the full address comes only from
``reveal_suppressed`` for one row, and nothing remembers a reveal.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, delete, func
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from kootui.core.access import Act, check_access, requires
from kootui.core.context import Context
from kootui.core.details import mask_address
from kootui.core.errors import Conflict, NotFound, ValidationError
from kootui.core.recipients import normalise_address
from kootui.core.references import resolve_reference
from kootui.core.store import (
    Column,
    ListQuery,
    PageRequest,
    PageResult,
    Row,
    Suppression,
    SuppressionReason,
    date_from_filter,
    date_to_filter,
    equals_filter,
    fetch_page,
)

MAX_NOTE_CHARS = 500
REASON_LABELS: dict[str, str] = {
    SuppressionReason.UNSUBSCRIBED: "Unsubscribed",
    SuppressionReason.HARD_BOUNCE: "Hard bounce",
    SuppressionReason.COMPLAINT: "Complaint",
    SuppressionReason.MANUAL: "Manual",
}
REASONS = tuple(reason.value for reason in SuppressionReason)

SUPPRESSION_COLUMNS = (
    Column("address", "Address", width=30),
    Column("reason", "Reason", width=14, kind="status"),
    Column("created_at", "Since", width=16, kind="time"),
    Column("message_id", "Message", width=8, kind="number"),
    Column("note", "Note", width=30, sortable=False),
)


@dataclass(frozen=True)
class SuppressionView:
    """One suppressed address. ``address`` is whole: faces show ``masked`` unless revealed."""

    id: int
    address: str
    reason: str
    created_at: datetime
    message_id: int | None
    note: str

    @property
    def masked(self) -> str:
        return mask_address(self.address)

    @property
    def reason_label(self) -> str:
        return reason_label(self.reason)


def reason_label(reason: str) -> str:
    return REASON_LABELS.get(reason, reason.replace("_", " ").capitalize())


def _view(row: Suppression) -> SuppressionView:
    return SuppressionView(
        id=row.id or 0,
        address=row.address,
        reason=row.reason,
        created_at=row.created_at,
        message_id=row.message_id,
        note=row.note,
    )


def checked_reason(reason: str) -> str:
    if reason not in REASONS:
        raise ValidationError(
            f"must be one of: {', '.join(REASONS)}", field="reason", code="suppression.reason"
        )
    return reason


def checked_note(note: str) -> str:
    note = note.strip()
    if len(note) > MAX_NOTE_CHARS:
        raise ValidationError(
            f"is {len(note)} characters; at most {MAX_NOTE_CHARS} are allowed",
            field="note",
            code="suppression.note_too_long",
        )
    for index, character in enumerate(note):
        if unicodedata.category(character) in {"Cc", "Cs", "Zl", "Zp"}:
            raise ValidationError(
                f"must be one line without control characters (U+{ord(character):04X} at "
                f"column {index + 1})",
                field="note",
                code="suppression.note_control",
            )
    return note


def suppression_key(text: str) -> str:
    """The address as the list stores it: checked as a recipient is, in lower case."""
    return normalise_address(text, field="address").lower()


def _load(session: Session, suppression_id: int) -> Suppression:
    row = session.get(Suppression, suppression_id)
    if row is None:
        raise NotFound(
            f"there is no suppression {suppression_id}; it may have been removed",
            field="suppression_id",
            code="suppression.not_found",
        )
    return row


@requires(Act.SUPPRESSION_CREATE)
def add_suppression(
    context: Context,
    address: str,
    *,
    reason: str = SuppressionReason.MANUAL,
    note: str = "",
    message_id: int | None = None,
) -> SuppressionView:
    """Put one address on the list; Conflict ``suppression.exists`` when it is there already."""
    key = suppression_key(address)
    row = Suppression(
        address=key,
        reason=checked_reason(reason),
        note=checked_note(note),
        message_id=message_id,
        created_at=context.clock.now(),
    )
    try:
        with context.store.session() as session:
            known = session.exec(select(Suppression).where(Suppression.address == key)).first()
            if known is not None:
                raise _already(_view(known))
            session.add(row)
            session.flush()
            return _view(row)
    except IntegrityError:
        # Another process added it between the look and the write.
        raise Conflict(
            "is already on the suppression list", field="address", code="suppression.exists"
        ) from None


def _already(view: SuppressionView) -> Conflict:
    since = view.created_at.astimezone().strftime("%Y-%m-%d %H:%M")
    return Conflict(
        f"is already on the suppression list ({view.reason_label.lower()}, since {since})",
        field="address",
        code="suppression.exists",
    )


@requires(Act.SUPPRESSION_READ)
def get_suppression(context: Context, suppression_id: int) -> SuppressionView:
    with context.store.session() as session:
        return _view(_load(session, suppression_id))


@requires(Act.SUPPRESSION_READ)
def find_suppression(context: Context, reference: str) -> SuppressionView:
    """The entry named by its ID or by its whole address (any case)."""

    def by_address(text: str) -> list[tuple[int, SuppressionView]]:
        key = text.strip().lower()
        with context.store.session() as session:
            found = session.exec(select(Suppression).where(Suppression.address == key)).first()
            return [(found.id or 0, _view(found))] if found is not None else []

    return resolve_reference(
        reference,
        by_id=lambda suppression_id: get_suppression(context, suppression_id),
        by_name=by_address,
        what="suppressed address",
        field="address",
        listing="kootui suppression list",
    )


@requires(Act.SUPPRESSION_DELETE)
def remove_suppression(context: Context, suppression_id: int) -> SuppressionView:
    """Take an address off the list: tasks created from now on mail it again."""
    with context.store.session() as session:
        row = _load(session, suppression_id)
        view = _view(row)
        session.execute(delete(Suppression).where(col(Suppression.id) == suppression_id))
        return view


@requires(Act.SUPPRESSION_REVEAL)
def reveal_suppressed(context: Context, suppression_id: int) -> str:
    """One entry's whole address, for the one row a user asked to see."""
    return get_suppression(context, suppression_id).address


def suppression_query() -> ListQuery:
    """The one query behind the page, ``kootui suppression list`` and the export."""
    statement: Select[*tuple[Any, ...]] = sa_select(  # sqlmodel types at most 4 columns
        col(Suppression.id).label("id"),
        col(Suppression.address).label("address"),
        col(Suppression.reason).label("reason"),
        col(Suppression.created_at).label("created_at"),
        col(Suppression.message_id).label("message_id"),
        col(Suppression.note).label("note"),
    )
    return ListQuery(
        statement=statement,
        sort_columns={
            "created_at": col(Suppression.created_at),
            "address": col(Suppression.address),
            "reason": col(Suppression.reason),
            "message_id": col(Suppression.message_id),
        },
        default_sort="created_at",
        tiebreak=col(Suppression.id),
        search_columns=(col(Suppression.address), col(Suppression.note)),
        filters={
            "reason": equals_filter(col(Suppression.reason), REASONS),
            "created_from": date_from_filter(col(Suppression.created_at)),
            "created_to": date_to_filter(col(Suppression.created_at)),
        },
    )


def present_suppression(values: Any, *, reveal: bool = False) -> dict[str, Any]:
    """A row as every face shows it: the address masked unless revealed, the reason named."""
    shown = dict(values)
    if not reveal:
        shown["address"] = mask_address(str(values["address"]))
    shown["reason_label"] = reason_label(str(values["reason"]))
    return shown


@requires(Act.SUPPRESSION_READ)
def list_suppressions(
    context: Context, request: PageRequest | None = None, *, reveal: bool = False
) -> PageResult:
    """One page of the list, newest first by default; addresses masked unless ``reveal``.

    The quick filter matches part of an address or a note; advanced fields: reason,
    created_from and created_to (local calendar days, both included)."""
    if reveal:  # whole addresses are an action of their own
        check_access(context, Act.SUPPRESSION_REVEAL)
    request = request or PageRequest(sort_key="created_at", descending=True)
    with context.store.session() as session:
        page = fetch_page(session, suppression_query(), request)
    rows = [Row(row.key, present_suppression(row.values, reveal=reveal)) for row in page.rows]
    return PageResult(rows=rows, total=page.total, offset=page.offset)


@requires(Act.SUPPRESSION_READ)
def count_suppressions(context: Context) -> int:
    with context.store.session() as session:
        counted = session.connection().execute(
            sa_select(func.count()).select_from(Suppression.__table__)
        )
        return int(counted.scalar_one())
