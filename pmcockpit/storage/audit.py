"""The append-only audit log: every action taken, each entry chained to the one before.

Each entry's hash covers its own fields and the previous entry's hash, so editing
or deleting an entry breaks the chain from that point on; on SQLite the
AUTOINCREMENT counter also shows when the newest entries were deleted.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from pmcockpit.core.clock import utcnow
from pmcockpit.storage.models import AuditEntry

GENESIS = "0" * 64


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """What the caller knows about an action; the log adds time, chain and hash."""

    operator: str
    connection_name: str
    action: str
    target: str
    status: str
    detail: dict[str, Any]
    reason: str = ""
    error: str | None = None
    undo_of: int | None = None


def _entry_hash(entry: AuditEntry) -> str:
    payload = {
        "at": entry.at.isoformat(timespec="microseconds"),
        "operator": entry.operator,
        "connection": entry.connection_name,
        "action": entry.action,
        "target": entry.target,
        "detail": entry.detail,
        "reason": entry.reason,
        "status": entry.status,
        "error": entry.error,
        "undo_of": entry.undo_of,
        "prev": entry.prev_hash,
    }
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def append(session: Session, record: AuditRecord, *, at: datetime | None = None) -> AuditEntry:
    """Add one entry at the end of the chain (flushed, so it has its id)."""
    if session.bind is not None and session.bind.dialect.name == "sqlite":
        # Take the write lock before reading the chain's end, so two processes
        # appending at once cannot both chain to the same previous entry.
        session.execute(text("UPDATE connection SET id = id WHERE 0"))
    last = session.scalars(
        select(AuditEntry.entry_hash).order_by(AuditEntry.id.desc()).limit(1)
    ).first()
    entry = AuditEntry(
        at=(at or utcnow()),
        operator=record.operator,
        connection_name=record.connection_name,
        action=record.action,
        target=record.target,
        detail=record.detail,
        reason=record.reason,
        status=record.status,
        error=record.error,
        undo_of=record.undo_of,
        prev_hash=last or GENESIS,
        entry_hash="",
    )
    entry.entry_hash = _entry_hash(entry)
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True, slots=True)
class ChainProblem:
    entry_id: int | None
    message: str


def verify(session: Session) -> list[ChainProblem]:
    """Every place the chain is broken; empty when the log is intact."""
    problems: list[ChainProblem] = []
    previous = GENESIS
    last_id = 0
    for entry in session.scalars(select(AuditEntry).order_by(AuditEntry.id)):
        if entry.prev_hash != previous:
            problems.append(ChainProblem(entry.id, f"entry {entry.id} does not follow the "
                                         "entry before it: an entry was deleted or edited"))
        if _entry_hash(entry) != entry.entry_hash:
            problems.append(ChainProblem(entry.id, f"entry {entry.id} was edited after it "
                                         "was written"))
        previous = entry.entry_hash
        last_id = entry.id
    highest = _highest_issued_id(session)
    if highest is not None and highest > last_id:
        problems.append(ChainProblem(None, f"entries after {last_id} (up to {highest}) were "
                                     "deleted"))
    return problems


def _highest_issued_id(session: Session) -> int | None:
    if session.bind is None or session.bind.dialect.name != "sqlite":
        return None
    value = session.execute(
        text("SELECT seq FROM sqlite_sequence WHERE name = 'audit_entry'")
    ).scalar()
    return int(value) if value is not None else None


def entries(
    session: Session, *, limit: int = 200, connection: str | None = None,
    before_id: int | None = None,
) -> Sequence[AuditEntry]:
    """The newest entries first, one page at a time."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if connection:
        query = query.where(AuditEntry.connection_name == connection)
    if before_id is not None:
        query = query.where(AuditEntry.id < before_id)
    return session.scalars(query).all()
