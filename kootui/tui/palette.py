"""The ``ctrl+p`` command palette: every page, every action, every theme.

Fed from the page list, the key registry, the keys that work where the palette was
opened (the page's own actions, bound on its screen and focused widgets) and the
theme catalog, so a new page, key or palette file appears here without touching
this module.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

from kootui.tui.keys.registry import REGISTRY, in_scopes

if TYPE_CHECKING:
    from kootui.tui.app import KootuiApp

# Opening the palette from the palette, or "back" from it, means nothing.
NOT_IN_PALETTE = {"palette", "back"}


class ConsoleCommands(Provider):
    def _commands(self) -> list[tuple[str, Callable[[], object], str]]:
        app: KootuiApp = self.app  # type: ignore[assignment]
        commands: list[tuple[str, Callable[[], object], str]] = []
        for page in app.pages:
            key = app.key_display("go")
            letter = app.key_display(page.go_binding)
            commands.append(
                (
                    f"Go to {page.title}",
                    partial(app.go_page, page.id),
                    f"{page.summary} ({key} {letter})",
                )
            )
        for action in in_scopes(["app"]):
            if action.id in NOT_IN_PALETTE:
                continue
            handler = getattr(app, f"action_{action.action}")
            help_text = f"{action.help} ({app.key_display(action.id)})"
            commands.append((action.description, handler, help_text))
        commands.extend(self._page_actions())
        for entry in app.catalog:
            name = entry.theme.name
            where = "shipped" if entry.shipped else f"from {entry.source}"
            commands.append(
                (
                    f"Theme: {name}",
                    partial(app.choose_theme, name),
                    f"{entry.description or 'palette'} ({where}); remembered for next time",
                )
            )
        return commands

    def _page_actions(self) -> list[tuple[str, Callable[[], object], str]]:
        """What the keys of the page under the palette do, run on the widget that binds them."""
        app: KootuiApp = self.app  # type: ignore[assignment]
        page_ids = {action.id for action in REGISTRY if action.scope not in ("app", "go")}
        commands: list[tuple[str, Callable[[], object], str]] = []
        seen: set[str] = set()
        for active in self.screen.active_bindings.values():
            binding = active.binding
            if binding.id not in page_ids or binding.id in seen or not active.enabled:
                continue
            seen.add(binding.id)
            help_text = f"{binding.tooltip or 'on this page'} ({app.key_display(binding.id)})"
            run = partial(app.run_action, binding.action, active.node)
            commands.append((binding.description, run, help_text))
        return commands

    async def discover(self) -> Hits:
        for name, callback, help_text in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, callback, help_text in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)
