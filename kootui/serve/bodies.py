"""Reading a request body within bounds, before any work is done on it.

The size is checked from ``Content-Length`` before a byte is read and again while
reading (a chunked body has no length); the JSON's nesting depth is counted over its
brackets outside strings before the parser sees it, so a body of ten thousand ``[``
costs nothing; then pydantic checks every field's type and length.
"""

from __future__ import annotations

import json
import re
from typing import Any, TypeVar

from fastapi import Request
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from kootui.serve.problems import ApiProblem, field_of

MAX_JSON_DEPTH = 8
_STRUCTURE = re.compile(rb'["\\\[\]{}]')
Model = TypeVar("Model", bound=BaseModel)


async def read_body(request: Request, max_bytes: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise ApiProblem(400, "the Content-Length is not a number", code="request.bad_length")
        if int(declared) > max_bytes:
            raise _too_large(max_bytes)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise _too_large(max_bytes)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(max_bytes: int) -> ApiProblem:
    return ApiProblem(
        413, f"the request body is larger than {max_bytes:,} bytes", code="request.too_large"
    )


def json_depth(body: bytes) -> int:
    """The deepest nesting of arrays and objects (0 for a scalar)."""
    depth = deepest = 0
    in_string = False
    escaped_at = -1  # the position a backslash in a string escapes
    for match in _STRUCTURE.finditer(body):
        at = match.start()
        if at == escaped_at:
            continue
        char = body[at]
        if in_string:
            if char == 0x5C:  # backslash
                escaped_at = at + 1
            elif char == 0x22:  # quote
                in_string = False
        elif char == 0x22:
            in_string = True
        elif char in (0x5B, 0x7B):  # [ {
            depth += 1
            deepest = max(deepest, depth)
        elif char in (0x5D, 0x7D):  # ] }
            depth -= 1
    return deepest


async def read_json(request: Request, max_bytes: int, model: type[Model]) -> tuple[Model, bytes]:
    """The body as ``model``, and its bytes (for the idempotency hash)."""
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media != "application/json":
        raise ApiProblem(
            415, "send the body as application/json", code="request.unsupported_media_type"
        )
    body = await read_body(request, max_bytes)
    return parse_json(body, model), body


def parse_json(body: bytes, model: type[Model]) -> Model:
    if json_depth(body) > MAX_JSON_DEPTH:
        raise ApiProblem(
            400,
            f"the JSON is nested more than {MAX_JSON_DEPTH} levels deep",
            code="request.too_deep",
        )
    try:
        data: Any = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise ApiProblem(400, "the body is not valid JSON", code="request.malformed_json") from None
    try:
        return model.model_validate(data)
    except PydanticValidationError as exc:
        first = exc.errors()[0]
        raise ApiProblem(
            422, first["msg"], code="request.invalid", field=field_of(first["loc"]) or None
        ) from None
