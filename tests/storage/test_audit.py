"""The audit log's keyed chain catches edited, deleted and forged entries."""

from __future__ import annotations

from sqlalchemy import select, text

from pmcockpit.storage import audit
from pmcockpit.storage.db import Database
from pmcockpit.storage.models import AuditEntry

KEY = audit.ChainKey(b"k" * 32, "test")


def _append(database: Database, n: int, reason: str = "left the company") -> list[int]:
    ids = []
    with database.session() as session:
        for index in range(n):
            entry = audit.append(session, audit.AuditRecord(
                operator="ops", connection_name="rm", action="lock-user",
                target=f"user{index} (user {index})", status="succeeded",
                detail={"action": {"kind": "lock-user"}, "before": {"status": "active"}},
                reason=reason,
            ), KEY)
            ids.append(entry.id)
    return ids


def _problems(database: Database) -> list[audit.ChainProblem]:
    with database.session() as session:
        return audit.walk(session, KEY).problems


def test_an_untouched_chain_verifies(database: Database) -> None:
    ids = _append(database, 5)
    assert _problems(database) == []
    with database.session() as session:
        newest = audit.entries(session, limit=2)
    assert [e.id for e in newest] == ids[:-3:-1]
    assert newest[0].prev_hash == newest[1].entry_hash
    assert {e.chain for e in newest} == {audit.KEYED}


def test_an_edited_entry_is_reported(database: Database) -> None:
    ids = _append(database, 4)
    with database.session() as session:
        session.execute(text("UPDATE audit_entry SET reason = 'no reason' WHERE id = :id"),
                        {"id": ids[1]})
    problems = _problems(database)
    assert [p.entry_id for p in problems] == [ids[1]]
    assert "edited" in problems[0].message


def test_a_deleted_entry_in_the_middle_is_reported(database: Database) -> None:
    ids = _append(database, 4)
    with database.session() as session:
        session.execute(text("DELETE FROM audit_entry WHERE id = :id"), {"id": ids[2]})
    problems = _problems(database)
    assert [p.entry_id for p in problems] == [ids[3]]
    assert "deleted" in problems[0].message


def test_deleting_the_newest_entries_is_reported(database: Database) -> None:
    ids = _append(database, 3)
    with database.session() as session:
        session.execute(text("DELETE FROM audit_entry WHERE id >= :id"), {"id": ids[1]})
    problems = _problems(database)
    assert len(problems) == 1 and problems[0].entry_id is None
    assert f"up to {ids[2]}" in problems[0].message


def test_new_entries_chain_after_a_rollback(database: Database) -> None:
    _append(database, 1)
    try:
        with database.session() as session:
            audit.append(session, audit.AuditRecord("ops", "rm", "x", "t", "failed", {}), KEY)
            raise RuntimeError("interrupted")
    except RuntimeError:
        pass
    _append(database, 1)
    assert _problems(database) == []


def test_text_utf8_cannot_hold_is_kept_escaped_not_lost(database: Database) -> None:
    [entry_id] = _append(database, 1, reason="bad\udcff")
    with database.session() as session:
        [entry] = audit.entries(session)
    assert entry.id == entry_id and entry.reason == "bad\\udcff"
    assert _problems(database) == []


def test_legacy_unkeyed_entries_still_verify_but_only_first(database: Database) -> None:
    _append(database, 2)
    with database.session() as session:
        # What an older pmcockpit wrote: plain sha256 over the same fields.
        for entry in session.scalars(select(AuditEntry)
                                     .order_by(AuditEntry.id)):
            entry.chain = audit.LEGACY
        session.flush()
        previous = audit.GENESIS
        for entry in session.scalars(select(AuditEntry)
                                     .order_by(AuditEntry.id)):
            entry.prev_hash = previous
            entry.entry_hash = audit._entry_hash(entry, KEY)
            previous = entry.entry_hash
    _append(database, 1)
    with database.session() as session:
        walked = audit.walk(session, KEY)
    assert walked.problems == [] and walked.legacy == 2 and walked.count == 3
