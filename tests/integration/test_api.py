"""The /v1 API through httpx against a real uvicorn on loopback: every endpoint's success
and refusals, keys, idempotency under concurrent retries, bounded bodies, header
injection, masked recipients and the group commit."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from kootui.client import ApiError, AsyncKootuiClient, KootuiClient, Recipient
from kootui.core.apikeys import create_api_key, revoke_api_key
from kootui.core.context import Context
from kootui.core.store import Attachment, Message, SendMethod, Task
from tests.support.api_server import RunningApi, api_context, running_api
from tests.support.prepared_stores import PreparedStores
from tests.support.task_seed import seed_sources, write_recipients_xlsx

SENDER = "news@mail.example.com"


@pytest.fixture(scope="module")
def api(
    tmp_path_factory: pytest.TempPathFactory, prepared_stores: PreparedStores
) -> Iterator[RunningApi]:
    home = tmp_path_factory.mktemp("api-home")
    with api_context(home, prepared_stores) as context:
        context.ids = seed_sources(context)  # type: ignore[attr-defined]
        with running_api(context) as running:
            yield running


@pytest.fixture(scope="module")
def key(api: RunningApi) -> str:
    return create_api_key(api.context, "tests").secret


@pytest.fixture(scope="module")
def revealing_key(api: RunningApi) -> str:
    return create_api_key(api.context, "support desk", reveal_recipients=True).secret


@pytest.fixture(scope="module")
def client(api: RunningApi, key: str) -> Iterator[KootuiClient]:
    with KootuiClient(api.url, key) as made:
        yield made


@pytest.fixture
def http(api: RunningApi, key: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=api.url, headers={"Authorization": f"Bearer {key}"}) as made:
        yield made


def ids(api: RunningApi) -> dict[str, int]:
    return api.context.ids  # type: ignore[attr-defined,no-any-return]


def rows(context: Context, message_ids: list[int]) -> list[Message]:
    with context.store.session() as session:
        query = select(Message).where(Message.id.in_(message_ids)).order_by(Message.id)  # type: ignore[union-attr]
        return list(session.exec(query).scalars())


def problem(response: httpx.Response, status: int) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["type"] == f"urn:kootui:problem:{body['code']}"
    return dict(body)


# --- health, docs, routes -------------------------------------------------------------


def test_health_needs_no_key_and_the_openapi_and_docs_are_served(api: RunningApi) -> None:
    assert httpx.get(f"{api.url}/v1/health").json() == {"status": "ok"}
    spec = httpx.get(f"{api.url}/v1/openapi.json").json()
    assert {"/v1/messages", "/v1/tasks", "/v1/domains/{domain_id}"} <= set(spec["paths"])
    assert "sender" in json.dumps(spec["paths"]["/v1/messages"]["post"])
    assert "swagger" in httpx.get(f"{api.url}/v1/docs").text.lower()
    body = problem(httpx.get(f"{api.url}/v1/nothing"), 404)
    assert body["code"] == "route.not_found"


# --- keys -----------------------------------------------------------------------------


def test_no_key_a_wrong_key_and_a_revoked_key_are_401(api: RunningApi, key: str) -> None:
    url = f"{api.url}/v1/messages"
    assert problem(httpx.get(url), 401)["code"] == "apikey.missing"
    wrong = key[:-3] + ("aaa" if not key.endswith("aaa") else "bbb")
    for header in (f"Bearer {wrong}", "Bearer kt_nope", f"Basic {key}"):
        code = problem(httpx.get(url, headers={"Authorization": header}), 401)["code"]
        assert code in ("apikey.invalid", "apikey.missing")
    gone = create_api_key(api.context, "gone")
    assert httpx.get(url, headers={"Authorization": f"Bearer {gone.secret}"}).status_code == 200
    revoke_api_key(api.context, gone.key.prefix)
    refused = httpx.get(url, headers={"Authorization": f"Bearer {gone.secret}"})
    assert problem(refused, 401)["code"] == "apikey.revoked"


def test_a_key_over_its_rate_gets_429_with_retry_after(api: RunningApi) -> None:
    slow = create_api_key(api.context, "slow", rate_per_second=1).secret
    headers = {"Authorization": f"Bearer {slow}"}
    with httpx.Client(base_url=api.url, headers=headers) as http:
        assert http.get("/v1/tasks").status_code == 200
        limited = http.get("/v1/tasks")
    assert problem(limited, 429)["code"] == "apikey.rate_limited"
    assert limited.headers["retry-after"] == "1"


def test_a_key_narrowed_by_its_policy_is_403(api: RunningApi) -> None:
    only_messages = json.dumps(
        {"Version": "1.1", "Statement": [{"Effect": "Allow", "Action": "kooMessage:message:*"}]}
    )
    narrow = create_api_key(api.context, "narrow", narrowing_policy=only_messages)
    headers = {"Authorization": f"Bearer {narrow.secret}"}
    assert httpx.get(f"{api.url}/v1/messages", headers=headers).status_code == 200
    refused = httpx.get(f"{api.url}/v1/tasks", headers=headers)
    assert problem(refused, 403)["code"] == "access.denied"


# --- sending ----------------------------------------------------------------------------


def test_a_message_is_stored_with_method_api_before_the_202(
    api: RunningApi, client: KootuiClient
) -> None:
    accepted = client.send_message(
        sender=SENDER,
        to=["ann@example.org", Recipient("bob@example.org"), "ANN@example.org"],
        template_id=ids(api)["plain"],
    )
    assert accepted.duplicates == 1 and len(accepted.message_ids) == 2
    assert [m.recipient for m in accepted.messages] == ["***@example.org", "***@example.org"]
    stored = rows(api.context, accepted.message_ids)
    assert [row.recipient for row in stored] == ["ann@example.org", "bob@example.org"]
    assert {row.send_method for row in stored} == {SendMethod.API}
    with api.context.store.session() as session:
        task = session.get(Task, accepted.task_id)
        assert task is not None and task.send_method == SendMethod.API


def test_template_parameters_and_own_content_follow_the_template_rules(
    api: RunningApi, client: KootuiClient
) -> None:
    accepted = client.send_message(
        sender=SENDER,
        to=[Recipient("c@example.org", {"name": "Cy"})],
        template_id=ids(api)["personal"],
        params={"code": "42"},
    )
    assert rows(api.context, accepted.message_ids)[0].params == {"name": "Cy", "code": "42"}
    with pytest.raises(ApiError) as missing:
        client.send_message(sender=SENDER, to=["d@example.org"], template_id=ids(api)["personal"])
    assert (missing.value.status, missing.value.field) == (422, "recipients[0].params.name")
    with pytest.raises(ApiError) as syntax:
        client.send_message(sender=SENDER, to=["d@example.org"], subject="Hi", text="{% if x %}")
    assert syntax.value.status == 422 and syntax.value.field == "body"
    own = client.send_message(
        sender=SENDER,
        to=["d@example.org"],
        subject="Hi {{n}}",
        text="Hello {{n}}",
        params={"n": "1"},
    )
    assert own.message_ids


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"sender": "nobody@mail.example.com"}, 404, "sender"),
        ({"sender": "hello@new.example.net"}, 409, "sender"),
        ({"template_id": 999_999}, 404, None),
        ({"to": []}, 422, "to"),
        ({"to": [f"r{i}@example.org" for i in range(51)]}, 409, "recipients"),
        ({"to": ["not-an-address"]}, 422, "recipients[0].email"),
        ({"attachments": [{"filename": "a.txt", "content": "%%%"}]}, 422, "attachments[0].content"),
        ({"attachments": [{"filename": "x.exe", "content": "TVo="}]}, 422, "attachments[0]"),
        ({"scheduled_at": "2020-01-01T00:00:00+00:00"}, 422, "scheduled_at"),
        ({"scheduled_at": "2030-01-01T00:00:00"}, 422, "scheduled_at"),
        ({"surprise": 1}, 422, "surprise"),
        ({"sender": "x" * 400}, 422, "sender"),
    ],
)
def test_refusals_are_problem_details_naming_the_field(
    api: RunningApi, http: httpx.Client, change: dict[str, object], status: int, field: str | None
) -> None:
    body = {"sender": SENDER, "to": ["a@example.org"], "template_id": ids(api)["plain"], **change}
    refused = problem(http.post("/v1/messages", json=body), status)
    if field is not None:
        assert refused["field"] == field


def test_every_field_that_reaches_a_header_refuses_or_cleans_a_line_break(
    api: RunningApi, http: httpx.Client
) -> None:
    base = {"sender": SENDER, "to": ["a@example.org"], "template_id": ids(api)["plain"]}
    injected = "x\r\nBcc: victim@example.net"
    for change, field in (
        ({"to": [f"a@example.org{injected}"]}, "recipients[0].email"),
        ({"sender": f"news@mail.example.com{injected}"}, "sender"),
        ({"template_id": None, "subject": f"Hi{injected}", "text": "t"}, "subject"),
    ):
        refused = http.post("/v1/messages", json={**base, **change})
        assert refused.status_code in (404, 422), refused.text
        assert refused.json()["field"] == field
    # A file name is cleaned (the tasks core's rule), never refused and never raw.
    named = http.post(
        "/v1/messages",
        json={**base, "attachments": [{"filename": f"a{injected}.txt", "content": "aGk="}]},
    )
    assert named.status_code == 202, named.text
    with api.context.store.session() as session:
        names = [a.filename for a in session.exec(select(Attachment)).scalars()]
    assert names and not any("\r" in name or "\n" in name for name in names)
    # An Idempotency-Key is never echoed, and only printable ASCII is taken.
    odd = http.post("/v1/messages", json=base, headers={"Idempotency-Key": "caf\u00e9".encode()})
    assert problem(odd, 422)["field"] == "Idempotency-Key"


# --- bodies ------------------------------------------------------------------------------


def test_oversized_malformed_deep_and_mistyped_bodies_are_refused_before_work(
    api: RunningApi, http: httpx.Client
) -> None:
    limit = api.context.settings.http.max_body_bytes
    big = b'{"sender": "' + b"x" * limit + b'"}'
    headers = {"content-type": "application/json"}
    assert problem(http.post("/v1/messages", content=big, headers=headers), 413)["code"] == (
        "request.too_large"
    )

    def chunks() -> Iterator[bytes]:
        for _ in range(limit // 65536 + 2):
            yield b" " * 65536

    chunked = http.post("/v1/messages", content=chunks(), headers=headers)
    assert problem(chunked, 413)["code"] == "request.too_large"
    bad = http.post("/v1/messages", content=b'{"sender": ', headers=headers)
    assert problem(bad, 400)["code"] == "request.malformed_json"
    deep = http.post("/v1/messages", content=b"[" * 5000 + b"]" * 5000, headers=headers)
    assert problem(deep, 400)["code"] == "request.too_deep"
    form = http.post("/v1/messages", content=b"sender=x", headers={"content-type": "text/plain"})
    assert problem(form, 415)["code"] == "request.unsupported_media_type"
    wrong_type = http.post("/v1/messages", json={"sender": 5, "to": ["a@example.org"]})
    assert problem(wrong_type, 422)["field"] == "sender"


# --- idempotency -----------------------------------------------------------------------


async def test_concurrent_retries_with_one_idempotency_key_store_once(
    api: RunningApi, key: str
) -> None:
    async with AsyncKootuiClient(api.url, key) as client:

        async def send(to: str) -> object:
            try:
                return await client.send_message(
                    sender=SENDER, to=[to], template_id=ids(api)["plain"], idempotency_key="order-1"
                )
            except ApiError as exc:
                return exc

        results = await asyncio.gather(*(send("idem@example.org") for _ in range(12)))
        firsts = {tuple(r.message_ids) for r in results}  # type: ignore[attr-defined]
        assert len(firsts) == 1 and all(not isinstance(r, ApiError) for r in results)
        [message_ids] = firsts
        assert len(rows(api.context, list(message_ids))) == 1
        other = await send("other@example.org")
        assert isinstance(other, ApiError) and (other.status, other.code) == (
            409,
            "idempotency.key_reused",
        )
        again = await send("idem@example.org")
        assert again.replayed and tuple(again.message_ids) == message_ids  # type: ignore[union-attr]
    with api.context.store.session() as session:
        found = session.exec(select(Message).where(Message.recipient == "idem@example.org"))
        assert len(list(found.scalars())) == 1


async def test_requests_arriving_together_share_commits(api: RunningApi, key: str) -> None:
    before = api.state.intake.batches
    async with AsyncKootuiClient(api.url, key) as client:
        sent = await asyncio.gather(
            *(
                client.send_message(
                    sender=SENDER, to=[f"g{i}@example.org"], template_id=ids(api)["plain"]
                )
                for i in range(60)
            )
        )
    ids_sent = [accepted.message_ids[0] for accepted in sent]
    assert len(rows(api.context, ids_sent)) == 60  # each 202 came after its commit
    assert api.state.intake.batches - before < 30


# --- reading messages -------------------------------------------------------------------


def test_messages_are_read_masked_unless_the_key_may_reveal(
    api: RunningApi, client: KootuiClient, revealing_key: str
) -> None:
    accepted = client.send_message(
        sender=SENDER, to=["zed@example.org"], template_id=ids(api)["plain"]
    )
    [message_id] = accepted.message_ids
    listed = client.list_messages(recipient="zed@example.org", send_method="api")
    assert [row["recipient"] for row in listed["rows"]] == ["***@example.org"]
    assert "zed@" not in json.dumps(client.get_message(message_id))
    with pytest.raises(ApiError) as refused:
        client.list_messages(reveal=True)
    assert (refused.value.status, refused.value.code) == (403, "apikey.reveal_forbidden")
    with KootuiClient(api.url, revealing_key) as support:
        shown = support.list_messages(recipient="zed@example.org", reveal=True)
        assert [row["recipient"] for row in shown["rows"]] == ["zed@example.org"]
        assert "zed@example.org" in json.dumps(support.get_message(message_id, reveal=True))
    with pytest.raises(ApiError) as missing:
        client.get_message(10**9)
    assert missing.value.status == 404
    with pytest.raises(ApiError) as bad_filter:
        client.list_messages(status="lost")
    assert bad_filter.value.status == 422 and bad_filter.value.field == "status"


# --- tasks -----------------------------------------------------------------------------


def test_tasks_are_created_read_paused_resumed_and_cancelled(
    api: RunningApi, client: KootuiClient, key: str, tmp_path: Path
) -> None:
    made = client.create_task(
        name="Spring",
        subject="Notice",
        template_id=ids(api)["plain"],
        sender=SENDER,
        recipients=["t1@example.org", "t2@example.org"],
    )["task"]
    assert (made["recipient_count"], made["send_method"]) == (2, "api")
    task_id = made["id"]
    assert client.get_task(task_id)["task"]["counts"]["pending"] == 2
    assert client.pause_task(task_id)["task"]["status"] == "paused"
    assert client.resume_task(task_id)["task"]["status"] == "scheduled"
    assert client.cancel_task(task_id)["task"]["status"] == "cancelled"
    with pytest.raises(ApiError) as again:
        client.cancel_task(task_id)
    assert again.value.status == 409
    assert any(row["id"] == task_id for row in client.list_tasks(q="Spring")["rows"])
    workbook = write_recipients_xlsx(tmp_path / "r.xlsx", 3).read_bytes()
    uploaded = client.create_task(
        name="Upload",
        subject="Welcome {{ name }}",
        template_id=ids(api)["personal"],
        sender=SENDER,
        xlsx=workbook,
    )
    assert uploaded["import"]["valid"] == 3 and uploaded["task"]["recipient_count"] == 3
    with pytest.raises(ApiError) as typed_with_params:
        client.create_task(
            name="x",
            subject="Welcome",
            template_id=ids(api)["personal"],
            sender=SENDER,
            recipients=["a@example.org"],
        )
    assert typed_with_params.value.field == "recipients"
    with pytest.raises(ApiError) as not_a_workbook:
        client.create_task(
            name="x", subject="Notice", template_id=ids(api)["plain"], sender=SENDER, xlsx=b"PK no"
        )
    assert not_a_workbook.value.status == 422 and not_a_workbook.value.field == "xlsx"
    with pytest.raises(ApiError) as missing:
        client.get_task(10**9)
    assert missing.value.status == 404
    keyed = httpx.post(
        f"{api.url}/v1/tasks",
        json={"name": "k"},
        headers={"Authorization": f"Bearer {key}", "Idempotency-Key": "t-1"},
    )
    assert problem(keyed, 400)["code"] == "idempotency.unsupported"
    broken = httpx.post(
        f"{api.url}/v1/tasks",
        content=b"--x\r\nnot a part",
        headers={
            "Authorization": f"Bearer {key}",
            "Content-Type": "multipart/form-data; boundary=x",
        },
    )
    assert broken.status_code in (400, 422), broken.text
    assert broken.headers["content-type"] == "application/problem+json"


# --- domains, addresses, templates ------------------------------------------------------


def test_domains_addresses_and_templates_are_readable(
    api: RunningApi, client: KootuiClient
) -> None:
    domains = client.get("/v1/domains")["rows"]
    assert {row["name"] for row in domains} >= {"mail.example.com", "new.example.net"}
    first = next(row for row in domains if row["name"] == "mail.example.com")
    detail = client.get(f"/v1/domains/{first['id']}")
    assert detail["domain"]["status"] == "passed" and isinstance(detail["records"], list)
    assert any(row["display_address"] == SENDER for row in client.get("/v1/addresses")["rows"])
    template = client.get(f"/v1/templates/{ids(api)['personal']}")
    assert template["parameters"] == ["name", "code"]
    assert client.get("/v1/templates", public=True)["total"] > 0
    for path in ("/v1/domains/999999", "/v1/addresses/999999", "/v1/templates/999999"):
        with pytest.raises(ApiError) as missing:
            client.get(path)
        assert missing.value.status == 404


def test_the_access_log_names_the_key_by_prefix_and_hides_addresses(
    api: RunningApi, key: str, http: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    def lines() -> list[str]:
        return [r.getMessage() for r in caplog.records if r.name == "kootui.serve.access"]

    with caplog.at_level(logging.INFO, logger="kootui.serve.access"):
        http.get("/v1/messages", params={"recipient": "private-person@example.org"})
        body = {"sender": SENDER, "to": ["hidden@example.org"], "template_id": ids(api)["plain"]}
        assert http.post("/v1/messages", json=body).status_code == 202
        deadline = time.monotonic() + 5
        while len(lines()) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
    logged = lines()
    assert len(logged) == 2
    assert '"GET /v1/messages?recipient=… HTTP/1.1" 200' in logged[0]
    assert f" - {key[:11]} [" in logged[0] and '"POST /v1/messages HTTP/1.1" 202' in logged[1]
    assert not any(key in line or "private-person" in line or "hidden@" in line for line in logged)


def test_the_served_app_answers_the_tracking_hosts_public_routes_without_a_key(
    api: RunningApi,
) -> None:
    """`kootui serve` is also the tracking host: /u, /o and /c answer there, keyless and out
    of the API's schema; an unknown token is a plain 404, not an API problem."""
    with httpx.Client(base_url=api.url) as anonymous:
        unknown = anonymous.get("/u/" + "A" * 32)
        assert unknown.status_code == 404
        assert unknown.headers["content-type"] != "application/problem+json"
        assert anonymous.get("/o/" + "1.abcdefabcdefabcdefabcdef" + ".gif").status_code == 404
        schema = anonymous.get("/v1/openapi.json").json()
    assert not [path for path in schema["paths"] if not path.startswith("/v1/")]
