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

from textual.binding import Binding, BindingType
from textual.keys import _normalize_key_list, format_key, key_to_character

from kootui.core.errors import SettingsError
from kootui.tui.keys.access_keys import ACCESS_KEYS
from kootui.tui.keys.key_action import KeyAction
from kootui.tui.keys.package_keys import PACKAGE_KEYS
from kootui.tui.keys.page_keys import PAGE_KEYS
from kootui.tui.keys.report_keys import REPORT_KEYS
from kootui.tui.keys.suppression_keys import SUPPRESSION_KEYS
from kootui.tui.keys.webhook_keys import WEBHOOK_KEYS

__all__ = ["BY_ID", "REGISTRY", "KeyAction", "bindings", "current_key", "in_scopes"]


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
    KeyAction("go-suppression", "u", "go_page('suppression')", "Suppression List", "go"),
    KeyAction("go-reports", "r", "go_page('reports')", "Statistics Report", "go"),
    KeyAction("go-destinations", "l", "go_page('destinations')", "Destinations", "go"),
    KeyAction("go-webhooks", "w", "go_page('webhooks')", "Webhooks", "go"),
    KeyAction("go-packages", "p", "go_page('packages')", "Packages", "go"),
    KeyAction("go-access", "i", "go_page('access')", "Access", "go"),
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
    KeyAction(
        "api-keys", "k", "api_keys", "API keys", "overview", help="keys for kootui serve's API"
    ),
    KeyAction("api-keys-new", "n", "new_key", "New", "api-keys", help="its secret is shown once"),
    KeyAction("api-keys-revoke", "d", "revoke_key", "Revoke", "api-keys", help="asks first"),
    KeyAction(
        "api-keys-smtp", "s", "smtp_logins", "SMTP logins", "api-keys", help="SMTP submission"
    ),
    KeyAction("api-keys-close", "escape", "close", "Back", "api-keys"),
    KeyAction(
        "smtp-logins-new", "n", "new_login", "New", "smtp-logins", help="password shown once"
    ),
    KeyAction("smtp-logins-revoke", "d", "revoke_login", "Revoke", "smtp-logins"),
    KeyAction("smtp-logins-close", "escape", "close", "Back", "smtp-logins"),
    KeyAction("smtp-password-copy", "c", "copy_password", "Copy", "smtp-password"),
    KeyAction("smtp-password-close", "escape", "close", "Done", "smtp-password"),
    KeyAction("api-key-secret-copy", "c", "copy_secret", "Copy", "api-key-secret"),
    KeyAction("api-key-secret-close", "escape", "close", "Done", "api-key-secret"),
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
    # An empty filter: the same key leaves the field for the list (else only Enter says so).
    KeyAction("filter-leave", "escape", "leave_filter", "Back to list", "filter"),
    KeyAction("search-clear", "ctrl+l", "clear_search", "Clear search", "search"),
    KeyAction("details-close", "escape", "close", "Close", "details"),
    KeyAction("details-close-enter", "enter", "close", "Close", "details", show=False),
    KeyAction("details-close-q", "q", "close", "Close", "details", show=False),
    KeyAction("confirm-yes", "y", "confirm", "Yes", "confirm"),
    KeyAction("confirm-no", "n", "decline", "No", "confirm"),
    KeyAction("confirm-cancel", "escape", "decline", "Cancel", "confirm"),
    KeyAction("form-submit", "ctrl+s", "submit", "Save", "form"),
    KeyAction("form-cancel", "escape", "cancel", "Cancel", "form"),
    *PAGE_KEYS,
    *REPORT_KEYS,
    *SUPPRESSION_KEYS,
    *WEBHOOK_KEYS,
    *PACKAGE_KEYS,
    *ACCESS_KEYS,
)

BY_ID: dict[str, KeyAction] = {action.id: action for action in REGISTRY}
if len(BY_ID) != len(REGISTRY):  # pragma: no cover - guards the table above
    raise RuntimeError("duplicate binding id in kootui.tui.keys.registry.REGISTRY")

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


def scope_bindings(scope: str) -> list[Binding]:
    """The Textual bindings of one scope, with default keys (the keymap overrides them)."""
    return [action.binding() for action in in_scopes([scope])]


def bindings(scope: str) -> list[BindingType]:
    """``scope_bindings`` typed as a screen's ``BINDINGS``."""
    return [*scope_bindings(scope)]


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
    "report-measures": ["report-measures"],
    "api-keys": ["api-keys"],
    "api-key-secret": ["api-key-secret"],
    "smtp-logins": ["smtp-logins"],
    "smtp-password": ["smtp-password"],
    "webhook-secret": ["webhook-secret"],
    "webhook-log": ["webhook-log"],
    "sign-in": ["sign-in"],
    "policy-editor": ["policy-editor"],
    "explain": ["explain"],
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
