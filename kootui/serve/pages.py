"""Lists as JSON: a core ``PageResult`` and the paging query parameters."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, is_dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from fastapi.responses import Response

from kootui.core.store import MAX_PAGE_SIZE, PageRequest, PageResult


def plain(value: Any) -> Any:
    """A value JSON can hold: times in ISO 8601 (UTC), dataclasses as objects."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if is_dataclass(value) and not isinstance(value, type):
        return {key: plain(item) for key, item in asdict(value).items()}
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


def json_response(body: Any, status: int = 200) -> Response:
    return Response(
        json.dumps(plain(body), ensure_ascii=True),
        status_code=status,
        media_type="application/json",
    )


def page_request(
    q: str, offset: int, limit: int, sort: str | None, ascending: bool, **advanced: str | None
) -> PageRequest:
    return PageRequest(
        offset=offset,
        limit=min(limit, MAX_PAGE_SIZE),
        sort_key=sort,
        descending=not ascending,
        text_filter=q,
        advanced={name: value for name, value in advanced.items() if value is not None},
    )


def page_response(page: PageResult) -> Response:
    return json_response(
        {"total": page.total, "offset": page.offset, "rows": [dict(r.values) for r in page.rows]}
    )
