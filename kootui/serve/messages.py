"""``/v1/messages``: send one message to up to 50 recipients; read Sending Details."""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from kootui.core.details import mask_address, message_detail, query_messages
from kootui.core.store import MAX_PAGE_SIZE, PageRequest
from kootui.core.submissions import (
    ACCEPTED,
    RecipientInput,
    SubmissionReceipt,
    SubmissionRequest,
    find_answer,
    idempotency_claim,
)
from kootui.serve.auth import Caller
from kootui.serve.bodies import read_json
from kootui.serve.problems import ApiProblem
from kootui.serve.schemas import AcceptedOut, AttachmentIn, MessageIn, MessagesAccepted, RecipientIn
from kootui.serve.state import api_state, caller

router = APIRouter(prefix="/v1", tags=["messages"])
CallerDep = Annotated[Caller, Depends(caller)]
IDEMPOTENCY_HEADER = "idempotency-key"


def decode_attachments(items: list[AttachmentIn]) -> list[tuple[str, bytes]]:
    decoded: list[tuple[str, bytes]] = []
    for index, item in enumerate(items):
        try:
            decoded.append((item.filename, base64.b64decode(item.content, validate=True)))
        except (binascii.Error, ValueError):
            raise ApiProblem(
                422,
                "the content is not valid base64",
                code="attachment.bad_base64",
                field=f"attachments[{index}].content",
            ) from None
    return decoded


def _submission(body: MessageIn) -> SubmissionRequest:
    recipients = [
        RecipientInput(item.email, item.params)
        if isinstance(item, RecipientIn)
        else RecipientInput(item)
        for item in body.to
    ]
    return SubmissionRequest(
        sender=body.sender,
        recipients=recipients,
        template_id=body.template_id,
        subject=body.subject,
        text=body.text,
        html=body.html,
        params=body.params,
        attachments=decode_attachments(body.attachments),
        scheduled_at=body.scheduled_at,
    )


def _accepted(receipt: SubmissionReceipt, reveal: bool, replayed: bool) -> Response:
    shown = MessagesAccepted(
        task_id=receipt.task_id,
        duplicates=receipt.duplicates,
        messages=[
            AcceptedOut(
                id=item.message_id,
                recipient=item.recipient if reveal else mask_address(item.recipient),
                suppressed=item.suppressed or None,
            )
            for item in receipt.recipients
        ],
    )
    headers = {"Idempotent-Replayed": "true"} if replayed else None
    return Response(
        shown.model_dump_json(),
        status_code=ACCEPTED,
        media_type="application/json",
        headers=headers,
    )


@router.post(
    "/messages",
    status_code=202,
    response_model=MessagesAccepted,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": MessageIn.model_json_schema()}},
        },
        "parameters": [
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": False,
                "schema": {"type": "string", "maxLength": 255},
            }
        ],
    },
    summary="Send a message (202 once it is stored)",
)
async def send_message(request: Request, who: CallerDep) -> Response:
    state = api_state(request)
    body, raw = await read_json(request, state.max_body, MessageIn)
    claim = None
    key_header = request.headers.get(IDEMPOTENCY_HEADER)
    if key_header is not None:
        claim = idempotency_claim(who.key.id, key_header, "POST /v1/messages", raw)
        answer = await asyncio.to_thread(find_answer, who.context, claim)
        if answer is not None:
            receipt = SubmissionReceipt.from_json(answer.body)
            return _accepted(receipt, who.key.reveal_recipients, replayed=True)
    submission = _submission(body)
    principal = who.context.principal
    # A principal with policies may be refused, which writes the audit log: on a thread.
    if state.checker.needs_store(submission) or not principal.unrestricted:
        prepared = await asyncio.to_thread(state.checker.prepare, submission, principal)
    else:  # everything it needs is in memory: no thread hop
        prepared = state.checker.prepare(submission, principal)
    receipt = await state.intake.submit(prepared, claim)
    return _accepted(receipt, who.key.reveal_recipients, replayed=False)


def _json_value(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _reveal(who: Caller, reveal: bool) -> bool:
    if reveal:
        who.require_reveal()
    return reveal


@router.get("/messages", summary="Sending Details: messages, filtered and paged")
async def list_messages(
    request: Request,
    who: CallerDep,
    q: str = "",
    offset: int = 0,
    limit: int = 50,
    sort: str | None = None,
    ascending: bool = False,
    reveal: bool = False,
    template_name: str | None = None,
    template_id: str | None = None,
    task_name: str | None = None,
    task_id: str | None = None,
    subject: str | None = None,
    sender: str | None = None,
    recipient: str | None = None,
    status: str | None = None,
    send_method: str | None = None,
    created_from: str | None = None,
    created_to: str | None = None,
    range: str | None = None,
) -> Response:
    shown = _reveal(who, reveal)
    given = {
        "template_name": template_name,
        "template_id": template_id,
        "task_name": task_name,
        "task_id": task_id,
        "subject": subject,
        "sender": sender,
        "recipient": recipient,
        "status": status,
        "send_method": send_method,
        "created_from": created_from,
        "created_to": created_to,
        "range": range,
    }
    advanced = {name: value for name, value in given.items() if value is not None}
    page_request = PageRequest(
        offset=offset,
        limit=min(limit, MAX_PAGE_SIZE),
        sort_key=sort,
        descending=not ascending,
        text_filter=q,
        advanced=advanced,
    )
    page = await asyncio.to_thread(query_messages, who.context, page_request, reveal=shown)
    rows = [{key: _json_value(value) for key, value in row.values.items()} for row in page.rows]
    body = {"total": page.total, "offset": page.offset, "rows": rows}
    return Response(json.dumps(body, ensure_ascii=True), media_type="application/json")


@router.get("/messages/{message_id}", summary="One message: fields, attempts, headers")
async def get_message(
    request: Request, who: CallerDep, message_id: int, reveal: bool = False
) -> Response:
    shown = _reveal(who, reveal)
    detail = await asyncio.to_thread(message_detail, who.context, message_id, reveal=shown)
    body = {
        "id": detail.message_id,
        "fields": dict(detail.fields),
        "attempts": [vars(attempt) for attempt in detail.attempts],
        "headers": detail.headers,
        "headers_reason": detail.headers_reason,
        "revealed": detail.revealed,
    }
    return Response(json.dumps(body, ensure_ascii=True, default=str), media_type="application/json")
