"""The console's top-level pages, in navigation order: one line per page.

Page ids match ``kootui.core.overview.GuideStep.page``; each page is a Textual mode
of the same name. A page's screen is named ``"module:Class"`` and imported the first
time the page is shown: this module imports no page, so the console draws at once
(``tests/unit/architecture/test_startup_imports.py`` holds it to that). A page whose
issue is still open shows ``NotBuiltScreen``. Its ``g`` letter is the ``go-<id>`` key in
``kootui.tui.keys.registry``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kootui.tui.shell.page_spec import PageSpec

if TYPE_CHECKING:
    from kootui.tui.shell.page import PageScreen

EMAIL = "Email"
ADMINISTRATION = "Administration"
NOT_BUILT = "kootui.tui.shell.not_built:NotBuiltScreen"

PAGES: tuple[PageSpec, ...] = (
    PageSpec(
        "overview",
        "Overview",
        "",
        "kootui.tui.pages.overview.page:OverviewScreen",
        "figures and the process guide",
    ),
    PageSpec(
        "domains",
        "Sender Domains",
        EMAIL,
        "kootui.tui.pages.domains.page:DomainsScreen",
        "domains verified through DNS",
    ),
    PageSpec(
        "addresses",
        "Sender Addresses",
        EMAIL,
        "kootui.tui.pages.addresses.page:AddressesScreen",
        "the From addresses",
    ),
    PageSpec(
        "templates",
        "Templates",
        EMAIL,
        "kootui.tui.pages.templates.page:TemplatesScreen",
        "what recipients read",
    ),
    PageSpec(
        "tasks",
        "Sending Tasks",
        EMAIL,
        "kootui.tui.pages.tasks.page:TasksScreen",
        "send now or on schedule",
    ),
    PageSpec(
        "details",
        "Sending Details",
        EMAIL,
        "kootui.tui.pages.details.page:SendingDetailsScreen",
        "what happened to each message",
    ),
    PageSpec(
        "suppression",
        "Suppression List",
        EMAIL,
        "kootui.tui.pages.suppression.page:SuppressionScreen",
        "addresses tasks skip: unsubscribed, bounced, added by hand",
    ),
    PageSpec(
        "reports",
        "Statistics Report",
        EMAIL,
        "kootui.tui.pages.reports.page:StatisticsReportScreen",
        "hourly, daily, monthly figures",
    ),
    PageSpec(
        "destinations",
        "Destinations",
        EMAIL,
        "kootui.tui.pages.destinations.page:DestinationsScreen",
        "per-destination limits, slowed destinations",
    ),
    PageSpec(
        "webhooks",
        "Webhooks",
        EMAIL,
        "kootui.tui.pages.webhooks.page:WebhooksScreen",
        "events POSTed to your systems, signed",
    ),
    PageSpec(
        "packages",
        "Packages",
        EMAIL,
        "kootui.tui.pages.packages.page:PackagesScreen",
        "emails bought for a period: used, left, billable beyond",
    ),
    PageSpec(
        "access",
        "Access",
        ADMINISTRATION,
        "kootui.tui.pages.access.page:AccessScreen",
        "users, groups, policies, the audit log",
    ),
)

__all__ = ["PAGES", "PageScreen", "PageSpec"]


def __getattr__(name: str) -> object:
    # PageScreen's module loads Textual, which this list does not need (the read-ahead
    # process imports the Overview's figures from under this package): loaded when asked.
    if name == "PageScreen":
        from kootui.tui.shell.page import PageScreen

        return PageScreen
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
