"""Audit: every action pmcockpit took in a tool, newest first; verify the chain, undo one.

The same log as ``pmcockpit audit list/verify`` and ``pmcockpit undo ID``. Undo goes
through the action dialog like any other change: a dry run of the reverse action,
a confirmation, then the run, itself recorded with the entry it undoes.
"""

from __future__ import annotations

from typing import ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Container
from textual.content import Content
from textual.message import Message
from textual.widgets import DataTable, Static

from pmcockpit.core.actions import Action
from pmcockpit.core.audit_words import action_word, state_word, target_words
from pmcockpit.core.i18n import N_, _, ngettext
from pmcockpit.screens.action_dialog import ActionDialog
from pmcockpit.screens.base import LiveAreaScreen
from pmcockpit.services import audit_log
from pmcockpit.services.actions import ConnectorError, Outcome, UndoError
from pmcockpit.services.reconcile import Reconciled, reconcile
from pmcockpit.services.undo import undo_action
from pmcockpit.storage.queries import audit as audit_reads
from pmcockpit.storage.queries.audit import EntryRow, escape_controls
from pmcockpit.widgets.columns import ColumnSpec, shown_columns, size_columns
from pmcockpit.widgets.empty_state import EmptyState

PAGE_SIZE = 200
"""Entries read at once; moving to the last row reads the next, older page."""

CUT = 40
"""Reasons, targets and errors are cut in the table; the detail below shows them whole."""

IN_DOUBT_STYLE = "bold $text-warning"
_STATUS_STYLE = {
    Outcome.SUCCEEDED.value: "$text-success",
    Outcome.FAILED.value: "$text-error",
    Outcome.REFUSED.value: "$text-warning",
    "intent": "$text-muted",
}


def _status(row: EntryRow) -> Content:
    if row.in_doubt:
        return Content.styled(_("IN DOUBT"), IN_DOUBT_STYLE)
    return Content.styled(state_word(row.status), _STATUS_STYLE.get(row.status, ""))


def _cut(text: str | None) -> Text:
    # Escaped: a newline or a terminal control in a reason must not forge a line.
    shown = escape_controls(text)
    # One line, ending with "…" where the column is narrower than the text.
    cut = Text(shown, no_wrap=True, overflow="ellipsis")
    cut.truncate(CUT, overflow="ellipsis")
    return cut


class AuditScreen(LiveAreaScreen):
    CSS_PATH = "audit.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("v", "verify", _("Verify"), id="audit.verify",
                tooltip=_("Check the keyed chain and its head: no entry edited, inserted or "
                          "deleted")),
        Binding("u", "undo", _("Undo"), id="audit.undo",
                tooltip=_("Reverse the selected action where the tool allows (dry run "
                          "first)")),
        Binding("r", "reconcile", _("Reconcile"), id="audit.reconcile",
                tooltip=_("Read back from the tools what became of the actions in doubt, "
                          "and record it")),
    ]

    class Loaded(Message):
        def __init__(self, page: audit_reads.EntryPage, older: bool) -> None:
            super().__init__()
            self.page = page
            self.older = older
            """An older page, to add below the rows shown; else the newest page."""

    class Verified(Message):
        def __init__(self, result: audit_log.Verification) -> None:
            super().__init__()
            self.result = result

    class ReconcileDone(Message):
        def __init__(self, done: list[Reconciled], problem: str | None = None) -> None:
            super().__init__()
            self.done = done
            self.problem = problem

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
            yield EmptyState(_("Reading the audit log…"), id="audit-empty")

    def on_mount(self) -> None:
        self.rows, self.more = {}, False
        self._build_columns({})
        self._show_table(False)

    def _labels(self) -> dict[str, str]:
        return {"id": "#", "when": _("When"), "status": _("Status"), "action": _("Action"),
                "target": _("Target"), "tool": _("Tool"), "who": _("Who"),
                "reason": _("Reason"), "error": _("Error")}

    def _build_columns(self, widths: dict[str, int]) -> None:
        """The columns that fit, in their order; rows are added again after."""
        table = self.query_one(DataTable)
        table.clear(columns=True)
        for key, label in self._labels().items():
            if widths.get(key, 1):
                # Styled cells are not measured by the table: status gets a fixed width.
                table.add_column(label, key=key, width=9 if key == "status" else None)

    def _add_rows(self, rows: list[EntryRow]) -> None:
        table = self.query_one(DataTable)
        shown = set(shown_columns(table))
        for row in rows:
            # Text, not str: targets, reasons and errors are not markup.
            cells = {"id": str(row.id), "when": f"{row.at:%Y-%m-%d %H:%M}",
                     "status": _status(row), "action": action_word(row.action),
                     "target": _cut(target_words(row.target)),
                     "tool": _cut(row.connection), "who": _cut(row.operator),
                     "reason": _cut(row.reason), "error": _cut(row.error)}
            table.add_row(*(cell for key, cell in cells.items() if key in shown),
                          key=str(row.id))

    def _show_table(self, shown: bool) -> None:
        for selector in ("#audit-lead", "#audit-table", "#audit-detail"):
            self.query_one(selector).display = shown
        self.query_one("#audit-empty-holder").display = not shown

    # --- reading --------------------------------------------------------------------------

    def load(self) -> None:
        self.read_entries(None)

    @work(thread=True, exclusive=True, exit_on_error=False, group="audit",
          description=N_("Reading the audit log"))
    def read_entries(self, before_id: int | None) -> None:
        with self.workspace.db.session() as session:
            page = audit_reads.page(session, limit=PAGE_SIZE, before_id=before_id)
        self.post_message(self.Loaded(page, before_id is not None))

    @on(Loaded)
    def show_entries(self, message: Loaded) -> None:
        if not message.older:
            self.rows = {}
        self.more = message.page.more
        if not message.page.rows and not self.rows:
            self.query_one(EmptyState).say(
                _("No actions recorded yet."),
                _("Every change pmcockpit makes in a tool (lock a user, change a membership, "
                  "answer a ticket) is kept here: when, who, where, what, why and the "
                  "outcome."),
            )
            self._show_table(False)
            return
        table = self.query_one(DataTable)
        selected = self.selected_id()
        with self.app.batch_update():
            if not message.older:
                table.clear()
            for row in message.page.rows:
                self.rows[row.id] = row
            self._add_rows(message.page.rows)
            if not message.older and selected in self.rows:
                table.move_cursor(row=table.get_row_index(str(selected)))
        self.query_one("#audit-lead", Static).update(self._lead())
        self._show_table(True)
        self._size_columns()
        self._show_detail()

    def on_resize(self) -> None:
        self._size_columns()

    def _size_columns(self) -> None:
        """Target and reason take the width; error, who, tool shrink first."""
        rows = self.rows.values()

        def longest(texts: list[str], floor: int) -> int:
            return min(CUT, max([floor, *(cell_len(escape_controls(t)) for t in texts)]))

        specs = [
            ColumnSpec("id", max([1, *(len(str(r.id)) for r in rows)])),
            ColumnSpec("status", 9),
            ColumnSpec("action", longest([action_word(r.action) for r in rows], 6), minimum=9),
            ColumnSpec("target", longest([target_words(r.target) for r in rows], 6), minimum=14,
                       grow=True, maximum=CUT),
            ColumnSpec("reason", longest([r.reason for r in rows], 6), minimum=16, grow=True,
                       maximum=CUT),
            ColumnSpec("when", 16, optional=True),
            ColumnSpec("who", longest([r.operator for r in rows], 3), minimum=5,
                       optional=True),
            ColumnSpec("tool", longest([r.connection for r in rows], 4), minimum=5,
                       optional=True),
            ColumnSpec("error", longest([r.error or "" for r in rows], 5), minimum=5,
                       grow=True, maximum=CUT, optional=True),
        ]
        table = self.query_one(DataTable)
        # The screen's width: the table's own follows its columns.
        available = self.size.width - 1
        widths = size_columns(table, specs, available)
        wanted = [key for key in self._labels() if widths.get(key, 1)]
        if wanted != shown_columns(table):  # a column left out, or back: rebuild
            selected = self.selected_id()
            with self.app.batch_update():
                self._build_columns(widths)
                self._add_rows(sorted(self.rows.values(), key=lambda r: -r.id))
                size_columns(table, specs, available)
                if selected in self.rows:
                    table.move_cursor(row=table.get_row_index(str(selected)))

    def _lead(self) -> Content:
        count = len(self.rows)
        lead = ngettext("{n} entry, newest first", "{n} entries, newest first",
                        count).format(n=count)
        if self.more:
            lead = _("{lead}; older ones load at the end of the list").format(lead=lead)
        doubtful = sum(row.in_doubt for row in self.rows.values())
        if not doubtful:
            return Content(lead)
        warning = ngettext("{n} action in doubt: r reconciles it",
                           "{n} actions in doubt: r reconciles them", doubtful).format(n=doubtful)
        return Content.assemble(lead, "  ", (warning, IN_DOUBT_STYLE))

    def selected_id(self) -> int | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        row_key, _column = table.coordinate_to_cell_key(table.cursor_coordinate)
        return int(row_key.value) if row_key.value else None

    def copy_target(self) -> tuple[str, str] | None:
        entry_id = self.selected_id()
        return None if entry_id is None else (_("audit id"), str(entry_id))

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
        detail.update(Content("\n").join(_detail_lines(self.rows[entry_id])))

    # --- verify ---------------------------------------------------------------------------

    def action_verify(self) -> None:
        self.verify_chain()

    @work(thread=True, exclusive=True, exit_on_error=False, group="audit-verify",
          description=N_("Verifying the audit log"))
    def verify_chain(self) -> None:
        self.post_message(self.Verified(audit_log.verify(self.workspace)))

    @on(Verified)
    def verified(self, message: Verified) -> None:
        result = message.result
        if result.intact:
            lines = [_("No entry was edited, inserted or deleted.") if result.entries
                     else _("No entries yet.")]
            if result.in_doubt:
                lines.append(ngettext("{n} action in doubt: press r to reconcile it.",
                                      "{n} actions in doubt: press r to reconcile them.",
                                      len(result.in_doubt)).format(n=len(result.in_doubt)))
            if result.legacy:
                lines.append(ngettext("{n} older entry is legacy, unkeyed.",
                                      "{n} older entries are legacy, unkeyed.",
                                      result.legacy).format(n=result.legacy))
            lines.append(_("Key: {source}.").format(source=result.key_source))
            self.notify("\n".join(lines), title=_("Audit log intact"), markup=False,
                        severity="warning" if result.in_doubt else "information")
            return
        shown = [problem.message for problem in result.problems[:5]]
        if len(result.problems) > 5:
            shown.append(_("… and {n} more").format(n=len(result.problems) - 5))
        self.notify("\n".join(shown), title=_("Audit log BROKEN"), severity="error",
                    timeout=20, markup=False)

    # --- reconcile ------------------------------------------------------------------------

    def action_reconcile(self) -> None:
        self.reconcile_in_doubt()

    @work(exclusive=True, exit_on_error=False, group="audit-reconcile",
          description=N_("Reconciling the actions in doubt"))
    async def reconcile_in_doubt(self) -> None:
        try:
            done = await reconcile(self.workspace)
        except ConnectorError as error:
            self.post_message(self.ReconcileDone([], str(error)))
            return
        self.post_message(self.ReconcileDone(done))

    @on(ReconcileDone)
    def reconciled(self, message: ReconcileDone) -> None:
        if message.problem:
            self.notify(message.problem, title=_("Could not reconcile"), severity="error",
                        markup=False)
        elif not message.done:
            self.notify(_("No action in doubt."), title=_("Reconcile"))
        else:
            lines = [item.line() for item in message.done]
            self.notify("\n".join(lines), title=ngettext(
                "{n} action reconciled", "{n} actions reconciled",
                len(message.done)).format(n=len(message.done)), markup=False)
        self.load()

    # --- undo -----------------------------------------------------------------------------

    def action_undo(self) -> None:
        entry_id = self.selected_id()
        if entry_id is None:
            self.notify(_("No action recorded yet: nothing to undo."), severity="warning")
            return
        self.prepare_undo(entry_id)

    @work(thread=True, exclusive=True, exit_on_error=False, group="audit-undo",
          description=N_("Preparing the undo"))
    def prepare_undo(self, entry_id: int) -> None:
        # The reverse action comes from the entry's recorded state, once the log verifies.
        try:
            action = undo_action(self.workspace, entry_id, "")
        except UndoError as error:
            self.post_message(self.UndoRefused(entry_id, str(error)))
            return
        self.post_message(self.UndoReady(entry_id, action))

    @on(UndoRefused)
    def undo_refused(self, message: UndoRefused) -> None:
        self.notify(message.reason, title=_("Cannot undo #{id}").format(id=message.entry_id),
                    severity="warning", markup=False)

    @on(UndoReady)
    def undo_ready(self, message: UndoReady) -> None:
        self.app.push_screen(ActionDialog(self.workspace, [message.action],
                                          title=_("Undo #{id}").format(id=message.entry_id),
                                          undo_of=message.entry_id))
        # When the dialog closes this screen resumes and reads the log again.


def _detail_lines(row: EntryRow) -> list[Content]:
    status = _status(row)
    lines = [Content.assemble(
        (f"#{row.id} ", "bold"),
        _("{at} UTC, {who} on ").format(at=f"{row.at:%Y-%m-%d %H:%M}",
                                       who=escape_controls(row.operator)),
        (escape_controls(row.connection), "bold"), ": ", action_word(row.action), " ", status,
    ), Content(_("Target: {target}").format(
        target=escape_controls(target_words(row.target))))]
    if row.in_doubt:
        lines.append(Content.styled(_("Logged before the tool was called, with no outcome: "
                                      "it may or may not have run. Press r to reconcile."),
                                    IN_DOUBT_STYLE))
    if row.intent_id:
        lines.append(Content.styled(_("Outcome of #{id}").format(id=row.intent_id),
                                    "$text-muted"))
    if row.undo_of:
        lines.append(Content.styled(_("Undoes #{id}").format(id=row.undo_of), "$text-muted"))
    lines.append(Content(_("Why: {reason}").format(reason=escape_controls(row.reason)))
                 if row.reason else Content.styled(_("No reason given"), "$text-muted"))
    if row.error:
        lines.append(Content.styled(_("Error: {error}").format(error=escape_controls(row.error)),
                                    "$text-error"))
    return lines
