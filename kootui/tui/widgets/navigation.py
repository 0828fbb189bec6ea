"""The left navigation: Overview, then the Email pages, as in the seeds' console.

Up/down and enter, or a mouse click, choose a page; the widget only posts
``PageChosen`` and the screen decides what to do with it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from textual import on
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option


class NavigablePage(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def title(self) -> str: ...

    @property
    def section(self) -> str: ...


class PageNavigation(OptionList):
    """One option per page, grouped under their section headings."""

    class PageChosen(Message):
        def __init__(self, page_id: str) -> None:
            super().__init__()
            self.page_id = page_id

    def __init__(
        self,
        pages: Sequence[NavigablePage],
        *,
        current: str,
        hints: Mapping[str, str] | None = None,
    ) -> None:
        options: list[Option] = []
        section = ""
        for page in pages:
            if page.section != section:
                section = page.section
                options.append(Option(Content.styled(section.upper(), "bold"), disabled=True))
            hint = (hints or {}).get(page.id, "")
            prompt = Content.assemble(page.title, " " * max(1, 19 - len(page.title)), (hint, "dim"))
            options.append(Option(prompt, id=page.id))
        super().__init__(*options, id="navigation")
        self.current = current

    def on_mount(self) -> None:
        self.highlighted = self.get_option_index(self.current)

    @on(OptionList.OptionSelected)
    def _choose(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.post_message(self.PageChosen(event.option.id))
