"""The simulated ZenTao beyond bugs: teams, executions, permission groups, stories,
tasks, ping and version, in the shapes of easysoft/zentaopms api/v1 (see the
docstring of pmcockpit/sim/dialects/zentao/work.py for the entries followed)."""

from __future__ import annotations

from pathlib import Path

import httpx

from pmcockpit.connectors.base import ConnectionConfig
from pmcockpit.connectors.zentao import ZenTaoConnector
from pmcockpit.sim.dialects.zentao import zentao_facts
from pmcockpit.sim.models import PROJECT_ARCHIVED
from pmcockpit.sim.tool import SimTool

API = "/api.php/v1"


def _staffed(tool: SimTool) -> int:
    """A live project with people, whose id is also its product's and execution's."""
    from pmcockpit.sim.dialects.zentao.work import team

    state = tool.state
    return next(p.id for p in sorted(state.projects.values(), key=lambda p: p.id)
                if p.status != PROJECT_ARCHIVED and team(state, p))


async def test_team_members_and_groups() -> None:
    tool = SimTool(dialect="zentao", seed=7, scale=60)
    project_id = _staffed(tool)
    async with tool.client() as client:
        plain = (await client.get(f"{API}/projects/{project_id}")).json()
        assert "teams" not in plain
        teams = (await client.get(f"{API}/projects/{project_id}",
                                  params={"fields": "team"})).json()["teams"]
        account, member = next(iter(teams.items()))
        assert set(member) == {"account", "role", "join", "realname", "avatar"}
        assert member["account"] == account and member["role"] in ("项目经理", "研发", "测试")
        executions = (await client.get(f"{API}/projects/{project_id}/executions")).json()
        execution = executions["executions"][0]["id"]
        members = (await client.get(f"{API}/executions/{execution}/members")).json()["members"]
        assert {m["account"] for m in members} == set(teams)
        groups = (await client.get(f"{API}/groups")).json()
    admins = next(g for g in groups if g["role"] == "admin")
    assert admins["privs"]["company"] == {"browse": True}
    assert "admin" in admins["accounts"]
    everyone = {a for g in groups for a in g["accounts"]}
    assert everyone == {u.login for u in tool.state.users.values()
                        if u.id not in zentao_facts(tool.state).deleted}


async def test_stories_and_tasks_page_like_bugs() -> None:
    tool = SimTool(dialect="zentao", seed=7, scale=60)
    project_id = _staffed(tool)
    async with tool.client() as client:
        open_stories = (await client.get(f"{API}/products/{project_id}/stories")).json()
        every_story = (await client.get(f"{API}/products/{project_id}/stories",
                                        params={"status": "all"})).json()
        assert set(open_stories) == {"page", "total", "limit", "stories"}
        assert open_stories["total"] < every_story["total"]  # closed ones left out
        story = every_story["stories"][0]
        # story.php and task.php add the history (``actions``) to the listed fields.
        assert (await client.get(f"{API}/stories/{story['id']}")).json() == {
            **story, "actions": []}
        assert set(story["openedBy"]) == {"id", "account", "avatar", "realname"}
        tasks = (await client.get(f"{API}/executions/{project_id}/tasks",
                                  params={"status": "all", "limit": 2})).json()
        assert (tasks["limit"], len(tasks["tasks"])) == (2, 2) and tasks["total"] >= 3
        task = tasks["tasks"][0]
        assert task["status"] in ("wait", "doing", "done", "closed")
        assert (await client.get(f"{API}/tasks/{task['id']}")).json() == {
            **task, "actions": []}
        missing = await client.get(f"{API}/tasks/99999")
        assert missing.status_code == 404


async def test_ping_needs_a_session_and_the_version_does_not() -> None:
    tool = SimTool(dialect="zentao", seed=7, scale=20)
    async with tool.client() as client:
        ping = await client.get(f"{API}/ping")
        assert ping.status_code == 200 and len(ping.json()) == len("2026-01-05 10:00:00")
    async with httpx.AsyncClient(base_url=tool.url, transport=tool.transport()) as anonymous:
        assert (await anonymous.get(f"{API}/ping")).status_code == 401
        version = await anonymous.get(f"{API}/configurations/version")
        assert version.json() == {"name": "version", "value": "18.10"}
        unknown = await anonymous.get(f"{API}/configurations/colour")
        assert (unknown.status_code, unknown.json()) == (400, {"error": "No configuration."})


async def test_the_connector_reports_the_version() -> None:
    tool = SimTool(dialect="zentao", seed=7, scale=20)
    connector = ZenTaoConnector(
        ConnectionConfig("zt", "zentao", tool.url, tool.token, tool.connector_options),
        transport=tool.transport())
    try:
        info = await connector.server_info()
    finally:
        await connector.aclose()
    assert (info.product, info.version) == ("ZenTao", "18.10")


async def test_the_connector_reads_teams_as_memberships() -> None:
    from pmcockpit.core.capabilities import Capability
    from pmcockpit.services.sync import fetch_snapshot
    from pmcockpit.sim.dialects.zentao.work import team

    tool = SimTool(dialect="zentao", seed=7, scale=60)
    connector = ZenTaoConnector(
        ConnectionConfig("zt", "zentao", tool.url, tool.token, tool.connector_options),
        transport=tool.transport())
    try:
        snapshot = await fetch_snapshot(connector)
    finally:
        await connector.aclose()
    assert Capability.HAS_ROLES in connector.capabilities()
    assert "no call to change a project team" in (connector.unsupported_reason(
        Capability.MANAGE_MEMBERSHIPS) or "")
    state, deleted = tool.state, zentao_facts(tool.state).deleted
    expected = {(str(p.id), str(user.id), role) for p in state.projects.values()
                if p.status != PROJECT_ARCHIVED for user, role in team(state, p)
                if user.id not in deleted}
    found = {(m.project_id, m.account_id, m.roles[0].role_id) for m in snapshot.memberships}
    assert found == expected and found
    assert {r.name for r in snapshot.roles if r.is_admin_like} <= {"项目经理"}


async def test_a_team_change_is_refused_with_what_the_api_lacks(tmp_path: Path) -> None:
    """api/v1 routes no team-changing call (config/routes.php; project.php's put takes
    name, begin, end, acl, parent, desc, PM, whitelist): adding or removing a member is
    refused on the audited path, naming that, and ZenTao is not called."""
    from pmcockpit.core.actions import Action, ActionKind
    from pmcockpit.services.actions import ActionRunner, Outcome
    from pmcockpit.services.sync import sync_all
    from pmcockpit.sim.dialects.zentao.work import team
    from pmcockpit.storage import audit
    from tests.services.tool_sim import tool_setup

    setup = tool_setup(tmp_path, "zentao")
    [report] = await sync_all(setup.workspace)
    assert report.ok, report.error
    state = setup.tool.state
    project = state.projects[_staffed(setup.tool)]
    member, _ = team(state, project)[0]
    outsider = next(u for u in state.users.values()
                    if u.id not in {m.id for m, _ in team(state, project)})
    add = Action(ActionKind.ADD_MEMBERSHIP, "zentao", str(project.id), project.name,
                 {"principal_id": str(outsider.id), "role_ids": ["研发"]}, reason="joins")
    remove = Action(ActionKind.REMOVE_MEMBERSHIP, "zentao", f"{project.id}:{member.id}",
                    member.login, reason="left")
    before = [(u.id, role) for u, role in team(state, project)]
    async with ActionRunner(setup.workspace) as runner:
        results = await runner.run([add, remove], confirmed=True)
    assert [r.outcome for r in results] == [Outcome.REFUSED, Outcome.REFUSED]
    for result in results:
        assert "PUT /projects/:id sets only" in (result.error or "")
        assert "Project → Team" in (result.error or "")
    assert [(u.id, role) for u, role in team(state, project)] == before
    with setup.workspace.db.session() as session:
        assert [e.status for e in audit.entries(session)].count("refused") == 2
