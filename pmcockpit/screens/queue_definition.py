"""What forms a connection's support queue, edited from the Connections screen: one
field per ``queue.…`` option the tool knows (Redmine project, tracker, saved query;
Jira JQL; GitLab project and labels; the status "resolve" moves to). The same rules
as ``pmcockpit connect set NAME queue.… VALUE``; the next sync reads the queue anew."""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from pmcockpit.core.i18n import N_, _
from pmcockpit.core.queue_definition import KEYS, PREFIX
from pmcockpit.storage.db import Database

# Marked here, translated where shown: built at import, before a language is chosen.
HINTS = {
    "project": N_("identifier or id (Redmine), path or id (GitLab)"),
    "tracker": N_("tracker id"), "query_id": N_("saved query id"),
    "jql": N_("e.g. project = SUP AND resolution = Unresolved"),
    "labels": N_("comma-separated, all required"),
    "resolve_status": N_("the status Resolve moves a ticket to"),
    "kinds": N_("bugs, stories, tasks (ZenTao; bugs by default)"),
}


class QueueDefinitionDialog(ModalScreen[bool]):
    """Dismissed with True once saved (Enter in the last field), False on Escape."""

    CSS_PATH = "queue_dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", _("Cancel"), id="queue_definition.cancel",
                tooltip=_("Close without changing the queue")),
    ]

    class _Read(Message):
        def __init__(self, kind: str, options: dict[str, str]) -> None:
            super().__init__()
            self.kind = kind
            self.options = options

    class _Problem(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def __init__(self, db: Database, name: str) -> None:
        super().__init__()
        self.db = db
        self.connection = name
        self.kind = ""

    def compose(self) -> ComposeResult:
        with Vertical(id="definition-dialog") as dialog:
            dialog.border_title = _("The support queue of {name}").format(name=self.connection)
            dialog.border_subtitle = _("Enter in the last field to save · Escape to cancel")
            yield Static(_("Reading…"), id="definition-says", markup=False)

    def on_mount(self) -> None:
        self.read()

    @work(thread=True, exit_on_error=False, group="queue-definition",
          description=_("Reading the queue definition"))
    def read(self) -> None:
        from pmcockpit.services.connection_setup import queue_options

        self.post_message(self._Read(*queue_options(self.db, self.connection)))

    @on(_Read)
    def fill(self, message: _Read) -> None:
        self.kind = message.kind
        dialog = self.query_one("#definition-dialog")
        names = KEYS.get(message.kind, ())
        says = self.query_one("#definition-says", Static)
        if not names:
            says.update(_("{kind} tools have no queue definition: every ticket the token "
                          "sees is in the queue.").format(kind=message.kind))
            return
        says.update(_("Empty fields are left out: without any, every ticket the token "
                      "sees is in the queue."))
        for name in names:
            key = PREFIX + name
            hint = _(HINTS[name]) if name in HINTS else ""
            dialog.mount(Label(f"{key}  ({hint})" if hint else key))
            dialog.mount(Input(message.options.get(key, ""), id=f"definition-{name}",
                               compact=True))
        self.call_after_refresh(self.focus_next)

    @on(Input.Submitted)
    def next_or_save(self, event: Input.Submitted) -> None:
        event.stop()
        fields = list(self.query(Input))
        if event.input is not fields[-1]:
            self.focus_next()
            return
        values = {PREFIX + (f.id or "").removeprefix("definition-"): f.value for f in fields}
        self.save(values)

    @work(thread=True, exit_on_error=False, group="queue-definition",
          description=_("Saving the queue definition"))
    def save(self, values: dict[str, str]) -> None:
        from pmcockpit.services.connection_setup import SetupRefused, set_queue_options

        try:
            set_queue_options(self.db, self.connection, values)
        except SetupRefused as error:
            self.post_message(self._Problem(str(error)))
            return
        self.app.call_from_thread(self.dismiss, True)

    @on(_Problem)
    def refused(self, message: _Problem) -> None:
        self.query_one("#definition-says", Static).update(message.text)
        self.notify(message.text, severity="error")

    def action_cancel(self) -> None:
        self.dismiss(False)
