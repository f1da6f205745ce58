"""The simulated Jira Cloud over plain HTTP: auth, error bodies, paging, JQL, the admin API."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from click.testing import CliRunner

from pmcockpit.commands import sim as sim_command
from pmcockpit.sim import server as sim_server
from pmcockpit.sim.dialects import KNOWN
from pmcockpit.sim.dialects.jira import admin_access, basic_auth
from pmcockpit.sim.dialects.jira.core import (
    account_id,
    account_type,
    group_id,
    issue_ref_id,
    project_ref_id,
)
from pmcockpit.sim.models import PROJECT_ARCHIVED, USER_ACTIVE, USER_LOCKED, User
from pmcockpit.sim.tool import SimTool
from tests.sim.conftest import NOW, WRITE_TIME

API = "/rest/api/3"


@pytest.fixture
def jira() -> SimTool:
    return SimTool("jira", seed=7, scale=150, now=NOW, clock=lambda: WRITE_TIME)


@pytest.fixture
async def client(jira: SimTool) -> AsyncIterator[httpx.AsyncClient]:
    async with jira.client() as admin_client:
        yield admin_client


@pytest.fixture
def admin_headers(jira: SimTool) -> dict[str, str]:
    return {"Authorization": f"Bearer {admin_access(jira.state).api_key}"}


def person(jira: SimTool, *, admin: bool = False) -> User:
    return next(u for u in jira.state.users.values() if u.status == USER_ACTIVE
                and u.admin == admin and account_type(u) == "atlassian")


def login_of(jira: SimTool, user: User) -> dict[str, str]:
    return basic_auth(user.mail, jira.state.api_key_for(user.login))


def test_registered_with_its_connector_options(jira: SimTool) -> None:
    assert "jira" in KNOWN and jira.dialect.product == "Jira Cloud (REST API v3)"
    access = admin_access(jira.state)
    assert jira.connector_options == {"email": "admin@example.org", "admin_org_id": access.org_id,
                                      "admin_api_key": access.api_key, "admin_url": jira.url}
    assert admin_access(SimTool("jira", scale=20).state) == access  # same token, same org
    assert SimTool("redmine", scale=20).connector_options == {}


async def test_basic_auth_with_email_and_token(jira: SimTool, client: httpx.AsyncClient) -> None:
    assert (await client.get(f"{API}/myself")).json()["emailAddress"] == "admin@example.org"
    for headers in ({}, basic_auth("someone@example.org", jira.token),
                    basic_auth("admin@example.org", "wrong"), {"Authorization": "Bearer x"}):
        refused = await client.get(f"{API}/myself", headers=headers or {"Authorization": ""})
        assert refused.status_code == 401
        assert refused.json() == {"errorMessages": [
            "Client must be authenticated to access this resource."], "errors": {}}
    user = person(jira)
    assert (await client.get(f"{API}/myself", headers=login_of(jira, user))).status_code == 200
    forbidden = await client.get(f"{API}/users/search", headers=login_of(jira, user))
    assert forbidden.status_code == 403 and forbidden.json()["errorMessages"]


async def test_users_page_as_bare_lists() -> None:
    bigger = SimTool("jira", seed=7, scale=400, now=NOW)
    total = len(bigger.state.users)
    assert total > 150
    async with bigger.client() as client:
        first = (await client.get(f"{API}/users/search", params={"maxResults": 1000})).json()
        assert isinstance(first, list) and len(first) == 100  # capped, without saying so
        rest = (await client.get(f"{API}/users/search", params={"startAt": 100})).json()
        assert len(rest) == 50  # the default page
        past = await client.get(f"{API}/users/search", params={"startAt": total})
        assert past.json() == []
    app = next(u for u in first if u["accountType"] == "app")
    assert "emailAddress" not in app


async def test_groups_page_beans_and_inactive_members(jira: SimTool,
                                                      client: httpx.AsyncClient) -> None:
    page = (await client.get(f"{API}/group/bulk", params={"maxResults": 5})).json()
    assert (page["startAt"], page["maxResults"], page["isLast"]) == (0, 5, False)
    assert page["values"][0] == {"name": "site-admins", "groupId": group_id(0)}
    group = next(g for g in jira.state.groups.values() if len(g.user_ids) > 2)
    user = jira.state.users[group.user_ids[0]]
    jira.state.set_user_status(user, USER_LOCKED)
    params: dict[str, str | int] = {"groupId": group_id(group.id), "maxResults": 100}
    active = (await client.get(f"{API}/group/member", params=params)).json()
    everyone = (await client.get(f"{API}/group/member",
                                 params={**params, "includeInactiveUsers": "true"})).json()
    assert everyone["total"] == len(group.user_ids)
    assert active["total"] == sum(jira.state.users[i].status == USER_ACTIVE
                                  for i in group.user_ids) < everyone["total"]
    missing = await client.get(f"{API}/group/member", params={"groupId": "nope"})
    assert missing.status_code == 404 and missing.json()["errorMessages"]


async def test_projects_and_role_actors(jira: SimTool, client: httpx.AsyncClient) -> None:
    state = jira.state
    live = (await client.get(f"{API}/project/search")).json()
    archived = (await client.get(f"{API}/project/search", params={"status": "archived"})).json()
    assert live["total"] + archived["total"] == len(state.projects)
    assert all(p["archived"] for p in archived["values"])
    gone = next(p for p in state.projects.values() if p.status == PROJECT_ARCHIVED)
    hidden = await client.get(f"{API}/project/{project_ref_id(gone)}/role")
    assert hidden.status_code == 404
    assert hidden.json()["errorMessages"][0].startswith("No project could be found")

    project = next(p for p in state.projects.values() if p.status != PROJECT_ARCHIVED)
    key = live["values"][0]["key"]
    roles = (await client.get(f"{API}/project/{key}/role")).json()
    assert set(roles) == {"Administrators", "Developers", "Users"}
    outsider = next(u for u in state.users.values() if u.status == USER_ACTIVE
                    and state.member_of(project.id, u.id) is None)
    path = f"{API}/project/{project_ref_id(project)}/role/10000"
    added = await client.post(path, json={"user": [account_id(outsider)]})
    assert added.status_code == 200
    assert {"accountId": account_id(outsider)} in [a.get("actorUser") for a in
                                                   added.json()["actors"]]
    again = await client.post(path, json={"user": [account_id(outsider)]})
    assert again.status_code == 400 and "already a member" in again.json()["errorMessages"][0]
    removed = await client.delete(path, params={"user": account_id(outsider)})
    assert removed.status_code == 204 and state.member_of(project.id, outsider.id) is None
    assert (await client.delete(path, params={"user": account_id(outsider)})).status_code == 404


async def test_jql_search(jira: SimTool, client: httpx.AsyncClient) -> None:
    support = project_ref_id(jira.state.projects[1])
    unbounded = await client.post(f"{API}/search/jql", json={"jql": "order by created"})
    assert unbounded.status_code == 400
    assert unbounded.json()["errorMessages"][0].startswith("Unbounded JQL queries")
    bad = await client.post(f"{API}/search/jql", json={"jql": f"project = {support} AND x ~ y"})
    assert bad.status_code == 400
    ids_only = (await client.post(f"{API}/search/jql", json={
        "jql": f"project = {support}", "maxResults": 5})).json()
    assert set(ids_only["issues"][0]) == {"expand", "id", "key", "self"}
    assert ids_only["isLast"] is False and ids_only["nextPageToken"]
    seen, token = [], None
    while True:
        body = {"jql": f"project in ({support}) AND statusCategory != Done ORDER BY key ASC",
                "fields": ["status"], "maxResults": 7, **({"nextPageToken": token} if token
                                                          else {})}
        page = (await client.post(f"{API}/search/jql", json=body)).json()
        seen += page["issues"]
        token = page.get("nextPageToken")
        if not token:
            break
    assert all(i["fields"]["status"]["statusCategory"]["key"] != "done" for i in seen)
    assert [int(i["id"]) for i in seen] == sorted(int(i["id"]) for i in seen)
    expired = await client.get(f"{API}/search/jql", params={
        "jql": f"project = {support}", "nextPageToken": "???"})
    assert expired.status_code == 400


async def test_issue_writes_and_their_refusals(jira: SimTool, client: httpx.AsyncClient) -> None:
    state = jira.state
    issue = next(iter(state.issues.values()))
    path = f"{API}/issue/{issue_ref_id(issue)}"
    empty = await client.post(f"{path}/comment", json={"body": "plain text"})
    assert (empty.status_code, empty.json()["errors"]) == (
        400, {"comment": "Comment body can not be empty!"})
    wrong = await client.post(f"{path}/transitions", json={"transition": {"id": "999"}})
    assert wrong.json()["errorMessages"] == ["Transition id '999' is not valid for this issue."]
    nobody = await client.put(f"{path}/assignee", json={"accountId": "5b10ac8d82e05bffffffffff"})
    assert nobody.status_code == 400 and "assignee" in nobody.json()["errors"]
    user = person(jira)
    assert (await client.put(f"{path}/assignee", json={"accountId": account_id(user)})
            ).status_code == 204
    assert issue.assigned_to_id == user.id and issue.updated_on == WRITE_TIME
    assert (await client.put(f"{path}/assignee", json={"accountId": None})).status_code == 204
    assert issue.assigned_to_id is None
    no_summary = await client.post(f"{API}/issue", json={"fields": {
        "project": {"id": project_ref_id(state.projects[1])}, "issuetype": {"name": "Task"}}})
    assert no_summary.json()["errors"] == {"summary": "You must specify a summary of the issue."}
    assert (await client.get(f"{API}/issue/NOPE-1")).status_code == 404


async def test_admin_api(jira: SimTool, client: httpx.AsyncClient,
                         admin_headers: dict[str, str]) -> None:
    org = admin_access(jira.state).org_id
    user = person(jira)
    base = f"/admin/v1/orgs/{org}/directory/users/{account_id(user)}"
    assert (await client.get(f"{base}/last-active-dates")).json() == {
        "code": 401, "message": "Unauthorized"}  # the Jira login is not the admin key
    dates = (await client.get(f"{base}/last-active-dates", headers=admin_headers)).json()
    [product] = dates["data"]["product_access"]
    assert product["key"] == "jira-software" and user.last_login_on is not None
    assert product["last_active"] == user.last_login_on.date().isoformat()
    other_org = await client.get(f"{base}/last-active-dates".replace(org, "other"),
                                 headers=admin_headers)
    assert other_org.status_code == 403
    app = next(u for u in jira.state.users.values() if account_type(u) == "app")
    unknown = await client.get(f"/admin/v1/orgs/{org}/directory/users/{account_id(app)}/"
                               "last-active-dates", headers=admin_headers)
    assert unknown.status_code == 404 and unknown.json()["code"] == 404

    suspended = await client.post(f"{base}/suspend-access", headers=admin_headers)
    assert suspended.status_code == 200 and user.status == USER_LOCKED
    assert (await client.post(f"{base}/suspend-access", headers=admin_headers)).status_code \
        == 400
    assert (await client.get(f"{API}/myself", headers=login_of(jira, user))).status_code == 401
    shown = (await client.get(f"{API}/user", params={"accountId": account_id(user)})).json()
    assert shown["active"] is False
    assert (await client.post(f"{base}/restore-access", headers=admin_headers)).status_code \
        == 200
    assert user.status == USER_ACTIVE


async def test_rate_limit_and_unknown_paths(jira: SimTool, client: httpx.AsyncClient) -> None:
    jira.faults.rate_limit(retry_after=7, path="/rest/api/3/search/jql")
    limited = await client.post(f"{API}/search/jql", json={"jql": "project = 10001"})
    assert (limited.status_code, limited.headers["Retry-After"]) == (429, "7")
    missing = await client.get(f"{API}/nothing-here")
    assert missing.status_code == 404 and json.loads(missing.content)["errorMessages"]
    assert (await client.get("/admin/v2/whatever")).json()["code"] == 404


def test_sim_serve_speaks_jira(monkeypatch: pytest.MonkeyPatch) -> None:
    served: list[SimTool] = []

    def fake_serve_forever(tool: SimTool, host: str, port: int,
                           on_ready: Callable[[str], None] | None = None,
                           log: Callable[[str], None] | None = None) -> None:
        served.append(tool)
        assert on_ready is not None
        on_ready(f"http://{host}:{port}")

    monkeypatch.setattr(sim_server, "serve_forever", fake_serve_forever)
    result = CliRunner().invoke(sim_command.sim, ["serve", "--dialect", "jira",
                                                  "--scale", "20", "--token", "t0ken"])
    assert result.exit_code == 0, result.output
    assert "Simulated Jira Cloud (REST API v3)" in result.output
    assert served[0].dialect.name == "jira"


def test_jira_dialect_imports_only_the_sim_and_core() -> None:
    code = ("import json, sys\nimport pmcockpit.sim.dialects.jira\n"
            "print(json.dumps(sorted(m for m in sys.modules if m.startswith('pmcockpit.'))))")
    loaded = json.loads(subprocess.run([sys.executable, "-c", code], check=True,
                                       capture_output=True, text=True).stdout)
    assert all(m.startswith(("pmcockpit.sim", "pmcockpit.core")) for m in loaded), loaded


async def test_jql_updated_since(jira: SimTool, client: httpx.AsyncClient) -> None:
    """``updated >= "yyyy-MM-dd HH:mm"`` (what an incremental sync asks), minute precision."""
    project = jira.state.projects[1]
    support = project_ref_id(project)
    mine = sorted((i for i in jira.state.issues.values() if i.project_id == project.id),
                  key=lambda issue: issue.updated_on)
    middle = mine[len(mine) // 2].updated_on.replace(second=0, microsecond=0)
    jql = f'project = {support} AND updated >= "{middle:%Y-%m-%d %H:%M}"'
    found = (await client.post(f"{API}/search/jql", json={"jql": jql, "maxResults": 100}))
    assert found.status_code == 200, found.text
    expected = {issue_ref_id(i) for i in mine
                if i.updated_on.replace(second=0, microsecond=0) >= middle}
    assert {i["id"] for i in found.json()["issues"]} == expected
    day = (await client.post(f"{API}/search/jql", json={
        "jql": f"project = {support} AND updated < '{middle:%Y/%m/%d}'", "maxResults": 100}))
    assert day.status_code == 200, day.text
