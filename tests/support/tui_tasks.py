"""What the Sending Tasks page tests share: a store with senders and templates, and readers
of what is on screen."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from textual.widgets import Input, Select, Static

from kootui.core.context import Context
from kootui.core.store import Template, TemplateStatus
from kootui.tui.app import KootuiApp
from kootui.tui.pages.tasks.page import TasksScreen
from tests.support.task_seed import seed_sources
from tests.support.tui_domains import notices, shown_rows
from tests.support.tui_shell import build_app, settle


def seed_task_sources(context: Context) -> dict[str, int]:
    """seed_sources (plain and personal templates, a verified sender) and a public template."""
    ids = seed_sources(context)
    now = context.clock.now()
    with context.store.session() as session:
        public = Template(
            public_key="order-shipped",
            title="Order shipped",
            subject="Your order {{ order }} is on its way",
            body_type="text",
            body="Hello {{ name }}, order {{ order }} has shipped.",
            parameters=["name", "order"],
            status=TemplateStatus.APPROVED,
            created_at=now,
            updated_at=now,
        )
        session.add(public)
        session.flush()
        ids["public"] = public.id or 0
    return ids


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    workbook.save(path)
    return path


def write_clean_xlsx(path: Path, count: int) -> Path:
    """A workbook of ``count`` valid rows for the personal template (email, name, code),
    streamed with openpyxl's write-only mode so 20,000 rows take a second, not ten."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(["email", "name", "code"])
    for n in range(count):
        sheet.append([f"reader{n}@example.com", f"Reader {n}", f"C-{n}"])
    workbook.save(path)
    return path


async def open_tasks(app: KootuiApp, pilot: object) -> TasksScreen:
    await settle(pilot)
    app.go_page("tasks")
    await settle(pilot)
    page = app.page_screen
    assert isinstance(page, TasksScreen)
    return page


def text_of(app: KootuiApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def choose(pilot: object, selector: str, value: object) -> None:
    app = pilot.app  # type: ignore[attr-defined]
    app.screen.query_one(selector, Select).value = value
    await settle(pilot)


async def fill(pilot: object, selector: str, text: str) -> None:
    app = pilot.app  # type: ignore[attr-defined]
    field = app.screen.query_one(selector, Input)
    field.value = ""
    field.focus()
    await pilot.press(*text)  # type: ignore[attr-defined]


__all__ = ["build_app", "notices", "settle", "shown_rows"]
