"""Read endpoints: domains (with their DNS records and status), sender addresses,
templates. The same core functions as the console's pages and the CLI."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from kootui.core.domains import domain_records, get_domain, list_domains
from kootui.core.senders import get_address, list_addresses
from kootui.core.templates import get_template, list_templates
from kootui.serve.auth import Caller
from kootui.serve.pages import json_response, page_request, page_response
from kootui.serve.state import caller

router = APIRouter(prefix="/v1", tags=["resources"])
CallerDep = Annotated[Caller, Depends(caller)]


@router.get("/domains", summary="Sender domains with their verification status")
async def domains(
    request: Request, who: CallerDep, q: str = "", offset: int = 0, limit: int = 50
) -> Response:
    wanted = page_request(q, offset, limit, None, False)
    page = await asyncio.to_thread(list_domains, who.context, wanted)
    return page_response(page)


@router.get("/domains/{domain_id}", summary="One domain and the DNS records it must publish")
async def domain(request: Request, who: CallerDep, domain_id: int) -> Response:
    context = who.context

    def read() -> dict[str, object]:
        view = get_domain(context, domain_id)
        return {"domain": view, "records": domain_records(context, domain_id)}

    return json_response(await asyncio.to_thread(read))


@router.get("/addresses", summary="Sender addresses")
async def addresses(
    request: Request, who: CallerDep, q: str = "", offset: int = 0, limit: int = 50
) -> Response:
    wanted = page_request(q, offset, limit, None, False)
    page = await asyncio.to_thread(list_addresses, who.context, wanted)
    return page_response(page)


@router.get("/addresses/{address_id}", summary="One sender address")
async def address(request: Request, who: CallerDep, address_id: int) -> Response:
    view = await asyncio.to_thread(get_address, who.context, address_id)
    return json_response(view)


@router.get("/templates", summary="Templates (public=true for the built-ins)")
async def templates(
    request: Request,
    who: CallerDep,
    q: str = "",
    offset: int = 0,
    limit: int = 50,
    public: bool = False,
    status: str | None = None,
) -> Response:
    wanted = page_request(q, offset, limit, None, False, status=status)
    context = who.context
    page = await asyncio.to_thread(lambda: list_templates(context, wanted, public=public))
    return page_response(page)


@router.get("/templates/{template_id}", summary="One template with its content")
async def template(request: Request, who: CallerDep, template_id: int) -> Response:
    view = await asyncio.to_thread(get_template, who.context, template_id)
    return json_response(view)
