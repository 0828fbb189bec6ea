"""The workspace form: name, domain quota and the sensitive-industry flag.

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
        )
