"""Reads for one ticket and for the outbox: the conversation, what waits to be sent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pmcockpit.core.ticket_keys import display_key, split_key
from pmcockpit.storage.models import Connection, LocalTicket, OutboxItem, Ticket, TicketPause

LOCAL = "local"
"""The queue's name for requests recorded in pmcockpit itself (``local#3``)."""

OPEN_OUTBOX_STATES = ("pending", "sending")
"""Outbox items not yet in the tool (as far as pmcockpit knows)."""


class TicketNotFound(LookupError):
    """No synced ticket has that key (or several do); the message says which."""


@dataclass(frozen=True, slots=True)
class TicketRef:
    ticket_id: int
    connection: str
    tool_kind: str
    remote_id: str
    key: str
    """As the queue shows it: ``rm#12``, ``SUP-7``."""
    subject: str
    author_remote_id: str | None


@dataclass(frozen=True, slots=True)
class CommentView:
    author: str
    body: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class OutboxView:
    id: int
    created_at: datetime
    connection: str
    ticket_key: str
    kind: str
    text: str
    """The comment's body, the new status or assignee."""
    state: str
    attempts: int
    last_error: str | None


@dataclass(frozen=True, slots=True)
class TicketDetail:
    ref: TicketRef
    description: str
    status: str
    is_closed: bool
    priority: str
    assignee_remote_id: str | None
    created_at: datetime
    updated_at: datetime
    comments: tuple[CommentView, ...]
    pending: tuple[OutboxView, ...]
    paused_since: datetime | None


def find_ticket(session: Session, name: str) -> TicketRef:
    """The ticket the queue calls ``name``; TicketNotFound when none or several."""
    local = _local(session, name)
    if local is not None:
        return TicketRef(-local.id, LOCAL, LOCAL, str(local.id), f"{LOCAL}#{local.id}",
                         local.subject, None)
    names = set(session.scalars(select(Connection.name)))
    connection, key = split_key(name, names)
    query = select(Ticket, Connection).join(Connection, Connection.id == Ticket.connection_id)
    query = query.where(Ticket.key == key)
    if connection is not None:
        query = query.where(Connection.name == connection)
    found = list(session.execute(query.limit(2)))
    if len(found) != 1:
        raise TicketNotFound(name)
    ticket, conn = found[0]
    return _ref(ticket, conn)


def _ref(ticket: Ticket, connection: Connection) -> TicketRef:
    return TicketRef(ticket.id, connection.name, connection.kind, ticket.remote_id,
                     display_key(connection.name, ticket.key), ticket.subject,
                     ticket.author_remote_id)


def _local(session: Session, name: str) -> LocalTicket | None:
    head, sep, number = name.strip().partition("#")
    if head != LOCAL or not sep or not number.isdigit():
        return None
    found = session.get(LocalTicket, int(number))
    if found is None:
        raise TicketNotFound(name)
    return found


def ticket_detail(session: Session, name: str) -> TicketDetail:
    ref = find_ticket(session, name)
    local = _local(session, name)
    if local is not None:
        status = "closed" if local.closed_at else "open"
        return TicketDetail(ref, local.description, status, local.closed_at is not None,
                            local.priority, None, local.created_at, local.created_at, (),
                            (), None)
    ticket = session.get_one(Ticket, ref.ticket_id)
    comments = tuple(CommentView(c.author_name, c.body, c.created_at) for c in ticket.comments)
    pending = tuple(v for v in outbox_items(session, (*OPEN_OUTBOX_STATES, "doubt"))
                    if v.ticket_key == ref.key)
    paused = session.scalar(select(TicketPause.started_at).where(
        TicketPause.ticket_id == ticket.id, TicketPause.ended_at.is_(None)))
    return TicketDetail(ref, ticket.description, ticket.status, ticket.is_closed,
                        ticket.priority, ticket.assignee_remote_id, ticket.created_at,
                        ticket.updated_at, comments, pending, paused)


def outbox_items(session: Session, states: tuple[str, ...] | None = None,
                 *, limit: int = 500) -> list[OutboxView]:
    """Outbox items in ``states`` (all when None), oldest first."""
    query = select(OutboxItem).order_by(OutboxItem.id).limit(limit)
    if states is not None:
        query = query.where(OutboxItem.state.in_(states))
    return [_view(item) for item in session.scalars(query)]


def outbox_count(session: Session) -> int:
    """Items typed in pmcockpit that no tool has yet."""
    return session.scalar(select(func.count(OutboxItem.id)).where(
        OutboxItem.state.in_(OPEN_OUTBOX_STATES))) or 0


def _view(item: OutboxItem) -> OutboxView:
    params = item.action.get("params") or {}
    text = str(params.get("body") or params.get("status") or params.get("assignee_id") or "")
    return OutboxView(item.id, item.created_at, item.connection_name, item.ticket_key,
                      str(item.action.get("kind", "")), text, item.state, item.attempts,
                      item.last_error)
