"""The Overview's allowance panel: each package's emails left and last day, this month's
use and the billable pay-per-use count, warm-up caps of today, and the warning ahead of
running out. Text only: the figures are read with the others (``figures.read_figures``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.content import Content

from kootui.core.printable import printable
from kootui.tui.pages.overview.figures import AllowanceFigures

if TYPE_CHECKING:
    from kootui.core.packages import QuotaUsage
    from kootui.core.warmup import WarmupView

SHOWN_PACKAGES = 3


def outside_content(value: object) -> Content:
    """Outside text (a name a user typed) as Content: shown, never parsed as markup."""
    return Content(printable(value))


def allowance_text(figures: AllowanceFigures) -> Content:
    usage = figures.usage
    lines = [_packages_line(usage), _month_line(usage)]
    if figures.warmups:
        lines.append(_warmup_line(figures.warmups))
    if usage.warning:
        lines.append(Content.styled(f"⚠ {usage.warning}", "bold $status-warn"))
    return Content("\n").join(lines)


def _packages_line(usage: QuotaUsage) -> Content:
    head = Content.styled("Packages    ", "dim")
    if not usage.packages:
        beyond = "sending waits for one" if usage.hard_stop else "every email is pay-per-use"
        return Content.assemble(head, (f"none: {beyond}", ""))
    parts = [
        Content.assemble(
            outside_content(package.name),
            " ",
            (f"{package.left:,}", "bold"),
            (f" left · last day {package.last_day}", "dim"),
        )
        for package in usage.packages[:SHOWN_PACKAGES]
    ]
    more = len(usage.packages) - SHOWN_PACKAGES
    if more > 0:
        parts.append(Content.styled(f"+{more} more (g p)", "dim"))
    return Content.assemble(head, Content("   ").join(parts))


def _month_line(usage: QuotaUsage) -> Content:
    beyond = "a hard stop" if usage.hard_stop else "pay-per-use"
    return Content.assemble(
        ("This month  ", "dim"),
        (f"{usage.month_used:,}", "bold"),
        (" used · ", "dim"),
        (f"{usage.month_billable:,}", "bold"),
        (" billable · ", "dim"),
        (f"{usage.left:,}", "bold"),
        (f" left · beyond: {beyond}", "dim"),
    )


def _warmup_line(plans: list[WarmupView]) -> Content:
    parts = []
    for plan in plans:
        if plan.today_cap is None:
            text = Content.assemble(outside_content(plan.domain), (" warmed up", "dim"))
        else:
            text = Content.assemble(
                outside_content(plan.domain),
                " ",
                (f"{plan.used_today:,}/{plan.today_cap:,}", "bold"),
                (f" today (day {plan.day_number} of {len(plan.caps)})", "dim"),
            )
        parts.append(text)
    return Content.assemble(("Warm-up     ", "dim"), Content("   ").join(parts))
