"""The simulated GitLab on a real loopback server: the connector syncs and acts over HTTP,
and ``pmcockpit sim serve --dialect gitlab`` starts it."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from click.testing import CliRunner

from pmcockpit.commands import sim as sim_command
from pmcockpit.connectors.base import ConnectionConfig
from pmcockpit.connectors.gitlab import GitLabConnector
from pmcockpit.core.actions import Action, ActionKind
from pmcockpit.services.sync import fetch_snapshot
from pmcockpit.sim import server as sim_server
from pmcockpit.sim.dialects.gitlab import gitlab_facts
from pmcockpit.sim.models import USER_ACTIVE
from pmcockpit.sim.server import serve
from pmcockpit.sim.tool import SimTool


async def test_connector_over_loopback() -> None:
    tool = SimTool(dialect="gitlab", seed=7, scale=300)  # more users than a page holds
    assert len(tool.state.users) > 100
    lines: list[str] = []
    with serve(tool, log=lines.append) as running:
        connector = GitLabConnector(ConnectionConfig("gl", "gitlab", running.url, tool.token))
        snapshot = await fetch_snapshot(connector)
        assert snapshot.server is not None and snapshot.server.version == "17.5.1-ee"
        assert len(snapshot.accounts) == len(tool.state.users)
        assert len(snapshot.tickets) == len(tool.state.issues)
        user = next(u for u in tool.state.users.values() if u.status == USER_ACTIVE
                    and not u.admin)
        await connector.execute(Action(ActionKind.LOCK_USER, "gl", str(user.id), reason="x"))
        await connector.aclose()
        async with httpx.AsyncClient(base_url=running.url) as anonymous:
            refused = await anonymous.get("/api/v4/user")
            assert (refused.status_code, refused.json()) == (401, {"message": "401 Unauthorized"})
    assert gitlab_facts(tool.state).user_state(user) == "blocked"
    assert f"POST /api/v4/users/{user.id}/block -> 201" in lines
    assert any("/api/v4/users?" in line and "page=2" in line for line in lines)  # paged


def test_sim_serve_speaks_gitlab(monkeypatch: pytest.MonkeyPatch) -> None:
    served: list[SimTool] = []

    def fake_serve_forever(tool: SimTool, host: str, port: int,
                           on_ready: Callable[[str], None] | None = None,
                           log: Callable[[str], None] | None = None) -> None:
        served.append(tool)
        assert on_ready is not None
        on_ready(f"http://{host}:{port}")

    monkeypatch.setattr(sim_server, "serve_forever", fake_serve_forever)
    result = CliRunner().invoke(sim_command.sim, ["serve", "--dialect", "gitlab", "--scale",
                                                  "20", "--token", "glpat-sim"])
    assert result.exit_code == 0, result.output
    assert "Simulated GitLab 17.5 (REST API v4) (20 people, seed 7)" in result.output
    (tool,) = served
    assert tool.dialect.name == "gitlab" and tool.auth_headers() == {"PRIVATE-TOKEN": "glpat-sim"}
