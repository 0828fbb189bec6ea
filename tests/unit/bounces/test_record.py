"""Applying reports: which status wins, the first suppression reason stays, the Message-ID
fallback of a complaint without a bounce address, and the VERP token's checks."""

from __future__ import annotations

from sqlalchemy import select as sa_select
from sqlalchemy import update

from kootui.core.bounces import InboundReport, ReportKind, record_report
from kootui.core.context import Context
from kootui.core.mail import verp_address, verp_message_id
from kootui.core.store import Message, Suppression
from tests.support.dispatch_seed import messages, seed_sender, seed_task

HARD = InboundReport(ReportKind.HARD_BOUNCE, status="5.1.1", text="user unknown")
COMPLAINT = InboundReport(ReportKind.COMPLAINT, text="abuse report")


def _two_messages(context: Context) -> tuple[int, int]:
    """Two delivered messages (a report changes only a message that left)."""
    seed_task(context, seed_sender(context), ["ann@example.org", "bob@example.org"])
    first, second = (row.id or 0 for row in messages(context))
    table = Message.__table__
    sent = {"status": "delivered", "sent_at": context.clock.now()}
    with context.store.session() as session:
        session.connection().execute(update(table).where(table.c.id == first).values(**sent))
        session.connection().execute(
            update(table)
            .where(table.c.id == second)
            .values(**sent, message_id_header="<b0b@example.com>")
        )
    return first, second


def _reasons(context: Context) -> dict[str, str]:
    table = Suppression.__table__
    with context.store.engine.connect() as connection:
        return dict(connection.execute(sa_select(table.c.address, table.c.reason)).all())


def test_a_complaint_outranks_a_bounce_and_the_first_reason_stays(context: Context) -> None:
    ann, _bob = _two_messages(context)
    assert record_report(context, ann, COMPLAINT).suppressed == "ann@example.org"
    bounced = record_report(context, ann, HARD)
    assert (bounced.first_time, bounced.suppressed) == (True, "ann@example.org")
    assert {row.id: row.status for row in messages(context)}[ann] == "complained"
    assert _reasons(context) == {"ann@example.org": "complaint"}
    table = Suppression.__table__
    with context.store.engine.connect() as connection:
        sources = connection.execute(sa_select(table.c.message_id)).scalars().all()
    assert sources == [ann]  # the suppression list says which message it came from
    again = record_report(context, ann, HARD)
    assert (again.first_time, again.suppressed) == (False, "")


def test_a_complaint_without_a_bounce_address_falls_back_to_the_message_id(
    context: Context,
) -> None:
    _ann, bob = _two_messages(context)
    quoted = InboundReport(ReportKind.COMPLAINT, original_message_id="<b0b@example.com>")
    assert record_report(context, None, quoted).message_id == bob
    stranger = InboundReport(ReportKind.COMPLAINT, original_message_id="<nobody@example.com>")
    assert record_report(context, None, stranger).message_id is None
    # A bounce address always wins over what the report's text quotes.
    assert record_report(context, _ann, quoted).message_id == _ann
    assert _reasons(context) == {"bob@example.org": "complaint", "ann@example.org": "complaint"}


def test_verp_addresses_name_their_message_and_refuse_tampering(context: Context) -> None:
    settings = context.settings.with_values(sending__mx_host="mx.sender.example")
    address = verp_address(settings, "Mail.Example.com", 42)
    local, host = address.split("@")
    assert host == "bounce.mail.example.com"
    assert verp_message_id(settings, address) == 42
    assert verp_message_id(settings, f"<{address.upper()}>") == 42  # case folded on the way
    assert verp_message_id(settings, address.replace("b-42-", "b-43-")) is None
    flipped = "b" if local.endswith("a") else "a"
    assert verp_message_id(settings, f"{local[:-1]}{flipped}@{host}") is None
    assert verp_message_id(settings, f"{local[:-2]}@{host}") is None
    assert verp_message_id(settings, "postmaster@bounce.mail.example.com") is None
    key = settings.paths.keys_dir / "bounce-secret"
    assert key.stat().st_mode & 0o077 == 0 and len(key.read_bytes()) == 32
