"""Confirm and form dialogs: answers, errors beside fields, input kept, real inserts."""

from __future__ import annotations

from sqlalchemy import select
from textual.app import App, ComposeResult
from textual.color import Color
from textual.theme import Theme
from textual.widgets import Button, Checkbox, Input, Select, Static, TextArea

from kootui.core.context import Context
from kootui.core.errors import ValidationError
from kootui.core.store import SenderDomain
from kootui.tui.widgets import CheckboxField, ConfirmDialog, FormDialog, StatusBadge, TextField
from kootui.tui.widgets.page_grid import PageGrid
from tests.support.list_pattern_apps import DomainListApp, seed_domains, settle


class ConfirmApp(App[None]):
    def __init__(self, dialog: ConfirmDialog) -> None:
        super().__init__()
        self.dialog = dialog
        self.answers: list[bool | None] = []

    def on_mount(self) -> None:
        self.push_screen(self.dialog, self.answers.append)


def stored_names(context: Context) -> list[str]:
    with context.store.session() as session:
        return list(
            session.execute(select(SenderDomain.name).order_by(SenderDomain.name)).scalars()
        )


def shown_error(app: App[None], field: str) -> str:
    error = app.screen.query_one(f"#error-{field}", Static)
    return str(error.render()) if error.display else ""


async def test_confirm_answers_yes_with_y_and_no_with_n() -> None:
    for key, answer in (("y", True), ("n", False), ("escape", False)):
        app = ConfirmApp(ConfirmDialog("Pause task", "Pause sending of task spring-sale?"))
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press(key)
            await pilot.pause()
            assert app.answers == [answer]
            assert not isinstance(app.screen, ConfirmDialog)


async def test_enter_on_a_destructive_question_declines_by_default() -> None:
    app = ConfirmApp(ConfirmDialog("Delete", "Delete template 7?", destructive=True))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        assert app.answers == [False]


async def test_a_dangerous_action_needs_the_name_typed() -> None:
    dialog = ConfirmDialog(
        "Delete sender domain",
        "mystery.example.com will be deleted.",
        destructive=True,
        require_typing="mystery.example.com",
    )
    app = ConfirmApp(dialog)
    async with app.run_test(size=(80, 24)) as pilot:
        confirm = dialog.query_one("#confirm-yes", Button)
        assert confirm.disabled
        await pilot.press(*"mystery.example.co", "enter")  # one letter short: refused
        await pilot.pause()
        assert app.answers == [] and confirm.disabled
        # "y" went into the name, it did not answer the question.
        assert dialog.query_one("#confirm-typed", Input).value == "mystery.example.co"
        await pilot.press("m")
        assert not confirm.disabled
        await pilot.press("enter")
        await pilot.pause()
        assert app.answers == [True]


async def test_a_field_error_shows_beside_that_field_and_keeps_the_input(context: Context) -> None:
    app = DomainListApp(context)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FormDialog)
        await pilot.press(*"localhost")
        form.query_one("#field-note", TextArea).text = "for the spring campaign"
        form.query_one("#field-tracking", Checkbox).value = True
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form  # still open
        assert shown_error(app, "name") == "enter a domain name such as mail.example.com"
        assert shown_error(app, "status") == ""
        assert form.query_one("#field-name", Input).value == "localhost"
        assert form.query_one("#field-note", TextArea).text == "for the spring campaign"
        assert form.query_one("#field-tracking", Checkbox).value is True
        assert app.focused is form.query_one("#field-name", Input)
        assert stored_names(context) == []


async def test_a_conflict_from_the_store_names_the_field(context: Context) -> None:
    seed_domains(context, ["shop.example.com"])
    app = DomainListApp(context)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("a", *"Shop.example.com", "ctrl+s")
        await settle(pilot)
        assert shown_error(app, "name") == "shop.example.com is already a sender domain"
        assert isinstance(app.screen, FormDialog)


async def test_an_error_without_a_field_shows_at_the_top(context: Context) -> None:
    seed_domains(context, [f"d{n}.example.com" for n in range(30)])
    app = DomainListApp(context)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("a", *"one-more.example.com", "ctrl+s")
        await settle(pilot)
        banner = app.screen.query_one("#form-error", Static)
        assert banner.display
        assert str(banner.render()) == "a workspace has at most 30 domains; delete one first"
        assert shown_error(app, "name") == ""
        assert app.screen.query_one("#field-name", Input).value == "one-more.example.com"


async def test_a_successful_submit_stores_the_row_and_closes(context: Context) -> None:
    app = DomainListApp(context)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("a", *"localhost", "ctrl+s")  # first a mistake ...
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormDialog)
        form.query_one("#field-status", Select).value = "passed"
        form.query_one("#field-name", Input).value = "mail.example.com"
        await pilot.click("#form-submit")  # ... then fixed and saved with the mouse
        await settle(pilot)
        assert not isinstance(app.screen, FormDialog)
        assert stored_names(context) == ["mail.example.com"]
        assert len(app.results) == 1 and isinstance(app.results[0], int)


async def test_escape_cancels_the_form_without_storing(context: Context) -> None:
    app = DomainListApp(context)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("a", *"mail.example.com", "escape")
        await pilot.pause()
        assert not isinstance(app.screen, FormDialog)
        assert app.results == [None] and stored_names(context) == []


async def test_an_unexpected_failure_never_shows_its_text(context: Context) -> None:
    def submit(values: dict[str, object]) -> None:
        raise RuntimeError("connect to postgresql://kootui:s3cret@db failed")

    class FormApp(App[None]):
        def on_mount(self) -> None:
            self.push_screen(FormDialog("Relay", [TextField("host", "Host")], submit))

    app = FormApp()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"db", "ctrl+s")
        await settle(pilot)
        banner = str(app.screen.query_one("#form-error", Static).render())
        assert banner == "Could not save: unexpected RuntimeError."
        assert "s3cret" not in banner


def dot_colour(badge: StatusBadge) -> str:
    segment = next(s for s in badge.render_line(0) if s.text.strip())
    assert segment.text.startswith("●") and segment.style and segment.style.color
    return segment.style.color.triplet.hex if segment.style.color.triplet else ""


async def test_a_status_badge_takes_its_colour_from_the_theme() -> None:
    class BadgeApp(App[None]):
        def compose(self) -> ComposeResult:
            yield StatusBadge("failed")

    app = BadgeApp()
    app.register_theme(
        Theme(
            name="with-status",
            primary="#3366cc",
            error="#aa0000",
            variables={"status-bad": "#cc2288"},
        )
    )
    app.register_theme(Theme(name="without-status", primary="#3366cc", error="#bb1100"))
    async with app.run_test(size=(40, 5)) as pilot:
        badge = app.query_one(StatusBadge)
        assert badge.has_class("-bad") and "Failed" in str(badge.render())
        app.theme = "with-status"
        await pilot.pause()
        await pilot.pause()
        assert dot_colour(badge) == "#cc2288"  # the theme's $status-bad
        app.theme = "without-status"
        await pilot.pause()
        await pilot.pause()
        # No $status-bad: the theme's own $error (as Textual's colour system derives it).
        assert dot_colour(badge) == Color.parse(app.theme_variables["error"]).hex.lower()
        assert dot_colour(badge) != "#cc2288"


async def test_messages_and_labels_are_shown_as_written() -> None:
    def submit(values: dict[str, object]) -> None:
        raise ValidationError("use only [a-z] and [/] here", field="name")

    class FormApp(App[None]):
        def on_mount(self) -> None:
            fields = [TextField("name", "Name [required]"), CheckboxField("on", "[b]On[/b]")]
            self.push_screen(FormDialog("Task [EU] sale", fields, submit))

    app = FormApp()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("x", "ctrl+s")
        await settle(pilot)
        assert shown_error(app, "name") == "use only [a-z] and [/] here"
        assert str(app.screen.query_one("#form-title", Static).render()) == "Task [EU] sale"
        assert str(app.screen.query_one("#field-on", Checkbox).label) == "[b]On[/b]"


async def test_status_cells_in_the_table_follow_the_theme(context: Context) -> None:
    seed_domains(context, ["failed0.example.com", "failed1.example.com", "failed2.example.com"])
    app = DomainListApp(context)
    app.register_theme(
        Theme(name="red-bad", primary="#3366cc", variables={"status-bad": "#cc0000"})
    )
    app.register_theme(
        Theme(name="pink-bad", primary="#3366cc", variables={"status-bad": "#ff66cc"})
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        grid = app.query_one(PageGrid)

        def failed_dot_colour() -> str:
            cell = grid.get_cell("3", "status")  # the third domain is seeded as failed
            assert str(cell) == "● Failed"
            colour = cell.spans[0].style.color if cell.spans else cell.style.color
            return colour.triplet.hex if colour and colour.triplet else ""

        for theme, colour in (("red-bad", "#cc0000"), ("pink-bad", "#ff66cc")):
            app.theme = theme
            await settle(pilot)
            assert failed_dot_colour() == colour
