"""Every key kootui binds, in one registry: id, default key, what it does, where it works.

The ids are Textual binding ids, so ``config.toml``'s ``[keys]`` table remaps them
(``help = "f1"``) through ``App.set_keymap``. The help panel, the footer and the
command palette all read this registry, so a remapped key shows up everywhere.

Scopes say where a key works:

- ``app``: on every page (bound on the App).
- ``go``: the letters after ``g`` (bound on the go-to popup).
- ``dialog``: inside popups (bound on each modal screen); ``jump``: in the ``:`` prompt.
- ``overview`` and later page names: on that page only (bound on its screen).

A page's screen lists its scopes in ``PageScreen.KEY_SCOPES``; the help panel shows
``app`` plus those.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from textual.binding import Binding
from textual.keys import _normalize_key_list, format_key, key_to_character

from kootui.core.errors import SettingsError


@dataclass(frozen=True)
class KeyAction:
    id: str
    key: str
    action: str
    description: str
    scope: str
    show: bool = True
    priority: bool = False
    help: str = ""
    group: str = ""  # the help panel shows a group's keys on one line

    def binding(self, key: str | None = None) -> Binding:
        return Binding(
            key or self.key,
            self.action,
            self.description,
            show=self.show,
            priority=self.priority,
            id=self.id,
            tooltip=self.help,
        )


# Page ids match kootui.core.overview.GuideStep.page; the go letters are keys like any other.
REGISTRY: tuple[KeyAction, ...] = (
    KeyAction("help", "question_mark", "show_help", "Help", "app", help="keys for this page"),
    KeyAction("jump", "colon", "jump", "Jump", "app", help="type part of a page's name"),
    KeyAction("go", "g", "go", "Go to", "app", help="then a page's letter"),
    KeyAction("filter", "slash", "focus_filter", "Filter", "app", help="focus this page's filter"),
    KeyAction(
        "palette",
        "ctrl+p",
        "command_palette",
        "Commands",
        "app",
        show=False,  # the footer shows the palette key at its right end by itself
        priority=True,
        help="every page, action and theme",
    ),
    KeyAction(
        "back", "escape", "go_back", "Back", "app", show=False, help="leave a field, or go back"
    ),
    KeyAction("refresh", "ctrl+r", "refresh_page", "Refresh", "app", help="reload this page"),
    KeyAction("quit", "q", "quit", "Quit", "app", help="leave kootui"),
    KeyAction("go-overview", "o", "go_page('overview')", "Overview", "go"),
    KeyAction("go-domains", "d", "go_page('domains')", "Sender Domains", "go"),
    KeyAction("go-addresses", "a", "go_page('addresses')", "Sender Addresses", "go"),
    KeyAction("go-templates", "t", "go_page('templates')", "Templates", "go"),
    KeyAction("go-tasks", "s", "go_page('tasks')", "Sending Tasks", "go"),
    KeyAction("go-details", "e", "go_page('details')", "Sending Details", "go"),
    KeyAction("go-reports", "r", "go_page('reports')", "Statistics Report", "go"),
    KeyAction("close", "escape", "close", "Close", "dialog", help="close this popup"),
    KeyAction("next-match", "down", "next_match", "Next match", "jump", show=False),
    KeyAction("previous-match", "up", "previous_match", "Previous match", "jump", show=False),
    *(
        KeyAction(
            f"step-{n}",
            str(n),
            f"open_step({n})",
            f"Guide step {n}",
            "overview",
            show=False,
            help="go to that step's page",
            group="Guide step",
        )
        for n in range(1, 7)
    ),
    KeyAction(
        "open-step", "enter", "open_selected_step", "Open step", "overview", help="the selected one"
    ),
    KeyAction(
        "workspace-settings",
        "w",
        "edit_workspace",
        "Workspace",
        "overview",
        help="name, domain quota, sensitive industry",
    ),
    # The list-page pattern (kootui.tui.widgets): tables, filters, dialogs.
    KeyAction("list-next-page", "right_square_bracket", "next_page", "Next page", "list"),
    KeyAction("list-previous-page", "left_square_bracket", "previous_page", "Prev page", "list"),
    KeyAction("list-toggle-mark", "space", "toggle_mark", "Mark", "list"),
    KeyAction(
        "list-clear-marks", "ctrl+backslash", "clear_marks", "Unmark all", "list", show=False
    ),
    KeyAction("list-cycle-sort", "s", "cycle_sort", "Sort", "list-sort"),
    KeyAction("list-reverse-sort", "S", "reverse_sort", "Reverse sort", "list-sort", show=False),
    KeyAction("filter-clear", "escape", "clear_filter", "Clear filter", "filter"),
    KeyAction("search-clear", "ctrl+l", "clear_search", "Clear search", "search"),
    KeyAction("details-close", "escape", "close", "Close", "details"),
    KeyAction("details-close-enter", "enter", "close", "Close", "details", show=False),
    KeyAction("details-close-q", "q", "close", "Close", "details", show=False),
    KeyAction("confirm-yes", "y", "confirm", "Yes", "confirm"),
    KeyAction("confirm-no", "n", "decline", "No", "confirm"),
    KeyAction("confirm-cancel", "escape", "decline", "Cancel", "confirm"),
    KeyAction("form-submit", "ctrl+s", "submit", "Save", "form"),
    KeyAction("form-cancel", "escape", "cancel", "Cancel", "form"),
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

BY_ID: dict[str, KeyAction] = {action.id: action for action in REGISTRY}
if len(BY_ID) != len(REGISTRY):  # pragma: no cover - guards the table above
    raise RuntimeError("duplicate binding id in kootui.tui.actions.REGISTRY")

MODIFIERS = frozenset({"ctrl", "shift", "alt", "meta", "super", "hyper"})
NAMED_KEYS = frozenset(
    {
        "enter", "escape", "tab", "backspace", "delete", "insert", "home", "end",
        "pageup", "pagedown", "up", "down", "left", "right", "space",
        *(f"f{n}" for n in range(1, 25)),
    }
)  # fmt: skip


def in_scopes(scopes: Iterable[str]) -> list[KeyAction]:
    wanted = set(scopes)
    return [action for action in REGISTRY if action.scope in wanted]


def bindings(scope: str) -> list[Binding]:
    """The Textual bindings of one scope, with default keys (the keymap overrides them)."""
    return [action.binding() for action in in_scopes([scope])]


def _check_key(binding_id: str, key: str, source: str) -> None:
    for one in key.split(","):
        *modifiers, name = one.strip().split("+")
        unknown = [m for m in modifiers if m not in MODIFIERS]
        if unknown or not name:
            raise SettingsError(
                f"{source}: keys.{binding_id} = {key!r} is not a key "
                f"(modifiers are {', '.join(sorted(MODIFIERS))})",
                code="settings.bad_key",
            )
        if len(name) == 1 or name in NAMED_KEYS or key_to_character(name) is not None:
            continue  # a character, a named key, or Textual's long name ("question_mark")
        raise SettingsError(
            f"{source}: keys.{binding_id} = {key!r} is not a key name such as 'ctrl+k' or 'f1'",
            code="settings.bad_key",
        )


def validate_keymap(keys: Mapping[str, str], source: str = "config.toml") -> dict[str, str]:
    """Check a ``[keys]`` table against the registry; return it normalised for Textual.

    An unknown id, a malformed key, or two keys of one scope (or a scope and ``app``)
    landing on the same key is a SettingsError naming them.
    """
    unknown = sorted(set(keys) - set(BY_ID))
    if unknown:
        raise SettingsError(
            f"{source}: unknown key binding id {', '.join(unknown)} "
            f"(known: {', '.join(sorted(BY_ID))})",
            code="settings.unknown_binding",
        )
    for binding_id, key in keys.items():
        _check_key(binding_id, key, source)
    normalised = {binding_id: _normalize_key_list(key) for binding_id, key in keys.items()}
    _check_clashes(normalised, source)
    return normalised


# Popups whose own keys win over the app's while they are open, so only clash among themselves.
MODAL_SCOPES: dict[str, list[str]] = {
    "go": ["go", "dialog"],
    "jump": ["jump", "dialog"],
    "dialog": ["dialog"],
    "details": ["details"],
    "confirm": ["confirm"],
    "form": ["form"],
    "template-preview": ["template-preview"],
    "task-create": ["task-create"],
    "task-report": ["task-report"],
    "task-simulator": ["task-simulator"],
    "file-picker": ["file-picker"],
    "details-export": ["details-export"],
}


def _check_clashes(keymap: Mapping[str, str], source: str) -> None:
    def keys_of(action: KeyAction) -> set[str]:
        return set(keymap.get(action.id, _normalize_key_list(action.key)).split(","))

    scopes = {action.scope for action in REGISTRY}
    for scope in scopes:
        # Modal scopes stand alone; page scopes share the screen with the app keys.
        together = MODAL_SCOPES.get(scope, ["app", scope])
        seen: dict[str, str] = {}
        for action in in_scopes(together):
            for key in keys_of(action):
                other = seen.get(key)
                if other is not None and other != action.id and action.id in keymap:
                    raise SettingsError(
                        f"{source}: keys.{action.id} = {format_key(key)!r} is already the key "
                        f"of {other}; pick another key or remap {other} too",
                        code="settings.key_clash",
                    )
                if other is not None and other != action.id and other in keymap:
                    raise SettingsError(
                        f"{source}: keys.{other} = {format_key(key)!r} is already the key "
                        f"of {action.id}; pick another key or remap {action.id} too",
                        code="settings.key_clash",
                    )
                seen[key] = action.id


def current_key(binding_id: str, keymap: Mapping[str, str]) -> str:
    """The key a binding answers to now (the keymap's, else the default), long form."""
    return keymap.get(binding_id) or _normalize_key_list(BY_ID[binding_id].key)
