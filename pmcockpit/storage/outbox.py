"""Writes of the outbox: an item is committed before its tool is called, then moved along.

States: ``pending`` (not sent), ``sending`` (the tool is being called: its audit entries
after ``audit_id`` say what became of it), ``sent``, ``failed`` (the tool refused) and
``doubt`` (the tool may have it and cannot say: check by hand, never resent blindly).

While one process sends an item it holds a *lease* on it (``claimed_by`` until
``claimed_until``): no other process sends it, nor reads back its call as if it were in
doubt. Settling the item ends the lease; a process that dies leaves it to expire.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, text
from sqlalchemy.orm import Session

from pmcockpit.storage.audit import INTENT, in_doubt_query, outcome_of
from pmcockpit.storage.models import AuditEntry, OutboxItem


@dataclass(frozen=True, slots=True)
class QueuedItem:
    id: int
    connection: str
    ticket_key: str
    action: dict[str, Any]
    state: str
    audit_id: int | None
    claimed_by: str | None = None
    claimed_until: datetime | None = None

    def held_by_other(self, holder: str, now: datetime) -> bool:
        """Another process's lease on it has not run out."""
        return self.claimed_until is not None and self.claimed_until > now and \
            self.claimed_by != holder


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
                       i.audit_id, i.claimed_by, i.claimed_until)
            for i in session.scalars(query.order_by(OutboxItem.id))]


def take(session: Session, item: QueuedItem, *, holder: str, now: datetime,
         lease: timedelta) -> bool:
    """Lease ``item`` to ``holder`` and mark it sending, if it is still as it was read and
    no other process holds it; False otherwise. PostgreSQL: ``SELECT ... FOR UPDATE SKIP
    LOCKED``; SQLite: its write lock, taken first."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("UPDATE outbox_item SET id = id WHERE 0"))
    taken = session.scalar(select(OutboxItem.id).where(
        OutboxItem.id == item.id, OutboxItem.state == item.state,
        OutboxItem.audit_id.is_not_distinct_from(item.audit_id),
        or_(OutboxItem.claimed_until.is_(None), OutboxItem.claimed_until <= now,
            OutboxItem.claimed_by == holder),
    ).with_for_update(skip_locked=True))
    if taken is None:
        return False
    mark_sending(session, item.id)
    row = session.get_one(OutboxItem, item.id)
    row.claimed_by, row.claimed_until = holder, now + lease
    return True


def mark_sending(session: Session, item_id: int) -> None:
    """Before the call: remember the audit log's end, past which its intent will be."""
    item = session.get_one(OutboxItem, item_id)
    item.state = "sending"
    item.attempts += 1
    item.audit_id = session.scalar(select(func.max(AuditEntry.id))) or 0


def release(session: Session, item_id: int) -> None:
    """End the lease without settling: the call got no answer, the next run reads it back."""
    item = session.get_one(OutboxItem, item_id)
    item.claimed_by, item.claimed_until = None, None


def in_doubt_unleased(session: Session, now: datetime) -> list[AuditEntry]:
    """Intents in doubt, less those a live lease covers (another process is calling the
    tool for them right now): one query, so one snapshot of intents, outcomes and leases."""
    leased = select(OutboxItem.id).where(
        OutboxItem.state == "sending", OutboxItem.claimed_until > now,
        OutboxItem.connection_name == AuditEntry.connection_name,
        func.coalesce(OutboxItem.audit_id, 0) < AuditEntry.id).exists()
    return list(session.scalars(in_doubt_query().where(~leased)))


def settle(session: Session, item_id: int, state: str, *, error: str | None = None,
           audit_id: int | None = None, at: datetime | None = None) -> None:
    item = session.get_one(OutboxItem, item_id)
    item.state = state
    item.last_error = error
    item.claimed_by, item.claimed_until = None, None
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


def live_holders(session: Session, now: datetime) -> list[str]:
    """Who holds a lease that has not run out."""
    return [name for name in session.scalars(select(OutboxItem.claimed_by).distinct()
                                             .where(OutboxItem.claimed_until > now))
            if name is not None]


def release_held_by(session: Session, holders: list[str]) -> int:
    """End every lease of ``holders`` (processes known to be gone)."""
    if not holders:
        return 0
    items = list(session.scalars(select(OutboxItem).where(
        OutboxItem.claimed_by.in_(holders))))
    for item in items:
        item.claimed_by, item.claimed_until = None, None
    return len(items)
