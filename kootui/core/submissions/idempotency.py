"""``Idempotency-Key``: the first answer to a request, kept 24 hours.

A caller that retries (a timeout, a lost connection) sends the same key and body again
and gets the first answer, with nothing stored twice; the same key with another body is
a ``409``. The record is written in the transaction that stores what the request made
(``intake.commit_batch``), so an answer exists exactly when its messages do.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, and_, delete, insert, or_, select

from kootui.core.access import Act, requires
from kootui.core.context import Context
from kootui.core.errors import Conflict, ValidationError
from kootui.core.store import IdempotencyRecord

KEEP_FOR = timedelta(hours=24)
MAX_KEY_CHARS = 255
_record = IdempotencyRecord.__table__


@dataclass(frozen=True)
class IdempotencyClaim:
    """A request's key (per API key) and the hash of what it asked."""

    api_key_id: int
    key: str
    request_hash: str

    @property
    def ident(self) -> tuple[int, str]:
        return self.api_key_id, self.key


@dataclass(frozen=True)
class StoredAnswer:
    status: int
    body: str
    request_hash: str


def idempotency_claim(api_key_id: int, key: str, what: str, body: bytes) -> IdempotencyClaim:
    """The claim of a request ``what`` (method and path) with ``body``; the key is checked."""
    text = key.strip()
    if not text or len(text) > MAX_KEY_CHARS or not text.isascii() or not text.isprintable():
        raise ValidationError(
            f"the Idempotency-Key must be 1 to {MAX_KEY_CHARS} printable ASCII characters",
            field="Idempotency-Key",
            code="idempotency.bad_key",
        )
    digest = hashlib.sha256(what.encode() + b"\n" + body).hexdigest()
    return IdempotencyClaim(api_key_id, text, digest)


def replay(claim: IdempotencyClaim, answer: StoredAnswer) -> StoredAnswer:
    """The stored answer when the request is the same; a 409 when the key was used for
    another request."""
    if answer.request_hash != claim.request_hash:
        raise Conflict(
            "this Idempotency-Key was used for a different request in the last 24 hours",
            field="Idempotency-Key",
            code="idempotency.key_reused",
        )
    return answer


def stored_answers(
    connection: Connection, claims: list[IdempotencyClaim], now: datetime
) -> dict[tuple[int, str], StoredAnswer]:
    if not claims:
        return {}
    r = _record
    wanted = or_(*(and_(r.c.api_key_id == c.api_key_id, r.c.key == c.key) for c in claims))
    rows = connection.execute(
        select(
            r.c.api_key_id, r.c.key, r.c.response_status, r.c.response_body, r.c.request_hash
        ).where(wanted, r.c.expires_at > now)
    ).all()
    return {
        (row.api_key_id, row.key): StoredAnswer(
            row.response_status, row.response_body, row.request_hash
        )
        for row in rows
    }


@requires(Act.MESSAGE_SEND)
def find_answer(context: Context, claim: IdempotencyClaim) -> StoredAnswer | None:
    """The answer already given to this claim's key (then ``replay`` it), or None."""
    with context.store.engine.connect() as connection:
        found = stored_answers(connection, [claim], context.clock.now())
    answer = found.get(claim.ident)
    return None if answer is None else replay(claim, answer)


def store_answers(
    connection: Connection,
    answers: list[tuple[IdempotencyClaim, int, str]],
    now: datetime,
) -> None:
    """Record first answers; expired records of the same keys go first."""
    if not answers:
        return
    r = _record
    connection.execute(
        delete(r).where(
            r.c.expires_at <= now,
            or_(*(and_(r.c.api_key_id == c.api_key_id, r.c.key == c.key) for c, _, _ in answers)),
        )
    )
    connection.execute(
        insert(r),
        [
            {
                "api_key_id": claim.api_key_id,
                "key": claim.key,
                "request_hash": claim.request_hash,
                "response_status": status,
                "response_body": body,
                "created_at": now,
                "expires_at": now + KEEP_FOR,
            }
            for claim, status, body in answers
        ],
    )


@requires(Act.ENGINE_RUN)
def forget_expired(context: Context) -> int:
    """Delete records past their 24 hours (the server runs this now and then)."""
    with context.store.session() as session:
        result = session.connection().execute(
            delete(_record).where(_record.c.expires_at <= context.clock.now())
        )
        return int(result.rowcount or 0)
