"""An honest panel for a page whose issue is still open: what it will do, nothing more.

When a page lands, its line in ``kootui.tui.pages.PAGES`` changes from
``NotBuiltScreen`` to the real screen class and its plan here can go.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import Static

from kootui.tui.shell.page import PageScreen


@dataclass(frozen=True)
class PagePlan:
    issue: str  # where the work is tracked
    purpose: str
    will: tuple[str, ...]


# Taken from the seeds' user guide (section 5) and the open issues' texts.
PLANS: dict[str, PagePlan] = {
    "domains": PagePlan(
        "issue 3",
        "The enterprise identity you send from: a domain you own, verified through DNS.",
        (
            "Add, edit and delete sender domains (at most 10, each 1 to 66 characters).",
            "Generate the records to publish: DKIM, SPF, DMARC, tracking CNAME and MX.",
            "Verify them against real DNS, now and in the background, record by record.",
            "A DNS doctor: expected next to found, and a zone snippet to copy.",
        ),
    ),
    "addresses": PagePlan(
        "issue 4",
        "The address recipients see in From: a prefix on a verified domain.",
        (
            "Create an address on a verified domain, with an optional alias.",
            "Preview it as Alias <prefix@domain> before saving.",
            "Search by address and delete ones no running task uses.",
        ),
    ),
    "templates": PagePlan(
        "issue 4",
        "What the recipient reads: your own templates and the built-in public ones.",
        (
            "Write rich-text (HTML) or plain-text templates with up to 15 {{parameters}}.",
            "Watch a live preview while typing; copy, preview and delete templates.",
            "Upload an HTML file (cleaned), and approval for sensitive industries.",
            "Copy one of the public templates (codes, welcome, bills, notices, ...).",
        ),
    ),
    "tasks": PagePlan(
        "issue 5",
        "A task turns a template, a sender and recipients into one message per recipient.",
        (
            "Create a task: subject, template, sender, attachments up to 4 MB.",
            "Recipients typed by hand (up to 10) or from an xlsx file (up to 40 MB).",
            "Send now or at a scheduled time; cancel a scheduled task before it starts.",
            "Query by name and status, and watch a running task's progress live.",
        ),
    ),
    "access": PagePlan(
        "issue 15",
        "Who may do what: each person their own sign-in and only the rights their work needs.",
        (
            "Users, groups and JSON policies (Allow, Deny; a Deny always wins).",
            "Each user's API keys and SMTP logins, narrowed by the owner's policies.",
            "Explain: which statement of which policy allows or refuses an action.",
            "The audit log: who did what, from where, allowed or refused; filter, export.",
        ),
    ),
}


class NotBuiltScreen(PageScreen):
    """Says plainly that the page is not built yet and what it will do."""

    def compose_content(self) -> ComposeResult:
        plan = PLANS[self.page.id]
        lines = [
            Content.assemble(
                ("Not built yet", "bold $status-warn"), f" — tracked in {plan.issue}."
            ),
            Content(""),
            Content(plan.purpose),
            Content(""),
            Content.styled("This page will let you:", "bold"),
            *(Content(f"  • {item}") for item in plan.will),
            Content(""),
            Content.styled("Nothing here is shown as if it worked before it does.", "dim"),
        ]
        with Horizontal(classes="page-title-row"):
            yield Static(self.page.title, classes="page-title")
            yield Static(self.page.summary, classes="page-subtitle")
        with VerticalScroll(id="not-built", classes="panel"):
            yield Static(Content("\n").join(lines), id="not-built-text")
