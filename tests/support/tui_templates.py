"""What the Sender Addresses and Templates page tests share: stores with verified
domains, the console opened on a page, and readers of what is on screen."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select
from textual.widgets import Static

from kootui.core.context import Context
from kootui.core.domains import create_domain
from kootui.core.store import DomainStatus, SenderDomain, SendType, Task, TaskStatus
from kootui.tui.app import KootuiApp
from kootui.tui.pages.templates.editor import TemplateEditorScreen
from kootui.tui.shell.list_panel import ListPanel
from kootui.tui.widgets.page_grid import PageGrid
from tests.support.tui_shell import build_app, settle

SIZE = (120, 40)


def verified_domain(context: Context, name: str) -> int:
    """A domain as a passed DNS check leaves it (the domains issue's tests cover the check)."""
    domain_id = create_domain(context, name).id
    set_domain_status(context, domain_id, DomainStatus.PASSED)
    return domain_id


def set_domain_status(context: Context, domain_id: int, status: DomainStatus) -> None:
    with context.store.session() as session:
        domain = session.get(SenderDomain, domain_id)
        assert domain is not None
        domain.status = status
        session.add(domain)


def add_task(
    context: Context, *, address_id: int, template_id: int, name: str, status: TaskStatus
) -> int:
    """A task row as the tasks service leaves it (waiting to be sent)."""
    now = context.clock.now()
    with context.store.session() as session:
        task = Task(
            name=name,
            subject="s",
            template_id=template_id,
            address_id=address_id,
            send_type=SendType.SCHEDULED,
            status=status,
            scheduled_at=now + timedelta(days=1),
            recipient_source="manual",
            recipient_count=1,
            created_at=now,
        )
        session.add(task)
        session.flush()
        return task.id or 0


def domain_names(context: Context) -> list[str]:
    with context.store.session() as session:
        return list(session.exec(select(SenderDomain.name)).all())


async def open_page(app: KootuiApp, pilot: object, page_id: str) -> None:
    await settle(pilot)
    app.go_page(page_id)
    await settle(pilot)


def shown_rows(app: KootuiApp, list_id: str | None = None) -> list[list[str]]:
    """A list's rows as the user reads them (the page under any popups)."""
    page = app.page_screen
    assert page is not None
    panel = page.query_one(f"#{list_id}", ListPanel) if list_id else page.query_one(ListPanel)
    grid = panel.query_one(PageGrid)
    return [[str(cell) for cell in grid.get_row_at(i)[1:]] for i in range(grid.row_count)]


def text_of(app: KootuiApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


def notices(app: KootuiApp) -> list[str]:
    return [notification.message for notification in app._notifications]


async def wait_for_preview(pilot: object) -> None:
    """Past the editor's debounce, then until its worker's result has landed."""
    app: KootuiApp = pilot.app  # type: ignore[attr-defined]
    for _ in range(100):
        await pilot.pause(0.1)  # type: ignore[attr-defined]
        await app.workers.wait_for_complete()
        editors = [s for s in app.screen_stack if isinstance(s, TemplateEditorScreen)]
        if not editors or not editors[-1].preview_pending:
            break
    await settle(pilot)


__all__ = ["SIZE", "build_app", "settle"]
