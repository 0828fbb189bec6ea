"""The tables of traffic shaping (revision 0014): per-destination rules, the adaptive
state of destinations that throttled, and the workspace rate set from a console.

Kept apart from ``models`` (one idea per file); the store's face exports them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Integer, String
from sqlmodel import Field

from kootui.core.store.models import TableModel, _required_time


class DestinationRule(TableModel, table=True):
    """A limit for a destination group (its domains in ``destination_domain``) or, with
    ``is_default``, for every recipient domain no other rule names, each on its own."""

    __tablename__ = "destination_rule"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(String(100), nullable=False, unique=True))
    is_default: bool = Field(default=False)
    rate: float = Field(default=0.0)  # messages a second for the whole workspace; 0: none
    max_connections: int = Field(default=0)  # relay sessions at once to it; 0: none
    created_at: datetime = _required_time()
    updated_at: datetime = _required_time()


class DestinationDomain(TableModel, table=True):
    """One domain of a rule, in DNS form (A-labels, lower case); a domain has one rule."""

    __tablename__ = "destination_domain"

    domain: str = Field(sa_column=Column(String(253), primary_key=True))
    rule_id: int = Field(
        sa_column=Column(
            Integer,
            ForeignKey("destination_rule.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        )
    )


class DestinationState(TableModel, table=True):
    """A destination being slowed after it throttled: its current workspace-wide rate,
    the rate it recovers to, why and since when. No row: it runs at its rule's rate."""

    __tablename__ = "destination_state"

    key: str = Field(sa_column=Column(String(300), primary_key=True))
    label: str = Field(max_length=253)  # the rule's name, or the domain for the default rule
    rate: float
    ceiling: float
    reason: str = Field(max_length=200)
    since: datetime = _required_time()
    changed_at: datetime = _required_time()


class SendingRate(TableModel, table=True):
    """One row (id 1) when a console or ``kootui destination set workspace`` set the
    workspace rate; it then overrides ``sending.rate`` for every engine."""

    __tablename__ = "sending_rate"

    id: int | None = Field(default=None, primary_key=True)
    rate: float
    updated_at: datetime = _required_time()
