"""One top-level page as the page list names it: its id, title, section, screen and
summary. Free of Textual, so the page list (``kootui.tui.pages``) loads without it: the
console's read-ahead process reads the Overview's figures from modules under it."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kootui.tui.shell.page import PageScreen

ScreenFactory = Callable[["PageSpec"], "PageScreen"]


@dataclass(frozen=True)
class PageSpec:
    """One top-level page: its id (also its Textual mode), title, and screen.

    ``screen`` is where the page's class lives, ``"package.module:ClassName"``, imported
    the first time the page is shown so the console draws before any page's module (and
    the store's) has loaded; a class or factory is taken as it is (tests).
    """

    id: str
    title: str
    section: str  # the navigation group: "" (top) or "Email"
    screen: str | ScreenFactory
    summary: str  # one line: what the page is for (palette help, navigation tooltip)

    @property
    def go_binding(self) -> str:
        """The registry id of the key that jumps here after ``g``."""
        return f"go-{self.id}"

    @property
    def breadcrumb(self) -> str:
        return f"{self.section} › {self.title}" if self.section else self.title

    def screen_factory(self) -> ScreenFactory:
        """The page's class (or factory), importing its module if it is named by a string."""
        if not isinstance(self.screen, str):
            return self.screen
        module_name, _, class_name = self.screen.partition(":")
        factory: ScreenFactory = getattr(importlib.import_module(module_name), class_name)
        return factory

    def make_screen(self) -> PageScreen:
        """A new screen of this page (a Textual mode calls this when the page is first shown)."""
        return self.screen_factory()(self)
