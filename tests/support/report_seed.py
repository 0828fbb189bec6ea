"""Statistics rows written straight into the table, for the Statistics Report's tests
and snapshots: hand-chosen figures by hour and by what sent them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert

from kootui.core.context import Context
from kootui.core.store import HourlyStat, StatTask


@dataclass(frozen=True)
class Figures:
    """One statistics row. ``sent`` defaults to the sum of the outcomes."""

    hour: datetime
    delivered: int = 0
    failed: int = 0
    to_send: int = 0
    rejected: int = 0
    task_id: int = 1
    domain_id: int = 1
    address_id: int = 1
    template_id: int = 1
    send_method: str = "console"

    def row(self) -> dict[str, object]:
        sent = self.delivered + self.failed + self.to_send + self.rejected
        return {**self.__dict__, "sent": sent}


def add_figures(context: Context, figures: Iterable[Figures]) -> None:
    rows = [item.row() for item in figures]
    if rows:
        with context.store.writing() as connection:
            connection.execute(insert(HourlyStat.__table__), rows)


def add_task_names(context: Context, names: dict[int, str]) -> None:
    with context.store.writing() as connection:
        connection.execute(
            insert(StatTask.__table__),
            [{"task_id": task_id, "name": name} for task_id, name in names.items()],
        )
