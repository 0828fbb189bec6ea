"""An action on the marked rows of a list (else the row under the cursor), one way for
every page: one confirmation naming the count, each row changed on its own, and a notice
naming every row that was left alone and why. Nothing is half-done in silence.

    await act_on_targets(self, self.task_list, BulkAction(
        verb="Cancel", done="Cancelled", noun="task",
        check=lambda context, key: task_check(context, key, "cancel"),
        change=lambda context, key: cancel_task(context, int(key)),
        question="Their messages that have not gone yet are cancelled.",
        destructive=True,
    ))

``check`` runs first for every target (on a thread) and returns how the row is named and,
when the row cannot take the action, why not; the dialog then asks about the rows that can
and lists the others. ``change`` runs after the answer; a row that changed meanwhile is
reported as refused with the core's reason.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.widget import Widget

from kootui.core.context import Context
from kootui.core.errors import KootuiError, user_message
from kootui.core.plural import count_of
from kootui.tui.widgets.dialogs import ConfirmDialog

if TYPE_CHECKING:
    from kootui.tui.shell.list_panel import ListPanel

SHOWN_NAMES = 8  # a dialog lists this many rows by name, then "and N more"


@dataclass(frozen=True)
class Checked:
    key: str
    label: str  # how the user knows the row: 'task 3 “Spring”', an address
    refusal: str | None = None  # why this row cannot take the action


@dataclass(frozen=True)
class BulkAction:
    verb: str  # "Delete"
    done: str  # "Deleted"
    noun: str  # "task": counted with kootui.core.plural
    check: Callable[[Context, str], Checked]
    change: Callable[[Context, str], object]
    question: str = ""  # what happens to each row, under the title
    confirm: bool = True
    destructive: bool = False
    typed: bool = False  # more than one row: the user types "delete 3" to confirm


@dataclass(frozen=True)
class BulkOutcome:
    done: list[Checked]
    refused: list[tuple[Checked, str]]


def check_all(context: Context, action: BulkAction, keys: Sequence[str]) -> list[Checked]:
    checked = []
    for key in keys:
        try:
            checked.append(action.check(context, key))
        except KootuiError as refusal:  # gone since the list was read
            checked.append(Checked(key, f"{action.noun} {key}", user_message(refusal)))
    return checked


def change_all(context: Context, action: BulkAction, targets: Sequence[Checked]) -> BulkOutcome:
    done: list[Checked] = []
    refused: list[tuple[Checked, str]] = []
    for target in targets:
        try:
            action.change(context, target.key)
        except KootuiError as refusal:  # changed meanwhile: said, not hidden
            refused.append((target, user_message(refusal)))
        else:
            done.append(target)
    return BulkOutcome(done, refused)


def names(targets: Sequence[Checked]) -> str:
    shown = [f"  {target.label}" for target in targets[:SHOWN_NAMES]]
    if len(targets) > SHOWN_NAMES:
        shown.append(f"  and {len(targets) - SHOWN_NAMES:,} more")
    return "\n".join(shown)


def refusals(action: BulkAction, refused: Sequence[tuple[Checked, str]]) -> str:
    lines = [f"  {target.label}: {reason}" for target, reason in refused[:SHOWN_NAMES]]
    if len(refused) > SHOWN_NAMES:
        lines.append(f"  and {len(refused) - SHOWN_NAMES:,} more")
    return "\n".join(lines)


def question_for(action: BulkAction, able: Sequence[Checked], unable: Sequence[Checked]) -> str:
    parts = [action.question] if action.question else []
    if len(able) > 1:
        parts.append(names(able))
    if unable:
        left = [(target, target.refusal or "") for target in unable]
        parts.append(
            f"Left as {'it is' if len(unable) == 1 else 'they are'} "
            f"({count_of(len(unable), action.noun)}):\n{refusals(action, left)}"
        )
    return "\n\n".join(parts)


def outcome_notice(action: BulkAction, outcome: BulkOutcome, skipped: int) -> str:
    verb_past = action.done
    if len(outcome.done) == 1 and not outcome.refused and not skipped:
        return f"{verb_past} {outcome.done[0].label}."
    if not outcome.done:
        return f"Not {verb_past.lower()}:\n{refusals(action, outcome.refused)}"
    text = f"{verb_past} {count_of(len(outcome.done), action.noun)}."
    if skipped:
        text += f" {count_of(skipped, action.noun)} left as before (see above)."
    if outcome.refused:
        text += (
            f" Not {verb_past.lower()} ({count_of(len(outcome.refused), action.noun)}):\n"
            + refusals(action, outcome.refused)
        )
    return text


async def act_on_targets(node: Widget, panel: ListPanel, action: BulkAction) -> bool:
    """Ask, change and report for ``panel.target_keys()``; True when anything changed."""
    keys = panel.target_keys()
    if not keys:
        node.notify(f"No {action.noun} is selected.", timeout=4)
        return False
    context: Context = node.app.context  # type: ignore[attr-defined]
    checked = await asyncio.to_thread(check_all, context, action, keys)
    able = [target for target in checked if target.refusal is None]
    unable = [target for target in checked if target.refusal is not None]
    if not able:
        reasons = refusals(action, [(target, target.refusal or "") for target in unable])
        node.notify(f"Nothing to {action.verb.lower()}:\n{reasons}", severity="error", timeout=10)
        return False
    if action.confirm or unable:
        one = len(able) == 1
        what = able[0].label if one else count_of(len(able), action.noun)
        dialog = ConfirmDialog(
            f"{action.verb} {what}?",
            question_for(action, able, unable),
            confirm_label=f"{action.verb} {'' if one else len(able)}".strip(),
            decline_label="Keep" if action.destructive else "No",
            destructive=action.destructive,
            require_typing=f"{action.verb.lower()} {len(able)}"
            if action.typed and not one
            else None,
        )
        if not await node.app.push_screen_wait(dialog):
            return False
    outcome = await asyncio.to_thread(change_all, context, action, able)
    notice = outcome_notice(action, outcome, len(unable))
    if outcome.refused:
        node.notify(notice, severity="warning", timeout=10)
    else:
        node.notify(notice, timeout=5)
    panel.reload(clear_marks=bool(outcome.done))
    return bool(outcome.done)


__all__ = ["BulkAction", "Checked", "act_on_targets"]
