"""A workspace on simulated Redmine and GitLab whose clock the test moves week by week."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pmcockpit.config import Settings
from pmcockpit.services.demo import sim_opener
from pmcockpit.services.workspace import Workspace
from pmcockpit.sim import SimTool, build_org
from pmcockpit.storage import connections
from pmcockpit.storage.db import open_database
from tests.databases import database_url

START = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


@dataclass
class SimClock:
    now: datetime = START

    def __call__(self) -> datetime:
        return self.now

    @property
    def naive(self) -> datetime:
        return self.now.replace(tzinfo=None)


@dataclass
class SimSetup:
    workspace: Workspace
    tools: dict[str, SimTool]
    clock: SimClock = field(default_factory=SimClock)

    def group_logins(self, tool: str, group: str) -> list[str]:
        state = self.tools[tool].state
        found = next(g for g in state.groups.values() if g.name == group)
        return sorted(state.users[uid].login for uid in found.user_ids)

    def set_activity(self, tool: str, logins: list[str], active: int) -> None:
        """The first ``active`` of ``logins`` worked yesterday, the others two months ago."""
        state = self.tools[tool].state
        for index, login in enumerate(logins):
            user = state.user_by_login(login)
            assert user is not None
            days = 1 if index < active else 60
            user.last_login_on = self.clock.now - timedelta(days=days)

    def next_week(self) -> None:
        self.clock.now += timedelta(weeks=1)


def sim_setup(tmp_path: Path) -> SimSetup:
    clock = SimClock()
    org = build_org(seed=7, scale=60, now=START)
    tools = {name: SimTool(name, org=org, clock=clock) for name in ("redmine", "gitlab")}
    db = open_database(database_url(tmp_path / 'rollout.db'))
    workspace = Workspace(Settings(operator="tester", templates_dir=str(tmp_path / "lists")),
                          db, sim_opener(tools))
    with db.session() as session:
        for name, tool in tools.items():
            connections.add(session, name, name, tool.url, {})
    return SimSetup(workspace, tools, clock)
