"""Writes of the outbox: an item is committed before its tool is called, then moved along.

States: ``pending`` (not sent), ``sending`` (the tool is being called: its audit entries
after ``audit_id`` say what became of it), ``sent``, ``failed`` (the tool refused) and
``doubt`` (the tool may have it and cannot say: check by hand, never resent blindly).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pmcockpit.storage.audit import INTENT, outcome_of
from pmcockpit.storage.models import AuditEntry, OutboxItem


@dataclass(frozen=True, slots=True)
class QueuedItem:
    id: int
    connection: str
    ticket_key: str
    action: dict[str, Any]
    state: str
    audit_id: int | None


def add(session: Session, *, operator: str, connection: str, ticket_key: str,
        action: dict[str, Any]) -> int:
    item = OutboxItem(operator=operator, connection_name=connection, ticket_key=ticket_key,
                      action=action, state="pending")
    session.add(item)
    session.flush()
    return item.id


def waiting(session: Session, connection: str | None = None) -> list[QueuedItem]:
    """Pending and sending items, in the order they were typed."""
    query = select(OutboxItem).where(OutboxItem.state.in_(("pending", "sending")))
    if connection is not None:
        query = query.where(OutboxItem.connection_name == connection)
    return [QueuedItem(i.id, i.connection_name, i.ticket_key, dict(i.action), i.state,
                       i.audit_id) for i in session.scalars(query.order_by(OutboxItem.id))]


def mark_sending(session: Session, item_id: int) -> None:
    """Before the call: remember the audit log's end, past which its intent will be."""
    item = session.get_one(OutboxItem, item_id)
    item.state = "sending"
    item.attempts += 1
    item.audit_id = session.scalar(select(func.max(AuditEntry.id))) or 0


def settle(session: Session, item_id: int, state: str, *, error: str | None = None,
           audit_id: int | None = None, at: datetime | None = None) -> None:
    item = session.get_one(OutboxItem, item_id)
    item.state = state
    item.last_error = error
    if audit_id is not None:
        item.audit_id = audit_id
    if state == "sent":
        item.sent_at = at


def last_try(session: Session, item: QueuedItem) -> tuple[int | None, str | None]:
    """(intent id, its outcome's status) of the item's last call; (None, None) if never
    called, (id, None) while in doubt."""
    entries = session.scalars(select(AuditEntry).where(
        AuditEntry.id > (item.audit_id or 0), AuditEntry.status == INTENT,
        AuditEntry.connection_name == item.connection).order_by(AuditEntry.id))
    for entry in entries:
        if (entry.detail or {}).get("action") == item.action:
            outcome = outcome_of(session, entry.id)
            return entry.id, outcome.status if outcome else None
    return None, None
