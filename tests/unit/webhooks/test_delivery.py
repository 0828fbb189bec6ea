"""Delivery against a real HTTP server on loopback: signed per Standard Webhooks (checked
by an independent verifier), retried on 5xx and timeouts on the injected clock, leased
so a dead engine's rows come back, logged, and an endpoint failing for days disabled."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import timedelta

import pytest

from kootui.core.clock import FixedClock
from kootui.core.context import Context
from kootui.core.webhooks import (
    HttpClients,
    WebhookDeliverer,
    claim_due,
    create_endpoint,
    deliver,
    delivery_log,
    get_endpoint,
    lease_for,
    new_client,
    record_attempts,
    remove_endpoint,
    send_test_event,
    set_enabled,
    write_endpoint_event,
)
from tests.support.dns_server import LoopbackDnsServer
from tests.support.webhook_receiver import Reply, WebhookReceiver, webhook_receiver
from tests.support.webhooks import loopback_context, outbox_rows, verify


@pytest.fixture(scope="module")
def receiver() -> Iterator[WebhookReceiver]:
    with webhook_receiver() as server:
        yield server


@pytest.fixture
def hooks(any_context: Context, receiver: WebhookReceiver) -> Context:
    receiver.reset()
    return loopback_context(any_context, webhooks__timeout_seconds=5)


def _run_once(context: Context, worker: str = "engine-a") -> int:
    async def once() -> int:
        async with new_client(context.settings) as client:
            return await WebhookDeliverer(context, worker).run_once(client)

    return asyncio.run(once())


def _queue_test_event(context: Context, endpoint_id: int) -> None:
    with context.store.writing() as connection:
        write_endpoint_event(connection, endpoint_id, "test", {"n": 1}, context.clock.now())


def test_the_signature_verifies_independently(hooks: Context, receiver: WebhookReceiver) -> None:
    created = create_endpoint(hooks, receiver.url, ["all"], "crm")
    assert created.secret.startswith("whsec_")
    entry = send_test_event(hooks, created.endpoint.id)
    assert (entry.ok, entry.status_code, entry.detail) == (True, 200, "ok")
    (request,) = receiver.received
    assert verify(created.secret, request.headers, request.body)
    assert not verify(created.secret, request.headers, request.body + b" ")
    assert request.headers["webhook-timestamp"] == str(int(hooks.clock.now().timestamp()))
    assert request.headers["content-type"] == "application/json"
    assert request.headers["host"].startswith("127.0.0.1:")
    body = json.loads(request.body)
    assert body["type"] == "webhook.test"
    assert outbox_rows(hooks)[0]["status"] == "delivered"


def test_retries_after_500s_and_timeouts_then_delivers_once(
    hooks: Context, receiver: WebhookReceiver, clock: FixedClock
) -> None:
    impatient = loopback_context(hooks, webhooks__timeout_seconds=0.3)
    endpoint = create_endpoint(hooks, receiver.url, ["all"]).endpoint
    receiver.reset(Reply(500, b"boom\x1b[31m"), Reply(200, delay=1.0), Reply(204, b""))
    _queue_test_event(hooks, endpoint.id)
    assert _run_once(hooks) == 1  # 500
    (row,) = outbox_rows(hooks)
    assert (row["status"], row["attempts"]) == ("pending", 1)
    assert row["next_attempt_at"] == clock.now() + timedelta(seconds=5)
    assert _run_once(hooks) == 0  # not due yet
    clock.advance(timedelta(seconds=5))
    assert _run_once(impatient) == 1  # the receiver is too slow: a timeout
    (row,) = outbox_rows(hooks)
    assert row["next_attempt_at"] == clock.now() + timedelta(minutes=5)
    clock.advance(timedelta(minutes=5))
    assert _run_once(hooks) == 1
    assert outbox_rows(hooks)[0]["status"] == "delivered"
    log = delivery_log(hooks, endpoint.id)
    assert [(e.attempt, e.ok, e.status_code) for e in log] == [
        (3, True, 204),
        (2, False, None),
        (1, False, 500),
    ]
    assert log[1].detail == "no answer within 0.3 s"
    assert log[2].detail == "boom␛[31m"  # the receiver's text, made printable
    ids = {request.headers["webhook-id"] for request in receiver.received}
    assert len(ids) == 1  # every attempt is the same message to the receiver
    assert get_endpoint(hooks, endpoint.id).failing_since is None


def test_a_dead_engines_lease_runs_out_and_another_delivers(
    hooks: Context, receiver: WebhookReceiver, clock: FixedClock
) -> None:
    endpoint = create_endpoint(hooks, receiver.url, ["all"]).endpoint
    _queue_test_event(hooks, endpoint.id)
    lease = lease_for(hooks.settings)
    # engine-a claims and dies before delivering: the row is leased to it, not lost.
    assert len(claim_due(hooks.store, "engine-a", clock.now(), limit=5, lease=lease)) == 1
    assert _run_once(hooks, "engine-b") == 0
    clock.advance(lease + timedelta(seconds=1))
    assert _run_once(hooks, "engine-b") == 1
    assert len(receiver.received) == 1
    assert outbox_rows(hooks)[0]["status"] == "delivered"


def _fail_until(
    context: Context, receiver: WebhookReceiver, clock: FixedClock, done: object
) -> list[str]:
    """Follow the retries of one failing event on the clock until ``done()``; the outbox
    statuses after each attempt."""
    endpoint = create_endpoint(context, receiver.url, ["all"]).endpoint
    receiver.reset(default=Reply(503, b"down"))
    _queue_test_event(context, endpoint.id)
    statuses = []
    for _ in range(12):
        _run_once(context)
        (row,) = outbox_rows(context)
        statuses.append(row["status"])
        if done():  # type: ignore[operator]
            break
        clock.set(row["next_attempt_at"])
    return statuses


def test_an_event_is_given_up_after_give_up_hours(
    hooks: Context, receiver: WebhookReceiver, clock: FixedClock
) -> None:
    hooks = loopback_context(hooks, webhooks__give_up_hours=0.5)
    started = clock.now()
    statuses = _fail_until(
        hooks, receiver, clock, lambda: outbox_rows(hooks)[0]["status"] == "failed"
    )
    # 0, 5 s, 5 min 5 s, then the retry lands on the 30 minutes' end and is the last.
    assert statuses == ["pending", "pending", "pending", "failed"]
    assert clock.now() - started == timedelta(minutes=30)
    assert get_endpoint(hooks, 1).enabled  # failing, but not for long enough to disable


def test_an_endpoint_failing_for_long_is_disabled_with_its_reason(
    hooks: Context, receiver: WebhookReceiver, clock: FixedClock
) -> None:
    hooks = loopback_context(hooks, webhooks__disable_after_hours=1)
    started = clock.now()
    _fail_until(hooks, receiver, clock, lambda: not get_endpoint(hooks, 1).enabled)
    view = get_endpoint(hooks, 1)
    assert (view.enabled, view.state, view.failing_since) == (
        False,
        "disabled (failing)",
        started,
    )
    assert view.disabled_reason.startswith("every delivery failed since 2026-11-23 15:30 UTC")
    assert view.disabled_reason.endswith("last: HTTP 503")
    assert clock.now() - started >= timedelta(hours=1)
    assert outbox_rows(hooks)[0]["status"] == "pending"  # kept for when it comes back
    clock.advance(timedelta(hours=10))
    assert _run_once(hooks) == 0  # a disabled endpoint gets nothing
    set_enabled(hooks, 1, True)
    receiver.reset()
    assert _run_once(hooks) == 1
    assert outbox_rows(hooks)[0]["status"] == "delivered"
    assert get_endpoint(hooks, 1).failing_since is None


def test_a_url_turned_inner_is_refused_at_delivery(
    context: Context, receiver: WebhookReceiver
) -> None:
    receiver.reset()
    hooks = loopback_context(context)
    endpoint = create_endpoint(hooks, receiver.url, ["all"]).endpoint
    strict = Context(
        store=context.store,
        settings=context.settings.with_values(webhooks__allow_http=True),
        clock=context.clock,
    )
    _queue_test_event(strict, endpoint.id)
    assert _run_once(strict) == 1
    (entry,) = delivery_log(strict, endpoint.id)
    assert not entry.ok and entry.detail.startswith("refused: 127.0.0.1 is a loopback address")
    assert receiver.received == []


def test_an_endpoint_removed_during_its_delivery_is_no_fault(
    hooks: Context, receiver: WebhookReceiver, clock: FixedClock
) -> None:
    endpoint = create_endpoint(hooks, receiver.url, ["all"]).endpoint
    _queue_test_event(hooks, endpoint.id)
    claimed = claim_due(
        hooks.store, "engine-a", clock.now(), limit=5, lease=lease_for(hooks.settings)
    )

    async def deliver_all() -> list[object]:
        async with new_client(hooks.settings) as client:
            return [await deliver(hooks, client, due) for due in claimed]

    attempts = asyncio.run(deliver_all())
    remove_endpoint(hooks, endpoint.id)  # meanwhile, in the console
    assert record_attempts(hooks.store, "engine-a", attempts, clock.now(), hooks.settings) == []  # type: ignore[arg-type]
    assert outbox_rows(hooks) == []


def test_a_name_is_resolved_once_and_the_checked_address_is_connected_to(
    hooks: Context, receiver: WebhookReceiver, clock: FixedClock
) -> None:
    port = receiver.url.split(":")[2].split("/")[0]
    with LoopbackDnsServer() as dns:
        dns.set("hooks.test", "A", "127.0.0.1")
        named = loopback_context(hooks, dns__nameservers=["127.0.0.1"], dns__port=dns.port)
        endpoint = create_endpoint(named, f"http://hooks.test:{port}/in", ["all"]).endpoint
        _queue_test_event(named, endpoint.id)
        assert _run_once(named) == 1
        asked = [name for name, rtype, _ in dns.queries if rtype == "A"]
    (request,) = receiver.received
    # The connection went to the address the check saw; the name travels in Host only.
    assert request.headers["host"] == f"hooks.test:{port}"
    assert request.path == "/in"
    assert asked.count("hooks.test") == 2  # once when saved, once for this delivery


async def test_each_host_name_has_its_own_connections(any_context: Context) -> None:
    # Two names on one address must not share a TLS connection opened for one of them.
    async with HttpClients(any_context.settings) as clients:
        first = clients.for_host("a.example")
        assert clients.for_host("a.example") is first
        assert clients.for_host("b.example") is not first
        assert not first.follow_redirects and not first.trust_env
