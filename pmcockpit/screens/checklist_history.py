"""A checklist's history: its periods newest first, each on time, late or missed, with the
steps that failed and what was done about them, and the on-time rate since it was adopted.

It is what shows the administrator (and their manager) that the routine is kept.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Static

from pmcockpit.core.checklist.runs import done_words
from pmcockpit.core.i18n import N_, _
from pmcockpit.messages import HistoryLoaded
from pmcockpit.screens.base import Clock, LiveAreaScreen
from pmcockpit.services.checklist import HistoryEntry, history
from pmcockpit.services.workspace import Workspace
from pmcockpit.widgets.checklist_items import (
    failures_detail,
    failures_text,
    local_now,
    moment_label,
    period_label,
    rate_text,
    timeliness_cell,
)
from pmcockpit.widgets.row_table import RowTable

PERIOD_WIDTH = 15
OUTCOME_WIDTH = 9
"""Fits "✓ on time"."""
COMPLETED_WIDTH = 17
"""Fits "22 Jan 2025 09:29"."""
FAILURES_WIDTH = 27


class ChecklistHistoryScreen(LiveAreaScreen):
    CSS_PATH = "checklist_history.tcss"
    AUTO_FOCUS = "#history-table"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", _("Back"), id="checklist_history.back",
                tooltip=_("Back to where the history was opened")),
    ]

    def __init__(self, workspace: Workspace, template_key: str, name: str, *,
                 clock: Clock) -> None:
        super().__init__(workspace, clock=clock, title=_("Checklist"))
        self.template_key = template_key
        self._entries: dict[str, HistoryEntry] = {}

    def compose_body(self) -> ComposeResult:
        yield Static(_("Reading the history…"), id="history-rate")
        yield RowTable(id="history-table", cursor_type="row")
        with VerticalScroll(id="history-detail-box", can_focus=False):
            yield Static(id="history-detail")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        # Fixed widths: styled cells are not measured, and a header measured before the
        # rows arrive could be drawn narrower than them.
        table.add_column(_("Period"), width=PERIOD_WIDTH)
        table.add_column(_("Outcome"), width=OUTCOME_WIDTH)
        table.add_column(_("Completed"), width=COMPLETED_WIDTH)
        table.add_column(_("Failed steps"), width=FAILURES_WIDTH)

    def load(self) -> None:
        self.read_history()

    @work(thread=True, exclusive=True, exit_on_error=False, group="checklist-history",
          description=N_("Reading the checklist's history"))
    def read_history(self) -> None:
        now = local_now(self.clock)
        self.post_message(HistoryLoaded(history(self.workspace, self.template_key, now=now),
                                        now))

    @on(HistoryLoaded)
    def show_history(self, message: HistoryLoaded) -> None:
        found, now = message.history, message.now
        self.query_one("#history-rate", Static).update(
            rate_text(found.template.name, found.rate, found.since, now))
        # Before the first run there is nothing to list: the lead says so.
        self.query_one(DataTable).display = bool(found.entries)
        self.query_one("#history-detail-box").display = bool(found.entries)
        kind = found.template.recurrence.kind
        self._entries = {entry.period.key: entry for entry in found.entries}
        table = self.query_one(DataTable)
        with self.app.batch_update():
            table.clear()
            for entry in found.entries:
                run = entry.outcome.run
                if run is None:
                    completed = Text(_("no run"), style="dim")
                elif run.completed_at is not None and run.failures:
                    completed = Text(_("{moment}, {done}").format(
                        moment=moment_label(run.completed_at, now),
                        done=done_words(run.failures)), style="bold")
                elif run.completed_at is not None:
                    completed = Text(moment_label(run.completed_at, now))
                else:
                    completed = Text(_("{progress} done").format(progress=run.progress),
                                     style="dim")
                table.add_row(Text(period_label(entry.period, kind, now)),
                              timeliness_cell(entry.outcome.timeliness), completed,
                              failures_text(entry.failures, FAILURES_WIDTH),
                              key=entry.period.key)
        self._show_failures()

    @on(DataTable.RowHighlighted)
    def _show_failures(self) -> None:
        table = self.query_one(DataTable)
        detail = self.query_one("#history-detail", Static)
        if not table.row_count:
            detail.update("")
            return
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        detail.update(failures_detail(self._entries[str(row_key.value)].failures))

    def action_back(self) -> None:
        self.dismiss()
