"""Queue: the open support tickets of every tool, most urgent first, with both clocks.

``/`` filters (text and ``sla:`` ``status:`` ``priority:`` ``tool:`` ``assignee:`` terms,
in SQL, debounced), ``b`` shows the breached ones, Enter opens a ticket full-screen
with its actions; wide, a pane beside the table shows the ticket under the cursor.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Container, Horizontal
from textual.message import Message
from textual.timer import Timer
from textual.widgets import DataTable, Input, Static

from pmcockpit.core.i18n import _
from pmcockpit.core.queue_filter import QueueFilter, describe_filter, parse_filter
from pmcockpit.screens.base import LiveAreaScreen
from pmcockpit.screens.queue_dialogs import AddTicketDialog, NewRequest
from pmcockpit.screens.queue_ticket import TicketLoaded, TicketScreen
from pmcockpit.services import tickets
from pmcockpit.services.queue import CalendarError, sla_policy
from pmcockpit.storage.queries.queue import count_connections
from pmcockpit.storage.queries.queue_list import QueueRow, queue_rows
from pmcockpit.storage.queries.queue_metrics import QueueMetrics, queue_metrics
from pmcockpit.storage.queries.tickets import TicketNotFound, ticket_detail
from pmcockpit.widgets.empty_state import EmptyState
from pmcockpit.widgets.queue_detail import TicketPane
from pmcockpit.widgets.queue_table import QueueTable

PAGE_SIZE = 500
"""Rows shown at once: the table stays quick however long the queue grows."""
DEBOUNCE = 0.15
"""Seconds of quiet in the filter before the queue is read again."""
WIDE = 120
"""From this width the ticket under the cursor is shown beside the table."""
PANE_WIDTH = 60
"""The side pane's width (queue.tcss says the same)."""


class QueueLoaded(Message):
    def __init__(self, rows: list[QueueRow], total: int, metrics: QueueMetrics | None,
                 problem: str | None = None, connections: int = 0) -> None:
        super().__init__()
        self.connections = connections
        self.rows = rows
        self.total = total
        self.metrics = metrics
        self.problem = problem


class QueueScreen(LiveAreaScreen):
    CSS_PATH = "queue.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("o", "open_ticket", _("Open"), id="queue.open",
                tooltip=_("Open the ticket full-screen: conversation and actions "
                          "(Enter too)")),
        Binding("slash", "filter", _("Filter"), id="queue.filter",
                tooltip=_("Filter by text and sla: status: priority: tool: assignee:")),
        Binding("b", "breached", _("Breached"), id="queue.breached",
                tooltip=_("Show only tickets with a breached clock (again: all)")),
        Binding("a", "add", _("Add"), id="queue.add",
                tooltip=_("Record a request that came by phone or chat")),
        Binding("escape", "clear_filter", _("Clear filter"), show=False,
                id="queue.clear_filter", tooltip=_("Show the whole queue again")),
    ]

    wanted: QueueFilter = QueueFilter()
    rows: dict[str, QueueRow]
    _debounce: Timer | None = None

    def compose_body(self) -> ComposeResult:
        yield Static(id="queue-lead", markup=False)
        yield Input(placeholder=_("Filter: words, sla:breached, tool:rm, status:New…"),
                    id="queue-filter", compact=True)
        with Horizontal(id="queue-main"):
            yield QueueTable(id="queue-table")
            yield TicketPane(id="queue-pane")
        with Container(id="queue-empty-holder", classes="empty-holder"):
            yield EmptyState(_("Reading the queue…"), id="queue-empty")

    def on_mount(self) -> None:
        self.rows = {}
        self.query_one("#queue-filter").display = False
        self.query_one(QueueTable).focus()
        self.on_resize()
        self._show_table(False)

    def on_resize(self) -> None:
        self.query_one("#queue-pane").display = self.app.size.width >= WIDE

    def _show_table(self, shown: bool) -> None:
        self.query_one("#queue-main").display = shown
        self.query_one("#queue-empty-holder").display = not shown

    metrics: QueueMetrics | None = None

    def load(self) -> None:
        self.read_queue(self.wanted, with_metrics=True)

    @work(thread=True, exclusive=True, exit_on_error=False, group="queue",
          description=_("Reading the queue"))
    def read_queue(self, wanted: QueueFilter, *, with_metrics: bool) -> None:
        """The rows; the header's figures too, except while the filter is typed."""
        try:
            policy = sla_policy(self.workspace.settings)
        except CalendarError as error:
            self.post_message(QueueLoaded([], 0, None, str(error)))
            return
        now = self.clock()
        with self.workspace.db.session() as session:
            rows, total = queue_rows(session, now, policy, wanted, limit=PAGE_SIZE)
            metrics = queue_metrics(session, now, policy) if with_metrics else self.metrics
            connections = count_connections(session)
        self.post_message(QueueLoaded(rows, total, metrics, connections=connections))

    @on(QueueLoaded)
    def show_queue(self, message: QueueLoaded) -> None:
        if message.problem:
            self.query_one(EmptyState).say(_("The service-level calendar cannot be used."),
                                           message.problem)
            self._show_table(False)
            return
        metrics = self.metrics = message.metrics
        if metrics is not None and not metrics.open_total and not self._filtered():
            self.query_one(EmptyState).say(*self._empty_words(message.connections))
            self._show_table(False)
            return
        self.rows = {row.key: row for row in message.rows}
        lead = metrics.headline() if metrics else ""
        if self._filtered():
            lead = _("{shown} of the queue match · {lead}").format(shown=message.total,
                                                                  lead=lead)
        self.query_one("#queue-lead", Static).update(lead)
        table = self.query_one(QueueTable)
        wide = self.app.size.width >= WIDE
        with self.app.batch_update():
            table.show(message.rows, self.app.size.width - (PANE_WIDTH if wide else 0))
        self._show_table(True)
        if not self.query_one("#queue-filter").display:
            table.focus()

    @staticmethod
    def _empty_words(connections: int) -> tuple[str, str]:
        if not connections:
            return _("No tickets yet."), _(
                "Connect a tool (`pmcockpit connect add`), then run `pmcockpit sync`: its "
                "open tickets appear here with their service levels. Press a to record a "
                "request that came by phone or chat.")
        return _("No open tickets."), _(
            "The queue is clear as of the last sync (`pmcockpit sync` to check again).")

    def _filtered(self) -> bool:
        return self.wanted != QueueFilter()

    def action_filter(self) -> None:
        box = self.query_one("#queue-filter", Input)
        box.display = True
        box.focus()

    @on(Input.Changed, "#queue-filter")
    def filter_typed(self, event: Input.Changed) -> None:
        if self._debounce is not None:
            self._debounce.stop()
        wanted = parse_filter(event.value)
        self._debounce = self.set_timer(DEBOUNCE, lambda: self._apply(wanted))

    @on(Input.Submitted, "#queue-filter")
    def filter_done(self) -> None:
        self.query_one(QueueTable).focus()

    def _apply(self, wanted: QueueFilter) -> None:
        self.wanted = wanted
        self.read_queue(wanted, with_metrics=False)

    def action_breached(self) -> None:
        sla = "" if self.wanted.sla == "breached" else "breached"
        wanted = QueueFilter(self.wanted.text, self.wanted.status, self.wanted.priority,
                             self.wanted.tool, self.wanted.assignee, sla)
        box = self.query_one("#queue-filter", Input)
        box.display = True
        with box.prevent(Input.Changed):
            box.value = describe_filter(wanted)
        self._apply(wanted)

    def action_clear_filter(self) -> None:
        box = self.query_one("#queue-filter", Input)
        with box.prevent(Input.Changed):
            box.value = ""
        box.display = False
        self.query_one(QueueTable).focus()
        self._apply(QueueFilter())

    def _current(self) -> QueueRow | None:
        table = self.query_one(QueueTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.rows.get(key or "")

    def action_open_ticket(self) -> None:
        row = self._current()
        if row is not None:
            self.app.push_screen(TicketScreen(self.workspace, row.key, requester=row.requester,
                                              clocks=row.clocks))

    @on(DataTable.RowSelected)
    def row_selected(self) -> None:
        self.action_open_ticket()

    @on(DataTable.RowHighlighted)
    def row_highlighted(self) -> None:
        row = self._current()
        if row is not None and self.size.width >= WIDE:
            self.read_pane(row.key)

    @work(thread=True, exclusive=True, exit_on_error=False, group="queue-pane",
          description=_("Reading the ticket"))
    def read_pane(self, key: str) -> None:
        with self.workspace.db.session() as session:
            try:
                detail = ticket_detail(session, key)
            except TicketNotFound:
                return
        self.post_message(TicketLoaded(detail))

    @on(TicketLoaded)
    def show_pane(self, message: TicketLoaded) -> None:
        row = self.rows.get(message.detail.ref.key) if message.detail else None
        self.query_one(TicketPane).show(message.detail, row.clocks if row else None)

    def action_add(self) -> None:
        self.app.push_screen(AddTicketDialog(), self._request_typed)

    def _request_typed(self, request: NewRequest | None) -> None:
        if request is not None:
            self.record_request(request)

    @work(thread=True, exit_on_error=False, group="queue-add",
          description=_("Recording the request"))
    def record_request(self, request: NewRequest) -> None:
        key = tickets.add_local(self.workspace, subject=request.subject,
                                requester=request.requester, priority=request.priority)
        self.app.call_from_thread(self.notify, _("Recorded {key}.").format(key=key))
        self.app.call_from_thread(self.load)
