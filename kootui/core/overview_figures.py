"""The Overview's figures as data: nothing of the store loads with them, so a process
that has not loaded the store can take them (the console's read-ahead, pickled)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class GuideStep:
    number: int
    title: str
    page: str  # the page id the step's key jumps to
    done: bool
    hint: str


@dataclass(frozen=True)
class Overview:
    domains: int
    verified_domains: int
    addresses: int
    templates: int
    approved_templates: int
    tasks_by_status: dict[str, int]
    messages_today: int
    messages_today_by_status: dict[str, int]
    guide: list[GuideStep]

    @property
    def tasks(self) -> int:
        return sum(self.tasks_by_status.values())
