"""Queue: the open support tickets, most urgent first, with their service level."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Container
from textual.content import Content
from textual.widgets import DataTable, Static

from pmcockpit.core.i18n import N_, _, ngettext
from pmcockpit.core.sla import SlaState
from pmcockpit.core.wording import span
from pmcockpit.messages import OpenTicketsLoaded
from pmcockpit.screens.base import LiveAreaScreen
from pmcockpit.storage.queries.queue import TicketRow, count_connections, open_tickets
from pmcockpit.widgets.empty_state import EmptyState

PAGE_SIZE = 300
"""Rows read at once: the table stays quick however long the queue grows."""

SUBJECT_WIDTH = 28
"""With the columns before it, the subject and the priority fit 80 columns."""
KEY_WIDTH = 11
"""A long key ("operations/pm-support#12") keeps its end, the part that differs."""
SLA_WIDTH = 13
"""Fits "answered late"."""

_SLA_WORDS = {
    SlaState.BREACHED: N_("breached"),
    SlaState.AT_RISK: N_("at risk"),
    SlaState.ON_TRACK: N_("on track"),
    SlaState.MET: N_("met"),
    SlaState.NO_SLA: N_("no SLA"),
}
"""The state of a ticket without a time left, as the SLA column says it."""

_SLA_STYLE = {
    SlaState.BREACHED: "$text-error",
    SlaState.AT_RISK: "$text-warning",
    SlaState.ON_TRACK: "",
    SlaState.MET: "$text-success",
    SlaState.NO_SLA: "$text-muted",
}


def _sla_cell(row: TicketRow) -> Content:
    """Short: "✗ 118d late", "! 3h left", "met", "answered late".

    The marks say late or at risk without colour (NO_COLOR), as on the home view.
    """
    sla = row.sla
    if sla.remaining is not None:
        late = sla.remaining.total_seconds() < 0
        mark = {SlaState.BREACHED: "✗ ", SlaState.AT_RISK: "! "}.get(sla.state, "")
        when = _("{span} late") if late else _("{span} left")
        label = mark + when.format(span=span(sla.remaining))
    elif sla.state == SlaState.BREACHED:
        label = _("answered late")
    else:
        label = _(_SLA_WORDS[sla.state])
    return Content.styled(label, _SLA_STYLE[sla.state])


class QueueScreen(LiveAreaScreen):
    CSS_PATH = "queue.tcss"

    def compose_body(self) -> ComposeResult:
        yield Static(id="queue-lead")
        yield DataTable(id="queue-table", cursor_type="row", zebra_stripes=True)
        with Container(id="queue-empty-holder", classes="empty-holder"):
            yield EmptyState(_("Reading the queue…"), id="queue-empty")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        # Styled cells are not measured by the table: their column gets a fixed width.
        table.add_column(_("SLA"), width=SLA_WIDTH)
        table.add_columns(_("Ticket"), _("Tool"), _("Subject"), _("Priority"), _("Age"))
        self._show_table(False)

    def _show_table(self, shown: bool) -> None:
        self.query_one("#queue-lead").display = shown
        self.query_one(DataTable).display = shown
        self.query_one("#queue-empty-holder").display = not shown

    def load(self) -> None:
        self.read_tickets()

    @work(thread=True, exclusive=True, exit_on_error=False, group="queue",
          description=_("Reading the open tickets"))
    def read_tickets(self) -> None:
        now = self.clock()
        with self.workspace.db.session() as session:
            page = open_tickets(session, now, sla_hours=self.workspace.settings.sla_hours,
                                limit=PAGE_SIZE)
            connections = count_connections(session)
        self.post_message(OpenTicketsLoaded(page, connections))

    @on(OpenTicketsLoaded)
    def show_tickets(self, message: OpenTicketsLoaded) -> None:
        page = message.page
        if not page.total and not message.connections:
            self.query_one(EmptyState).say(
                _("No tickets yet."),
                _("Connect a tool (`pmcockpit connect add`), then run `pmcockpit sync`: its "
                  "open tickets appear here with their first-response service level."),
            )
            self._show_table(False)
            return
        if not page.total:
            self.query_one(EmptyState).say(
                _("No open tickets."),
                _("The queue is clear as of the last sync (`pmcockpit sync` to check again)."),
            )
            self._show_table(False)
            return
        now = self.clock()
        lead = ngettext("{count:,} open ticket", "{count:,} open tickets",
                        page.total).format(count=page.total)
        if page.total > len(page.rows):
            lead = _("{lead}; the {shown:,} oldest shown").format(lead=lead,
                                                                  shown=len(page.rows))
        self.query_one("#queue-lead", Static).update(lead)
        table = self.query_one(DataTable)
        with self.app.batch_update():
            table.clear()
            for row in page.rows:
                subject = row.subject
                if len(subject) > SUBJECT_WIDTH:
                    subject = subject[: SUBJECT_WIDTH - 1] + "…"
                # Text, not str: the table would read a subject's brackets as markup.
                table.add_row(
                    _sla_cell(row), Text(_short_key(row.key)), Text(row.connection),
                    Text(subject), Text(row.priority), span(now - row.created_at),
                )
        self._show_table(True)


def _short_key(key: str) -> str:
    return key if len(key) <= KEY_WIDTH else "…" + key[-(KEY_WIDTH - 1):]
