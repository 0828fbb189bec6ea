"""A domain's name as a policy's ``Resource`` (``domain/example.com``), looked up from the
call's ``domain_id``; read only when the asker's policies must be evaluated."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kootui.core.store import SenderDomain


def domain_resource(arguments: Mapping[str, Any]) -> str:
    domain_id = arguments["domain_id"]
    with arguments["context"].store.session() as session:
        row = session.get(SenderDomain, domain_id)
    return f"domain/{row.name if row is not None else domain_id}"
