"""``/v1/tasks``: create a task from JSON recipients or an .xlsx upload (the console's
import and report), list and read tasks, cancel, pause and resume them."""

from __future__ import annotations

import asyncio
import os
import tempfile
import threading
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from kootui.core.context import Context
from kootui.core.errors import ValidationError
from kootui.core.recipients import ManualRecipients, TypedRecipients
from kootui.core.senders import find_address
from kootui.core.store import SendMethod, SendType, Task
from kootui.core.tasks import (
    AttachmentFile,
    TaskDraft,
    cancel_task,
    create_task,
    get_task,
    pause_task,
    prepare_attachment,
    query_tasks,
    resume_task,
    task_progress,
    template_parameters,
)
from kootui.serve.auth import Caller
from kootui.serve.bodies import parse_json, read_body
from kootui.serve.messages import decode_attachments
from kootui.serve.pages import json_response, page_request, page_response
from kootui.serve.problems import ApiProblem
from kootui.serve.schemas import ImportOut, TaskIn, TaskOut
from kootui.serve.state import api_state, caller

router = APIRouter(prefix="/v1", tags=["tasks"])
CallerDep = Annotated[Caller, Depends(caller)]
XLSX_BYTES = 41 * 1024 * 1024  # the import's own limit is 40 MB; it says so itself
FORM_FIELDS = ("name", "subject", "template_id", "sender", "scheduled_at", "accept_refused")


def task_out(task: Task, counts: dict[str, int] | None = None) -> dict[str, Any]:
    shown = TaskOut.model_validate(task, from_attributes=True)
    shown.counts = counts
    return shown.model_dump(mode="json")


def _create_from_json(context: Context, body: TaskIn) -> dict[str, Any]:
    typed = ManualRecipients.from_texts(body.recipients)
    attachments = [prepare_attachment(n, c) for n, c in decode_attachments(body.attachments)]
    task = create_task(context, _draft(context, body.model_dump(), typed_list(typed), attachments))
    return {"task": task_out(task)}


def typed_list(typed: ManualRecipients) -> TypedRecipients:
    return TypedRecipients(list(typed.require_valid()))


def _draft(
    context: Context,
    fields: dict[str, Any],
    recipients: Any,
    attachments: list[AttachmentFile],
) -> TaskDraft:
    address = find_address(context, str(fields["sender"]))
    scheduled_at = fields.get("scheduled_at")
    return TaskDraft(
        name=str(fields["name"]),
        subject=str(fields["subject"]),
        template_id=int(fields["template_id"]),
        address_id=address.id,
        recipients=recipients,
        send_type=SendType.SCHEDULED if scheduled_at else SendType.NOW,
        scheduled_at=scheduled_at,
        attachments=attachments,
        send_method=SendMethod.API,
    )


def _create_from_upload(
    context: Context, fields: dict[str, Any], workbook: bytes, accept_refused: bool
) -> tuple[int, dict[str, Any]]:
    from kootui.core.recipients.xlsx import import_recipients

    parameters = template_parameters(context, int(fields["template_id"]))
    folder = context.settings.paths.state_dir
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(suffix=".xlsx", dir=folder)  # 0600
    path = Path(name)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(workbook)
        report = import_recipients(path, parameters, cancel=threading.Event())
    finally:
        path.unlink(missing_ok=True)
    try:
        shown = ImportOut(
            valid=report.valid_count,
            refused=report.refused_count,
            duplicates=report.duplicate_count,
            summary=report.summary(),
        ).model_dump()
        if report.refused_count and not accept_refused:
            raise ValidationError(
                f"{report.summary()}; fix the file, or send accept_refused=true to send to "
                f"the {report.valid_count:,} valid rows only",
                field="file",
                code="xlsx.refused_rows",
            )
        task = create_task(context, _draft(context, fields, report.recipients, []))
        return 201, {"task": task_out(task), "import": shown}
    finally:
        report.close()


async def _form(request: Request, body: bytes) -> tuple[dict[str, Any], bytes]:
    async def replay() -> Any:
        yield body

    parser = MultiPartParser(request.headers, replay(), max_files=1, max_fields=20)
    try:
        form = await parser.parse()
    except MultiPartException as exc:
        raise ApiProblem(
            400, f"the form cannot be read: {exc.message}", code="request.malformed_form"
        ) from None
    fields: dict[str, Any] = {}
    workbook = b""
    for key, value in form.multi_items():
        if isinstance(value, UploadFile):
            if key != "file":
                raise ApiProblem(
                    422, "send the workbook as the part 'file'", code="request.invalid", field=key
                )
            workbook = await value.read()
        elif key in FORM_FIELDS:
            fields[key] = value
        else:
            raise ApiProblem(422, "not a field of a task", code="request.invalid", field=key)
    await form.close()
    if not workbook:
        raise ApiProblem(
            422, "attach the .xlsx workbook as 'file'", code="request.invalid", field="file"
        )
    return fields, workbook


@router.post("/tasks", status_code=201, summary="Create a task (JSON recipients or .xlsx upload)")
async def create(request: Request, who: CallerDep) -> Response:
    state = api_state(request)
    if "idempotency-key" in request.headers:
        # Creating a task is not yet written with its answer in one transaction; a key
        # silently ignored would promise what is not kept.
        raise ApiProblem(
            400,
            "Idempotency-Key is kept for POST /v1/messages only; list tasks by name to "
            "see whether a task was created before sending again",
            code="idempotency.unsupported",
            field="Idempotency-Key",
        )
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media == "application/json":
        body = parse_json(await read_body(request, state.max_body), TaskIn)
        created = await asyncio.to_thread(_create_from_json, who.context, body)
        return json_response(created, 201)
    if media == "multipart/form-data":
        raw = await read_body(request, max(state.max_body, XLSX_BYTES))
        fields, workbook = await _form(request, raw)
        missing = [
            name for name in ("name", "subject", "template_id", "sender") if not fields.get(name)
        ]
        if missing:
            raise ApiProblem(
                422, "this field is required", code="request.invalid", field=missing[0]
            )
        if not str(fields["template_id"]).isdigit():
            raise ApiProblem(
                422, "a template ID is a number", code="request.invalid", field="template_id"
            )
        accept = str(fields.pop("accept_refused", "")).lower() in ("1", "true", "yes")
        if fields.get("scheduled_at"):
            try:
                fields["scheduled_at"] = datetime.fromisoformat(str(fields["scheduled_at"]))
            except ValueError:
                raise ApiProblem(
                    422,
                    "an ISO 8601 time with its zone",
                    code="request.invalid",
                    field="scheduled_at",
                ) from None
        status, created = await asyncio.to_thread(
            _create_from_upload, who.context, fields, workbook, accept
        )
        return json_response(created, status)
    raise ApiProblem(
        415,
        "send application/json, or multipart/form-data with the .xlsx as 'file'",
        code="request.unsupported_media_type",
    )


@router.get("/tasks", summary="Sending tasks, newest first")
async def tasks(
    request: Request,
    who: CallerDep,
    q: str = "",
    offset: int = 0,
    limit: int = 50,
    status: str | None = None,
) -> Response:
    wanted = page_request(q, offset, limit, None, False, status=status)
    page = await asyncio.to_thread(query_tasks, who.context, wanted)
    return page_response(page)


@router.get("/tasks/{task_id}", summary="One task with its progress")
async def task(request: Request, who: CallerDep, task_id: int) -> Response:
    context = who.context

    def read() -> dict[str, Any]:
        found = get_task(context, task_id)
        return {"task": task_out(found, task_progress(context, task_id).counts)}

    return json_response(await asyncio.to_thread(read))


def _action(name: str, run: Any) -> Any:
    async def act(request: Request, who: CallerDep, task_id: int) -> Response:
        changed = await asyncio.to_thread(run, who.context, task_id)
        return json_response({"task": task_out(changed)})

    act.__name__ = f"{name}_task"
    return act


router.post("/tasks/{task_id}/cancel", summary="Cancel a task")(_action("cancel", cancel_task))
router.post("/tasks/{task_id}/pause", summary="Pause a task")(_action("pause", pause_task))
router.post("/tasks/{task_id}/resume", summary="Resume a paused task")(
    _action("resume", resume_task)
)
