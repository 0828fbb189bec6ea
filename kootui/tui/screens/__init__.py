"""The console's top-level pages, in navigation order: one line per page.

Page ids match ``kootui.core.overview.GuideStep.page``; each page is a Textual mode
of the same name. When a page's issue lands, change its ``NotBuiltScreen`` to the
real screen class. Its ``g`` letter is the ``go-<id>`` key in ``kootui.tui.actions``.
"""

from __future__ import annotations

from kootui.tui.screens.addresses import AddressesScreen
from kootui.tui.screens.details import SendingDetailsScreen
from kootui.tui.screens.domains import DomainsScreen
from kootui.tui.screens.not_built import NotBuiltScreen
from kootui.tui.screens.overview import OverviewScreen
from kootui.tui.screens.page import PageScreen, PageSpec
from kootui.tui.screens.tasks import TasksScreen
from kootui.tui.screens.templates import TemplatesScreen

EMAIL = "Email"

PAGES: tuple[PageSpec, ...] = (
    PageSpec("overview", "Overview", "", OverviewScreen, "figures and the process guide"),
    PageSpec("domains", "Sender Domains", EMAIL, DomainsScreen, "domains verified through DNS"),
    PageSpec("addresses", "Sender Addresses", EMAIL, AddressesScreen, "the From addresses"),
    PageSpec("templates", "Templates", EMAIL, TemplatesScreen, "what recipients read"),
    PageSpec("tasks", "Sending Tasks", EMAIL, TasksScreen, "send now or on schedule"),
    PageSpec(
        "details", "Sending Details", EMAIL, SendingDetailsScreen, "what happened to each message"
    ),
    PageSpec(
        "reports", "Statistics Report", EMAIL, NotBuiltScreen, "hourly, daily, monthly figures"
    ),
)

__all__ = ["PAGES", "PageScreen", "PageSpec"]
