"""The chain's end is checked against the head row each append writes in its own
transaction: an append whose commit fails leaves a gap in the ids (PostgreSQL's sequence
is not rolled back) and that is no deletion; cutting the newest entries still is one.
Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from pmcockpit.storage import audit
from pmcockpit.storage.db import Database
from tests.databases import on_postgresql
from tests.storage.test_audit import KEY, _append, _problems


class CommitFailed(Exception):
    pass


def _failed_append(database: Database) -> int:
    """An append flushed (so it took an id) whose transaction then fails."""
    with pytest.raises(CommitFailed), database.session() as session:
        entry = audit.append(session, audit.AuditRecord(
            operator="ops", connection_name="rm", action="lock-user", target="u (9)",
            status="succeeded", detail={}), KEY)
        taken = entry.id
        raise CommitFailed
    return taken


def test_a_failed_append_leaves_a_gap_that_is_no_deletion(database: Database) -> None:
    first = _append(database, 2)
    lost = _failed_append(database)
    later = _append(database, 2)
    if on_postgresql():  # its sequence is not rolled back: a real gap in the ids
        assert lost not in first + later and later[0] > lost
    _failed_append(database)  # and a failed append last of all
    assert _problems(database) == []


def test_the_newest_entries_cut_after_a_failed_append_are_caught(database: Database) -> None:
    ids = _append(database, 3)
    _failed_append(database)
    ids += _append(database, 2)
    with database.session() as session:
        session.execute(text("DELETE FROM audit_entry WHERE id >= :id"), {"id": ids[-2]})
    [problem] = _problems(database)
    assert problem.message == audit.ChainProblem(None, (
        f"entries after {ids[-3]} (up to {ids[-1]}) were deleted")).message


def test_an_edited_head_row_is_caught(database: Database) -> None:
    _append(database, 3)
    with database.session() as session:
        session.execute(text("UPDATE audit_chain_head SET count = count - 1"))
    [problem] = _problems(database)
    assert "edited" in problem.message
