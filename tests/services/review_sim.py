"""Helpers for the review tests: Redmine, Jira and GitLab simulated from one organisation,
synced into a workspace, with the organisation's HR roster written to a file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pmcockpit.config import Settings
from pmcockpit.services.demo import sim_opener
from pmcockpit.services.sync import sync_all
from pmcockpit.services.workspace import Workspace
from pmcockpit.sim import SimTool, build_org, write_roster
from pmcockpit.sim.org import Organisation
from pmcockpit.storage import connections
from pmcockpit.storage.db import open_database
from tests.databases import database_url

KINDS = ("gitlab", "jira", "redmine")


@dataclass
class ReviewSim:
    workspace: Workspace
    org: Organisation
    tools: dict[str, SimTool]
    roster_path: Path


async def review_sim(tmp_path: Path, *, scale: int = 40) -> ReviewSim:
    org = build_org(seed=7, scale=scale)
    tools = {kind: SimTool(kind, org=org) for kind in KINDS}
    db = open_database(database_url(tmp_path / 'pmcockpit.db'))
    workspace = Workspace(Settings(db=str(db.engine.url), operator="reviewer"), db,
                          sim_opener(tools))
    with db.session() as session:
        for kind, tool in tools.items():
            connections.add(session, kind, kind, tool.url)
    reports = await sync_all(workspace)
    assert all(r.ok for r in reports), [r.error for r in reports]
    return ReviewSim(workspace, org, tools, write_roster(org, tmp_path / "roster.csv"))
