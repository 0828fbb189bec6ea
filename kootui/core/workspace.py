"""Workspace settings: the name, the sensitive-industry flag, the domain quota."""

from __future__ import annotations

from dataclasses import dataclass

from kootui.core.context import Context
from kootui.core.errors import ValidationError
from kootui.core.models import WorkspaceSettings

WORKSPACE_ID = 1


@dataclass(frozen=True)
class WorkspaceView:
    name: str
    sensitive_industry: bool
    max_domains: int
    demo: bool


def ensure_workspace(context: Context) -> None:
    """Create the single workspace row on first start, from the configured defaults."""
    now = context.clock.now()
    with context.store.session() as session:
        if session.get(WorkspaceSettings, WORKSPACE_ID) is None:
            session.add(
                WorkspaceSettings(
                    id=WORKSPACE_ID,
                    name=context.settings.get("workspace.name"),
                    max_domains=context.settings.get("workspace.max_domains"),
                    created_at=now,
                    updated_at=now,
                )
            )


def get_workspace(context: Context) -> WorkspaceView:
    with context.store.session() as session:
        row = session.get(WorkspaceSettings, WORKSPACE_ID)
        if row is None:
            raise RuntimeError("workspace row missing; open the store with open_context")
        return WorkspaceView(
            name=row.name,
            sensitive_industry=row.sensitive_industry,
            max_domains=row.max_domains,
            demo=context.settings.demo,
        )


def update_workspace(
    context: Context,
    *,
    name: str | None = None,
    sensitive_industry: bool | None = None,
    max_domains: int | None = None,
) -> WorkspaceView:
    if name is not None and not (1 <= len(name.strip()) <= 100):
        raise ValidationError("must be 1 to 100 characters", field="name", code="workspace.name")
    if max_domains is not None and not (1 <= max_domains <= 1000):
        raise ValidationError(
            "must be between 1 and 1000", field="max_domains", code="workspace.max_domains"
        )
    with context.store.session() as session:
        row = session.get(WorkspaceSettings, WORKSPACE_ID)
        assert row is not None
        if name is not None:
            row.name = name.strip()
        if sensitive_industry is not None:
            row.sensitive_industry = sensitive_industry
        if max_domains is not None:
            row.max_domains = max_domains
        row.updated_at = context.clock.now()
        session.add(row)
    return get_workspace(context)
