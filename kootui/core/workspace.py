"""Workspace settings: the name, the sensitive-industry flag, the domain quota, the time
zone of the Statistics Report.

They live in the store, not in ``config.toml``: every console and worker on every
host that shares the store must agree on them. The ``workspace.*`` config keys only
name a new workspace; afterwards ``kootui workspace set`` or the Overview page's
workspace form change them.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from kootui.core.access import Act, requires
from kootui.core.clock import machine_time_zone, zone_or_none
from kootui.core.context import Context
from kootui.core.errors import SettingsError, ValidationError
from kootui.core.store import WorkspaceSettings

WORKSPACE_ID = 1
MAX_DOMAINS_RANGE = (1, 1000)
NAME_LENGTH = (1, 100)


@dataclass(frozen=True)
class WorkspaceView:
    name: str
    sensitive_industry: bool
    max_domains: int
    demo: bool
    time_zone: str  # the IANA name the report's days and months follow
    time_zone_is_machine: bool  # none is set: the machine's zone, whichever it is now


@requires(Act.ENGINE_RUN)
def ensure_workspace(context: Context) -> None:
    """Create the single workspace row on first start, from the configured defaults."""
    now = context.clock.now()
    name = context.settings.workspace.name
    max_domains = context.settings.workspace.max_domains
    with context.store.session() as session:
        if session.get(WorkspaceSettings, WORKSPACE_ID) is None:
            try:
                _check(name, max_domains)
            except ValidationError as exc:
                key = f"workspace.{exc.field}"
                raise SettingsError(exc.message, field=key) from None
            session.add(
                WorkspaceSettings(
                    id=WORKSPACE_ID,
                    name=name,
                    max_domains=max_domains,
                    created_at=now,
                    updated_at=now,
                )
            )


def _check(name: str | None, max_domains: int | None) -> None:
    low, high = NAME_LENGTH
    if name is not None and not (low <= len(name.strip()) <= high):
        raise ValidationError(
            f"must be {low} to {high} characters", field="name", code="workspace.name"
        )
    low, high = MAX_DOMAINS_RANGE
    if max_domains is not None and not (low <= max_domains <= high):
        raise ValidationError(
            f"must be between {low} and {high}", field="max_domains", code="workspace.max_domains"
        )


def _checked_time_zone(name: str) -> str:
    """An IANA zone name as stored ("" for the machine's), or a ValidationError."""
    name = name.strip()
    if name.lower() in ("", "machine"):
        return ""
    if zone_or_none(name) is None:
        raise ValidationError(
            f"{name!r} is not a time zone name; give one like Europe/Berlin or UTC, "
            "or 'machine' for this machine's zone",
            field="time_zone",
            code="workspace.time_zone",
        )
    return name


def effective_time_zone(stored: str) -> str:
    """The stored zone, or the machine's when none is stored (or the stored one is gone
    from this machine's zone database)."""
    return stored if zone_or_none(stored) is not None else machine_time_zone()


@requires(Act.WORKSPACE_READ)
def workspace_zone(context: Context) -> ZoneInfo:
    """The zone the Statistics Report counts days and months in."""
    return ZoneInfo(get_workspace(context).time_zone)


@requires(Act.WORKSPACE_READ)
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
            time_zone=effective_time_zone(row.time_zone),
            time_zone_is_machine=zone_or_none(row.time_zone) is None,
        )


@requires(Act.WORKSPACE_UPDATE)
def update_workspace(
    context: Context,
    *,
    name: str | None = None,
    sensitive_industry: bool | None = None,
    max_domains: int | None = None,
    time_zone: str | None = None,
) -> WorkspaceView:
    """Change what is given; ``time_zone`` "" or "machine" follows the machine's zone."""
    _check(name, max_domains)
    zone = None if time_zone is None else _checked_time_zone(time_zone)
    with context.store.session() as session:
        row = session.get(WorkspaceSettings, WORKSPACE_ID)
        assert row is not None
        if name is not None:
            row.name = name.strip()
        if sensitive_industry is not None:
            row.sensitive_industry = sensitive_industry
        if max_domains is not None:
            row.max_domains = max_domains
        if zone is not None:
            row.time_zone = zone
        row.updated_at = context.clock.now()
        session.add(row)
    return get_workspace(context)
