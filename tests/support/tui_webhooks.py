"""Endpoints for the Webhooks page's tests and snapshots, written straight to the store
(names that need no DNS), with a delivery log."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import insert

from kootui.core.context import Context
from kootui.core.store import WebhookDelivery, WebhookEndpoint, WebhookOutbox
from kootui.core.webhooks import WEBHOOK_EVENTS, forget_subscriptions


def seed_endpoints(context: Context) -> None:
    now = context.clock.now()
    endpoints = WebhookEndpoint.__table__
    rows = [
        ("https://crm.example.com/hooks/kootui", "CRM sync", list(WEBHOOK_EVENTS), True, None, ""),
        (
            "https://ops.example.net/alerts",
            "bounces to the ops channel",
            ["bounced", "complained", "rejected"],
            True,
            now - timedelta(hours=3),
            "",
        ),
        (
            "https://old-bi.example.org/ingest",
            "",
            ["delivered", "opened", "clicked"],
            False,
            now - timedelta(days=6),
            "every delivery failed since 2026-11-17 15:30 UTC; last: HTTP 502",
        ),
    ]
    with context.store.writing() as connection:
        for index, (url, description, events, enabled, failing, reason) in enumerate(rows):
            connection.execute(
                insert(endpoints).values(
                    id=index + 1,
                    url=url,
                    description=description,
                    events=events,
                    secret_salt=f"salt{index}",
                    enabled=enabled,
                    created_at=now - timedelta(days=30),
                    failing_since=failing,
                    disabled_at=now - timedelta(days=1) if reason else None,
                    disabled_reason=reason,
                )
            )
        log = [
            (1, 200, True, "ok", timedelta(minutes=4)),
            (2, 503, False, "upstream unavailable", timedelta(minutes=9)),
            (3, 502, False, "Bad Gateway", timedelta(days=1)),
        ]
        for endpoint_id, code, ok, detail, ago in log:
            outbox_id = connection.execute(
                insert(WebhookOutbox.__table__)
                .values(
                    endpoint_id=endpoint_id,
                    event="delivered",
                    message_id=None,
                    payload="{}",
                    status="delivered" if ok else "pending",
                    attempts=1,
                    created_at=now - ago,
                    next_attempt_at=now + timedelta(minutes=5),
                )
                .returning(WebhookOutbox.__table__.c.id)
            ).scalar_one()
            connection.execute(
                insert(WebhookDelivery.__table__).values(
                    endpoint_id=endpoint_id,
                    outbox_id=outbox_id,
                    event="delivered",
                    attempt=1,
                    started_at=now - ago,
                    duration_ms=87 if ok else 1204,
                    ok=ok,
                    status_code=code,
                    detail=detail,
                )
            )
    forget_subscriptions(context.store.engine)
