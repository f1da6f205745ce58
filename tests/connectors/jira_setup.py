"""Jira connectors on the simulated Jira, with or without the organisation admin API."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from pmcockpit.config import Settings
from pmcockpit.connectors import registry
from pmcockpit.connectors.base import ConnectionConfig, Connector
from pmcockpit.connectors.http import ToolClient
from pmcockpit.connectors.jira import JiraConnector, basic_auth
from pmcockpit.services.sync import sync_all
from pmcockpit.services.workspace import Workspace
from pmcockpit.sim.dialects.jira import ADMIN_EMAIL
from pmcockpit.sim.tool import SimTool
from pmcockpit.storage import connections
from pmcockpit.storage.db import open_database
from tests.connectors.conftest import SleepRecorder

CONNECTION = "jira"
STORED_OPTIONS = ("email", "admin_org_id", "admin_url")
"""What a real connection keeps in the database; the admin key comes at run time."""


def jira_options(sim: SimTool, *, admin_api: bool = True) -> dict[str, str]:
    options = dict(sim.connector_options)
    if not admin_api:
        options = {"email": options["email"]}
    return options


def sim_connector(sim: SimTool, sleeps: SleepRecorder, *, admin_api: bool = True,
                  token: str | None = None, transport: httpx.AsyncBaseTransport | None = None
                  ) -> JiraConnector:
    """A connector whose clients sleep through ``sleeps`` (429 and retries cost no time)."""
    options = jira_options(sim, admin_api=admin_api)
    config = ConnectionConfig(CONNECTION, "jira", sim.url, token or sim.token, options)
    wire = transport or sim.transport()
    client = ToolClient(CONNECTION, sim.url, transport=wire, sleep=sleeps,
                        auth_headers={"Authorization": basic_auth(ADMIN_EMAIL, config.token)})
    admin_client = None
    if admin_api:
        admin_client = ToolClient(
            f"{CONNECTION} (admin API)", sim.url, transport=wire, sleep=sleeps,
            auth_headers={"Authorization": f"Bearer {options['admin_api_key']}"})
    return JiraConnector(config, client=client, admin_client=admin_client)


@dataclass
class JiraWorkspace:
    workspace: Workspace
    sim: SimTool

    async def sync(self) -> None:
        [report] = await sync_all(self.workspace)
        assert report.ok, report.error


def jira_workspace(tmp_path: Path, sim: SimTool, *, admin_api: bool = True,
                   wrap: Callable[[Connector], Connector] | None = None) -> JiraWorkspace:
    """A workspace on a file database with one connection, ``jira``, to ``sim``.

    The opener does what the real one does for Jira: the options come from the
    database and the admin key is added at run time (from the token store there).
    """
    db = open_database(f"sqlite:///{tmp_path / 't.db'}")
    settings = Settings(db=str(db.engine.url), operator="tester")
    options = jira_options(sim, admin_api=admin_api)
    with db.session() as session:
        connections.add(session, CONNECTION, "jira", sim.url,
                        {k: v for k, v in options.items() if k in STORED_OPTIONS})

    def open_connector(name: str) -> Connector:
        with db.session() as session:
            stored = dict(connections.get(session, name).options)
        if admin_api:
            stored["admin_api_key"] = options["admin_api_key"]
        config = ConnectionConfig(name, "jira", sim.url, sim.token, stored)
        connector = registry.open_connector(config, transport=sim.transport())
        return wrap(connector) if wrap else connector

    return JiraWorkspace(Workspace(settings, db, open_connector), sim)
