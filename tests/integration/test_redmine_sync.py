"""Sync and the audited action path against a real Redmine 5.

The organisation seeded through the REST API (``world``) is synced into a file
database, then changed through :class:`ActionRunner` — previewed, confirmed,
recorded, undone — and each change is checked in Redmine itself.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from pmcockpit.config import Settings
from pmcockpit.connectors.base import ConnectionConfig, Connector
from pmcockpit.connectors.registry import open_connector
from pmcockpit.core.actions import Action, ActionKind
from pmcockpit.services import audit_log
from pmcockpit.services.actions import ActionRunner, Outcome
from pmcockpit.services.sync import sync_all
from pmcockpit.services.workspace import Workspace
from pmcockpit.storage import audit, connections
from pmcockpit.storage.db import open_database
from pmcockpit.storage.models import Account, Membership, MembershipRole
from tests.integration.conftest import RedmineServer, World, ok

pytestmark = pytest.mark.redmine


def _workspace(tmp_path: Path, server: RedmineServer) -> Workspace:
    db = open_database(f"sqlite:///{tmp_path / 'it.db'}")

    def opener(name: str) -> Connector:
        return open_connector(ConnectionConfig(name, "redmine", server.url, server.api_key))

    with db.session() as session:
        connections.add(session, "it", "redmine", server.url)
    return Workspace(Settings(db=str(db.engine.url), operator="integration"), db, opener)


async def test_sync_then_act_and_undo_through_the_audited_path(
    tmp_path: Path, redmine_server: RedmineServer, world: World, api: httpx.AsyncClient
) -> None:
    workspace = _workspace(tmp_path, redmine_server)
    [report] = await sync_all(workspace)
    assert report.ok, report.error
    with workspace.db.session() as session:
        statuses = dict(session.execute(select(Account.login, Account.status).where(
            Account.login.like(f"%-{world.suffix}"))).all())
        assert statuses == {f"alice-{world.suffix}": "active", f"bob-{world.suffix}": "active",
                            f"carol-{world.suffix}": "active", f"dave-{world.suffix}": "locked",
                            f"erin-{world.suffix}": "pending"}
        alice = session.scalars(select(Membership).where(
            Membership.remote_id == world.memberships["alice"])).one()
        assert [r.inherited_from_group_id is not None for r in alice.roles] == [True]
        assert session.scalars(select(MembershipRole)).first() is not None

    carol = world.users["carol"]
    lock = Action(ActionKind.LOCK_USER, "it", carol, f"carol-{world.suffix}", reason="left")
    remove_alice = Action(ActionKind.REMOVE_MEMBERSHIP, "it", world.memberships["alice"],
                          f"alice-{world.suffix}", reason="moved team")
    async with ActionRunner(workspace) as runner:
        [preview, _] = await runner.preview([lock, remove_alice])
        assert [c.path for c in preview.calls] == [f"/users/{carol}.json"]
        locked, refused = await runner.run([lock, remove_alice], confirmed=True)
        assert locked.outcome is Outcome.SUCCEEDED
        assert refused.outcome is Outcome.FAILED and "comes from group" in (refused.error or "")
        user = ok(await api.get(f"/users/{carol}.json"), 200)["user"]
        assert user["status"] == 3
        assert locked.audit_id is not None
        undone = await runner.undo(locked.audit_id, confirmed=True)
        assert undone.ok, undone.error
    assert ok(await api.get(f"/users/{carol}.json"), 200)["user"]["status"] == 1
    with workspace.db.session() as session:
        entries = audit.entries(session)
        assert [(e.action, e.status) for e in entries] == [
            ("unlock-user", "succeeded"), ("unlock-user", "intent"),
            ("remove-membership", "failed"), ("lock-user", "succeeded"),
            ("lock-user", "intent")]
    assert audit_log.verify(workspace).intact
    workspace.db.dispose()
