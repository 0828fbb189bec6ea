"""``/v1/webhooks``: read and manage webhook endpoints, their delivery log and a test
event; the same core functions as ``kootui webhook`` and the Webhooks page. A new
endpoint's signing secret is in the ``201`` answer only, once."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import Field, StringConstraints

from kootui.core.webhooks import (
    create_endpoint,
    delivery_log,
    get_endpoint,
    list_endpoints,
    remove_endpoint,
    rotate_secret,
    send_test_event,
    set_enabled,
    update_endpoint,
)
from kootui.serve.auth import Caller
from kootui.serve.bodies import read_json
from kootui.serve.pages import json_response
from kootui.serve.schemas import Strict
from kootui.serve.state import api_state, caller

router = APIRouter(prefix="/v1", tags=["webhooks"])
CallerDep = Annotated[Caller, Depends(caller)]
Url = Annotated[str, StringConstraints(min_length=1, max_length=2000)]
EventName = Annotated[str, StringConstraints(min_length=1, max_length=32)]
Description = Annotated[str, StringConstraints(max_length=200)]


class EndpointIn(Strict):
    url: Url
    events: Annotated[list[EventName], Field(min_length=1, max_length=20)] = ["all"]
    description: Description = ""


class EndpointChange(Strict):
    url: Url | None = None
    events: Annotated[list[EventName], Field(min_length=1, max_length=20)] | None = None
    description: Description | None = None
    enabled: bool | None = None


@router.get("/webhooks", summary="Webhook endpoints, their state and last delivery")
async def endpoints(request: Request, who: CallerDep) -> Response:
    views = await asyncio.to_thread(list_endpoints, who.context)
    return json_response({"endpoints": [view.as_dict() for view in views]})


@router.post("/webhooks", status_code=201, summary="Add an endpoint; its secret, once")
async def add_endpoint(request: Request, who: CallerDep) -> Response:
    state = api_state(request)
    body, _ = await read_json(request, state.max_body, EndpointIn)
    created = await asyncio.to_thread(
        create_endpoint, who.context, body.url, body.events, body.description
    )
    return json_response(
        {"endpoint": created.endpoint.as_dict(), "secret": created.secret}, status=201
    )


@router.get("/webhooks/{endpoint_id}", summary="One endpoint")
async def endpoint(request: Request, who: CallerDep, endpoint_id: int) -> Response:
    view = await asyncio.to_thread(get_endpoint, who.context, endpoint_id)
    return json_response({"endpoint": view.as_dict()})


@router.patch("/webhooks/{endpoint_id}", summary="Change an endpoint (the secret stays)")
async def change_endpoint(request: Request, who: CallerDep, endpoint_id: int) -> Response:
    state = api_state(request)
    body, _ = await read_json(request, state.max_body, EndpointChange)
    context = who.context

    def change() -> dict[str, object]:
        view = update_endpoint(
            context, endpoint_id, url=body.url, events=body.events, description=body.description
        )
        if body.enabled is not None and body.enabled != view.enabled:
            view = set_enabled(context, endpoint_id, body.enabled)
        return {"endpoint": view.as_dict()}

    return json_response(await asyncio.to_thread(change))


@router.delete("/webhooks/{endpoint_id}", status_code=204, summary="Remove an endpoint")
async def delete_endpoint(request: Request, who: CallerDep, endpoint_id: int) -> Response:
    await asyncio.to_thread(remove_endpoint, who.context, endpoint_id)
    return Response(status_code=204)


@router.post("/webhooks/{endpoint_id}/secret", summary="A new signing secret, once")
async def new_secret(request: Request, who: CallerDep, endpoint_id: int) -> Response:
    secret = await asyncio.to_thread(rotate_secret, who.context, endpoint_id)
    return json_response({"secret": secret})


@router.post("/webhooks/{endpoint_id}/test", summary="Deliver a test event now")
async def test_event(request: Request, who: CallerDep, endpoint_id: int) -> Response:
    entry = await asyncio.to_thread(send_test_event, who.context, endpoint_id)
    return json_response({"delivery": entry.as_dict()})


@router.get("/webhooks/{endpoint_id}/deliveries", summary="The latest delivery attempts")
async def deliveries(
    request: Request, who: CallerDep, endpoint_id: int, limit: int = 50
) -> Response:
    context = who.context
    entries = await asyncio.to_thread(delivery_log, context, endpoint_id, limit=limit)
    return json_response({"deliveries": [entry.as_dict() for entry in entries]})
