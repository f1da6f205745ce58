"""The audit log's hash chain catches edited and deleted entries."""

from __future__ import annotations

from sqlalchemy import text

from pmcockpit.storage import audit
from pmcockpit.storage.db import Database


def _append(database: Database, n: int) -> list[int]:
    ids = []
    with database.session() as session:
        for index in range(n):
            entry = audit.append(session, audit.AuditRecord(
                operator="ops", connection_name="rm", action="lock-user",
                target=f"user{index} (user {index})", status="succeeded",
                detail={"action": {"kind": "lock-user"}, "before": {"status": "active"}},
                reason="left the company",
            ))
            ids.append(entry.id)
    return ids


def test_an_untouched_chain_verifies(database: Database) -> None:
    ids = _append(database, 5)
    with database.session() as session:
        assert audit.verify(session) == []
        newest = audit.entries(session, limit=2)
    assert [e.id for e in newest] == ids[:-3:-1]
    assert newest[0].prev_hash == newest[1].entry_hash


def test_an_edited_entry_is_reported(database: Database) -> None:
    ids = _append(database, 4)
    with database.session() as session:
        session.execute(text("UPDATE audit_entry SET reason = 'no reason' WHERE id = :id"),
                        {"id": ids[1]})
    with database.session() as session:
        problems = audit.verify(session)
    assert [p.entry_id for p in problems] == [ids[1]]
    assert "edited" in problems[0].message


def test_a_deleted_entry_in_the_middle_is_reported(database: Database) -> None:
    ids = _append(database, 4)
    with database.session() as session:
        session.execute(text("DELETE FROM audit_entry WHERE id = :id"), {"id": ids[2]})
    with database.session() as session:
        problems = audit.verify(session)
    assert [p.entry_id for p in problems] == [ids[3]]
    assert "deleted or edited" in problems[0].message


def test_deleting_the_newest_entries_is_reported(database: Database) -> None:
    ids = _append(database, 3)
    with database.session() as session:
        session.execute(text("DELETE FROM audit_entry WHERE id >= :id"), {"id": ids[1]})
    with database.session() as session:
        problems = audit.verify(session)
    assert len(problems) == 1 and problems[0].entry_id is None
    assert f"up to {ids[2]}" in problems[0].message


def test_new_entries_chain_after_a_rollback(database: Database) -> None:
    _append(database, 1)
    try:
        with database.session() as session:
            audit.append(session, audit.AuditRecord("ops", "rm", "x", "t", "failed", {}))
            raise RuntimeError("interrupted")
    except RuntimeError:
        pass
    _append(database, 1)
    with database.session() as session:
        assert audit.verify(session) == []
