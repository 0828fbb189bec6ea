"""The workspace form: name, domain quota, the sensitive-industry flag and the time zone
the Statistics Report's days and months follow.

Opened from the Overview page. The values live in the store, so every console and
worker sharing it sees the change; the header shows the new name at once.
"""

from __future__ import annotations

from kootui.core.context import Context
from kootui.core.errors import ValidationError
from kootui.core.workspace import WorkspaceView, update_workspace
from kootui.tui.widgets.form import CheckboxField, FormDialog, FormValues, TextField


class WorkspaceForm(FormDialog[WorkspaceView]):
    def __init__(self, context: Context, current: WorkspaceView) -> None:
        machine = current.time_zone_is_machine  # then time_zone is the machine's zone now
        super().__init__(
            "Workspace settings — shared by every console and worker on this store",
            [
                TextField("name", "Workspace name (shown in the header)", current.name),
                TextField(
                    "max_domains", "Sender domains allowed (1 to 1000)", str(current.max_domains)
                ),
                CheckboxField(
                    "sensitive_industry",
                    "Sensitive industry: new and edited templates wait for approval",
                    current.sensitive_industry,
                ),
                TextField(
                    "time_zone",
                    "Time zone of the Statistics Report's days and months (empty: this "
                    + (f"machine's, now {current.time_zone})" if machine else "machine's)"),
                    "" if machine else current.time_zone,
                    placeholder="an IANA name such as Europe/Berlin",
                ),
            ],
            lambda values: self._save(context, values),
        )

    @staticmethod
    def _save(context: Context, values: FormValues) -> WorkspaceView:
        text = str(values["max_domains"]).strip()
        if not text.isdigit():
            raise ValidationError("must be a whole number", field="max_domains")
        return update_workspace(
            context,
            name=str(values["name"]),
            max_domains=int(text),
            sensitive_industry=bool(values["sensitive_industry"]),
            time_zone=str(values["time_zone"]),
        )
