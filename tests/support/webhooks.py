"""Shared helpers of the webhook tests: a context that may deliver to loopback, an
independent Standard Webhooks verifier, and the outbox's rows."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from sqlalchemy import select

from kootui.core.context import Context
from kootui.core.store import WebhookOutbox


def loopback_context(context: Context, **values: Any) -> Context:
    """The same store and clock, with deliveries to loopback allowed (the receiver)."""
    settings = context.settings.with_values(webhooks__allow_private=True, **values)
    return Context(store=context.store, settings=settings, clock=context.clock)


def verify(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """The receiver's check, written from the Standard Webhooks specification alone: the
    key is the base64 after ``whsec_``; the signed content is ``id.timestamp.body``; the
    header holds space-separated ``v1,<base64>`` signatures."""
    key = base64.b64decode(secret.split("_", 1)[1])
    content = b".".join(
        [headers["webhook-id"].encode(), headers["webhook-timestamp"].encode(), body]
    )
    expected = base64.b64encode(hmac.new(key, content, hashlib.sha256).digest()).decode()
    offered = [
        part.split(",", 1)[1]
        for part in headers["webhook-signature"].split(" ")
        if part.startswith("v1,")
    ]
    return any(hmac.compare_digest(expected, signature) for signature in offered)


def outbox_rows(context: Context) -> list[dict[str, Any]]:
    table = WebhookOutbox.__table__
    with context.store.engine.connect() as connection:
        rows = connection.execute(select(table).order_by(table.c.id)).mappings().all()
    return [{**row, "body": json.loads(row["payload"])} for row in rows]
