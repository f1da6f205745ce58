"""A workspace on the simulator whose answers can be bent on the way back: the shapes a
broken tool or proxy sends (null ids, a total that is not a number, half a list)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from pmcockpit.config import Settings
from pmcockpit.connectors import registry
from pmcockpit.connectors.base import ConnectionConfig, Connector
from pmcockpit.services.sync import SyncReport, sync_all
from pmcockpit.services.workspace import Workspace
from pmcockpit.sim.tool import SimTool
from pmcockpit.storage import connections
from pmcockpit.storage.db import open_database
from pmcockpit.storage.models import Account
from tests.databases import database_url

NAME = "tool"
Change = Callable[[Any], Any]


@dataclass
class Bend:
    """Rewrites the JSON body (and headers) of answers to one method and path."""

    path: str
    change: Change = lambda body: body
    headers: dict[str, str] = field(default_factory=dict)
    method: str = "GET"


class BendingTransport(httpx.AsyncBaseTransport):
    def __init__(self, inner: httpx.AsyncBaseTransport, bends: list[Bend]) -> None:
        self.inner, self.bends = inner, bends

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        bend = next((b for b in self.bends if request.method == b.method
                     and request.url.path.endswith(b.path)), None)
        if bend is None:
            return response
        content = await response.aread()
        headers = {k: v for k, v in response.headers.items()
                   if k.lower() not in ("content-length", "content-encoding")}
        headers.update({k.lower(): v for k, v in bend.headers.items()})
        return httpx.Response(response.status_code, headers=headers,
                              json=bend.change(json.loads(content)))


@dataclass
class FaultySetup:
    workspace: Workspace
    tool: SimTool
    bends: list[Bend]

    async def sync(self, *, accept_drop: bool = False) -> SyncReport:
        [report] = await sync_all(self.workspace, accept_drop=accept_drop)
        return report

    def account_ids(self) -> list[str]:
        with self.workspace.db.session() as session:
            return sorted(session.scalars(select(Account.remote_id)))

    def last_error(self) -> str | None:
        with self.workspace.db.session() as session:
            return connections.get(session, NAME).last_sync_error


def faulty_setup(tmp_path: Path, dialect: str = "redmine", scale: int = 30) -> FaultySetup:
    tool = SimTool(dialect=dialect, seed=7, scale=scale)
    db = open_database(database_url(tmp_path / 'pmcockpit.db'))
    bends: list[Bend] = []

    def open_connector(name: str) -> Connector:
        config = ConnectionConfig(name, dialect, tool.url, tool.token,
                                  dict(tool.connector_options))
        return registry.open_connector(config,
                                       transport=BendingTransport(tool.transport(), bends))

    with db.session() as session:
        connections.add(session, NAME, dialect, tool.url)
    settings = Settings(db=str(db.engine.url), operator="tester")
    return FaultySetup(Workspace(settings, db, open_connector), tool, bends)
