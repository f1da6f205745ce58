"""A workspace whose one connection is a simulated tool of any dialect (ZenTao, Feishu...),
for tests of sync, health and the audited action path."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pmcockpit.config import Settings
from pmcockpit.connectors import registry
from pmcockpit.connectors.base import ConnectionConfig, Connector
from pmcockpit.services.workspace import Workspace
from pmcockpit.sim.tool import SimTool
from pmcockpit.storage import connections
from pmcockpit.storage.db import open_database
from tests.databases import database_url

SCALE = 40


@dataclass
class ToolSetup:
    workspace: Workspace
    tool: SimTool
    name: str


def tool_setup(tmp_path: Path, dialect: str, *, password: str | None = None) -> ToolSetup:
    """A workspace on ``tmp_path`` whose connection ``dialect`` is that simulated tool."""
    tool = SimTool(dialect=dialect, seed=7, scale=SCALE)
    db = open_database(database_url(tmp_path / 'pmcockpit.db'))
    settings = Settings(db=str(db.engine.url), operator="tester")

    def open_connector(name: str) -> Connector:
        config = ConnectionConfig(name, dialect, tool.url, password or tool.token,
                                  tool.connector_options)
        return registry.open_connector(config, transport=tool.transport())

    with db.session() as session:
        connections.add(session, dialect, dialect, tool.url, tool.connector_options)
    return ToolSetup(Workspace(settings, db, open_connector), tool, dialect)
