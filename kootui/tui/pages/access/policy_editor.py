"""The policy editor: a policy's JSON with the core's problems shown as you type.

As in the template editor, the text is checked a moment after each change (on a
thread, by the core's ``check_policy``) and every problem is listed with its line and
column; saving runs the core's create or update, which checks again. A system policy
opens read-only.
"""

from __future__ import annotations

import asyncio
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Input, Label, Static, TextArea

from kootui.core.access import PolicyView, check_policy, create_policy, update_policy
from kootui.core.errors import KootuiError
from kootui.core.printable import printable
from kootui.tui.keys.registry import bindings
from kootui.tui.shell.kootui_node import KootuiNode
from kootui.tui.shell.rights import refusal_text
from kootui.tui.widgets.fitting_footer import FittingFooter

CHECK_DELAY = 0.3  # seconds after the last key before the text is checked
NEW_POLICY = """{
  "Version": "1.1",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": ["kooMessage:devSendTask:*"]
    }
  ]
}
"""


class PolicyEditorScreen(KootuiNode, ModalScreen[PolicyView | None]):
    """Dismissed with the saved policy, or None when closed without saving."""

    BINDINGS: ClassVar[list[BindingType]] = bindings("policy-editor")
    DEFAULT_CSS = """
    PolicyEditorScreen { align: center middle; }
    #policy-box { width: 96; max-width: 100%; height: 90%; padding: 0 1; }
    #policy-name { margin-bottom: 1; }
    #policy-text { height: 1fr; }
    #policy-problems { height: auto; max-height: 6; color: $text-error; }
    #policy-problems.-clear { color: $text-success; }
    """

    def __init__(self, policy: PolicyView | None) -> None:
        super().__init__()
        self.policy = policy
        self._timer: Timer | None = None
        self.problems: list[str] = []

    @property
    def read_only(self) -> bool:
        return self.policy is not None and self.policy.system

    def compose(self) -> ComposeResult:
        box = Vertical(id="policy-box", classes="dialog")
        if self.policy is None:
            box.border_title = "New policy"
        else:
            kind = "System policy (read-only)" if self.read_only else "Policy"
            box.border_title = printable(f"{kind}: {self.policy.name}")
        with box:
            if self.policy is None:
                yield Label("Name", markup=False)
                yield Input(id="policy-name", max_length=64, placeholder="Senders of example.com")
            yield TextArea(
                self.policy.document if self.policy else NEW_POLICY,
                id="policy-text",
                read_only=self.read_only,
                show_line_numbers=True,
                tab_behavior="indent",
            )
            yield Static("", id="policy-problems", markup=False)
        yield FittingFooter()

    def on_mount(self) -> None:
        target = "#policy-name" if self.policy is None else "#policy-text"
        self.query_one(target).focus()
        self.check_now()

    @on(TextArea.Changed, "#policy-text")
    def _edited(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(CHECK_DELAY, self.check_now)

    @work(group="policy-check", exclusive=True, exit_on_error=False)
    async def check_now(self) -> None:
        text = self.query_one("#policy-text", TextArea).text
        problems = await asyncio.to_thread(check_policy, text)
        self.problems = [str(problem) for problem in problems]
        shown = self.query_one("#policy-problems", Static)
        shown.set_class(not problems, "-clear")
        if self.read_only:
            shown.update("A system policy cannot be changed: copy its text into a new one.")
        elif problems:
            shown.update("\n".join(printable(f"✗ {problem}") for problem in problems))
        else:
            shown.update(f"✓ A valid policy — {self.kootui.key_display('policy-save')} saves.")

    @work(group="policy-save", exclusive=True, exit_on_error=False)
    async def action_save(self) -> None:
        if self.read_only:
            return
        text = self.query_one("#policy-text", TextArea).text
        context = self.kootui.context
        try:
            if self.policy is None:
                name = self.query_one("#policy-name", Input).value
                saved = await asyncio.to_thread(create_policy, context, name, text)
            else:
                saved = await asyncio.to_thread(update_policy, context, self.policy.name, text)
        except KootuiError as refusal:
            shown = self.query_one("#policy-problems", Static)
            shown.set_class(False, "-clear")
            shown.update(printable(f"✗ {refusal_text(refusal)}"))
            return
        self.dismiss(saved)

    def action_close(self) -> None:
        self.dismiss(None)
