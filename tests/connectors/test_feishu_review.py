"""Feishu as the review's HR roster: ZenTao, GitLab and Feishu simulated from one
organisation; the Feishu directory imported as the roster finds the person who left
(resigned in Feishu) with accounts still active in ZenTao and GitLab."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from pmcockpit.config import Settings
from pmcockpit.connectors.errors import NotSupported
from pmcockpit.core.risk import Rule
from pmcockpit.services import review
from pmcockpit.services.demo import sim_opener
from pmcockpit.services.feishu_roster import import_feishu_roster
from pmcockpit.services.sync import sync_all
from pmcockpit.services.workspace import Workspace
from pmcockpit.sim import SimTool, build_org
from pmcockpit.sim.dialects.feishu.core import feishu_facts
from pmcockpit.storage import connections
from pmcockpit.storage.db import open_database
from pmcockpit.storage.models.review import ReviewItem
from tests.databases import database_url

KINDS = ("feishu", "gitlab", "zentao")


async def _workspace(tmp_path: Path) -> tuple[Workspace, dict[str, SimTool]]:
    org = build_org(seed=7, scale=60)
    tools = {kind: SimTool(kind, org=org) for kind in KINDS}
    db = open_database(database_url(tmp_path / "pmcockpit.db"))
    workspace = Workspace(Settings(db=str(db.engine.url), operator="reviewer"), db,
                          sim_opener(tools))
    with db.session() as session:
        for kind, tool in tools.items():
            connections.add(session, kind, kind, tool.url, tool.connector_options)
    reports = await sync_all(workspace)
    assert all(r.ok for r in reports), [r.error for r in reports]
    return workspace, tools


async def test_a_leaver_in_feishu_is_found_active_in_zentao_and_gitlab(
        tmp_path: Path) -> None:
    workspace, tools = await _workspace(tmp_path)
    facts, _parsed = await import_feishu_roster(workspace, "feishu")
    assert facts.filename == "feishu:feishu"
    review_id = review.start_review(workspace)
    with workspace.db.session() as session:
        items = session.scalars(select(ReviewItem).where(
            ReviewItem.review_id == review_id)).all()
        departed: dict[str, set[str]] = {}
        for item in items:
            if any(f["rule"] == Rule.DEPARTED_ACTIVE for f in item.findings.get("found", [])):
                departed.setdefault(item.person, set()).add(item.connection)
    both = {p for p, where in departed.items() if {"zentao", "gitlab"} <= where}
    assert both, departed
    state = tools["feishu"].state
    resigned = {u.mail.lower() for u in state.users.values()
                if u.id in feishu_facts(state).resigned and u.mail}
    assert both <= resigned


async def test_only_a_feishu_connection_is_a_roster(tmp_path: Path) -> None:
    workspace, _ = await _workspace(tmp_path)
    with pytest.raises(NotSupported, match="not a Feishu connection"):
        await import_feishu_roster(workspace, "zentao")
