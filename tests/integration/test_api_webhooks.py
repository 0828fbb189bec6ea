"""/v1/webhooks through httpx against a real uvicorn on loopback: add (the secret once),
read, change, test against a real receiver, the delivery log, refusals, remove."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from kootui.core.apikeys import create_api_key
from tests.support.api_server import api_context, running_api
from tests.support.prepared_stores import PreparedStores
from tests.support.webhook_receiver import webhook_receiver
from tests.support.webhooks import verify


@pytest.fixture(scope="module")
def http(
    tmp_path_factory: pytest.TempPathFactory, prepared_stores: PreparedStores
) -> Iterator[httpx.Client]:
    with api_context(tmp_path_factory.mktemp("hooks-home"), prepared_stores) as context:
        context.settings = context.settings.with_values(webhooks__allow_private=True)
        with running_api(context) as api:
            key = create_api_key(api.context, "hooks").secret
            headers = {"Authorization": f"Bearer {key}"}
            with httpx.Client(base_url=api.url, headers=headers) as client:
                yield client


def test_manage_an_endpoint_and_send_it_a_test_event(http: httpx.Client) -> None:
    with webhook_receiver() as receiver:
        made = http.post("/v1/webhooks", json={"url": receiver.url, "events": ["delivered"]})
        assert made.status_code == 201
        secret = made.json()["secret"]
        endpoint = made.json()["endpoint"]
        assert endpoint["events"] == ["delivered"] and secret.startswith("whsec_")
        listed = http.get("/v1/webhooks").json()["endpoints"]
        assert [item["id"] for item in listed] == [endpoint["id"]]
        assert "secret" not in http.get(f"/v1/webhooks/{endpoint['id']}").text
        changed = http.patch(
            f"/v1/webhooks/{endpoint['id']}", json={"events": ["all"], "enabled": False}
        ).json()["endpoint"]
        assert (changed["enabled"], len(changed["events"])) == (False, 9)
        refused = http.post(f"/v1/webhooks/{endpoint['id']}/test")
        assert (refused.status_code, refused.json()["code"]) == (422, "webhook.disabled")
        http.patch(f"/v1/webhooks/{endpoint['id']}", json={"enabled": True})
        tested = http.post(f"/v1/webhooks/{endpoint['id']}/test").json()["delivery"]
        assert (tested["ok"], tested["status_code"]) == (True, 200)
        (request,) = receiver.received
        assert verify(secret, request.headers, request.body)
    log = http.get(f"/v1/webhooks/{endpoint['id']}/deliveries").json()["deliveries"]
    assert [entry["event"] for entry in log] == ["test"]
    assert http.delete(f"/v1/webhooks/{endpoint['id']}").status_code == 204
    assert http.get(f"/v1/webhooks/{endpoint['id']}").status_code == 404


def test_refusals_are_problems_naming_the_field(http: httpx.Client) -> None:
    # (This server allows inner addresses, for the receiver: SSRF has its unit tests.)
    inner = http.post("/v1/webhooks", json={"url": "https://user:pw@hooks.example/"})
    problem = inner.json()
    assert (inner.status_code, problem["code"], problem["field"]) == (
        422,
        "webhook.refused",
        "url",
    )
    unknown = http.post("/v1/webhooks", json={"url": "https://a.example/", "events": ["sent"]})
    assert unknown.json()["code"] == "webhook.unknown_event"
    extra = http.post("/v1/webhooks", json={"url": "https://a.example/", "secret": "mine"})
    assert extra.status_code in (400, 422)
