"""Helpers for the checklist tests: a workspace on a file database whose connector talks
to the simulated Redmine, and custom templates written to a folder of their own."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pmcockpit.config import Settings
from pmcockpit.connectors import registry
from pmcockpit.connectors.base import ConnectionConfig, Connector
from pmcockpit.services.sync import sync_all
from pmcockpit.services.workspace import Workspace
from pmcockpit.sim.tool import SimTool
from pmcockpit.storage import connections
from pmcockpit.storage.db import Database, open_database
from tests.databases import database_url

CONNECTION = "rm"
OPERATOR = "tester"
SCALE = 30


@dataclass
class SimSetup:
    workspace: Workspace
    tool: SimTool
    templates_dir: Path

    @property
    def db(self) -> Database:
        return self.workspace.db

    def write_template(self, key: str, text: str) -> Path:
        self.templates_dir.mkdir(parents=True, exist_ok=True)
        path = self.templates_dir / f"{key}.toml"
        path.write_text(text, encoding="utf-8")
        return path

    async def sync(self, *, full: bool = False) -> None:
        [report] = await sync_all(self.workspace, full=full)
        assert report.ok, report.error


Wrap = Callable[[Connector], Connector]


def sim_setup(tmp_path: Path, *, url: str | None = None, token: str | None = None,
              with_connection: bool = True, wrap: Wrap | None = None) -> SimSetup:
    """A workspace on ``tmp_path`` whose one connection (``rm``) is the simulated Redmine.

    ``url`` replaces the connection's URL (an ``https://`` one for the TLS check: the
    in-process transport answers whatever the host); ``wrap`` decorates each connector.
    """
    tool = SimTool(seed=7, scale=SCALE)
    templates_dir = tmp_path / "checklists"
    db = open_database(database_url(tmp_path / 'pmcockpit.db'))
    settings = Settings(db=str(db.engine.url), operator=OPERATOR,
                        templates_dir=str(templates_dir))
    address = url or tool.url

    def open_connector(name: str) -> Connector:
        config = ConnectionConfig(name, "redmine", address, token or tool.token)
        connector = registry.open_connector(config, transport=tool.transport())
        return wrap(connector) if wrap else connector

    if with_connection:
        with db.session() as session:
            connections.add(session, CONNECTION, "redmine", address)
    return SimSetup(Workspace(settings, db, open_connector), tool, templates_dir)


LOCAL_TEMPLATE = '''\
name = "Local checks"
recurrence = "daily"

[[steps]]
id = "backup"
title = "Backup written"
check = "recent-file"
[steps.params]
path = "{backup}"
max_age_hours = 26

[[steps]]
id = "script"
title = "Health script"
check = "command"
[steps.params]
run = "{command}"

[[steps]]
id = "look"
title = "Look at the logs"
guidance = "Read them."
'''


def local_template(backup: Path, command: str = "true") -> str:
    """A daily template with a file check, a command check and one manual step."""
    return LOCAL_TEMPLATE.format(backup=backup, command=command)
