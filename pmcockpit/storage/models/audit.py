"""The append-only, hash-chained log of every action taken, refused or previewed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from pmcockpit.core.clock import utcnow
from pmcockpit.storage.models.base import Base


class AuditEntry(Base):
    """One action taken (or refused, or previewed). Append-only, hash-chained.

    ``entry_hash`` covers every other column and the previous entry's hash, so an
    edited or deleted row breaks the chain (``pmcockpit audit verify``).
    """

    __tablename__ = "audit_entry"
    # AUTOINCREMENT keeps ids from being reused, so deleting the newest entries shows too.
    __table_args__ = {"sqlite_autoincrement": True}  # noqa: RUF012 (SQLAlchemy reads it)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    operator: Mapped[str] = mapped_column(String(128))
    connection_name: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(255))
    """The target's label and remote id, as a person reads it."""
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    """The action's JSON form, plus the state captured before it ran (for undo)."""
    reason: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16))
    """intent (before the remote call), succeeded, failed, refused or unknown."""
    error: Mapped[str | None] = mapped_column(Text)
    undo_of: Mapped[int | None] = mapped_column(ForeignKey("audit_entry.id"))
    intent_id: Mapped[int | None] = mapped_column(ForeignKey("audit_entry.id"))
    """On an outcome: the intent entry (written before the remote call) it completes."""
    chain: Mapped[str] = mapped_column(String(16), default="hmac-sha256",
                                       server_default="sha256")
    """How ``entry_hash`` is made: keyed (hmac-sha256) or, for older entries, sha256."""
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditChainHead(Base):
    """The chain's end as the last append left it, written in the append's transaction.

    One row. A failed append rolls it back with the entry (unlike PostgreSQL's id
    sequence), so a gap in the ids is not taken for a deletion; cutting the newest
    entries leaves it ahead of the log. ``mac`` signs it with the chain key.
    """

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    count: Mapped[int]
    last_id: Mapped[int]
    last_hash: Mapped[str] = mapped_column(String(64))
    mac: Mapped[str] = mapped_column(String(64))
