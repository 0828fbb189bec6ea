"""Read endpoints: domains (with their DNS records and status), sender addresses,
templates, the Statistics Report. The same core functions as the console's pages and
the CLI (``kootui report --json`` prints the same report data)."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from kootui.core.context import Context
from kootui.core.domains import domain_records, get_domain, list_domains
from kootui.core.errors import KootuiError
from kootui.core.reports import (
    ReportQuery,
    ReportType,
    range_bound,
    report_data,
    resolve_filters,
    standard_query,
    statistics_report,
)
from kootui.core.senders import get_address, list_addresses
from kootui.core.templates import get_template, list_templates
from kootui.serve.auth import Caller
from kootui.serve.pages import json_response, page_request, page_response
from kootui.serve.problems import ApiProblem
from kootui.serve.state import caller

router = APIRouter(prefix="/v1", tags=["resources"])
CallerDep = Annotated[Caller, Depends(caller)]
Names = Annotated[list[str] | None, Query(max_length=200)]
# The report core's field names -> this endpoint's query parameters.
REPORT_PARAMETER = {"start": "from", "end": "to", "send_method": "method", "range": "from"}


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


@router.get(
    "/reports",
    summary="The Statistics Report by hour, day or month (filters repeat: ?domain=a&domain=b)",
)
async def report(
    request: Request,
    who: CallerDep,
    type: Annotated[str, Query(max_length=10)] = "daily",
    start: Annotated[str | None, Query(alias="from", max_length=40)] = None,
    end: Annotated[str | None, Query(alias="to", max_length=40)] = None,
    domain: Names = None,
    address: Names = None,
    template: Names = None,
    task: Names = None,
    method: Names = None,
) -> Response:
    try:
        report_type = ReportType(type)
    except ValueError:
        raise ApiProblem(
            422, "hourly, daily or monthly", code="report.bad_type", field="type"
        ) from None
    context = who.context

    def read(context: Context) -> dict[str, object]:
        filters = resolve_filters(
            context,
            domains=domain or (),
            addresses=address or (),
            templates=template or (),
            tasks=task or (),
            send_methods=method or (),
        )
        standard = standard_query(context, report_type, filters)
        query = ReportQuery(
            report_type,
            range_bound(start, "start") if start is not None else standard.start,
            range_bound(end, "end") if end is not None else standard.end,
            filters,
        )
        return report_data(statistics_report(context, query))

    try:
        data = await asyncio.to_thread(read, context)
    except KootuiError as exc:
        if exc.field in REPORT_PARAMETER:  # name the query parameter the caller sent
            exc.field = REPORT_PARAMETER[exc.field]
        raise
    return json_response(data)
