"""The Overview page: the workspace's figures, the last 7 days' chart and the seeds'
process guide.

Figures and ticks come from ``kootui.core.overview.load_overview``, the chart and
today's figures from ``kootui.core.reports.statistics_report`` (the Statistics Report's
own query, in ``week.py``), the packages and warm-up caps from their cores
(``allowance.py``), read together on a thread by an async worker; the guide's
steps jump to their page with 1–6 or enter. Step 6 is ticked once this console has shown
a report.

This is the page the console opens on, drawn before the store is open: it imports
nothing of the store at import time, and its cards say "loading…" until the first
figures come back (never a blank, never a made-up 0).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from kootui.core.clock import local_text
from kootui.core.errors import KootuiError, user_message
from kootui.core.plural import count_of
from kootui.tui.keys.registry import bindings
from kootui.tui.pages.reports.chart import ReportChart
from kootui.tui.shell.page import PageScreen, PageSpec
from kootui.tui.widgets.status_badge import tone_of

if TYPE_CHECKING:
    from kootui.core.context import Context
    from kootui.core.overview_figures import GuideStep, Overview
    from kootui.core.workspace import WorkspaceView
    from kootui.tui.pages.overview.paint import OverviewPaint

LOADING = Content.styled("loading…", "dim italic")
# The figure cards, in order: their id's tail and their label.
CARDS = {
    "domains": "Domains",
    "addresses": "Addresses",
    "templates": "Templates",
    "tasks": "Tasks",
    "messages": "Messages today",
}

# Status order on the cards; colours come from the shared tone table (status badges).
TASK_STATUS_ORDER = ("scheduled", "sending", "paused", "completed", "partly_failed", "cancelled")
MESSAGE_STATUS_ORDER = (
    "pending",
    "sending",
    "delivered",
    "deferred",
    "failed",
    "rejected",
    "cancelled",
)


def _label(status: str) -> str:
    return status.replace("_", " ")


def _breakdown(counts: dict[str, int], known_order: tuple[str, ...]) -> Content:
    """One line per status that has any, coloured by its tone ($status-ok, ...)."""
    order = [*known_order, *sorted(set(counts) - set(known_order))]
    width = max((len(str(n)) for n in counts.values()), default=1)
    parts = [
        Content.assemble(
            (f"{counts[status]:>{width}} ", "bold"), (_label(status), f"$status-{tone_of(status)}")
        )
        for status in order
        if counts.get(status)
    ]
    return Content("\n").join(parts) if parts else Content.styled("none yet", "dim")


def read_paint(context: Context) -> OverviewPaint:
    """The Overview's figures, ready to paint. Their modules load the store's reports
    core: imported here, on the reading thread, so the event loop never waits for them."""
    from kootui.tui.pages.overview.paint import read_paint as read

    return read(context)


def read_workspace(context: Context) -> WorkspaceView:
    from kootui.core.workspace import get_workspace

    return get_workspace(context)


def loading_card(label: str) -> Content:
    """A card before its figure has been read: its label and a quiet "loading…"."""
    return Content.assemble((f"{label}\n", "dim"), LOADING)


def figure_cards(overview: Overview) -> dict[str, Content]:
    """The text of each figure card, by card id."""
    return {
        "card-domains": Content.assemble(
            (f"{CARDS['domains']}\n", "dim"),
            (f"{overview.domains}", "bold"),
            ("\n", ""),
            (f"{overview.verified_domains} verified", "$status-ok"),
        ),
        "card-addresses": Content.assemble(
            (f"{CARDS['addresses']}\n", "dim"), (f"{overview.addresses}", "bold"), "\n"
        ),
        "card-templates": Content.assemble(
            (f"{CARDS['templates']}\n", "dim"),
            (f"{overview.templates}", "bold"),
            ("\n", ""),
            (f"{overview.approved_templates} approved", "$status-ok"),
        ),
        "card-tasks": Content.assemble(
            (f"{CARDS['tasks']}\n", "dim"),
            (f"{overview.tasks}", "bold"),
            "\n",
            _breakdown(overview.tasks_by_status, TASK_STATUS_ORDER),
        ),
        "card-messages": Content.assemble(
            (f"{CARDS['messages']}\n", "dim"),
            (f"{overview.messages_today}", "bold"),
            "\n",
            _breakdown(overview.messages_today_by_status, MESSAGE_STATUS_ORDER),
        ),
    }


def is_empty(overview: Overview) -> bool:
    return not (overview.domains or overview.addresses or overview.templates or overview.tasks)


def guide_prompt(step: GuideStep, page_title: str) -> Content:
    tick = Content.styled(" ✓ ", "bold $status-ok") if step.done else Content.styled(" ○ ", "dim")
    title = Content.styled(step.title, "bold" if not step.done else "")
    return Content.assemble(
        tick,
        # No colour of its own: on the highlighted step it takes the cursor's, which reads.
        (f"{step.number}  ", "bold"),
        title,
        ("\n      ", ""),
        (f"{step.hint} → {page_title}", "dim"),
    )


class OverviewBody(VerticalScroll, can_focus=False):
    """Scrolls the page in a short terminal; keys stay with the guide, not the scroll."""


class GuideList(OptionList):
    """The process guide's steps. The page opens at its top with the guide focused but
    perhaps below the fold; moving through the steps brings the highlighted one into view."""

    def _keep_in_view(self) -> None:
        if self.highlighted is not None:
            self.scroll_visible(animate=False)

    def action_cursor_up(self) -> None:
        super().action_cursor_up()
        self._keep_in_view()

    def action_cursor_down(self) -> None:
        super().action_cursor_down()
        self._keep_in_view()

    def action_first(self) -> None:
        super().action_first()
        self._keep_in_view()

    def action_last(self) -> None:
        super().action_last()
        self._keep_in_view()


class OverviewScreen(PageScreen):
    KEY_SCOPES: ClassVar[tuple[str, ...]] = ("overview",)
    BINDINGS = bindings("overview")

    def __init__(self, page: PageSpec) -> None:
        super().__init__(page)
        self.overview: Overview | None = None

    def compose_content(self) -> ComposeResult:
        with OverviewBody(id="overview-body"):
            with Horizontal(id="overview-title", classes="page-title-row"):
                yield Static("Overview", classes="page-title")
                yield Static("loading…", id="overview-loaded", classes="page-subtitle")
            with Horizontal(id="figures"):
                for card, label in CARDS.items():
                    yield Static(loading_card(label), id=f"card-{card}", classes="card")
            with Horizontal(id="week"):
                yield Static(loading_card("Sent today"), id="card-today", classes="card")
                with Vertical(id="week-box", classes="card"):
                    yield Static("Last 7 days: sent and delivery rate", id="week-title")
                    yield ReportChart(id="week-chart")
            yield Static(loading_card("Packages"), id="allowance", classes="panel")
            with Vertical(id="guide-box", classes="panel"):
                yield Static(self._guide_heading(), id="guide-heading")
                # The steps' ticks come with the figures; until then, a quiet line.
                yield GuideList(Option(LOADING, disabled=True), id="guide")

    def _guide_heading(self) -> Content:
        steps = [self.kootui.key_display(f"step-{n}") for n in range(1, 7)]
        step_keys = "1–6" if steps == list("123456") else " ".join(steps)
        open_key = self.kootui.key_display("open-step").replace("⏎", "enter")
        return Content.assemble(
            ("Process guide", "bold"),
            (
                f"   the path from a domain to a delivered message — {step_keys} or {open_key}",
                "dim",
            ),
        )

    def on_mount(self) -> None:
        super().on_mount()
        self.reload()
        # Figures stay current while tasks send; only while this page is on screen.
        self.set_interval(self.kootui.refresh_intervals.overview, self._refresh_if_shown)

    def _refresh_if_shown(self) -> None:
        if self.is_current:
            self.reload()

    def reload(self) -> None:
        self.load_figures()

    @work(exclusive=True, group="overview", exit_on_error=False)
    async def load_figures(self) -> None:
        early = await self.kootui.take_read_ahead()
        if early is not None:  # read by another process while the console drew
            self.kootui.show_workspace_name(early.workspace_name)
            self._paint(early.paint)
            return
        context = await self.kootui.opened_context()
        try:
            paint = await asyncio.to_thread(read_paint, context)
        except BaseException:
            self.kootui.first_read_done()  # the rest of the opening goes on all the same
            raise
        self._paint(paint)

    def _paint(self, paint: OverviewPaint) -> None:
        self.query_one("#allowance", Static).update(paint.allowance)
        self.query_one("#card-today", Static).update(paint.today)
        self.query_one("#week-chart", ReportChart).show(paint.chart)
        self.show_figures(paint.overview, local_text(self.kootui.clock.now(), "%H:%M"))
        # Once they are painted: the rest of the opening would slow the painting down.
        self.call_after_refresh(self.kootui.first_read_done)

    def show_figures(self, overview: Overview, loaded_at: str) -> None:
        self.overview = overview
        for card_id, text in figure_cards(overview).items():
            self.query_one(f"#{card_id}", Static).update(text)
        subtitle = f"figures as of {loaded_at}"
        if is_empty(overview) and not self.kootui.settings.demo:
            subtitle += " · a new workspace: start with step 1, or run `kootui demo` to look around"
        self.query_one("#overview-loaded", Static).update(subtitle)
        guide = self.query_one("#guide", OptionList)
        highlighted = guide.highlighted
        guide.clear_options()
        titles = {page.id: page.title for page in self.kootui.pages}
        for step in overview.guide:
            guide.add_option(
                Option(guide_prompt(step, titles.get(step.page, step.page)), id=step.page)
            )
        first_open = next((s.number - 1 for s in overview.guide if not s.done), 0)
        guide.highlighted = highlighted if highlighted is not None else first_open

    @on(OptionList.OptionSelected, "#guide")
    def _open_chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.kootui.go_page(event.option.id)

    def action_open_step(self, number: int) -> None:
        if self.overview is None:
            return
        for step in self.overview.guide:
            if step.number == number:
                self.kootui.go_page(step.page)

    @work(group="workspace-edit", exit_on_error=False)
    async def action_edit_workspace(self) -> None:
        from kootui.tui.pages.overview.workspace_form import WorkspaceForm

        context = await self.kootui.opened_context()
        try:
            current = await asyncio.to_thread(read_workspace, context)
        except KootuiError as refusal:
            self.notify(user_message(refusal), severity="error")
            return
        saved = await self.app.push_screen_wait(WorkspaceForm(context, current))
        if saved is None:
            return
        self.kootui.show_workspace_name(saved.name)
        approval = "templates wait for approval" if saved.sensitive_industry else "no approval"
        self.notify(
            f"Workspace saved: {count_of(saved.max_domains, 'domain')} allowed, {approval}."
        )

    def action_open_selected_step(self) -> None:
        guide = self.query_one("#guide", OptionList)
        if guide.highlighted is not None and self.overview is not None:
            self.kootui.go_page(self.overview.guide[guide.highlighted].page)

    def action_api_keys(self) -> None:
        from kootui.tui.pages.overview.api_keys import ApiKeysDialog

        self.app.push_screen(ApiKeysDialog(self.kootui.context))
