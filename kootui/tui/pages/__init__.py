"""The console's top-level pages, in navigation order: one line per page.

Page ids match ``kootui.core.overview.GuideStep.page``; each page is a Textual mode
of the same name. When a page's issue lands, change its ``NotBuiltScreen`` to the
real screen class. Its ``g`` letter is the ``go-<id>`` key in ``kootui.tui.keys.registry``.
"""

from __future__ import annotations

from kootui.tui.pages.addresses.page import AddressesScreen
from kootui.tui.pages.details.page import SendingDetailsScreen
from kootui.tui.pages.domains.page import DomainsScreen
from kootui.tui.pages.overview.page import OverviewScreen
from kootui.tui.pages.suppression.page import SuppressionScreen
from kootui.tui.pages.tasks.page import TasksScreen
from kootui.tui.pages.templates.page import TemplatesScreen
from kootui.tui.shell.not_built import NotBuiltScreen
from kootui.tui.shell.page import PageScreen, PageSpec

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
        "suppression",
        "Suppression List",
        EMAIL,
        SuppressionScreen,
        "addresses tasks skip: unsubscribed, bounced, added by hand",
    ),
    PageSpec(
        "reports", "Statistics Report", EMAIL, NotBuiltScreen, "hourly, daily, monthly figures"
    ),
)

__all__ = ["PAGES", "PageScreen", "PageSpec"]
