"""API keys: shown once, stored as a hash, listed, revoked, checked; the rate limit."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import select

from kootui.core.apikeys import (
    KeyRateLimiter,
    KeyRefused,
    RateLimited,
    authenticate,
    create_api_key,
    find_api_key,
    grant_size,
    list_api_keys,
    record_key_use,
    revoke_api_key,
)
from kootui.core.clock import FixedClock
from kootui.core.context import Context
from kootui.core.errors import InvalidState, NotFound, ValidationError
from kootui.core.store import ApiKey, open_store


def test_the_secret_is_shown_once_and_only_its_hash_is_stored(any_context: Context) -> None:
    created = create_api_key(any_context, "  Shop   backend ", reveal_recipients=True)
    secret = created.secret
    assert secret.startswith(f"kt_{created.key.prefix}_") and len(secret) == 3 + 8 + 1 + 43
    with any_context.store.session() as session:
        row = session.exec(select(ApiKey)).scalars().one()
    stored = " ".join(str(value) for value in row.model_dump().values())
    assert secret.split("_", 2)[2] not in stored
    assert row.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert created.key.name == "Shop backend" and created.key.scopes == ("*",)
    assert authenticate(any_context, secret).id == created.key.id


@pytest.mark.parametrize(
    ("presented", "code"),
    [
        (None, "apikey.missing"),
        ("", "apikey.missing"),
        ("kt_zz", "apikey.invalid"),
        ("Bearer x", "apikey.invalid"),
    ],
)
def test_no_key_or_a_malformed_key_is_refused(
    context: Context, presented: str | None, code: str
) -> None:
    with pytest.raises(KeyRefused) as refused:
        authenticate(context, presented)
    assert refused.value.code == code and refused.value.http_status == 401


def test_a_wrong_secret_with_a_real_prefix_and_a_revoked_key_are_refused(
    context: Context,
) -> None:
    created = create_api_key(context, "ci")
    wrong = created.secret[:-4] + ("AAAA" if not created.secret.endswith("AAAA") else "BBBB")
    with pytest.raises(KeyRefused) as refused:
        authenticate(context, wrong)
    assert refused.value.code == "apikey.invalid"
    revoked = revoke_api_key(context, f"kt_{created.key.prefix}")
    assert not revoked.active
    with pytest.raises(KeyRefused) as refused:
        authenticate(context, created.secret)
    assert refused.value.code == "apikey.revoked"
    with pytest.raises(InvalidState):
        revoke_api_key(context, str(created.key.id))


def test_keys_are_listed_found_and_marked_used(context: Context) -> None:
    first = create_api_key(context, "one").key
    second = create_api_key(context, "two", rate_per_second=5).key
    revoke_api_key(context, first.prefix)
    assert [k.name for k in list_api_keys(context)] == ["one", "two"]
    assert [k.name for k in list_api_keys(context, include_revoked=False)] == ["two"]
    assert find_api_key(context, str(second.id)).rate_per_second == 5
    record_key_use(context, {second.id}, context.clock.now())
    assert find_api_key(context, second.prefix).last_used_at == context.clock.now()
    with pytest.raises(NotFound):
        find_api_key(context, "kt_00000000")
    with pytest.raises(ValidationError):
        create_api_key(context, "   ")
    with pytest.raises(ValidationError):
        create_api_key(context, "x", rate_per_second=-1)


def _admitted(limiter: KeyRateLimiter, key_id: int, rate: float, burst: float) -> bool:
    """What a server process does per request (kootui.serve.auth.KeyGate)."""
    try:
        if limiter.spend(key_id, rate):
            return True
        limiter.refill(key_id, rate, burst)
        return limiter.spend(key_id, rate)
    except RateLimited:
        return False


def test_processes_share_a_keys_bucket_through_the_store(
    any_context: Context, clock: FixedClock
) -> None:
    key = create_api_key(any_context, "shared").key
    # Two server processes: each its own limiter and its own connection to the store.
    other = Context(
        open_store(any_context.store.engine.url.render_as_string(hide_password=False),
                   migrate=False),
        any_context.settings,
        clock,
    )  # fmt: skip
    try:
        first, second = KeyRateLimiter(any_context), KeyRateLimiter(other)
        rate, burst = 20.0, 8.0
        assert grant_size(rate, burst) == 2
        taken = [_admitted(limiter, key.id, rate, burst) for limiter in (first, second) * 6]
        assert taken.count(True) == burst  # the burst once, not once per process
        with pytest.raises(RateLimited) as limited:
            first.spend(key.id, rate)  # refused from memory: the bucket is known empty
        assert limited.value.retry_after == 1 and limited.value.http_status == 429
        clock.advance(timedelta(seconds=0.25))  # five tokens come back
        taken = [_admitted(limiter, key.id, rate, burst) for limiter in (second, first) * 6]
        assert taken.count(True) == 5
        other_key = create_api_key(any_context, "its own").key  # another key, another bucket
        assert _admitted(first, other_key.id, rate, burst)
    finally:
        other.close()


def test_a_grant_is_a_tenth_of_a_second_at_most_a_quarter_of_the_burst() -> None:
    assert grant_size(1000, 2000) == 100
    assert grant_size(100_000, 100_000) == 10_000
    assert grant_size(1000, 40) == 10
    assert grant_size(1, 1) == 1  # never less than one token
