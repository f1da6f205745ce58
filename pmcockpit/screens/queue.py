"""Queue: the open support tickets of every tool, most urgent first, with both clocks.

``/`` filters (text and ``sla:`` ``status:`` ``priority:`` ``tool:`` ``assignee:`` terms,
in SQL, a page read per keystroke), ``b`` shows the breached ones, Enter opens a ticket full-screen
with its actions; wide, a pane beside the table shows the ticket under the cursor.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Container, Horizontal
from textual.message import Message
from textual.widgets import DataTable, Input, Static

from pmcockpit.core.i18n import _
from pmcockpit.core.queue_filter import QueueFilter, describe_filter, parse_filter
from pmcockpit.core.sla_policy import SlaPolicy
from pmcockpit.screens.base import LiveAreaScreen
from pmcockpit.screens.queue_dialogs import AddTicketDialog, NewRequest
from pmcockpit.screens.queue_ticket import TicketLoaded, TicketScreen
from pmcockpit.services import tickets
from pmcockpit.services.queue import CalendarError, sla_policy
from pmcockpit.storage.queries.queue import count_connections
from pmcockpit.storage.queries.queue_list import QueueRow, queue_rows
from pmcockpit.storage.queries.queue_metrics import QueueMetrics, queue_metrics
from pmcockpit.storage.queries.tickets import TicketNotFound, ticket_detail
from pmcockpit.widgets.after_paint import after_paint
from pmcockpit.widgets.empty_state import EmptyState
from pmcockpit.widgets.filter_box import FilterBox
from pmcockpit.widgets.line_update import update_line
from pmcockpit.widgets.queue_detail import TicketPane
from pmcockpit.widgets.queue_table import QueueTable

FIRST_PAGE = 30
"""Rows read for the first paint, at least: a screenful and a half (see _first_page), so
the key paints at once; the rest come a page at a time as the cursor goes down."""
PAGE_SIZE = 200
"""Rows added when the cursor nears the end of those shown."""
NEAR_END = QueueTable.NEAR_END
WIDE = 120
"""From this width the ticket under the cursor is shown beside the table."""
PANE_WIDTH = 60
"""The side pane's width (queue.tcss says the same)."""


class QueueLoaded(Message):
    def __init__(self, rows: list[QueueRow], total: int, *, problem: str | None = None,
                 connections: int = 0, offset: int = 0,
                 wanted: QueueFilter | None = None) -> None:
        super().__init__()
        self.wanted = wanted
        self.connections = connections
        self.rows = rows
        self.total = total
        self.problem = problem
        self.offset = offset


class MetricsLoaded(Message):
    def __init__(self, metrics: QueueMetrics) -> None:
        super().__init__()
        self.metrics = metrics


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
    shown: QueueFilter | None = None
    """The filter of the rows on screen (``wanted`` once its read is in)."""

    def compose_body(self) -> ComposeResult:
        yield Static(id="queue-lead", markup=False)
        yield FilterBox(placeholder=_("Filter: words, sla:breached, tool:rm, status:New…"),
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

    def _show_table(self, shown: bool) -> None:
        self.query_one("#queue-main").display = shown
        self.query_one("#queue-empty-holder").display = not shown

    metrics: QueueMetrics | None = None
    total = 0
    _sql_rows = 0
    """Rows read from the tools' tickets so far (local requests come on top)."""
    _reading_more = False

    _metrics_due = False
    _lead: str | None = None
    """The lead line's text on screen."""

    def load(self) -> None:
        self._metrics_due = True  # read once the rows are shown: no GIL fight with the paint
        self._pane_key = None  # the ticket may have changed: the pane reads it again
        self.read_queue(self.wanted)

    def _policy_or_say(self) -> SlaPolicy | None:
        try:
            return sla_policy(self.workspace.settings)
        except CalendarError as error:
            self.post_message(QueueLoaded([], 0, problem=str(error)))
            return None

    @work(thread=True, exclusive=True, exit_on_error=False, group="queue",
          description=_("Reading the queue"))
    def read_queue(self, wanted: QueueFilter, offset: int = 0) -> None:
        """A page of rows, from ``offset`` on."""
        policy = self._policy_or_say()
        if policy is None:
            return
        with self.workspace.db.session() as session:
            rows, total = queue_rows(session, self.clock(), policy, wanted, offset=offset,
                                     limit=PAGE_SIZE if offset else self._first_page())
            connections = 0 if offset or total else count_connections(session)
        self.post_message(QueueLoaded(rows, total, connections=connections, offset=offset,
                                      wanted=wanted))

    @work(thread=True, exclusive=True, exit_on_error=False, group="queue-metrics",
          description=_("Counting the queue's figures"))
    def read_metrics(self) -> None:
        """The header's figures, read after the rows so they never hold up the paint."""
        try:
            policy = sla_policy(self.workspace.settings)
        except CalendarError:
            return  # read_queue says it
        with self.workspace.db.session() as session:
            metrics = queue_metrics(session, self.clock(), policy)
        self.post_message(MetricsLoaded(metrics))

    @on(MetricsLoaded)
    def show_metrics(self, message: MetricsLoaded) -> None:
        self.metrics = message.metrics
        self._show_lead()

    def _show_lead(self) -> None:
        short = self.app.size.width < WIDE
        lead = self.metrics.headline(short=short) if self.metrics else ""
        if self._filtered():
            lead = _("{shown} of the queue match · {lead}").format(shown=self.total, lead=lead)
        if lead != self._lead:
            update_line(self.query_one("#queue-lead", Static), self._lead, lead)
            self._lead = lead

    def _table_width(self) -> int:
        width = self.app.size.width
        return width - PANE_WIDTH if width >= WIDE else width

    @on(QueueLoaded)
    def show_queue(self, message: QueueLoaded) -> None:
        table = self.query_one(QueueTable)
        self._reading_more = False
        if message.wanted is not None and message.wanted != self.wanted:
            return  # read for a filter since changed
        if message.offset:
            self._sql_rows += sum(1 for row in message.rows if row.ticket_id > 0)
            self.rows.update({row.key: row for row in message.rows})
            table.extend(message.rows, self.clock())
            return
        if message.problem:
            self.query_one(EmptyState).say(_("The service-level calendar cannot be used."),
                                           message.problem)
            self._show_table(False)
            return
        if not message.total and not self._filtered():
            self.query_one(EmptyState).say(*self._empty_words(message.connections))
            self._show_table(False)
            return
        self.total = message.total
        self._sql_rows = sum(1 for row in message.rows if row.ticket_id > 0)
        self.rows = {row.key: row for row in message.rows}
        self._show_lead()
        current = table.current()
        table.show(message.rows, self._table_width(), self.clock())
        self.shown = message.wanted
        self._show_table(True)
        if table.current() != current:  # another ticket under the cursor: the pane follows
            after_paint(self, self._read_current_pane)  # once the rows are painted
        if not self.query_one("#queue-filter").display:
            table.focus()
        if self._metrics_due:
            self._metrics_due = False
            if self.is_current:
                self.call_after_refresh(self.read_metrics)  # after the rows' frame
            else:
                self.read_metrics()  # built ahead: no frame to wait for

    def _first_page(self) -> int:
        return max(FIRST_PAGE, self.app.size.height * 3 // 2)

    def _more_to_read(self) -> bool:
        return not self.wanted.sla and len(self.rows) < self.total

    def on_resize(self) -> None:
        self.query_one("#queue-pane").display = self.app.size.width >= WIDE
        self._show_lead()
        if self.rows:
            self.query_one(QueueTable).relayout(self._table_width(), self.clock())

    def copy_target(self) -> tuple[str, str] | None:
        """The key of the ticket under the cursor, as the screen and the CLI name it."""
        row = self._current()
        return (_("ticket key"), row.key) if row is not None else None

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
        # A read per keystroke (one page, by index: milliseconds); a read overtaken by
        # the next keystroke is dropped when it comes in (see show_queue).
        wanted = parse_filter(event.value)
        if wanted != self.wanted:
            self._apply(wanted)

    @on(Input.Submitted, "#queue-filter")
    def filter_done(self) -> None:
        self.query_one(QueueTable).focus()

    def _apply(self, wanted: QueueFilter) -> None:
        self.wanted = wanted
        self.read_queue(wanted)

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
        return self.rows.get(self.query_one(QueueTable).current() or "")

    def action_open_ticket(self) -> None:
        row = self._current()
        if row is not None:
            self.app.push_screen(TicketScreen(self.workspace, row.key, requester=row.requester,
                                              clocks=row.clocks))

    @on(DataTable.RowSelected)
    def row_selected(self) -> None:
        self.action_open_ticket()

    @on(DataTable.RowHighlighted)
    def row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.cursor_row >= self.query_one(QueueTable).row_count - NEAR_END:
            self.read_more()
        self._read_current_pane()

    @on(QueueTable.NearEnd)
    def read_more(self) -> None:
        """The next page, once: the cursor, the wheel or the scrollbar neared the end."""
        if self._more_to_read() and not self._reading_more:
            self._reading_more = True
            self.read_queue(self.wanted, self._sql_rows)

    _pane_key: str | None = None
    """The ticket the pane shows or is reading."""

    def _read_current_pane(self) -> None:
        """Read the ticket under the cursor into the pane, unless it is there already."""
        row = self._current()
        if row is None or self.size.width < WIDE or row.key == self._pane_key:
            return
        self._pane_key = row.key
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
