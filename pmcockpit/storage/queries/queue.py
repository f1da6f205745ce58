"""Reads for the support queue: open tickets with their first-response service level.

Counts run in SQL; the service-level rule lives in :mod:`pmcockpit.core.sla` and the
SQL cut-offs here are its twins (tests check that both agree). ``sla_hours`` maps a
priority to the hours allowed for a first response.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, false, func, or_, select
from sqlalchemy.orm import Session

from pmcockpit.core.sla import SlaState, SlaStatus, sla_hours_for, sla_status, waiting_cutoffs
from pmcockpit.storage.models import Connection, Ticket
from pmcockpit.storage.queries.page import Page


@dataclass(frozen=True, slots=True)
class TicketRow:
    connection: str
    key: str
    subject: str
    priority: str
    status: str
    created_at: datetime
    sla: SlaStatus


@dataclass(frozen=True, slots=True)
class QueueCounts:
    open_tickets: int
    sla_breached: int
    """Open tickets still waiting for a first response after it was due."""
    sla_at_risk: int
    """Open tickets still waiting, with less than a quarter of their time left."""


def count_connections(session: Session) -> int:
    return session.scalar(select(func.count(Connection.id))) or 0


def open_tickets(
    session: Session, now: datetime, *, sla_hours: Mapping[str, int], limit: int
) -> Page[TicketRow]:
    """The oldest ``limit`` open tickets, most urgent first, and how many are open."""
    total = session.scalar(select(func.count(Ticket.id)).where(Ticket.is_closed.is_(False)))
    rows = sorted(_ticket_rows(session, now, sla_hours, limit=limit), key=_queue_order)
    return Page(tuple(rows), total or 0)


def queue_counts(session: Session, now: datetime, *, sla_hours: Mapping[str, int]) -> QueueCounts:
    """Open, waiting and breached, waiting and at risk, as :func:`sla_status` says."""
    breached: list[ColumnElement[bool]] = []
    late_soon: list[ColumnElement[bool]] = []
    for priority in _open_priorities(session):
        hours = sla_hours_for(priority, sla_hours)
        if hours is None:
            continue
        breached_before, at_risk_before = waiting_cutoffs(now, hours)
        breached.append(and_(Ticket.priority == priority, Ticket.created_at < breached_before))
        late_soon.append(and_(Ticket.priority == priority, Ticket.created_at < at_risk_before))
    waiting = Ticket.first_response_at.is_(None)
    is_breached = and_(waiting, or_(false(), *breached))
    is_at_risk = and_(waiting, or_(false(), *late_soon), ~or_(false(), *breached))
    query = (
        select(
            func.count(Ticket.id),
            func.count(Ticket.id).filter(is_breached),
            func.count(Ticket.id).filter(is_at_risk),
        )
        .where(Ticket.is_closed.is_(False))
    )
    open_count, breached_count, at_risk_count = session.execute(query).one()
    return QueueCounts(open_count, breached_count, at_risk_count)


def most_overdue(
    session: Session, now: datetime, *, sla_hours: Mapping[str, int], limit: int
) -> list[TicketRow]:
    """The waiting tickets that were due first, late or nearly late."""
    # Within one priority the oldest waiting tickets are the ones due first.
    candidates: list[TicketRow] = []
    for priority in _open_priorities(session):
        rows = _ticket_rows(session, now, sla_hours, limit=limit, priority=priority,
                            waiting_only=True)
        candidates += [row for row in rows if row.sla.needs_attention]
    return sorted(candidates, key=_due_order)[:limit]


def _open_priorities(session: Session) -> list[str]:
    query = select(Ticket.priority).where(Ticket.is_closed.is_(False)).distinct()
    return list(session.scalars(query))


def _ticket_rows(
    session: Session,
    now: datetime,
    sla_hours: Mapping[str, int],
    *,
    limit: int,
    priority: str | None = None,
    waiting_only: bool = False,
) -> list[TicketRow]:
    """The oldest open tickets (of one priority, or waiting only), with their SLA state."""
    query = (
        select(Ticket, Connection.name, Ticket.first_response_at)
        .join(Connection, Connection.id == Ticket.connection_id)
        .where(Ticket.is_closed.is_(False))
        .order_by(Ticket.created_at, Ticket.id)
        .limit(limit)
    )
    if priority is not None:
        query = query.where(Ticket.priority == priority)
    if waiting_only:
        query = query.where(Ticket.first_response_at.is_(None))
    rows = []
    for ticket, connection_name, first_response_at in session.execute(query):
        sla = sla_status(
            priority=ticket.priority,
            created_at=ticket.created_at,
            first_response_at=first_response_at,
            is_closed=ticket.is_closed,
            now=now,
            sla_hours=sla_hours,
        )
        rows.append(TicketRow(connection_name, ticket.key, ticket.subject, ticket.priority,
                              ticket.status, ticket.created_at, sla))
    return rows


def _due_order(row: TicketRow) -> datetime:
    return row.sla.due_at or datetime.max


_URGENCY = {SlaState.BREACHED: 0, SlaState.AT_RISK: 1, SlaState.ON_TRACK: 2,
            SlaState.NO_SLA: 3, SlaState.MET: 4}


def _queue_order(row: TicketRow) -> tuple[bool, int, datetime]:
    """Waiting tickets first, late before at risk before on track; then answered ones."""
    return row.sla.remaining is None, _URGENCY[row.sla.state], _due_order(row)
