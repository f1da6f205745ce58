"""Writing a snapshot again writes only what changed, and the role grants still come out
exactly as the tool has them."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from sqlalchemy import event, select

from pmcockpit.core.records import RoleGrant
from pmcockpit.storage import connections
from pmcockpit.storage.db import open_database
from pmcockpit.storage.models import MembershipRole
from pmcockpit.storage.snapshots import write_snapshot
from tests.storage.test_snapshots import _snapshot


def test_an_unchanged_snapshot_writes_nothing_and_a_changed_grant_is_replaced(
        tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'x.db'}")
    with db.session() as session:
        connection = connections.add(session, "rm", "redmine", "https://rm.example")
        write_snapshot(session, connection.id, _snapshot())
        connection_id = connection.id
    writes: list[str] = []
    event.listen(db.engine, "before_cursor_execute",
                 lambda _c, _cur, statement, *_a: writes.append(statement)
                 if statement.split()[0] in ("INSERT", "UPDATE", "DELETE") else None)
    with db.session() as session:
        write_snapshot(session, connection_id, _snapshot())
    assert writes == []

    snapshot = _snapshot()
    inherited = snapshot.memberships[1]  # a role held through group 20
    direct = replace(inherited, roles=(RoleGrant(inherited.roles[0].role_id),))
    memberships = (snapshot.memberships[0], direct, *snapshot.memberships[2:])
    with db.session() as session:
        write_snapshot(session, connection_id, replace(snapshot, memberships=memberships))
        grants = session.execute(select(MembershipRole.inherited_from_group_id)).all()
    assert any(w.startswith("DELETE") for w in writes)
    assert [g for (g,) in grants] == [None] * sum(len(m.roles) for m in memberships)
    db.dispose()
