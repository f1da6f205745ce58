"""Writes of ticket pauses: the stretches a ticket waits for its requester.

Synced tickets only say their status now; each sync compares it with the pauses
recorded so far. The ticket's last update is when its status changed (as near as a
sync can tell).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from pmcockpit.storage.models import Connection, Ticket, TicketPause


def track_pauses(session: Session, pauses_on: Callable[[str, str], bool]) -> int:
    """Open a pause for each ticket newly waiting, close it once it is not; how many changed.

    ``pauses_on(tool_kind, status)`` says whether a status waits for the requester.
    """
    open_pauses = {p.ticket_id: p for p in session.scalars(
        select(TicketPause).where(TicketPause.ended_at.is_(None)))}
    changed = 0
    query = select(Ticket, Connection.kind).join(Connection)
    for ticket, kind in session.execute(query):
        waiting = not ticket.is_closed and pauses_on(kind, ticket.status)
        current = open_pauses.get(ticket.id)
        if waiting and current is None:
            session.add(TicketPause(ticket_id=ticket.id, started_at=ticket.updated_at))
            changed += 1
        elif not waiting and current is not None:
            current.ended_at = max(ticket.updated_at, current.started_at)
            changed += 1
    return changed
