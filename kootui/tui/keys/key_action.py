"""One key kootui binds: its id (remappable in config.toml), default key, action and scope."""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding


@dataclass(frozen=True)
class KeyAction:
    id: str
    key: str
    action: str
    description: str
    scope: str
    show: bool = True
    priority: bool = False
    help: str = ""
    group: str = ""  # the help panel shows a group's keys on one line

    def binding(self, key: str | None = None) -> Binding:
        return Binding(
            key or self.key,
            self.action,
            self.description,
            show=self.show,
            priority=self.priority,
            id=self.id,
            tooltip=self.help,
        )
