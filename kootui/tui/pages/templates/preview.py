"""A stored template, previewed as a reader sees it (from either list of the Templates page).

My templates show their parameters as ``{{name}}``; public templates fill them with
the sample values shipped with them. The template is read and rendered off the
event loop; "copy" closes the preview with the template's id.
"""

from __future__ import annotations

import asyncio

from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from kootui.core.context import Context
from kootui.core.errors import KootuiError, user_message
from kootui.core.printable import printable
from kootui.core.senders import usable_addresses
from kootui.core.store import BodyType
from kootui.core.templates import TemplateView, get_template, public_template
from kootui.tui.keys.registry import bindings
from kootui.tui.shell.kootui_node import KootuiNode
from kootui.tui.widgets.fitting_footer import FittingFooter
from kootui.tui.widgets.status_badge import status_label
from kootui.tui.widgets.template_preview import (
    PLACEHOLDER_FROM,
    PreviewOutcome,
    PreviewPanel,
    compute_preview,
)


def public_samples(view: TemplateView) -> dict[str, str]:
    """A public template's own sample values (shipped with it), for its preview or copy."""
    try:
        return dict(public_template(view.public_key or "").samples)
    except KeyError:
        return {}


def read_preview(context: Context, template_id: int) -> tuple[TemplateView, PreviewOutcome, str]:
    """A stored template rendered with its sample values, and a sender to show (off the loop)."""
    view = get_template(context, template_id)
    senders = usable_addresses(context)
    sender = senders[0].preview if senders else PLACEHOLDER_FROM
    host = context.settings.sending.tracking_host
    outcome = compute_preview(view.draft(), public_samples(view), tracking_host=host)
    return view, outcome, sender


class TemplatePreviewScreen(KootuiNode, ModalScreen["int | None"]):
    """One stored template as a reader sees it; dismissed with its id when "copy" is chosen."""

    BINDINGS = bindings("template-preview")
    DEFAULT_CSS = """
    TemplatePreviewScreen { align: center middle; }
    TemplatePreviewScreen > #preview-box {
        width: 100; max-width: 95%; height: 90%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    TemplatePreviewScreen #preview-title { text-style: bold; }
    TemplatePreviewScreen #preview-facts { color: $text-muted; height: auto; }
    TemplatePreviewScreen #preview-keys { color: $text-muted; height: 1; }
    """

    def __init__(self, template_id: int) -> None:
        super().__init__()
        self.template_id = template_id

    def compose(self) -> ComposeResult:
        with Vertical(id="preview-box"):
            yield Label("reading…", id="preview-title", markup=False)
            yield Static("", id="preview-facts", markup=False)
            yield PreviewPanel(id="stored-preview")
            yield Static("", id="preview-keys", markup=False)
        yield FittingFooter()  # this dialog's keys, not the page's underneath

    def on_mount(self) -> None:
        self._load()
        app = self.kootui
        copy, close = app.key_display("preview-copy"), app.key_display("preview-close")
        self.query_one("#preview-keys", Static).update(
            f"{copy} copies it into My templates (opens the editor) · {close} closes"
        )
        self.query_one(PreviewPanel).focus()

    @work(group="template-preview", exit_on_error=False)
    async def _load(self) -> None:
        try:
            view, outcome, sender = await asyncio.to_thread(
                read_preview, self.kootui.context, self.template_id
            )
        except KootuiError as refusal:
            self.query_one("#preview-title", Label).update(printable(user_message(refusal)))
            return
        kind = "Public template" if view.is_public else "My template"
        title = printable(f"{kind} #{view.id}: {view.title}")
        self.query_one("#preview-title", Label).update(title)
        parameters = ", ".join(view.parameters) or "none"
        facts = [
            "HTML" if view.body_type == BodyType.HTML else "plain text",
            f"language {view.locale}",
            f"parameters: {parameters}",
            "sample values" if view.is_public else "parameters shown as {{name}}",
        ]
        if not view.is_public:
            facts.insert(0, status_label(view.status))
        # Parameter names come from the template's source.
        self.query_one("#preview-facts", Static).update(printable(" · ".join(facts)))
        panel = self.query_one(PreviewPanel)
        panel.sender = sender
        panel.show(outcome)

    def action_close(self) -> None:
        self.dismiss(None)

    def action_copy_template(self) -> None:
        self.dismiss(self.template_id)
