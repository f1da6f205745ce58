"""The Connections screen's dialogs: connect a tool (token tried first), remove one (asks).

Adding does what ``pmcockpit connect add`` does: with ``PMCOCKPIT_TOKEN_<NAME>`` set
that token is used and nothing is stored; otherwise the typed token is tried
against the tool (who it belongs to, admin or not) and only then kept in the
system keyring, with Jira's optional admin API key beside it. No usable keyring:
its advice is shown and nothing is saved.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static
from textual.worker import Worker, WorkerState

from pmcockpit.core.i18n import N_, _
from pmcockpit.services.connection_setup import (
    TOOL_KINDS,
    NewConnection,
    SetupRefused,
    add_connection,
)
from pmcockpit.services.opener import ADMIN_KEY_OPTION
from pmcockpit.storage.db import Database
from pmcockpit.storage.queries.connections import shown_url

KIND_LABELS = {"redmine": "Redmine", "jira": "Jira", "gitlab": "GitLab"}


def parse_options(text: str) -> dict[str, str]:
    """``email=me@example.org ca_bundle=/etc/ca.pem`` (commas or spaces between)."""
    pairs = (part.split("=", 1) for part in text.replace(",", " ").split() if "=" in part)
    return {key.strip(): value.strip() for key, value in pairs if key.strip()}


class AddConnectionForm(ModalScreen[str | None]):
    """Name, kind, URL, token and options; dismissed with what was saved (None: nothing)."""

    CSS_PATH = "connections.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss_form", _("Cancel"), id="connection-form.cancel",
                tooltip=_("Close the form; nothing is saved")),
        Binding("ctrl+c", "app.quit", _("Quit"), show=False, id="connection-form.quit"),
    ]

    class _Failed(Message):
        def __init__(self, problem: str) -> None:
            super().__init__()
            self.problem = problem

    class _Saved(Message):
        def __init__(self, summary: str) -> None:
            super().__init__()
            self.summary = summary

    def __init__(self, db: Database, existing: list[str]) -> None:
        super().__init__()
        self.db = db
        self.existing = existing

    def compose(self) -> ComposeResult:
        with Vertical(id="connection-form", classes="connection-dialog") as form:
            form.border_title = _("Connect a tool")
            form.border_subtitle = _("Escape to cancel")
            with Grid(id="connection-fields"):
                yield Label(_("Name"))
                # The name rule (services.connection_rules) is checked again on saving.
                yield Input(placeholder="redmine-prod", compact=True, id="field-name",
                            restrict=r"[A-Za-z0-9_-]*", max_length=32)
                yield Label(_("Kind"))
                yield Select([(KIND_LABELS.get(kind, kind), kind) for kind in
                              TOOL_KINDS], prompt=_("Which tool"), compact=True,
                             id="field-kind")
                yield Label(_("URL"))
                yield Input(placeholder="https://redmine.example.org", compact=True,
                            id="field-url")
                yield Label(_("API token"))
                yield Input(password=True, compact=True, id="field-token",
                            placeholder=_("an administrator's token"))
                yield Label(_("Options"))
                yield Input(placeholder=_("optional: email=me@example.org (Jira)"),
                            compact=True, id="field-options")
                yield Label(_("Admin key"))
                yield Input(password=True, compact=True, id="field-admin-key",
                            placeholder=_("optional, Jira: org admin API key (admin_org_id=…)"))
            yield Static(_("The token is tried first, then kept in the system keyring, never "
                           "in a file. PMCOCKPIT_TOKEN_<NAME>, when set, wins and is not "
                           "stored."), classes="dialog-note")
            yield Static(id="connection-status")
            with Horizontal(classes="dialog-buttons"):
                yield Button(_("Cancel"), id="connection-cancel")
                yield Button(_("Test and save"), id="connection-save", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#field-name", Input).focus()

    def action_dismiss_form(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#connection-cancel")
    def cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted)
    def next_field(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()

    def _say(self, text: str, style: str) -> None:
        self.query_one("#connection-status", Static).update(Content.styled(text, style))

    def _entry(self) -> NewConnection | None:
        """The form's values, or None after saying what is missing."""
        name = self.query_one("#field-name", Input).value.strip()
        kind = self.query_one("#field-kind", Select).value
        url = self.query_one("#field-url", Input).value.strip().rstrip("/")
        if not name or not isinstance(kind, str) or not url:
            self._say(_("Give a name, the kind of tool and its URL."), "$text-warning")
            return None
        if not url.startswith(("https://", "http://")):
            self._say(_("The URL starts with https:// (or http://)."), "$text-warning")
            return None
        options = parse_options(self.query_one("#field-options", Input).value)
        if ADMIN_KEY_OPTION in options:
            # Options go to the database; a secret must not.
            self._say(_("The admin API key is a secret: give it in the Admin key field."),
                      "$text-warning")
            return None
        return NewConnection(name, kind, url, self.query_one("#field-token", Input).value.strip(),
                             options, self.query_one("#field-admin-key", Input).value.strip())

    @on(Button.Pressed, "#connection-save")
    def save(self) -> None:
        entry = self._entry()
        if entry is None:
            return
        trying = (_("Trying the token against {url}… (replaces the existing one)")
                  if entry.name in self.existing else _("Trying the token against {url}…"))
        # Never echo a URL's credentials: saving refuses them, the screen does not show them.
        self._say(trying.format(url=shown_url(entry.url)), "$text-muted")
        self.query_one("#connection-save", Button).disabled = True
        self.test_and_save(entry)

    @work(exclusive=True, exit_on_error=False, group="connection-add",
          description=N_("Trying the token"))
    async def test_and_save(self, entry: NewConnection) -> None:
        try:
            added = await add_connection(self.db, entry)
        except SetupRefused as error:
            self.post_message(self._Failed(str(error)))
            return
        self.post_message(self._Saved(_("{summary} Press s to sync it.").format(
            summary=added.summary())))

    @on(_Failed)
    def failed(self, message: _Failed) -> None:
        # The problem (a keyring's advice runs long) takes the place of the note.
        self.add_class("-problem")
        self._say(message.problem, "$text-error")
        self.query_one("#connection-save", Button).disabled = False

    @on(_Saved)
    def saved(self, message: _Saved) -> None:
        self.dismiss(message.summary)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            self.post_message(self._Failed(_("{error}. Nothing was saved.").format(
                error=event.worker.error)))


class ConfirmRemoval(ModalScreen[bool]):
    """Asks before a connection goes; Cancel has the focus, so Enter alone removes nothing."""

    CSS_PATH = "connections.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "keep", _("Cancel"), id="connection-remove.cancel",
                tooltip=_("Keep the connection")),
        Binding("ctrl+c", "app.quit", _("Quit"), show=False, id="connection-remove.quit"),
    ]

    def __init__(self, name: str) -> None:
        super().__init__()
        self.connection_name = name

    def compose(self) -> ComposeResult:
        with Vertical(id="removal-dialog", classes="connection-dialog") as dialog:
            dialog.border_title = _("Remove {name}?").format(name=self.connection_name)
            yield Static(
                _("This removes the connection {name}, everything synced from it (accounts, "
                  "projects, tickets, health history) and its token in the keyring. The tool "
                  "itself is not changed; the audit log keeps its entries.").format(
                      name=self.connection_name),
                markup=False,
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button(_("Cancel"), id="removal-cancel")
                yield Button(_("Remove {name}").format(name=self.connection_name),
                             id="removal-confirm",
                             variant="error")

    def on_mount(self) -> None:
        self.query_one("#removal-cancel", Button).focus()

    def action_keep(self) -> None:
        self.dismiss(False)

    @on(Button.Pressed, "#removal-cancel")
    def keep(self) -> None:
        self.dismiss(False)

    @on(Button.Pressed, "#removal-confirm")
    def confirm_removal(self) -> None:
        self.dismiss(True)
