"""The keys of the console's pages: Sender Domains, Sender Addresses, Templates, Sending
Tasks, Sending Details and the file picker. Part of the one registry in
``kootui.tui.keys.registry`` (which documents scopes and ids); kept apart so each file stays
small enough to read.
"""

from __future__ import annotations

from kootui.tui.keys.key_action import KeyAction

PAGE_KEYS: tuple[KeyAction, ...] = (
    # Sender Domains: the list page, then a domain's details screen.
    KeyAction("domains-new", "n", "new_domain", "New", "domains", help="add a sender domain"),
    KeyAction(
        "domains-edit", "e", "edit_domain", "Rename", "domains", help="verification restarts"
    ),
    KeyAction("domains-delete", "d", "delete_domain", "Delete", "domains", help="asks first"),
    KeyAction("domains-verify", "v", "verify_domain", "Verify now", "domains", help="ask DNS now"),
    KeyAction(
        "domains-details",
        "enter",
        "open_details",
        "Details",
        "domains",
        help="records to publish, DNS doctor, zone snippet",
    ),
    KeyAction(
        "domain-details-copy",
        "c",
        "copy_snippet",
        "Copy snippet",
        "domain-details",
        help="the BIND zone snippet (OSC 52, works over SSH)",
    ),
    KeyAction(
        "domain-details-save",
        "w",
        "save_snippet",
        "Save snippet",
        "domain-details",
        help="write the zone snippet to a file",
    ),
    KeyAction(
        "domain-details-check",
        "v",
        "run_doctor",
        "Check DNS",
        "domain-details",
        help="ask the nameservers again",
    ),
    KeyAction(
        "domain-details-rotate",
        "r",
        "rotate_key",
        "Rotate DKIM key",
        "domain-details",
        help="the old key signs until the new one verifies",
    ),
    KeyAction(
        "domain-details-close",
        "escape",
        "close",
        "Back",
        "domain-details",
        help="back to the domain list",
    ),
    # Sender Addresses: the list page.
    KeyAction("addresses-new", "n", "new_address", "New", "addresses", help="on a verified domain"),
    KeyAction("addresses-delete", "d", "delete_address", "Delete", "addresses", help="asks first"),
    # Destinations: per-destination limits and the workspace rate, followed live.
    KeyAction("destinations-new", "n", "new_rule", "New", "destinations", help="a group's limit"),
    KeyAction("destinations-edit", "e", "edit_rule", "Edit", "destinations", help="rate, sessions"),
    KeyAction(
        "destinations-delete", "d", "delete_rule", "Delete", "destinations", help="asks first"
    ),
    KeyAction(
        "destinations-workspace",
        "w",
        "workspace_rate",
        "Workspace rate",
        "destinations",
        help="the whole workspace's rate",
    ),
    # Templates: the two lists (My templates, Public templates), then the editor.
    KeyAction("templates-mine", "1", "show_tab('mine')", "My templates", "templates", show=False),
    KeyAction(
        "templates-public", "2", "show_tab('public')", "Public templates", "templates", show=False
    ),
    KeyAction("templates-new", "n", "new_template", "New", "templates", help="opens the editor"),
    KeyAction("templates-edit", "e", "edit_template", "Edit", "templates", help="My templates"),
    KeyAction(
        "templates-copy",
        "c",
        "copy_template",
        "Copy",
        "templates",
        help='"Copy of …" in the editor',
    ),
    KeyAction("templates-delete", "d", "delete_template", "Delete", "templates", help="asks first"),
    KeyAction(
        "templates-preview",
        "enter",
        "preview_template",
        "Preview",
        "templates",
        help="the email with sample values",
    ),
    KeyAction(
        "templates-approve",
        "a",
        "approve_template",
        "Approve",
        "templates",
        help="operator; sensitive-industry workspaces",
    ),
    KeyAction(
        "templates-reject",
        "x",
        "reject_template",
        "Reject",
        "templates",
        help="operator, with a reason the author sees",
    ),
    KeyAction("editor-save", "ctrl+s", "save", "Save", "template-editor", priority=True),
    KeyAction(
        "editor-browser",
        "ctrl+b",
        "open_in_browser",
        "Browser",
        "template-editor",
        priority=True,
        help="the rendered HTML in the system browser",
    ),
    KeyAction(
        "editor-write-html",
        "ctrl+g",
        "write_html",
        "Save .html",
        "template-editor",
        priority=True,
        help="write the rendered HTML to a file",
    ),
    KeyAction(
        "editor-upload",
        "ctrl+o",
        "upload_html",
        "Upload HTML",
        "template-editor",
        priority=True,
        help="replace the body with a cleaned .html file",
    ),
    KeyAction(
        "editor-derive-text",
        "f4",
        "derive_text",
        "Derive text",
        "template-editor",
        help="plain-text part follows the HTML again",
    ),
    KeyAction(
        "editor-close", "escape", "close", "Close", "template-editor", help="asks when unsaved"
    ),
    KeyAction("preview-close", "escape", "close", "Close", "template-preview"),
    KeyAction("preview-close-q", "q", "close", "Close", "template-preview", show=False),
    KeyAction(
        "preview-copy", "c", "copy_template", "Copy", "template-preview", help="into My templates"
    ),
    # Sending Tasks: the list, the create form and its popups, a task's progress view.
    KeyAction("tasks-new", "n", "new_task", "New", "tasks", help="create a sending task"),
    KeyAction("tasks-cancel", "c", "cancel_task", "Cancel task", "tasks", help="asks first"),
    KeyAction("tasks-pause", "p", "pause_task", "Pause", "tasks", help="stop handing out messages"),
    KeyAction("tasks-resume", "u", "resume_task", "Resume", "tasks", help="a paused task"),
    KeyAction(
        "tasks-delete", "d", "delete_task", "Delete", "tasks", help="a finished task; asks first"
    ),
    KeyAction(
        "tasks-progress", "enter", "open_progress", "Progress", "tasks", help="fields and counts"
    ),
    KeyAction("task-create-submit", "ctrl+s", "submit", "Submit", "task-create"),
    KeyAction(
        "task-create-simulate",
        "ctrl+t",
        "simulate",
        "Simulator",
        "task-create",
        help="step through the rendered messages",
    ),
    KeyAction("task-create-attach", "ctrl+o", "attach", "Attach", "task-create", help="a file"),
    KeyAction(
        "task-create-unattach",
        "ctrl+b",
        "unattach",
        "Drop attachment",
        "task-create",
        help="the last one",
    ),
    KeyAction(
        "task-create-upload",
        "ctrl+l",
        "upload",
        "Upload xlsx",
        "task-create",
        help="recipients from a file",
    ),
    KeyAction(
        "task-create-sample",
        "ctrl+g",
        "sample",
        "Sample file",
        "task-create",
        help="write the sample .xlsx for this template",
    ),
    KeyAction(
        "task-create-unrecipient",
        "ctrl+y",
        "drop_recipient",
        "Drop address",
        "task-create",
        help="the last typed recipient",
    ),
    KeyAction("task-create-close", "escape", "close", "Close", "task-create", help="discard"),
    KeyAction(
        "task-report-accept", "enter", "accept", "Go on", "task-report", help="with the valid rows"
    ),
    KeyAction("task-report-cancel", "escape", "cancel", "Cancel", "task-report", help="the import"),
    KeyAction("task-simulator-next", "right,n", "next_row", "Next", "task-simulator"),
    KeyAction("task-simulator-previous", "left,p", "previous_row", "Previous", "task-simulator"),
    KeyAction("task-simulator-jump", "j", "jump_row", "Row…", "task-simulator", help="row N"),
    KeyAction("task-simulator-close", "escape", "close", "Close", "task-simulator"),
    KeyAction("task-progress-pause", "p", "pause_task", "Pause", "task-progress"),
    KeyAction("task-progress-resume", "u", "resume_task", "Resume", "task-progress"),
    KeyAction(
        "task-progress-cancel", "c", "cancel_task", "Cancel task", "task-progress", help="asks"
    ),
    KeyAction("task-progress-close", "escape", "close", "Back", "task-progress"),
    # Sending Details: the message list, a message's detail view, the export dialog.
    KeyAction(
        "details-reveal",
        "r",
        "reveal_row",
        "Reveal",
        "sending-details",
        help="this row's address; again hides it",
    ),
    KeyAction(
        "details-range",
        "w",
        "widen_range",
        "Widen range",
        "sending-details",
        help="24 hours, 7 days, 30 days, all",
    ),
    KeyAction(
        "details-export",
        "x",
        "export",
        "Export xlsx",
        "sending-details",
        help="the current filter, every page",
    ),
    KeyAction(
        "details-open",
        "enter",
        "open_message",
        "Details",
        "sending-details",
        help="attempts and raw headers",
    ),
    KeyAction(
        "message-detail-reveal",
        "r",
        "toggle_reveal",
        "Reveal",
        "message-detail",
        help="the recipient; again masks it",
    ),
    KeyAction(
        "message-detail-copy",
        "c",
        "copy_headers",
        "Copy headers",
        "message-detail",
        help="as shown (OSC 52, works over SSH)",
    ),
    KeyAction("message-detail-close", "escape", "close", "Back", "message-detail"),
    KeyAction("details-export-cancel", "escape", "cancel", "Cancel", "details-export"),
    # The file picker (attachments, recipient files, where to write a file).
    KeyAction(
        "file-picker-complete",
        "tab",
        "complete",
        "Complete",
        "file-picker",
        priority=True,
        help="the typed path",
    ),
    KeyAction("file-picker-tree", "down", "to_tree", "Tree", "file-picker", show=False),
    KeyAction("file-picker-cancel", "escape", "cancel", "Cancel", "file-picker"),
)
