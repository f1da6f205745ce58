"""Checklist: the daily, weekly and monthly routine of the tools' upkeep.

Lists every checklist's current period, overdue first, then due, then done, with
its progress. Enter opens the period's run (created when first opened); ``h``
shows the checklist's history. Templates with mistakes are named with file and
line beneath the list; the others work as usual.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Static

from pmcockpit.core.i18n import N_, _
from pmcockpit.messages import OverviewLoaded, RunOpened
from pmcockpit.screens.base import Clock, LiveAreaScreen
from pmcockpit.screens.checklist_history import ChecklistHistoryScreen
from pmcockpit.screens.checklist_run import ChecklistRunScreen
from pmcockpit.services.checklist import DueItem, due_overview, open_current_run
from pmcockpit.services.templates import load_templates
from pmcockpit.services.workspace import Workspace
from pmcockpit.widgets.checklist_items import (
    about_template,
    cut,
    due_cell,
    due_label,
    local_now,
    overview_lead,
    problems_text,
    problems_title,
)
from pmcockpit.widgets.columns import ColumnSpec, size_columns
from pmcockpit.widgets.row_table import RowTable

STATE_WIDTH = 14
"""Fits "✗ OVERDUE 23h"."""
NAME_WIDTH = 30
NAME_CUT = 60
"""Names are cut here; the column shows what its width allows."""
PROGRESS_WIDTH = 8
DUE_WIDTH = 17
"""Fits "22 Jan 2025 10:00"."""


class ChecklistScreen(LiveAreaScreen):
    CSS_PATH = "checklist.tcss"
    AUTO_FOCUS = "#checklist-table"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open_run", _("Open"), id="checklist.open",
                tooltip=_("Open the highlighted checklist's run for this period")),
        Binding("h", "history", _("History"), id="checklist.history",
                tooltip=_("Past runs of the highlighted checklist, with its on-time rate")),
    ]

    def __init__(self, workspace: Workspace, *, clock: Clock, title: str) -> None:
        super().__init__(workspace, clock=clock, title=title)
        self._items: dict[str, DueItem] = {}
        self._state_width = STATE_WIDTH
        self._now = local_now(clock)
        """When the shown overview was read."""

    def compose_body(self) -> ComposeResult:
        yield Static(_("Reading the checklists…"), id="checklist-lead")
        yield RowTable(id="checklist-table", cursor_type="row")
        yield Static(id="checklist-about")
        # Focusable (tab) so a long list of problems can be scrolled by keys.
        with VerticalScroll(id="checklist-problems"):
            yield Static(id="checklist-problems-text")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        # Fixed widths: styled cells are not measured, and a header measured before the
        # rows arrive could be drawn narrower than them.
        table.add_column(_("State"), width=STATE_WIDTH, key="state")
        table.add_column(_("Checklist"), width=NAME_WIDTH, key="name")
        table.add_column(_("Progress"), width=PROGRESS_WIDTH, key="progress")
        table.add_column(_("Due"), width=DUE_WIDTH, key="due")
        self.query_one("#checklist-problems").display = False

    def load(self) -> None:
        self.read_overview()

    @work(thread=True, exclusive=True, exit_on_error=False, group="checklist",
          description=N_("Reading the checklists"))
    def read_overview(self) -> None:
        now = local_now(self.clock)
        templates = load_templates(self.workspace.settings)
        items = due_overview(self.workspace, now, templates)
        self.post_message(OverviewLoaded(items, templates.all_problems, now))

    @on(OverviewLoaded)
    def show_overview(self, message: OverviewLoaded) -> None:
        now = self._now = message.now
        self._items = {item.template.key: item for item in message.items}
        self.query_one("#checklist-lead", Static).update(overview_lead(message.items))
        table = self.query_one(DataTable)
        highlighted = self._highlighted_key()
        with self.app.batch_update():
            table.clear()
            states = [due_cell(item, now) for item in message.items]
            self._state_width = max([STATE_WIDTH, *(state.cell_length for state in states)])
            for item, state in zip(message.items, states, strict=True):
                table.add_row(state, Text(cut(item.template.name, NAME_CUT)),
                              str(item.progress), due_label(item.due_at, now),
                              key=item.template.key)
            self._size_columns()
            if highlighted in self._items:
                table.move_cursor(row=table.get_row_index(highlighted))
        problems = self.query_one("#checklist-problems")
        problems.display = bool(message.problems)
        if message.problems:
            problems.border_title = problems_title(message.problems)
            self.query_one("#checklist-problems-text", Static).update(
                problems_text(message.problems))
        self._show_about()

    def on_resize(self) -> None:
        self._size_columns()

    def _size_columns(self) -> None:
        """The name takes the width; the due date gives way first."""
        size_columns(self.query_one(DataTable), [
            ColumnSpec("state", self._state_width),
            ColumnSpec("name", NAME_WIDTH, minimum=16, grow=True, maximum=NAME_CUT),
            ColumnSpec("progress", PROGRESS_WIDTH),
            ColumnSpec("due", DUE_WIDTH, minimum=9),
        ], self.size.width - 1)

    @on(DataTable.RowHighlighted)
    def _show_about(self) -> None:
        item = self._items.get(self._highlighted_key() or "")
        about = self.query_one("#checklist-about", Static)
        about.display = item is not None
        if item is not None:
            about.update(about_template(item, self._now))

    def copy_target(self) -> tuple[str, str] | None:
        """The checklist's key, as ``pmcockpit checklist`` commands take it."""
        key = self._highlighted_key()
        return None if key is None else (_("checklist key"), key)

    def _highlighted_key(self) -> str | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return row_key.value

    # --- opening a run and the history ----------------------------------------------

    @on(DataTable.RowSelected)
    def row_chosen(self) -> None:
        self.action_open_run()

    def action_open_run(self) -> None:
        key = self._highlighted_key()
        if key is not None:
            self.open_run(key)

    @work(thread=True, exclusive=True, exit_on_error=False, group="checklist-open",
          description=N_("Opening the checklist run"))
    def open_run(self, template_key: str) -> None:
        detail = open_current_run(self.workspace, template_key, local_now(self.clock))
        self.post_message(RunOpened(detail))

    @on(RunOpened)
    def show_run(self, message: RunOpened) -> None:
        if self.app.screen is not self:
            return  # Enter pressed twice: the run is already open
        self.app.push_screen(ChecklistRunScreen(self.workspace, message.detail,
                                                clock=self.clock))

    def action_history(self) -> None:
        item = self._items.get(self._highlighted_key() or "")
        if item is not None:
            self.app.push_screen(ChecklistHistoryScreen(
                self.workspace, item.template.key, item.template.name, clock=self.clock))
