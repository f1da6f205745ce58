"""The Queue screen's and ``ticket list``'s read: tickets with both service-level clocks,
filtered in SQL (text, status, priority, tool, assignee), most urgent first.

The SLA state is a filter too, applied to the clocks after the SQL filters: it depends
on business hours, which SQL cannot count.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVarTuple

from sqlalchemy import (
    ColumnElement,
    Select,
    case,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from pmcockpit.core.queue_filter import QueueFilter
from pmcockpit.core.sla_clock import ClockState, Pause, TicketClocks
from pmcockpit.core.sla_policy import SlaPolicy
from pmcockpit.core.ticket_keys import display_key
from pmcockpit.storage.models import (
    Account,
    Connection,
    LocalTicket,
    OutboxItem,
    Ticket,
    TicketPause,
)
from pmcockpit.storage.queries.tickets import LOCAL, OPEN_OUTBOX_STATES

_Ts = TypeVarTuple("_Ts")

_Query = Select[int, str, str, str, str, bool, datetime, datetime, str, str | None, str | None,
                datetime | None]


@dataclass(frozen=True, slots=True)
class QueueRow:
    ticket_id: int
    key: str
    connection: str
    subject: str
    priority: str
    status: str
    assignee: str
    requester: str
    created_at: datetime
    clocks: TicketClocks
    pending: int
    """Outbox items waiting for this ticket."""

    @property
    def sla_states(self) -> frozenset[ClockState]:
        return frozenset({self.clocks.response.state, self.clocks.resolution.state})


@dataclass(frozen=True, slots=True)
class QueueGlance:
    """The queue at a glance (home): open tickets and the most urgent few with a running
    clock past its time or near it (``sla_counts`` counts them all)."""

    open_tickets: int
    due: tuple[QueueRow, ...]


_ASSIGNEE = aliased(Account, name="assignee")
_REQUESTER = aliased(Account, name="requester")
"""Made once: an alias made per read re-adapts its columns each time (a few ms a keystroke)."""

GLANCE_ROWS = 200
"""Tickets read for the glance, due first: enough to find the few it lists."""


def queue_glance(session: Session, now: datetime, policy: SlaPolicy, *, limit: int
                 ) -> QueueGlance:
    """Both clocks, in the policy's hours (business or calendar), as the Queue screen."""
    rows, total = queue_rows(session, now, policy, QueueFilter(), limit=GLANCE_ROWS)
    running = [{c.state for c in (r.clocks.response, r.clocks.resolution) if not c.stopped}
               for r in rows]
    late = [r for r, states in zip(rows, running, strict=True) if ClockState.BREACHED in states]
    soon = [r for r, states in zip(rows, running, strict=True)
            if ClockState.AT_RISK in states and ClockState.BREACHED not in states]
    return QueueGlance(total, tuple((late + soon)[:limit]))


def queue_rows(session: Session, now: datetime, policy: SlaPolicy, wanted: QueueFilter,
               *, limit: int = 10_000, offset: int = 0) -> tuple[list[QueueRow], int]:
    """(the rows, most urgent first, at most ``limit`` from ``offset`` on; how many
    matched the filters). Local requests come with the first page.

    SQL picks the ``limit`` tickets due first (by calendar hours, which orders them as
    business hours do, give or take pauses); their clocks are then counted exactly.
    """
    assignee, requester = _ASSIGNEE, _REQUESTER
    sqlite = _is_sqlite(session)
    query: _Query = (
        select(Ticket.id, Ticket.key, Ticket.subject, Ticket.priority, Ticket.status,
               Ticket.is_closed, Ticket.created_at, Ticket.updated_at, Connection.name,
               assignee.name, requester.name, Ticket.first_response_at)
        .join(Connection, Connection.id == Ticket.connection_id)
        .outerjoin(assignee, (assignee.connection_id == Ticket.connection_id)
                   & (assignee.remote_id == Ticket.assignee_remote_id))
        .outerjoin(requester, (requester.connection_id == Ticket.connection_id)
                   & (requester.remote_id == Ticket.author_remote_id))
    )
    query = _filtered(query, wanted, assignee, sqlite=sqlite)
    counting = select(func.count(Ticket.id))
    if wanted.tool:
        counting = counting.join(Connection, Connection.id == Ticket.connection_id)
    if wanted.assignee:  # the joins only when a filter needs them: a count per keystroke
        counting = counting.outerjoin(assignee, (assignee.connection_id == Ticket.connection_id)
                                      & (assignee.remote_id == Ticket.assignee_remote_id))
    counted = _filtered(counting, wanted, assignee, sqlite=sqlite)
    total = session.scalar(counted) or 0
    found = list(session.execute(query.order_by(*_due_first(session, policy))
                                 .limit(limit).offset(offset)))
    pauses = _pauses(session, [row[0] for row in found])
    pending = _pending(session)
    rows = []
    for (ticket_id, key, subject, priority, status, is_closed, created_at, updated_at,
         connection, assignee_name, requester_name, first_at) in found:
        clocks = policy.clocks(
            priority=priority, created_at=created_at, first_response_at=first_at,
            resolved_at=updated_at if is_closed else None,
            pauses=pauses.get(ticket_id, ()), now=now)
        shown = display_key(connection, key)
        rows.append(QueueRow(ticket_id, shown, connection, subject, priority, status,
                             assignee_name or "", requester_name or "", created_at, clocks,
                             pending.get(shown, 0)))
    local = _local_rows(session, now, policy, wanted) if not offset else []
    rows += local
    total += len(local)
    if wanted.sla:
        rows = [r for r in rows if ClockState(wanted.sla) in r.sla_states]
        total = len(rows)
    rows.sort(key=lambda r: (r.clocks.urgency, r.created_at))
    return rows, total


def _due_first(session: Session, policy: SlaPolicy
               ) -> list[ColumnElement[Any] | InstrumentedAttribute[Any]]:
    """ORDER BY terms: the running clock's due day first (SQLite's julianday), oldest next."""
    if not _is_sqlite(session):
        return [Ticket.created_at, Ticket.id]
    priorities = list(session.scalars(select(Ticket.priority).distinct()))
    never = 10_000.0  # days: a clock without a target sorts last
    levels = {p: policy.level(p) for p in priorities}

    def days(which: str) -> ColumnElement[float]:
        whens = [(Ticket.priority == p, getattr(level, which).total_seconds() / 86400)
                 for p, level in levels.items() if getattr(level, which) is not None]
        return case(*whens, else_=never) if whens else literal(never)

    target = case((Ticket.first_response_at.is_(None), days("response")),
                  else_=days("resolution"))
    return [func.julianday(Ticket.created_at) + target, Ticket.id]


def _local_rows(session: Session, now: datetime, policy: SlaPolicy, wanted: QueueFilter
                ) -> list[QueueRow]:
    """Requests recorded by phone or chat and not yet pushed to a tool."""
    if wanted.tool not in ("", LOCAL) or wanted.status or wanted.assignee:
        return []
    query = select(LocalTicket).where(LocalTicket.closed_at.is_(None),
                                      LocalTicket.pushed_to.is_(None))
    if wanted.text.strip():
        query = query.where(_containing(wanted.text, _is_sqlite(session),
                                        LocalTicket.subject, LocalTicket.description))
    if wanted.priority:
        query = query.where(func.lower(LocalTicket.priority) == wanted.priority.lower())
    return [QueueRow(-row.id, f"{LOCAL}#{row.id}", LOCAL, row.subject, row.priority, "",
                     "", row.requester, row.created_at,
                     policy.clocks(priority=row.priority, created_at=row.created_at,
                                   first_response_at=None, resolved_at=None, pauses=(),
                                   now=now), 0)
            for row in session.scalars(query.order_by(LocalTicket.id))]


def _filtered(query: Select[*_Ts], wanted: QueueFilter, assignee: type[Account], *,
              sqlite: bool) -> Select[*_Ts]:
    if not wanted.include_closed:
        query = query.where(Ticket.is_closed.is_(False))
    if wanted.text.strip():
        query = query.where(_containing(wanted.text, sqlite, Ticket.subject, Ticket.key,
                                        Ticket.description))
    for column, value in ((Ticket.status, wanted.status), (Ticket.priority, wanted.priority),
                          (Connection.name, wanted.tool)):
        if value:
            query = query.where(func.lower(column) == value.lower())
    if wanted.assignee:
        query = query.where(or_(func.lower(assignee.login) == wanted.assignee.lower(),
                                func.lower(assignee.name) == wanted.assignee.lower()))
    return query


def _is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def _containing(text: str, sqlite: bool, *columns: InstrumentedAttribute[str]
                ) -> ColumnElement[bool]:
    """Any of ``columns`` contains ``text`` (a % or _ in it is taken literally), in any case.

    SQLite's LIKE already ignores case as its lower() does (ASCII letters only, without
    ICU), so the lower() of every row that ILIKE costs there (a third of a keystroke's
    read at 10k tickets) is left out; elsewhere it is ILIKE."""
    wanted = text.strip()
    if sqlite:
        return or_(*(column.contains(wanted, autoescape=True) for column in columns))
    return or_(*(column.icontains(wanted, autoescape=True) for column in columns))


def _pauses(session: Session, ticket_ids: list[int]) -> dict[int, list[Pause]]:
    found: dict[int, list[Pause]] = defaultdict(list)
    for start in range(0, len(ticket_ids), 900):  # SQLite's limit on bound parameters
        chunk = ticket_ids[start:start + 900]
        for row in session.scalars(select(TicketPause).where(TicketPause.ticket_id.in_(chunk))):
            found[row.ticket_id].append(Pause(row.started_at, row.ended_at))
    return found


def _pending(session: Session) -> dict[str, int]:
    query = (select(OutboxItem.ticket_key, func.count())
             .where(OutboxItem.state.in_(OPEN_OUTBOX_STATES))
             .group_by(OutboxItem.ticket_key))
    return {key: count for key, count in session.execute(query)}
