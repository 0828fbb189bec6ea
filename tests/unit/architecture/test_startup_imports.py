"""What start-up loads (issue 17, item 17): the console draws before any page's module or
the store's modules load, and the command line never loads Textual.

Checked in a fresh interpreter's ``sys.modules``, so an import added anywhere along the
way (a page's module, a shared widget, a core face) is caught, not only in app.py.
"""

from __future__ import annotations

import functools
import json
import subprocess
import sys

from kootui.tui.pages import PAGES, PageScreen

# Loaded by the store (SQLAlchemy, SQLModel, migrations) or by pages that read files.
STORE_LIBRARIES = ("sqlalchemy", "sqlmodel", "alembic", "openpyxl")
# What the Overview's figures do not need: migrations, workbooks, templates, mail, DNS.
NOT_FOR_THE_FIGURES = ("alembic", "openpyxl", "jinja2", "dkim", "dns", "lxml", "nh3")

PROGRAM = """
import json, sys
from kootui.cli import build_parser

build_parser().format_help()
seen = {"cli": sorted(sys.modules)}
import kootui.tui.app

seen["app"] = sorted(sys.modules)
from kootui.tui.pages import PAGES

PAGES[0].screen_factory()
seen["first page"] = sorted(sys.modules)
import kootui.core.bootstrap
import kootui.tui.pages.overview.week

seen["figures"] = sorted(sys.modules)
print(json.dumps(seen))
"""


@functools.cache  # one fresh interpreter serves every test here
def _loaded() -> dict[str, list[str]]:
    result = subprocess.run(
        [sys.executable, "-c", PROGRAM], capture_output=True, text=True, check=True
    )
    loaded: dict[str, list[str]] = json.loads(result.stdout)
    return loaded


def _from(modules: list[str], roots: tuple[str, ...]) -> list[str]:
    return [name for name in modules if name.split(".")[0] in roots]


def _pages(modules: list[str]) -> list[str]:
    return [name for name in modules if name.startswith("kootui.tui.pages.")]


def test_start_up_loads_no_page_and_nothing_of_the_store_before_the_first_frame() -> None:
    loaded = _loaded()
    assert _from(loaded["cli"], ("textual", *STORE_LIBRARIES)) == []
    assert _pages(loaded["app"]) == []
    assert _from(loaded["app"], STORE_LIBRARIES) == []
    # The first page is drawn before the store opens: it loads its queries on a thread.
    first_page_module = str(PAGES[0].screen).partition(":")[0]
    assert first_page_module in loaded["first page"]
    assert _from(loaded["first page"], STORE_LIBRARIES) == []


def test_the_overviews_figures_load_the_store_and_the_report_query_only() -> None:
    # The figures come about half a second after the first frame: every module on their
    # way is paid for there (the templates, the engine and DNS load once they are shown).
    loaded = _loaded()
    assert _from(loaded["figures"], NOT_FOR_THE_FIGURES) == []
    assert not [name for name in loaded["figures"] if name.startswith("kootui.core.details")]


def test_every_page_names_a_page_screen_that_imports() -> None:
    for page in PAGES:
        assert isinstance(page.screen, str), f"{page.id}: name the class, 'module:Class'"
        screen_class = page.screen_factory()
        assert isinstance(screen_class, type) and issubclass(screen_class, PageScreen), page.id


READ_AHEAD = """
import json, sys
import kootui.tui.read_ahead

seen = {"read ahead": sorted(sys.modules)}
import kootui.core.bootstrap
import kootui.tui.pages.overview.paint

seen["its figures"] = sorted(sys.modules)
print(json.dumps(seen))
"""


def test_the_read_ahead_forks_light_and_reads_without_textuals_app() -> None:
    # kootui.__main__ forks it before anything loads: what it imports, every start pays.
    loaded = json.loads(
        subprocess.run(
            [sys.executable, "-c", READ_AHEAD], capture_output=True, text=True, check=True
        ).stdout
    )
    assert _from(loaded["read ahead"], ("textual", "pydantic", *STORE_LIBRARIES)) == []
    assert not [name for name in loaded["read ahead"] if name.startswith("kootui.core")]
    # The child's figures need Textual's Content, not its app, screens or widgets.
    heavy = ("textual.app", "textual.screen", "textual.widget", "textual.widgets")
    assert [name for name in loaded["its figures"] if name.startswith(heavy)] == []
