"""The support queue against a real Redmine 5: a ticket created there is synced through
the connection's queue definition, then commented, assigned and resolved from
pmcockpit; Redmine's journal and status show each change once."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from pmcockpit.config import Settings
from pmcockpit.connectors.base import ConnectionConfig, Connector
from pmcockpit.connectors.registry import open_connector
from pmcockpit.core.clock import utcnow
from pmcockpit.core.queue_filter import QueueFilter
from pmcockpit.services import tickets
from pmcockpit.services.connection_setup import set_queue_option
from pmcockpit.services.outbox import Delivery
from pmcockpit.services.queue import sla_policy
from pmcockpit.services.sync import sync_all
from pmcockpit.services.workspace import Workspace
from pmcockpit.storage import connections
from pmcockpit.storage.db import open_database
from pmcockpit.storage.queries.queue_list import queue_rows
from tests.integration.conftest import RedmineServer, World, ok

pytestmark = pytest.mark.redmine


def _workspace(tmp_path: Path, server: RedmineServer) -> Workspace:
    db = open_database(f"sqlite:///{tmp_path / 'queue.db'}")

    def opener(name: str) -> Connector:
        with db.session() as session:
            options = dict(connections.get(session, name).options)
        return open_connector(ConnectionConfig(name, "redmine", server.url, server.api_key,
                                               options))

    with db.session() as session:
        connections.add(session, "rm", "redmine", server.url)
    # A Redmine shared with other test runs on a busy machine answers slowly.
    settings = Settings(db=str(db.engine.url), operator="integration", request_timeout=60.0,
                        request_deadline=300.0)
    return Workspace(settings, db, opener)


async def test_a_redmine_ticket_is_synced_answered_assigned_and_resolved(
        tmp_path: Path, redmine_server: RedmineServer, world: World,
        api: httpx.AsyncClient) -> None:
    body = {"issue": {"project_id": int(world.project), "tracker_id": 1,
                      "subject": f"Cannot log in ({world.suffix})",
                      "description": "Since this morning the login page says no."}}
    issue_id = ok(await api.post("/issues.json", json=body), 201)["issue"]["id"]
    workspace = _workspace(tmp_path, redmine_server)
    set_queue_option(workspace.db, "rm", "queue.project", world.project)
    for _attempt in range(3):
        # The server is shared with other test runs, which add users while this one
        # pages through them; sync refuses such a page rather than store it. Try again.
        [report] = await sync_all(workspace)
        if report.ok:
            break
    assert report.ok, report.error
    key = f"rm#{issue_id}"
    with workspace.db.session() as session:
        rows, _total = queue_rows(session, utcnow(), sla_policy(workspace.settings),
                                  QueueFilter())
    assert [r.key for r in rows] == [key]  # only the queue's project was read

    said = await tickets.comment(workspace, key, "Looking into it now.")
    assert said.delivery is Delivery.SENT, said.message
    taken = await tickets.assign(workspace, key, f"bob-{world.suffix}")
    assert taken.delivery is Delivery.SENT, taken.message
    done = await tickets.resolve(workspace, key, "Password reset; you can log in again.")
    assert [d.delivery for d in done] == [Delivery.SENT, Delivery.SENT], done

    issue = ok(await api.get(f"/issues/{issue_id}.json", params={"include": "journals"}),
               200)["issue"]
    assert issue["status"]["name"] == "Closed"
    assert issue["assigned_to"]["id"] == int(world.users["bob"])
    notes = [j["notes"] for j in issue["journals"] if j.get("notes")]
    assert notes == ["Looking into it now.", "Password reset; you can log in again."]
