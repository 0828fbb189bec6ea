"""The API's key cache: one store check however many requests wait for it, a busy key
checked again before its trust ends (its requests never wait), a refused check trusted no
more, and no cache at 0 seconds."""

from __future__ import annotations

import asyncio
import threading

import pytest
from sqlalchemy import select

from kootui.core.apikeys import ApiKeyView, KeyRefused, create_api_key
from kootui.core.config import HttpSection
from kootui.core.context import Context
from kootui.core.store import ApiKey
from kootui.serve.auth import KeyGate


class CountingGate(KeyGate):
    """A gate whose store checks are counted, can be held, and can be made to refuse."""

    def __init__(self, context: Context, cache_seconds: float) -> None:
        super().__init__(
            context, HttpSection(key_cache_seconds=cache_seconds), monotonic=lambda: self.now
        )
        self.now = 0.0
        self.checks = 0
        self.released = threading.Event()
        self.released.set()
        self.refuse = False

    def _check(self, presented: str) -> ApiKeyView:
        self.checks += 1
        self.released.wait(5)
        if self.refuse:
            raise KeyRefused("this API key has been revoked")
        return super()._check(presented)


async def _settled(gate: CountingGate) -> None:
    """Wait until no check of the gate is running."""
    for _ in range(500):
        if not gate._checking:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("a key check never ended")


async def test_requests_that_arrive_together_share_one_check(any_context: Context) -> None:
    secret = create_api_key(any_context, "busy").secret
    gate = CountingGate(any_context, cache_seconds=2)
    keys = await asyncio.gather(*(gate._key(secret) for _ in range(20)))
    assert gate.checks == 1
    assert {key.name for key in keys} == {"busy"}


async def test_a_busy_key_is_checked_again_before_its_trust_ends_without_waiting(
    any_context: Context,
) -> None:
    created = create_api_key(any_context, "busy")
    gate = CountingGate(any_context, cache_seconds=10)
    await gate._key(created.secret)
    gate.now = 4.0  # the first half: trusted as it is
    await gate._key(created.secret)
    assert gate.checks == 1
    gate.now = 6.0  # the second half: checked again behind the request's back
    gate.released.clear()
    answered = await asyncio.wait_for(gate._key(created.secret), 2)  # the check is held
    assert answered.id == created.key.id
    for _ in range(500):  # the check behind it starts on a thread of its own
        if gate.checks == 2:
            break
        await asyncio.sleep(0.01)
    assert gate.checks == 2
    gate.released.set()
    await _settled(gate)
    gate.now = 14.0  # the first check's trust has ended; the second's has not
    await gate._key(created.secret)
    assert gate.checks == 2
    with any_context.store.session() as session:
        used = session.execute(select(ApiKey.last_used_at)).scalar_one()
    assert used is not None


async def test_a_check_that_refuses_ends_the_trust_at_once(any_context: Context) -> None:
    secret = create_api_key(any_context, "soon revoked").secret
    gate = CountingGate(any_context, cache_seconds=10)
    await gate._key(secret)
    gate.refuse = True  # e.g. revoked by another process
    gate.now = 6.0
    await gate._key(secret)  # still trusted; the check behind it refuses
    await _settled(gate)
    with pytest.raises(KeyRefused):
        await gate._key(secret)


async def test_no_cache_reads_the_store_for_every_request(any_context: Context) -> None:
    secret = create_api_key(any_context, "uncached").secret
    gate = CountingGate(any_context, cache_seconds=0)
    await asyncio.gather(*(gate._key(secret) for _ in range(3)))
    await gate._key(secret)
    assert gate.checks == 4
