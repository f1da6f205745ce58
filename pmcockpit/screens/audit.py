"""Audit: every action pmcockpit took in a tool, newest first; verify the chain, undo one.

The same log as ``pmcockpit audit list/verify`` and ``pmcockpit undo ID``. Undo goes
through the action dialog like any other change: a dry run of the reverse action,
a confirmation, then the run, itself recorded with the entry it undoes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Container
from textual.content import Content
from textual.message import Message
from textual.widgets import DataTable, Static

from pmcockpit.core.actions import Action
from pmcockpit.core.wording import plural
from pmcockpit.screens.action_dialog import ActionDialog
from pmcockpit.screens.base import LiveAreaScreen
from pmcockpit.services.actions import ActionRunner, Outcome, UndoError
from pmcockpit.storage import audit
from pmcockpit.storage.models import AuditEntry
from pmcockpit.widgets.empty_state import EmptyState

PAGE_SIZE = 200
"""Entries read at once; moving to the last row reads the next, older page."""

CUT = 40
"""Reasons, targets and errors are cut in the table; the detail below shows them whole."""

_STATUS_STYLE = {
    Outcome.SUCCEEDED.value: "$text-success",
    Outcome.FAILED.value: "$text-error",
    Outcome.REFUSED.value: "$text-warning",
}


@dataclass(frozen=True, slots=True)
class EntryRow:
    id: int
    at: datetime
    operator: str
    connection: str
    action: str
    target: str
    status: str
    reason: str
    error: str | None
    undo_of: int | None

    @classmethod
    def of(cls, entry: AuditEntry) -> EntryRow:
        return cls(entry.id, entry.at, entry.operator, entry.connection_name, entry.action,
                   entry.target, entry.status, entry.reason, entry.error, entry.undo_of)


def _cut(text: str | None) -> Text:
    text = (text or "").replace("\n", " ")
    return Text(text if len(text) <= CUT else text[: CUT - 1] + "…")


class AuditScreen(LiveAreaScreen):
    CSS_PATH = "audit.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("v", "verify", "Verify", id="audit.verify",
                tooltip="Check the hash chain: no entry edited or deleted"),
        Binding("u", "undo", "Undo", id="audit.undo",
                tooltip="Reverse the selected action where the tool allows (dry run first)"),
    ]

    class Loaded(Message):
        def __init__(self, rows: list[EntryRow], older: bool, more: bool) -> None:
            super().__init__()
            self.rows = rows
            self.older = older
            """An older page, to add below the rows shown; else the newest page."""
            self.more = more
            """Older entries remain beyond these."""

    class Verified(Message):
        def __init__(self, problems: list[str], entries: int) -> None:
            super().__init__()
            self.problems = problems
            self.entries = entries

    class UndoReady(Message):
        def __init__(self, entry_id: int, action: Action) -> None:
            super().__init__()
            self.entry_id = entry_id
            self.action = action

    class UndoRefused(Message):
        def __init__(self, entry_id: int, reason: str) -> None:
            super().__init__()
            self.entry_id = entry_id
            self.reason = reason

    rows: dict[int, EntryRow]
    more: bool

    def compose_body(self) -> ComposeResult:
        yield Static(id="audit-lead")
        yield DataTable(id="audit-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="audit-detail")
        with Container(id="audit-empty-holder", classes="empty-holder"):
            yield EmptyState("Reading the audit log…", id="audit-empty")

    def on_mount(self) -> None:
        self.rows, self.more = {}, False
        table = self.query_one(DataTable)
        table.add_column("#", key="id")
        table.add_column("When", key="when")
        # Styled cells are not measured by the table: their column gets a fixed width.
        table.add_column("Status", key="status", width=9)
        for label in ("Action", "Target", "Tool", "Who", "Reason", "Error"):
            table.add_column(label, key=label.lower())
        self._show_table(False)

    def _show_table(self, shown: bool) -> None:
        for selector in ("#audit-lead", "#audit-table", "#audit-detail"):
            self.query_one(selector).display = shown
        self.query_one("#audit-empty-holder").display = not shown

    # --- reading --------------------------------------------------------------------------

    def load(self) -> None:
        self.read_entries(None)

    @work(thread=True, exclusive=True, exit_on_error=False, group="audit",
          description="Reading the audit log")
    def read_entries(self, before_id: int | None) -> None:
        with self.workspace.db.session() as session:
            # One more than a page: whether older entries remain, without counting them all.
            found = audit.entries(session, limit=PAGE_SIZE + 1, before_id=before_id)
            rows = [EntryRow.of(entry) for entry in found[:PAGE_SIZE]]
        self.post_message(self.Loaded(rows, before_id is not None, len(found) > PAGE_SIZE))

    @on(Loaded)
    def show_entries(self, message: Loaded) -> None:
        if not message.older:
            self.rows = {}
        self.more = message.more
        if not message.rows and not self.rows:
            self.query_one(EmptyState).say(
                "No actions recorded yet.",
                "Every change pmcockpit makes in a tool (lock a user, change a membership, "
                "answer a ticket) is kept here: when, who, where, what, why and the outcome.",
            )
            self._show_table(False)
            return
        table = self.query_one(DataTable)
        selected = self.selected_id()
        with self.app.batch_update():
            if not message.older:
                table.clear()
            for row in message.rows:
                self.rows[row.id] = row
                # Text, not str: targets, reasons and errors are not markup.
                table.add_row(
                    str(row.id), f"{row.at:%Y-%m-%d %H:%M}",
                    Content.styled(row.status, _STATUS_STYLE.get(row.status, "")),
                    row.action, _cut(row.target), Text(row.connection), Text(row.operator),
                    _cut(row.reason), _cut(row.error), key=str(row.id),
                )
            if not message.older and selected in self.rows:
                table.move_cursor(row=table.get_row_index(str(selected)))
        lead = plural(len(self.rows), "entry", "entries") + ", newest first"
        if self.more:
            lead += "; older ones load at the end of the list"
        self.query_one("#audit-lead", Static).update(lead)
        self._show_table(True)
        self._show_detail()

    def selected_id(self) -> int | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return int(row_key.value) if row_key.value else None

    @on(DataTable.RowHighlighted)
    def _show_detail(self) -> None:
        table = self.query_one(DataTable)
        entry_id = self.selected_id()
        detail = self.query_one("#audit-detail", Static)
        if entry_id is None or entry_id not in self.rows:
            detail.update("")
            return
        if self.more and table.cursor_row == table.row_count - 1:
            self.more = False  # asked once; the page that arrives says whether more remain
            self.read_entries(min(self.rows))
        row = self.rows[entry_id]
        lines = [Content.assemble(
            (f"#{row.id} ", "bold"), f"{row.at:%Y-%m-%d %H:%M} UTC, {row.operator} on ",
            (row.connection, "bold"), ": ", row.action, " ",
            (row.status, _STATUS_STYLE.get(row.status, "")),
        ), Content(f"Target: {row.target}")]
        if row.undo_of:
            lines.append(Content.styled(f"Undoes #{row.undo_of}", "$text-muted"))
        lines.append(Content(f"Why: {row.reason}") if row.reason else
                     Content.styled("No reason given", "$text-muted"))
        if row.error:
            lines.append(Content.styled(f"Error: {row.error}", "$text-error"))
        detail.update(Content("\n").join(lines))

    # --- verify ---------------------------------------------------------------------------

    def action_verify(self) -> None:
        self.verify_chain()

    @work(thread=True, exclusive=True, exit_on_error=False, group="audit-verify",
          description="Verifying the audit log")
    def verify_chain(self) -> None:
        with self.workspace.db.session() as session:
            problems = [problem.message for problem in audit.verify(session)]
            entries = len(audit.entries(session, limit=1))
        self.post_message(self.Verified(problems, entries))

    @on(Verified)
    def verified(self, message: Verified) -> None:
        if not message.problems:
            empty = " (no entries yet)" if not message.entries else ""
            self.notify(f"No entry was edited or deleted{empty}.", title="Audit log intact")
            return
        shown = message.problems[:5]
        if len(message.problems) > 5:
            shown.append(f"… and {len(message.problems) - 5} more")
        self.notify("\n".join(shown), title="Audit log BROKEN", severity="error",
                    timeout=20, markup=False)

    # --- undo -----------------------------------------------------------------------------

    def action_undo(self) -> None:
        entry_id = self.selected_id()
        if entry_id is None:
            self.notify("No action recorded yet: nothing to undo.", severity="warning")
            return
        self.prepare_undo(entry_id)

    @work(thread=True, exclusive=True, exit_on_error=False, group="audit-undo",
          description="Preparing the undo")
    def prepare_undo(self, entry_id: int) -> None:
        # The reverse action comes from the entry's recorded state: a database read.
        try:
            action = ActionRunner(self.workspace).undo_action(entry_id, "")
        except UndoError as error:
            self.post_message(self.UndoRefused(entry_id, str(error)))
            return
        self.post_message(self.UndoReady(entry_id, action))

    @on(UndoRefused)
    def undo_refused(self, message: UndoRefused) -> None:
        self.notify(message.reason, title=f"Cannot undo #{message.entry_id}",
                    severity="warning", markup=False)

    @on(UndoReady)
    def undo_ready(self, message: UndoReady) -> None:
        self.app.push_screen(ActionDialog(self.workspace, [message.action],
                                          title=f"Undo #{message.entry_id}",
                                          undo_of=message.entry_id))
        # When the dialog closes this screen resumes and reads the log again.
