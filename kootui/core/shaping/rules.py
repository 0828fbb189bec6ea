"""Destination rules: add, change, remove, list; and the workspace rate set live.

A rule limits a destination group (gmail.com and googlemail.com together share one
budget) with a rate in messages a second for the whole workspace and a cap on relay
sessions carrying its messages at once; 0 means no limit. The default rule limits
every recipient domain no rule names, each domain on its own budget. Rules live in
the store, so every engine follows them (``dispatch`` reads them every few seconds).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import delete, func, select, update

from kootui.core.access import Act, requires
from kootui.core.context import Context
from kootui.core.errors import Conflict, NotFound, ValidationError
from kootui.core.shaping.names import rule_domain
from kootui.core.store import (
    DestinationDomain,
    DestinationRule,
    DestinationState,
    SendingRate,
    Store,
)

DEFAULT_NAME = "default"  # the default rule's name, in every face
WORKSPACE_NAME = "workspace"  # the CLI's name for the workspace rate
MAX_RATE = 100_000.0  # messages a second; sending.rate has the same ceiling
MAX_CONNECTIONS = 1000
MAX_DOMAINS = 100  # in one rule
NAME_LENGTH = 100
_SENDING_RATE_ID = 1

_rules = DestinationRule.__table__
_domains = DestinationDomain.__table__
_states = DestinationState.__table__
_sending_rate = SendingRate.__table__


@dataclass(frozen=True)
class Rule:
    id: int
    name: str
    is_default: bool
    rate: float  # messages a second, workspace-wide; 0: no limit
    max_connections: int  # 0: no limit
    domains: tuple[str, ...]  # DNS form, sorted


@dataclass(frozen=True)
class WorkspaceRate:
    rate: float  # messages a second; 0: no limit
    from_store: bool  # set from a console or the CLI; False: sending.rate of the settings


def check_rate(rate: float, field: str = "rate") -> float:
    if not math.isfinite(rate) or not 0 <= rate <= MAX_RATE:
        raise ValidationError(
            f"the rate must be 0 (no limit) to {MAX_RATE:,.0f} messages a second", field=field
        )
    return float(rate)


def check_connections(connections: int) -> int:
    if not 0 <= connections <= MAX_CONNECTIONS:
        raise ValidationError(
            f"the connections must be 0 (no limit) to {MAX_CONNECTIONS:,}",
            field="max_connections",
        )
    return connections


def _check_name(name: str) -> str:
    name = name.strip()
    if not 1 <= len(name) <= NAME_LENGTH:
        raise ValidationError(f"a name of 1 to {NAME_LENGTH} characters", field="name")
    if name.lower() in (DEFAULT_NAME, WORKSPACE_NAME):
        raise ValidationError(
            f"{name!r} is taken by the {name.lower()} limit: choose another name",
            field="name",
            code="destination.reserved_name",
        )
    return name


def _check_domains(typed: list[str] | tuple[str, ...]) -> list[str]:
    domains: list[str] = []
    for entry in typed:
        for part in entry.replace(",", " ").split():
            domain = rule_domain(part)
            if domain not in domains:
                domains.append(domain)
    if not domains:
        raise ValidationError("name at least one domain, like gmail.com", field="domains")
    if len(domains) > MAX_DOMAINS:
        raise ValidationError(f"at most {MAX_DOMAINS} domains in one rule", field="domains")
    return domains


def list_rules(store: Store) -> list[Rule]:
    """Every rule, the default first, then by name."""
    with store.engine.connect() as connection:
        domains: dict[int, list[str]] = {}
        for domain, rule_id in connection.execute(select(_domains.c.domain, _domains.c.rule_id)):
            domains.setdefault(rule_id, []).append(domain)
        rows = connection.execute(select(_rules)).all()
    rules = [
        Rule(
            id=row.id,
            name=row.name,
            is_default=bool(row.is_default),
            rate=float(row.rate),
            max_connections=int(row.max_connections),
            domains=tuple(sorted(domains.get(row.id, []))),
        )
        for row in rows
    ]
    return sorted(rules, key=lambda rule: (not rule.is_default, rule.name.lower()))


def find_rule(store: Store, name: str) -> Rule:
    """A rule by its name (any case) or its ID; ``default`` is the default rule."""
    wanted = name.strip().lower()
    for rule in list_rules(store):
        if rule.name.lower() == wanted or str(rule.id) == wanted:
            return rule
    raise NotFound(
        f"no destination rule is named {name.strip()!r}: `kootui destination list` shows them",
        field="name",
        code="destination.not_found",
    )


def _clashes(store: Store, domains: list[str], own_rule: str | None) -> None:
    """Refuse a domain another rule holds (``own_rule``: the rule being changed)."""
    with store.engine.connect() as connection:
        taken = connection.execute(
            select(_domains.c.domain, _rules.c.name)
            .join(_rules, _rules.c.id == _domains.c.rule_id)
            .where(_domains.c.domain.in_(domains))
        ).all()
    others = [(domain, name) for domain, name in taken if name != own_rule]
    if others:
        domain, name = others[0]
        raise Conflict(
            f"{domain} is already in the rule {name!r}: remove it there first",
            field="domains",
            code="destination.domain_taken",
        )


@requires(Act.DESTINATION_CREATE)
def add_rule(
    context: Context, name: str, domains: list[str], rate: float, max_connections: int = 0
) -> Rule:
    """A new destination group; its domains must not be in another rule."""
    name = _check_name(name)
    wanted = _check_domains(domains)
    rate = check_rate(rate)
    max_connections = check_connections(max_connections)
    store = context.store
    _clashes(store, wanted, None)
    now = context.clock.now()
    with store.session() as session:
        connection = session.connection()
        exists = connection.execute(
            select(_rules.c.id).where(func.lower(_rules.c.name) == name.lower())
        ).first()
        if exists is not None:
            raise Conflict(
                f"a rule named {name!r} exists: change it with set, or choose another name",
                field="name",
                code="destination.name_taken",
            )
        rule_id = connection.execute(
            _rules.insert()
            .values(
                name=name,
                is_default=False,
                rate=rate,
                max_connections=max_connections,
                created_at=now,
                updated_at=now,
            )
            .returning(_rules.c.id)
        ).scalar_one()
        connection.execute(
            _domains.insert(), [{"domain": domain, "rule_id": rule_id} for domain in wanted]
        )
    return find_rule(store, name)


@requires(Act.DESTINATION_UPDATE)
def set_rule(
    context: Context,
    name: str,
    *,
    rate: float | None = None,
    max_connections: int | None = None,
    domains: list[str] | None = None,
    new_name: str | None = None,
) -> Rule:
    """Change a rule (``default`` is made on its first change); None leaves a field."""
    store = context.store
    now = context.clock.now()
    if name.strip().lower() == DEFAULT_NAME:
        if domains is not None or new_name is not None:
            raise ValidationError(
                "the default rule covers every domain no rule names: it has no domains "
                "or other name",
                field="domains" if domains is not None else "name",
            )
        return _set_default(context, rate, max_connections)
    rule = find_rule(store, name)
    values: dict[str, object] = {"updated_at": now}
    if rate is not None:
        values["rate"] = check_rate(rate)
    if max_connections is not None:
        values["max_connections"] = check_connections(max_connections)
    if new_name is not None and new_name.strip() != rule.name:
        values["name"] = _check_name(new_name)
        with store.engine.connect() as connection:
            clash = connection.execute(
                select(_rules.c.id).where(
                    func.lower(_rules.c.name) == str(values["name"]).lower(),
                    _rules.c.id != rule.id,
                )
            ).first()
        if clash is not None:
            raise Conflict(
                f"a rule named {values['name']!r} exists: choose another name",
                field="name",
                code="destination.name_taken",
            )
    wanted = _check_domains(domains) if domains is not None else None
    if wanted is not None:
        _clashes(store, wanted, rule.name)
    with store.session() as session:
        connection = session.connection()
        connection.execute(update(_rules).where(_rules.c.id == rule.id).values(**values))
        if wanted is not None:
            connection.execute(delete(_domains).where(_domains.c.rule_id == rule.id))
            connection.execute(
                _domains.insert(), [{"domain": domain, "rule_id": rule.id} for domain in wanted]
            )
    return find_rule(store, str(values.get("name", rule.name)))


def _set_default(context: Context, rate: float | None, max_connections: int | None) -> Rule:
    now = context.clock.now()
    values: dict[str, object] = {"updated_at": now}
    if rate is not None:
        values["rate"] = check_rate(rate)
    if max_connections is not None:
        values["max_connections"] = check_connections(max_connections)
    with context.store.session() as session:
        connection = session.connection()
        found = connection.execute(select(_rules.c.id).where(_rules.c.is_default)).first()
        if found is None:
            connection.execute(
                _rules.insert().values(
                    name=DEFAULT_NAME,
                    is_default=True,
                    rate=values.get("rate", 0.0),
                    max_connections=values.get("max_connections", 0),
                    created_at=now,
                    updated_at=now,
                )
            )
        else:
            connection.execute(update(_rules).where(_rules.c.id == found.id).values(**values))
    return default_rule(context.store)


def default_rule(store: Store) -> Rule:
    """The default rule; no limits until someone sets it."""
    for rule in list_rules(store):
        if rule.is_default:
            return rule
    return Rule(0, DEFAULT_NAME, True, 0.0, 0, ())


@requires(Act.DESTINATION_DELETE)
def remove_rule(context: Context, name: str) -> Rule:
    """Remove a rule (its domains then follow the default rule); ``default`` is reset to
    no limits. The slowing of a removed group goes with it."""
    store = context.store
    rule = default_rule(store) if name.strip().lower() == DEFAULT_NAME else find_rule(store, name)
    with store.session() as session:
        connection = session.connection()
        if rule.id:
            connection.execute(delete(_domains).where(_domains.c.rule_id == rule.id))
            connection.execute(delete(_rules).where(_rules.c.id == rule.id))
        connection.execute(delete(_states).where(_states.c.key == f"rule:{rule.id}"))
    return rule


@requires(Act.DESTINATION_READ)
def workspace_rate(context: Context) -> WorkspaceRate:
    """The workspace rate every engine splits: the one set live, else ``sending.rate``."""
    with context.store.engine.connect() as connection:
        stored = connection.execute(
            select(_sending_rate.c.rate).where(_sending_rate.c.id == _SENDING_RATE_ID)
        ).scalar_one_or_none()
    if stored is None:
        return WorkspaceRate(float(context.settings.sending.rate), from_store=False)
    return WorkspaceRate(float(stored), from_store=True)


@requires(Act.DESTINATION_UPDATE)
def set_workspace_rate(context: Context, rate: float | None) -> WorkspaceRate:
    """Set the workspace rate for every engine; None goes back to ``sending.rate``."""
    now = context.clock.now()
    with context.store.session() as session:
        connection = session.connection()
        connection.execute(delete(_sending_rate))
        if rate is not None:
            connection.execute(
                _sending_rate.insert().values(
                    id=_SENDING_RATE_ID, rate=check_rate(rate), updated_at=now
                )
            )
    return workspace_rate(context)
