"""A review started from the Permissions screen reads every project's members first, as
`review start` does: requests counted at the simulated tools."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import httpx

from pmcockpit.app import CockpitApp
from pmcockpit.connectors.base import ConnectionConfig, Connector
from pmcockpit.connectors.registry import open_connector
from pmcockpit.core.clock import utcnow
from pmcockpit.screens.permissions import PermissionsScreen
from pmcockpit.sim import SimTool
from pmcockpit.sim.transport import SimTransport
from tests.app.helpers import settle
from tests.services.review_sim import review_sim


class Counted(SimTransport):
    """The simulator's transport, noting each request as "<tool> <METHOD> <path>"."""

    def __init__(self, tool: SimTool, log: list[str]) -> None:
        super().__init__(tool)
        self.log = log

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.log.append(f"{self.tool.dialect.name} {request.method} {request.url.path}")
        return await super().handle_async_request(request)


async def test_a_review_started_from_the_screen_reads_memberships_first(
        tmp_path: Path) -> None:
    sim = await review_sim(tmp_path, scale=20)
    log: list[str] = []
    opened = sim.workspace.open_connector

    def counting(name: str) -> Connector:
        config: ConnectionConfig = opened(name).config
        return open_connector(config, transport=Counted(sim.tools[name], log))

    workspace = dataclasses.replace(sim.workspace, open_connector=counting)
    app = CockpitApp(workspace, clock=utcnow)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("3")
        await settle(pilot)
        assert log == []  # the screen reads the database only
        await pilot.press("n")
        await app.workers.wait_for_complete()
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PermissionsScreen)
        assert screen.view is not None, "the review started"
    members = [line for line in log if line.startswith("redmine GET /projects/")
               and line.endswith("/memberships.json")]
    archived = 9  # Redmine lists no members for an archived project
    listed = [p.id for p in sim.tools["redmine"].state.projects.values()
              if p.status != archived]
    assert sorted(members) == sorted(f"redmine GET /projects/{i}/memberships.json"
                                     for i in listed)
    assert any(line.startswith("gitlab GET /api/v4/projects/") and "/members" in line
               for line in log)
