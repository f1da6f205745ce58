"""Reads of the audit log for the Audit screen and ``pmcockpit audit list``.

Plain values in, frozen view models out. Text in the log is what people and tools
typed: :func:`escape_controls` makes every control character visible, so a newline
in a reason cannot forge a line of the log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from pmcockpit.storage import audit
from pmcockpit.storage.models import AuditEntry

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\\": "\\\\"}


def escape_controls(text: str | None) -> str:
    """``text`` on one line, control and bidirectional-override characters escaped."""
    shown = []
    for char in text or "":
        code = ord(char)
        if char in _NAMED:
            shown.append(_NAMED[char])
        elif code < 0x20 or 0x7F <= code < 0xA0 or 0x202A <= code <= 0x202E \
                or 0x2066 <= code <= 0x2069 or 0xD800 <= code <= 0xDFFF:
            shown.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            shown.append(char)
    return "".join(shown)


@dataclass(frozen=True, slots=True)
class EntryRow:
    """One entry of the log, as written (escape before showing)."""

    id: int
    at: datetime
    operator: str
    connection: str
    action: str
    target: str
    status: str
    reason: str
    error: str | None
    undo_of: int | None
    intent_id: int | None
    in_doubt: bool
    """An intent with no outcome: it may or may not have changed the tool."""

    @classmethod
    def of(cls, entry: AuditEntry, doubtful: set[int]) -> EntryRow:
        return cls(entry.id, entry.at, entry.operator, entry.connection_name, entry.action,
                   entry.target, entry.status, entry.reason, entry.error, entry.undo_of,
                   entry.intent_id, entry.id in doubtful)

    def as_json(self) -> dict[str, object]:
        return {"id": self.id, "at": self.at.isoformat(), "operator": self.operator,
                "connection": self.connection, "action": self.action, "target": self.target,
                "reason": self.reason, "status": self.status, "error": self.error,
                "undo_of": self.undo_of, "intent_id": self.intent_id,
                "in_doubt": self.in_doubt}


@dataclass(frozen=True, slots=True)
class EntryPage:
    rows: list[EntryRow]
    more: bool
    """Older entries remain beyond these."""


def page(session: Session, *, limit: int, connection: str | None = None,
         before_id: int | None = None) -> EntryPage:
    """The newest entries (older than ``before_id`` when given), newest first."""
    # One more than asked: whether older entries remain, without counting them all.
    found = audit.entries(session, limit=limit + 1, connection=connection,
                          before_id=before_id)
    doubtful = {entry.id for entry in audit.in_doubt(session)}
    return EntryPage([EntryRow.of(entry, doubtful) for entry in found[:limit]],
                     len(found) > limit)


def in_doubt(session: Session) -> list[EntryRow]:
    """Intents with no outcome, oldest first."""
    doubtful = audit.in_doubt(session)
    ids = {entry.id for entry in doubtful}
    return [EntryRow.of(entry, ids) for entry in doubtful]
