"""The client's two faces share one description of each call (``_Call``): the sync one
sends it with ``httpx.Client``, the async one with ``httpx.AsyncClient``."""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import TracebackType
from typing import Any, Self

import httpx

JsonObject = dict[str, Any]
DEFAULT_TIMEOUT = 30.0


class ApiError(Exception):
    """A refusal from the server, as its RFC 9457 problem details say."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        field: str | None = None,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {detail}" + (f" ({field})" if field else ""))
        self.status = status
        self.code = code
        self.detail = detail
        self.field = field
        self.retry_after = retry_after


@dataclass(frozen=True)
class Recipient:
    email: str
    params: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class AcceptedMessage:
    id: int | None
    recipient: str
    suppressed: str | None


@dataclass(frozen=True)
class Accepted:
    """The answer to ``send_message``: stored (committed) before it was sent."""

    task_id: int | None
    messages: list[AcceptedMessage]
    duplicates: int
    replayed: bool = False

    @property
    def message_ids(self) -> list[int]:
        return [m.id for m in self.messages if m.id is not None]


@dataclass(frozen=True)
class _Call:
    method: str
    path: str
    json: JsonObject | None = None
    params: Mapping[str, Any] | None = None
    headers: Mapping[str, str] | None = None
    files: Mapping[str, Any] | None = None
    data: Mapping[str, str] | None = None


def _message_call(
    *,
    sender: str,
    to: Sequence[str | Recipient],
    template_id: int | None,
    subject: str,
    text: str,
    html: str,
    params: Mapping[str, str] | None,
    attachments: Sequence[tuple[str, bytes]],
    scheduled_at: datetime | None,
    idempotency_key: str | None,
) -> _Call:
    body: JsonObject = {
        "sender": sender,
        "to": [
            item if isinstance(item, str) else {"email": item.email, "params": dict(item.params)}
            for item in to
        ],
    }
    if template_id is not None:
        body["template_id"] = template_id
    for name, value in (("subject", subject), ("text", text), ("html", html)):
        if value:
            body[name] = value
    if params:
        body["params"] = dict(params)
    if attachments:
        body["attachments"] = [
            {"filename": name, "content": base64.b64encode(content).decode("ascii")}
            for name, content in attachments
        ]
    if scheduled_at is not None:
        body["scheduled_at"] = scheduled_at.isoformat()
    headers = {"Idempotency-Key": idempotency_key} if idempotency_key else None
    return _Call("POST", "/v1/messages", json=body, headers=headers)


def _accepted(response: httpx.Response) -> Accepted:
    data = response.json()
    return Accepted(
        task_id=data["task_id"],
        messages=[AcceptedMessage(**item) for item in data["messages"]],
        duplicates=data["duplicates"],
        replayed=response.headers.get("idempotent-replayed") == "true",
    )


def _checked(response: httpx.Response) -> httpx.Response:
    if response.status_code < 400:
        return response
    try:
        problem = response.json()
    except ValueError:
        problem = {}
    retry = response.headers.get("retry-after")
    raise ApiError(
        response.status_code,
        str(problem.get("code", "http.error")),
        str(problem.get("detail", response.reason_phrase)),
        problem.get("field"),
        int(retry) if retry and retry.isdigit() else None,
    )


def _headers(api_key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_key}", "User-Agent": "kootui-client"}


def _query(filters: Mapping[str, Any]) -> dict[str, Any]:
    return {
        name: (str(value).lower() if isinstance(value, bool) else value)
        for name, value in filters.items()
        if value is not None
    }


class _Calls:
    """The calls, described once for both clients."""

    @staticmethod
    def task_action(task_id: int, action: str) -> _Call:
        return _Call("POST", f"/v1/tasks/{task_id}/{action}")

    @staticmethod
    def create_task(
        *,
        name: str,
        subject: str,
        template_id: int,
        sender: str,
        recipients: Sequence[str] = (),
        xlsx: bytes | None = None,
        accept_refused: bool = False,
        scheduled_at: datetime | None = None,
        idempotency_key: str | None = None,
    ) -> _Call:
        """With ``idempotency_key`` a retry gets the first answer (the header
        ``Idempotent-Replayed: true`` says so) and no second task."""
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else None
        fields: dict[str, Any] = {
            "name": name,
            "subject": subject,
            "template_id": template_id,
            "sender": sender,
        }
        if scheduled_at is not None:
            fields["scheduled_at"] = scheduled_at.isoformat()
        if xlsx is None:
            body = {**fields, "recipients": list(recipients)}
            return _Call("POST", "/v1/tasks", json=body, headers=headers)
        form = {key: str(value) for key, value in fields.items()}
        form["accept_refused"] = "true" if accept_refused else "false"
        files = {
            "file": (
                "recipients.xlsx",
                xlsx,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        }
        return _Call("POST", "/v1/tasks", data=form, files=files, headers=headers)

    @staticmethod
    def report(
        report_type: str, start: str | None, end: str | None, filters: Mapping[str, Any]
    ) -> _Call:
        params = _query({"type": report_type, "from": start, "to": end, **filters})
        return _Call("GET", "/v1/reports", params=params)


class KootuiClient:
    """The API over one keep-alive connection pool (use it as a context manager)."""

    def __init__(self, base_url: str, api_key: str, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        self._http = httpx.Client(base_url=base_url, headers=_headers(api_key), timeout=timeout)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def _send(self, call: _Call) -> httpx.Response:
        return _checked(
            self._http.request(
                call.method,
                call.path,
                json=call.json,
                params=call.params,
                headers=call.headers,
                files=call.files,
                data=call.data,
            )
        )

    def health(self) -> bool:
        return bool(self._send(_Call("GET", "/v1/health")).json().get("status") == "ok")

    def send_message(
        self,
        *,
        sender: str,
        to: Sequence[str | Recipient],
        template_id: int | None = None,
        subject: str = "",
        text: str = "",
        html: str = "",
        params: Mapping[str, str] | None = None,
        attachments: Sequence[tuple[str, bytes]] = (),
        scheduled_at: datetime | None = None,
        idempotency_key: str | None = None,
    ) -> Accepted:
        call = _message_call(
            sender=sender,
            to=to,
            template_id=template_id,
            subject=subject,
            text=text,
            html=html,
            params=params,
            attachments=attachments,
            scheduled_at=scheduled_at,
            idempotency_key=idempotency_key,
        )
        return _accepted(self._send(call))

    def list_messages(self, **filters: Any) -> JsonObject:
        """Sending Details: q, offset, limit, status, send_method, recipient, task_id, ...;
        ``reveal=True`` for whole addresses (a key made with --reveal-recipients)."""
        return dict(self._send(_Call("GET", "/v1/messages", params=_query(filters))).json())

    def get_message(self, message_id: int, *, reveal: bool = False) -> JsonObject:
        params = {"reveal": "true"} if reveal else None
        return dict(self._send(_Call("GET", f"/v1/messages/{message_id}", params=params)).json())

    def create_task(self, **fields: Any) -> JsonObject:
        return dict(self._send(_Calls.create_task(**fields)).json())

    def list_tasks(self, **filters: Any) -> JsonObject:
        return dict(self._send(_Call("GET", "/v1/tasks", params=_query(filters))).json())

    def get_task(self, task_id: int) -> JsonObject:
        return dict(self._send(_Call("GET", f"/v1/tasks/{task_id}")).json())

    def cancel_task(self, task_id: int) -> JsonObject:
        return dict(self._send(_Calls.task_action(task_id, "cancel")).json())

    def pause_task(self, task_id: int) -> JsonObject:
        return dict(self._send(_Calls.task_action(task_id, "pause")).json())

    def resume_task(self, task_id: int) -> JsonObject:
        return dict(self._send(_Calls.task_action(task_id, "resume")).json())

    def report(
        self,
        report_type: str = "daily",
        *,
        start: str | None = None,
        end: str | None = None,
        **filters: Any,
    ) -> JsonObject:
        """The Statistics Report (``kootui report --json``): ``start``/``end`` a day or a
        local time; filters ``domain``, ``address``, ``template``, ``task``, ``method``,
        each a name or ID or a list of them."""
        return dict(self._send(_Calls.report(report_type, start, end, filters)).json())

    def get(self, path: str, **params: Any) -> JsonObject:
        """Any read endpoint: ``get("/v1/domains")``, ``get("/v1/templates/3")``..."""
        return dict(self._send(_Call("GET", path, params=_query(params))).json())


class AsyncKootuiClient:
    """The same calls for asyncio (``async with AsyncKootuiClient(...) as client``)."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        limits: httpx.Limits | None = None,
    ) -> None:
        self._http = httpx.AsyncClient(
            base_url=base_url,
            headers=_headers(api_key),
            timeout=timeout,
            limits=limits or httpx.Limits(max_connections=100, max_keepalive_connections=100),
        )

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _send(self, call: _Call) -> httpx.Response:
        return _checked(
            await self._http.request(
                call.method,
                call.path,
                json=call.json,
                params=call.params,
                headers=call.headers,
                files=call.files,
                data=call.data,
            )
        )

    async def health(self) -> bool:
        return bool((await self._send(_Call("GET", "/v1/health"))).json().get("status") == "ok")

    async def send_message(
        self,
        *,
        sender: str,
        to: Sequence[str | Recipient],
        template_id: int | None = None,
        subject: str = "",
        text: str = "",
        html: str = "",
        params: Mapping[str, str] | None = None,
        attachments: Sequence[tuple[str, bytes]] = (),
        scheduled_at: datetime | None = None,
        idempotency_key: str | None = None,
    ) -> Accepted:
        call = _message_call(
            sender=sender,
            to=to,
            template_id=template_id,
            subject=subject,
            text=text,
            html=html,
            params=params,
            attachments=attachments,
            scheduled_at=scheduled_at,
            idempotency_key=idempotency_key,
        )
        return _accepted(await self._send(call))

    async def list_messages(self, **filters: Any) -> JsonObject:
        return dict((await self._send(_Call("GET", "/v1/messages", params=_query(filters)))).json())

    async def get_message(self, message_id: int, *, reveal: bool = False) -> JsonObject:
        params = {"reveal": "true"} if reveal else None
        response = await self._send(_Call("GET", f"/v1/messages/{message_id}", params=params))
        return dict(response.json())

    async def create_task(self, **fields: Any) -> JsonObject:
        return dict((await self._send(_Calls.create_task(**fields))).json())

    async def get_task(self, task_id: int) -> JsonObject:
        return dict((await self._send(_Call("GET", f"/v1/tasks/{task_id}"))).json())

    async def report(
        self,
        report_type: str = "daily",
        *,
        start: str | None = None,
        end: str | None = None,
        **filters: Any,
    ) -> JsonObject:
        return dict((await self._send(_Calls.report(report_type, start, end, filters))).json())

    async def get(self, path: str, **params: Any) -> JsonObject:
        return dict((await self._send(_Call("GET", path, params=_query(params)))).json())
