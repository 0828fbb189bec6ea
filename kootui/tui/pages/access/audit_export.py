"""Writing the audit log shown (its filter) to a CSV or JSON file only its owner reads."""

from __future__ import annotations

from pathlib import Path

from kootui.core.access import AuditFilter, audit_as_csv, audit_as_json, query_audit
from kootui.core.context import Context
from kootui.core.errors import ValidationError
from kootui.core.private_files import create_private_file
from kootui.tui.widgets.form import FormDialog, FormValues, SelectField, TextField


def write_audit(context: Context, audit_filter: AuditFilter, path: Path, kind: str) -> Path:
    """Run on a thread: the lines the filter selects, written as ``kind`` (csv or json)."""
    lines = query_audit(context, audit_filter)
    text = audit_as_json(lines) if kind == "json" else audit_as_csv(lines)
    create_private_file(path)
    path.write_text(text, encoding="utf-8")
    return path


def audit_export_dialog(context: Context, audit_filter: AuditFilter) -> FormDialog[Path]:
    def export(values: FormValues) -> Path:
        typed = str(values["path"]).strip()
        if not typed:
            raise ValidationError("type the file to write", field="path")
        path = Path(typed).expanduser()
        if path.is_dir():
            raise ValidationError(f"{path} is a folder: name a file in it", field="path")
        return write_audit(context, audit_filter, path, values["format"] or "csv")

    return FormDialog(
        "Export the audit log shown",
        [
            TextField("path", "File", value=str(Path.home() / "kootui-audit.csv")),
            SelectField("format", "Format", [("CSV", "csv"), ("JSON", "json")], value="csv"),
        ],
        export,
        submit_label="Export",
    )
