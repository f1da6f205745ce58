"""Tampering with the audit log, as someone who can write the database (and the head file
beside it) but does not hold the key: every case is caught by ``audit_log.verify``."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Connection, text

from pmcockpit.config import Settings
from pmcockpit.connectors.base import Connector
from pmcockpit.services import audit_log
from pmcockpit.services.workspace import Workspace
from pmcockpit.storage import audit, audit_head
from pmcockpit.storage.db import open_database

pytestmark = pytest.mark.sqlite_only  # the head file beside the database file


def _no_connector(name: str) -> Connector:
    raise LookupError(name)


def _workspace(path: Path) -> Workspace:
    return Workspace(Settings(operator="ops"), open_database(f"sqlite:///{path}"),
                     _no_connector)


def _fill(workspace: Workspace, n: int = 6) -> None:
    key = audit_log.key_for(workspace)
    for index in range(n):
        intent = audit_log.append(workspace, audit.AuditRecord(
            "ops", "rm", "lock-user", f"user{index}", audit.INTENT,
            {"action": {"kind": "lock-user"}, "before": {"status": "active"}}, "left"), key)
        audit_log.append(workspace, audit.AuditRecord(
            "ops", "rm", "lock-user", f"user{index}", "succeeded",
            {"action": {"kind": "lock-user"}, "before": {"status": "active"}}, "left",
            intent_id=intent), key)


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    ws = _workspace(tmp_path / "pmcockpit.db")
    _fill(ws)
    assert audit_log.verify(ws).intact
    return ws


def _sql(workspace: Workspace, *statements: str) -> None:
    """Statements run as an attacker would: plain sqlite3, foreign keys not enforced."""
    connection = sqlite3.connect(str(workspace.db.engine.url.database))
    with connection:
        for statement in statements:
            connection.execute(statement)
    connection.close()


def _legacy_hash(row: dict[str, object], prev: str) -> str:
    """sha256 over the fields, as an attacker without the key would recompute it."""
    payload = {"at": row["at"], "operator": row["operator"], "prev": prev,
               "connection": row["connection_name"], "action": row["action"],
               "target": row["target"], "detail": json.loads(str(row["detail"])),
               "reason": row["reason"], "status": row["status"], "error": row["error"],
               "undo_of": row["undo_of"]}
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _rechain(connection: Connection, chain: str) -> None:
    previous = audit.GENESIS
    rows = connection.execute(text("SELECT * FROM audit_entry ORDER BY id")).mappings()
    for row in list(rows):
        new = _legacy_hash(dict(row), previous)
        connection.execute(text("UPDATE audit_entry SET prev_hash = :p, entry_hash = :h, "
                                "chain = :c WHERE id = :id"),
                           {"p": previous, "h": new, "c": chain, "id": row["id"]})
        previous = new


def edit_reason(ws: Workspace) -> None:
    _sql(ws, "UPDATE audit_entry SET reason = 'routine' WHERE id = 3")


def edit_status(ws: Workspace) -> None:
    _sql(ws, "UPDATE audit_entry SET status = 'failed' WHERE id = 4")


def edit_target(ws: Workspace) -> None:
    _sql(ws, "UPDATE audit_entry SET target = 'someone else' WHERE id = 2")


def edit_detail(ws: Workspace) -> None:
    _sql(ws, "UPDATE audit_entry SET detail = '{\"before\": {\"status\": \"locked\"}}' "
             "WHERE id = 6")


def edit_time(ws: Workspace) -> None:
    _sql(ws, "UPDATE audit_entry SET at = '2020-01-01 00:00:00.000000' WHERE id = 5")


def edit_undo_link(ws: Workspace) -> None:
    _sql(ws, "UPDATE audit_entry SET undo_of = 1 WHERE id = 8")


def delete_a_whole_action(ws: Workspace) -> None:
    _sql(ws, "DELETE FROM audit_entry WHERE id IN (5, 6)")


def delete_outcome_leaving_intent(ws: Workspace) -> None:
    _sql(ws, "DELETE FROM audit_entry WHERE id = 6")


def cut_newest_and_fix_sequence(ws: Workspace) -> None:
    _sql(ws, "DELETE FROM audit_entry WHERE id > 8",
         "UPDATE sqlite_sequence SET seq = 8 WHERE name = 'audit_entry'")


def cut_newest_fix_sequence_and_delete_head(ws: Workspace) -> None:
    cut_newest_and_fix_sequence(ws)
    head = audit_log.head_path(ws)
    assert head is not None
    head.unlink()


def swap_two_entries(ws: Workspace) -> None:
    _sql(ws, "UPDATE audit_entry SET id = 100 WHERE id = 3",
         "UPDATE audit_entry SET id = 3 WHERE id = 5",
         "UPDATE audit_entry SET id = 5 WHERE id = 100")


def move_an_entry_to_another_id(ws: Workspace) -> None:
    _sql(ws, "UPDATE audit_entry SET id = 50 WHERE id = 12",
         "UPDATE sqlite_sequence SET seq = 50 WHERE name = 'audit_entry'")


def insert_forged_entry_at_the_end(ws: Workspace) -> None:
    with ws.db.engine.begin() as connection:
        last = connection.execute(text("SELECT * FROM audit_entry ORDER BY id DESC LIMIT 1")
                                  ).mappings().one()
        row = {**dict(last), "id": last["id"] + 1, "target": "forged",
               "prev_hash": last["entry_hash"], "intent_id": None}
        row["entry_hash"] = _legacy_hash(row, str(last["entry_hash"]))
        connection.execute(text(
            "INSERT INTO audit_entry (id, at, operator, connection_name, action, target, "
            "detail, reason, status, error, undo_of, intent_id, chain, prev_hash, entry_hash) "
            "VALUES (:id, :at, :operator, :connection_name, :action, :target, :detail, "
            ":reason, :status, :error, :undo_of, :intent_id, :chain, :prev_hash, "
            ":entry_hash)"), row)


def recompute_keyed_chain_without_key(ws: Workspace) -> None:
    with ws.db.engine.begin() as connection:
        connection.execute(text("UPDATE audit_entry SET reason = 'routine' WHERE id = 3"))
        _rechain(connection, audit.KEYED)


def rewrite_everything_as_legacy(ws: Workspace) -> None:
    with ws.db.engine.begin() as connection:
        connection.execute(text("UPDATE audit_entry SET reason = 'routine' WHERE id = 3"))
        _rechain(connection, audit.LEGACY)


def rewrite_as_legacy_and_delete_head(ws: Workspace) -> None:
    rewrite_everything_as_legacy(ws)
    keyed_tail(ws)


def rewrite_as_legacy_and_delete_head_quietly(ws: Workspace) -> None:
    rewrite_everything_as_legacy(ws)
    head = audit_log.head_path(ws)
    assert head is not None
    head.unlink()


def empty_the_log_and_delete_head(ws: Workspace) -> None:
    _sql(ws, "DELETE FROM audit_entry", "DELETE FROM sqlite_sequence WHERE name = 'audit_entry'")
    head = audit_log.head_path(ws)
    assert head is not None
    head.unlink()


def keyed_tail(ws: Workspace) -> None:
    head = audit_log.head_path(ws)
    assert head is not None
    head.unlink()
    # The next real action appends a keyed entry after the forged legacy ones.
    audit_log.append(ws, audit.AuditRecord("ops", "rm", "x", "t", "refused", {}),
                     audit_log.key_for(ws))


def replace_with_another_installation(ws: Workspace) -> None:
    other_path = Path(str(ws.db.engine.url.database)).with_name("other.db")
    other = _workspace(other_path)
    key = audit.ChainKey(b"another installation's key 32 b!", "other")
    for index in range(12):
        audit_log.append(other, audit.AuditRecord("ops", "rm", "x", f"t{index}", "refused",
                                                  {}), key)
    other.db.dispose()
    ws.db.dispose()
    mine = Path(str(ws.db.engine.url.database))
    shutil.copyfile(other_path, mine)
    shutil.copyfile(Path(f"{other_path}{audit_head.HEAD_SUFFIX}"),
                    Path(f"{mine}{audit_head.HEAD_SUFFIX}"))


def edit_head_count(ws: Workspace) -> None:
    path = audit_log.head_path(ws)
    assert path is not None
    data = json.loads(path.read_text())
    data["count"] = 10
    path.write_text(json.dumps(data))


def garbage_head(ws: Workspace) -> None:
    path = audit_log.head_path(ws)
    assert path is not None
    path.write_text("not a head")


CASES: list[Callable[[Workspace], None]] = [
    edit_reason, edit_status, edit_target, edit_detail, edit_time, edit_undo_link,
    delete_a_whole_action, delete_outcome_leaving_intent, cut_newest_and_fix_sequence,
    cut_newest_fix_sequence_and_delete_head, swap_two_entries, move_an_entry_to_another_id,
    insert_forged_entry_at_the_end, recompute_keyed_chain_without_key,
    rewrite_everything_as_legacy, rewrite_as_legacy_and_delete_head,
    rewrite_as_legacy_and_delete_head_quietly, empty_the_log_and_delete_head,
    replace_with_another_installation, edit_head_count, garbage_head,
]


@pytest.mark.parametrize("tamper", CASES, ids=[c.__name__ for c in CASES])
def test_tampering_is_detected(workspace: Workspace, tamper: Callable[[Workspace], None]
                               ) -> None:
    tamper(workspace)
    reopened = _workspace(Path(str(workspace.db.engine.url.database)))
    result = audit_log.verify(reopened)
    assert not result.intact, tamper.__name__
    assert all(problem.message for problem in result.problems)


def test_an_old_backup_restored_with_its_head_is_caught_by_a_later_checkpoint(
        tmp_path: Path) -> None:
    ws = _workspace(tmp_path / "pmcockpit.db")
    _fill(ws, 2)
    ws.db.dispose()
    database = tmp_path / "pmcockpit.db"
    head = Path(f"{database}{audit_head.HEAD_SUFFIX}")
    shutil.copyfile(database, tmp_path / "backup.db")
    shutil.copyfile(head, tmp_path / "backup.head")
    ws = _workspace(database)
    _fill(ws, 2)
    checkpoint = audit_log.checkpoint(ws)
    assert audit_log.verify(ws, checkpoint).checkpoint == 8
    ws.db.dispose()
    shutil.copyfile(tmp_path / "backup.db", database)
    shutil.copyfile(tmp_path / "backup.head", head)
    restored = _workspace(database)
    assert audit_log.verify(restored).intact  # consistent with itself ...
    result = audit_log.verify(restored, checkpoint)  # ... but not with what was vouched for
    assert not result.intact and "checkpoint" in result.problems[0].message


def test_a_forged_checkpoint_is_refused(workspace: Workspace) -> None:
    data = json.loads(audit_log.checkpoint(workspace))
    data["count"] = 3
    result = audit_log.verify(workspace, json.dumps(data))
    assert not result.intact and "checkpoint" in result.problems[0].message
    with pytest.raises(audit_log.CheckpointError):
        audit_log.verify(workspace, "{}")


def test_an_intent_without_outcome_is_in_doubt_not_broken(workspace: Workspace) -> None:
    audit_log.append(workspace, audit.AuditRecord("ops", "rm", "lock-user", "u", audit.INTENT,
                                                  {}), audit_log.key_for(workspace))
    result = audit_log.verify(workspace)
    assert result.intact and result.in_doubt == [13]
