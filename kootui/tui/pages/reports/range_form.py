"""The range picker: a report type and the first and last day (or month) to show.

The form asks the core for the report before it closes, so a refused range (reversed,
or more than one year back) is shown beside its field in the core's own words.
"""

from __future__ import annotations

from kootui.core.context import Context
from kootui.core.errors import ValidationError
from kootui.core.reports import ReportFilters, ReportType, statistics_report
from kootui.tui.pages.reports.view import TYPE_ORDER, ReportRange, parse_day
from kootui.tui.widgets.form import FormDialog, FormValues, SelectField, TextField


def chosen_range(context: Context, values: FormValues, filters: ReportFilters) -> ReportRange:
    """The typed range, checked by the core query itself (its refusal names the field)."""
    report_type = ReportType(values["type"] or ReportType.DAILY.value)
    days = {}
    for name in ("start", "end"):
        try:
            days[name] = parse_day(str(values[name]))
        except ValueError as error:
            raise ValidationError(str(error), field=name, code="report.bad_date") from None
    if report_type is ReportType.MONTHLY:
        days["start"] = days["start"].replace(day=1)
    chosen = ReportRange(report_type, days["start"], days["end"])
    statistics_report(context, chosen.query(filters))  # refuses what the page could not show
    return chosen


def range_form(
    context: Context, current: ReportRange, filters: ReportFilters
) -> FormDialog[ReportRange]:
    return FormDialog(
        "Show the report for…",
        [
            SelectField(
                "type",
                "Report type",
                [(kind.value.capitalize(), kind.value) for kind in TYPE_ORDER],
                value=current.type.value,
            ),
            TextField(
                "start", "From (YYYY-MM-DD; at most one year back)", current.start.isoformat()
            ),
            TextField("end", "To (YYYY-MM-DD, included)", current.end.isoformat()),
        ],
        lambda values: chosen_range(context, values, filters),
        submit_label="Show",
    )
