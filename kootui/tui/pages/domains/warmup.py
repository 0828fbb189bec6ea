"""A domain's warm-up plan on its details screen: the line that says today's cap and use,
and the form that sets the plan (the doubling curve or the user's own table) or clears it."""

from __future__ import annotations

from textual.content import Content

from kootui.core.context import Context
from kootui.core.errors import ValidationError
from kootui.core.warmup import WarmupView, clear_plan, parse_caps, set_plan, show_plan
from kootui.tui.widgets.form import CheckboxField, FormDialog, FormValues, TextField


def warmup_line(plan: WarmupView | None, set_key: str) -> Content:
    if plan is None:
        return Content.assemble(
            ("Warm-up  ", "dim"), "no plan: no daily cap", (f"  ({set_key} sets one)", "dim")
        )
    if plan.today_cap is None:
        today = Content.styled(f"day {plan.day_number}: the plan is over, no cap", "$status-ok")
    else:
        tone = "$status-warn" if plan.left_today == 0 else "$status-info"
        today = Content.assemble(
            (f"day {plan.day_number} of {len(plan.caps)}: ", ""),
            (f"{plan.used_today:,} of {plan.today_cap:,}", f"bold {tone}"),
            " sent today",
            (", the rest waits for tomorrow" if plan.left_today == 0 else "", "dim"),
        )
    return Content.assemble(
        ("Warm-up  ", "dim"), today, (f"  ·  {plan.curve}  ({set_key} changes)", "dim")
    )


def _whole(text: str, field: str) -> int | None:
    text = text.replace(",", "").strip()
    if not text:
        return None
    if not text.isdigit():
        raise ValidationError("give a whole number", field=field)
    return int(text)


def warmup_form(context: Context, domain_id: int, name: str) -> FormDialog[WarmupView | None]:
    current = show_plan(context, domain_id)

    def save(values: FormValues) -> WarmupView | None:
        if values["clear"]:
            clear_plan(context, domain_id)
            return None
        if values["caps"].strip():
            return set_plan(context, domain_id, caps=parse_caps(values["caps"]))
        target = _whole(values["target"], "target")
        if target is None:
            raise ValidationError(
                "give the last day's cap, or your own daily caps below", field="target"
            )
        return set_plan(context, domain_id, target=target, days=_whole(values["days"], "days"))

    curve = current is not None and not current.curve.startswith("own table")
    return FormDialog(
        f"Warm-up plan of {name} — daily caps from today (workspace time)",
        [
            TextField(
                "target",
                "Curve: 50 a day, doubling up to this cap on the last day",
                f"{current.caps[-1]}" if current and curve else "",
                placeholder="5000",
            ),
            TextField(
                "days",
                "Days of the curve",
                f"{len(current.caps)}" if current and curve else "14",
            ),
            TextField(
                "caps",
                "Or your own caps, day 1 first",
                ", ".join(str(c) for c in current.caps) if current and not curve else "",
                placeholder="50, 100, 250, 500",
            ),
            CheckboxField("clear", "Remove the plan (no daily cap)"),
        ],
        save,
    )
