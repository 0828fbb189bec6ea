"""Errors as RFC 9457 problem details, carrying the core error's stable code and field.

Every refusal of the API is one of these: a ``KootuiError`` raised by the core (its
``http_status``, ``code``, ``field`` and message), a request the API could not read
(size, type, JSON), or a route that does not exist. The body never echoes what the
caller sent beyond the field's name.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from kootui.core.errors import KootuiError

log = logging.getLogger("kootui.serve")

PROBLEM_JSON = "application/problem+json"


class ApiProblem(KootuiError):
    """A request the API layer itself refuses before any core work (size, type, JSON)."""

    def __init__(self, status: int, message: str, *, code: str, field: str | None = None) -> None:
        super().__init__(message, code=code, field=field)
        self.http_status = status


def problem_response(
    status: int,
    code: str,
    detail: str,
    field: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    body: dict[str, Any] = {
        "type": f"urn:kootui:problem:{code}",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "code": code,
        "field": field,
    }
    return Response(
        json.dumps(body, ensure_ascii=True),
        status_code=status,
        media_type=PROBLEM_JSON,
        headers=dict(headers) if headers else None,
    )


def error_response(exc: KootuiError) -> Response:
    status = exc.http_status if 400 <= exc.http_status < 600 else 500
    headers = None
    retry_after = getattr(exc, "retry_after", None)
    if isinstance(retry_after, int):
        headers = {"Retry-After": str(retry_after)}
    return problem_response(status, exc.code, exc.message, exc.field, headers)


def field_of(location: Sequence[int | str]) -> str:
    """``("body", "to", 0, "email")`` -> ``to[0].email``."""
    text = ""
    for part in location:
        if part in ("body", "query", "path", "header"):
            continue
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


async def _kootui_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, KootuiError)
    if exc.http_status >= 500:
        log.warning("request failed [%s]: %s", exc.code, exc.message)
    return error_response(exc)


async def _validation_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    message = str(errors[0].get("msg", "invalid")) if errors else "invalid request"
    location: Sequence[int | str] = tuple(errors[0].get("loc", ())) if errors else ()
    return problem_response(422, "request.invalid", message, field_of(location) or None)


async def _http_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    code = {404: "route.not_found", 405: "route.method_not_allowed"}.get(status, "http.error")
    return problem_response(status, code, str(exc.detail), headers=exc.headers)


async def _unexpected(_request: Request, exc: Exception) -> Response:
    log.exception("unexpected error while serving a request")
    return problem_response(500, "server.error", "the server failed; the request was not stored")


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(KootuiError, _kootui_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
