"""The support queue's own tables: the outbox of ticket actions, pauses, local intake.

The outbox keeps every ticket change typed in pmcockpit until the tool has it: a row
is committed before the tool is called, so nothing is lost if pmcockpit dies, and
sent in order, once (see :mod:`pmcockpit.services.outbox`). A pause is a stretch of
time a ticket waited for its requester; the resolution clock leaves it out.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from pmcockpit.core.clock import utcnow
from pmcockpit.storage.models.base import Base
from pmcockpit.storage.models.synced import TicketComment


class OutboxItem(Base):
    __tablename__ = "outbox_item"
    __table_args__ = (Index(None, "state", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    operator: Mapped[str] = mapped_column(String(128))
    connection_name: Mapped[str] = mapped_column(String(64))
    ticket_key: Mapped[str] = mapped_column(String(128))
    """The ticket as the queue names it (``rm#12``)."""
    action: Mapped[dict[str, Any]]
    """The :class:`pmcockpit.core.actions.Action` as JSON."""
    state: Mapped[str] = mapped_column(String(16), default="pending")
    """pending, sending (the tool was called: check before resending), sent or failed."""
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    audit_id: Mapped[int | None]
    """The audit entry of the last try (its intent while sending, its outcome once sent)."""
    sent_at: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    """The process sending it (operator@host:pid) while its lease lasts."""
    claimed_until: Mapped[datetime | None]
    """Until when no other process may send or read it back (its holder may have died)."""


class TicketPause(Base):
    __tablename__ = "ticket_pause"
    __table_args__ = (Index(None, "ticket_id", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"))
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]


class LocalTicket(Base):
    """A request that came by phone or chat; pushed to a tool later, it links there."""

    __tablename__ = "local_ticket"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(500))
    requester: Mapped[str] = mapped_column(String(255))
    priority: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]
    pushed_to: Mapped[str | None] = mapped_column(String(64))
    """The connection it was pushed to."""
    remote_key: Mapped[str | None] = mapped_column(String(128))


# The first-response lookup groups comments by ticket: without this it reads them all.
Index("ix_ticket_comment_ticket_id", TicketComment.ticket_id)
