"""API keys: shown once, stored as a hash, listed, revoked, checked; the rate limit."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from kootui.core.apikeys import (
    KeyRateLimiter,
    KeyRefused,
    RateLimited,
    authenticate,
    create_api_key,
    find_api_key,
    list_api_keys,
    record_key_use,
    revoke_api_key,
)
from kootui.core.context import Context
from kootui.core.errors import InvalidState, NotFound, ValidationError
from kootui.core.store import ApiKey


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


def test_the_bucket_allows_a_burst_then_the_rate_and_says_when_to_retry() -> None:
    limiter = KeyRateLimiter()
    for _ in range(3):
        limiter.take(1, rate=2, burst=3, now=100.0)
    with pytest.raises(RateLimited) as limited:
        limiter.take(1, rate=2, burst=3, now=100.0)
    assert limited.value.retry_after == 1 and limited.value.http_status == 429
    limiter.take(2, rate=2, burst=3, now=100.0)  # another key has its own bucket
    limiter.take(1, rate=2, burst=3, now=100.5)  # half a second refills one
    with pytest.raises(RateLimited):
        limiter.take(1, rate=2, burst=3, now=100.5)
    limiter.take(1, rate=0, burst=0, now=100.5)  # no limit
