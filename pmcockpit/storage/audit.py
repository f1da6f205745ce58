"""The append-only audit log: every action taken, each entry chained to the one before.

Each entry's hash is an HMAC-SHA256, under the installation's secret key, of its own
fields and the previous entry's hash: editing, deleting, reordering or inserting
entries breaks the chain, and someone who can write the database but does not hold
the key cannot recompute it. Entries written before the key existed carry a plain
sha256 ("legacy, unkeyed") and may only come first. The head (count and last hash) is
also kept outside the database (:mod:`pmcockpit.storage.audit_head`), so cutting the
newest entries shows even when the AUTOINCREMENT counter is reset. Inside the database a
signed head row is written in each append's own transaction: a failed append (whose id
PostgreSQL's sequence never gives back) is no deletion, cutting the newest entries is.

An action is written twice: its *intent* (status ``intent``, with the state captured
before) before any remote call, and its outcome after, linked by ``intent_id``. An
intent with no outcome is *in doubt*: the process died in between.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select, text
from sqlalchemy.orm import Session, aliased

from pmcockpit.core.clock import utcnow
from pmcockpit.core.i18n import _
from pmcockpit.storage.models import AuditChainHead, AuditEntry

GENESIS = "0" * 64
KEYED = "hmac-sha256"
LEGACY = "sha256"
INTENT = "intent"
"""The status of an action's first entry, written before the tool is called."""


@dataclass(frozen=True, slots=True)
class ChainKey:
    """The installation's secret for the chain, and where it is kept (said by verify)."""

    secret: bytes
    source: str

    def __repr__(self) -> str:
        return f"ChainKey(source={self.source!r})"  # never the secret

    def sign(self, message: str) -> str:
        return hmac.new(self.secret, message.encode("utf-8"), hashlib.sha256).hexdigest()


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
    intent_id: int | None = None


def storable(value: str) -> str:
    """``value`` with what UTF-8 cannot hold (lone surrogates from undecodable bytes)
    escaped, so no text is ever a reason to lose an audit row."""
    return value.encode("utf-8", "backslashreplace").decode("utf-8")


def _entry_hash(entry: AuditEntry, key: ChainKey) -> str:
    payload: dict[str, Any] = {
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
    if entry.chain == LEGACY:
        canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False,
                               separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    payload.update(intent_id=entry.intent_id, chain=entry.chain, id=entry.id)
    return key.sign(json.dumps(payload, sort_keys=True, ensure_ascii=True,
                               separators=(",", ":")))


APPEND_LOCK = 0x706D636B_6175  # "pmck" "au": PostgreSQL's advisory lock for appends


def _serialise_appends(session: Session) -> None:
    """Take the lock appends share before reading the chain's end, so two processes
    (two operators) appending at once cannot both chain to the same previous entry.
    SQLite: its one write lock. PostgreSQL: a transaction-level advisory lock, released
    at commit or rollback."""
    dialect = session.bind.dialect.name if session.bind is not None else ""
    if dialect == "sqlite":
        session.execute(text("UPDATE connection SET id = id WHERE 0"))
    elif dialect == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": APPEND_LOCK})


def append(session: Session, record: AuditRecord, key: ChainKey, *,
           at: datetime | None = None) -> AuditEntry:
    """Add one entry at the end of the chain (flushed, so it has its id)."""
    _serialise_appends(session)
    last = session.scalars(
        select(AuditEntry.entry_hash).order_by(AuditEntry.id.desc()).limit(1)
    ).first()
    detail = json.loads(json.dumps(record.detail, ensure_ascii=True))
    entry = AuditEntry(
        at=(at or utcnow()), operator=storable(record.operator),
        connection_name=storable(record.connection_name), action=storable(record.action),
        target=storable(record.target), detail=detail, reason=storable(record.reason),
        status=record.status, error=None if record.error is None else storable(record.error),
        undo_of=record.undo_of, intent_id=record.intent_id, chain=KEYED,
        prev_hash=last or GENESIS, entry_hash="-",
    )
    session.add(entry)
    session.flush()  # the id is part of what is signed
    entry.entry_hash = _entry_hash(entry, key)
    _advance_head(session, entry, key)
    session.flush()
    return entry


HEAD_ROW = 1


def _head_message(count: int, last_id: int, last_hash: str) -> str:
    return f"pmcockpit-audit-chain-head/1:{count}:{last_id}:{last_hash}"


def _advance_head(session: Session, entry: AuditEntry, key: ChainKey) -> None:
    """Move the head row to ``entry``, in the append's transaction (under its lock)."""
    head = session.get(AuditChainHead, HEAD_ROW)
    if head is None:  # a log older than the head row: count what is there
        count = int(session.scalar(select(func.count()).select_from(AuditEntry)) or 0)
        head = AuditChainHead(id=HEAD_ROW, count=count, last_id=0, last_hash="", mac="")
        session.add(head)
    else:
        head.count += 1
    head.last_id, head.last_hash = entry.id, entry.entry_hash
    head.mac = key.sign(_head_message(head.count, head.last_id, head.last_hash))


def _head_problems(session: Session, key: ChainKey, last_id: int, last_hash: str
                   ) -> list[ChainProblem]:
    """What the head row (written by the last committed append) says is missing."""
    head = session.get(AuditChainHead, HEAD_ROW)
    if head is None:
        return []
    if not hmac.compare_digest(key.sign(_head_message(head.count, head.last_id,
                                                      head.last_hash)), head.mac):
        return [ChainProblem(None, _(
            "the chain's end recorded in the database was edited, or written without "
            "this installation's key"))]
    if head.last_id > last_id:  # (one deleted in the middle breaks the chain itself)
        return [ChainProblem(None, _(
            "entries after {last} (up to {highest}) were deleted").format(
                last=last_id, highest=head.last_id))]
    if head.last_id == last_id and head.last_hash != last_hash:
        return [ChainProblem(head.last_id, _(
            "entry {id} is not the one last appended: it was replaced").format(
                id=head.last_id))]
    return []


@dataclass(frozen=True, slots=True)
class ChainProblem:
    entry_id: int | None
    message: str


@dataclass(frozen=True, slots=True)
class ChainWalk:
    """What one pass over the chain found."""

    problems: list[ChainProblem]
    count: int
    legacy: int
    last_id: int
    last_hash: str


def walk(session: Session, key: ChainKey) -> ChainWalk:
    """Check every entry's link and hash, oldest first."""
    problems: list[ChainProblem] = []
    previous, last_id, count, legacy, keyed_seen = GENESIS, 0, 0, 0, False
    for entry in session.scalars(select(AuditEntry).order_by(AuditEntry.id)):
        count += 1
        if entry.prev_hash != previous:
            problems.append(ChainProblem(entry.id, _(
                "entry {id} does not follow the entry before it: an entry was deleted, "
                "inserted, moved or edited").format(id=entry.id)))
        if entry.chain == LEGACY:
            legacy += 1
            if keyed_seen:
                problems.append(ChainProblem(entry.id, _(
                    "entry {id} is unkeyed after keyed entries: rewritten without the "
                    "key").format(id=entry.id)))
        else:
            keyed_seen = True
        if entry.chain not in (LEGACY, KEYED) or \
                not hmac.compare_digest(_entry_hash(entry, key), entry.entry_hash):
            problems.append(ChainProblem(entry.id, _(
                "entry {id} was edited after it was written, or written without this "
                "installation's key").format(id=entry.id)))
        previous, last_id = entry.entry_hash, entry.id
    at_end = _head_problems(session, key, last_id, previous)
    problems += at_end
    highest = _highest_issued_id(session)
    if not at_end and highest is not None and highest > last_id:
        problems.append(ChainProblem(None, _(
            "entries after {last} (up to {highest}) were deleted").format(
                last=last_id, highest=highest)))
    return ChainWalk(problems, count, legacy, last_id, previous)


def _highest_issued_id(session: Session) -> int | None:
    """The highest id SQLite ever gave an entry (its AUTOINCREMENT counter, rolled back
    with a failed append); None elsewhere. PostgreSQL's sequence is not rolled back, so a
    failed append would read as a deletion there: the head row (above) checks it."""
    dialect = session.bind.dialect.name if session.bind is not None else ""
    if dialect != "sqlite":
        return None
    value = session.execute(
        text("SELECT seq FROM sqlite_sequence WHERE name = 'audit_entry'")
    ).scalar()
    return int(value) if value is not None else None


def in_doubt_query() -> Select[AuditEntry]:
    """Intents with no outcome, oldest first (a query, for callers to narrow)."""
    outcome = aliased(AuditEntry)
    has_outcome = select(outcome.id).where(outcome.intent_id == AuditEntry.id).exists()
    return select(AuditEntry).where(AuditEntry.status == INTENT, ~has_outcome) \
        .order_by(AuditEntry.id)


def in_doubt(session: Session) -> list[AuditEntry]:
    """Intents with no outcome: the process stopped between them. Oldest first."""
    return list(session.scalars(in_doubt_query()))


def outcome_of(session: Session, intent_id: int) -> AuditEntry | None:
    return session.scalars(select(AuditEntry).where(AuditEntry.intent_id == intent_id)
                           .order_by(AuditEntry.id).limit(1)).first()


def count_up_to(session: Session, last_id: int) -> int:
    return int(session.scalar(select(func.count()).select_from(AuditEntry)
                              .where(AuditEntry.id <= last_id)) or 0)


def hash_of(session: Session, entry_id: int) -> str | None:
    return session.scalar(select(AuditEntry.entry_hash).where(AuditEntry.id == entry_id))


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
