"""GitLab dialect: projects in their groups, members (direct and all), shares, group members."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from pmcockpit.sim.dialects.gitlab import GitLabFacts, gitlab_facts
from pmcockpit.sim.dialects.gitlab.access import (
    direct_levels,
    inherited_levels,
    is_archived,
    project_levels,
    shares,
)
from pmcockpit.sim.models import USER_ACTIVE, Group, Project, User
from pmcockpit.sim.tool import SimTool
from tests.sim.conftest import NOW, WRITE_TIME

API = "/api/v4"


@pytest.fixture
def gitlab() -> SimTool:
    return SimTool(dialect="gitlab", seed=7, scale=150, now=NOW, clock=lambda: WRITE_TIME)


@pytest.fixture
def facts(gitlab: SimTool) -> GitLabFacts:
    return gitlab_facts(gitlab.state)


@pytest.fixture
async def admin(gitlab: SimTool) -> AsyncIterator[httpx.AsyncClient]:
    async with gitlab.client() as client:
        yield client


def engineering_project(gitlab: SimTool, facts: GitLabFacts) -> Project:
    """An active project in the Engineering group, with direct members and a share."""
    state = gitlab.state
    return next(p for p in state.projects.values() if not is_archived(p)
                and state.groups[facts.namespaces[p.id]].name == "Engineering"
                and direct_levels(state, facts, p) and shares(state, facts, p))


def outsider(gitlab: SimTool, group: Group) -> User:
    return next(u for u in gitlab.state.users.values() if u.status == USER_ACTIVE
                and u.id not in group.user_ids and not u.admin)


async def test_projects_live_in_their_departments_group(gitlab: SimTool, facts: GitLabFacts,
                                                        admin: httpx.AsyncClient) -> None:
    listed = (await admin.get(f"{API}/projects", params={"per_page": 100})).json()
    assert len(listed) == len(gitlab.state.projects)
    support = next(p for p in listed if p["path"] == "pm-support")
    assert support["path_with_namespace"] == "operations/pm-support"
    assert support["namespace"] == {**support["namespace"], "kind": "group", "path": "operations"}
    archived = {p["id"] for p in listed if p["archived"]}
    assert archived == {p.id for p in gitlab.state.projects.values() if is_archived(p)}
    only_archived = await admin.get(f"{API}/projects", params={"archived": "true"})
    assert {p["id"] for p in only_archived.json()} == archived


async def test_members_and_members_all(gitlab: SimTool, facts: GitLabFacts,
                                       admin: httpx.AsyncClient) -> None:
    state = gitlab.state
    project = engineering_project(gitlab, facts)
    base = f"{API}/projects/{project.id}/members"
    direct = {m["id"]: m["access_level"] for m in
              (await admin.get(base, params={"per_page": 100})).json()}
    everyone = {m["id"]: m["access_level"] for m in
                (await admin.get(f"{base}/all", params={"per_page": 100})).json()}
    assert direct == direct_levels(state, facts, project)
    assert everyone == project_levels(state, facts, project)
    engineers = state.groups[facts.namespaces[project.id]].user_ids
    assert set(engineers) <= set(everyone) and set(direct) <= set(everyone)
    group, cap = shares(state, facts, project)[0]
    for user_id in group.user_ids:  # a share gives at most its own level
        assert everyone[user_id] >= min(facts.group_level(group.id, user_id), cap)
    inherited_only = next(u for u in everyone if u not in direct)
    assert (await admin.get(f"{base}/{inherited_only}")).status_code == 404
    assert (await admin.get(f"{base}/all/{inherited_only}")).json()["access_level"] == \
        everyone[inherited_only]


async def test_add_change_and_remove_a_member(gitlab: SimTool, facts: GitLabFacts,
                                              admin: httpx.AsyncClient) -> None:
    state = gitlab.state
    project = engineering_project(gitlab, facts)
    base = f"{API}/projects/{project.id}/members"
    newcomer = outsider(gitlab, state.groups[facts.namespaces[project.id]])
    missing = await admin.post(base, json={})
    assert (missing.status_code, missing.json()) == (
        400, {"error": "user_id is missing, access_level is missing"})
    bad = await admin.post(base, json={"user_id": newcomer.id, "access_level": 35})
    assert bad.json() == {"message": {"access_level": ["does not have a valid value"]}}
    added = await admin.post(base, json={"user_id": newcomer.id, "access_level": 30})
    assert (added.status_code, added.json()["access_level"]) == (201, 30)
    again = await admin.post(base, data={"user_id": newcomer.id, "access_level": 30})
    assert (again.status_code, again.json()) == (409, {"message": "Member already exists"})
    changed = await admin.put(f"{base}/{newcomer.id}", params={"access_level": 40})
    assert changed.json()["access_level"] == 40
    assert direct_levels(state, facts, project)[newcomer.id] == 40
    assert (await admin.delete(f"{base}/{newcomer.id}")).status_code == 204
    assert newcomer.id not in project_levels(state, facts, project)
    assert (await admin.delete(f"{base}/{newcomer.id}")).status_code == 404


async def test_direct_access_may_not_be_below_the_groups(gitlab: SimTool, facts: GitLabFacts,
                                                         admin: httpx.AsyncClient) -> None:
    project = engineering_project(gitlab, facts)
    inherited = inherited_levels(gitlab.state, facts, project)
    member = next(u for u in direct_levels(gitlab.state, facts, project) if u in inherited)
    lower = await admin.put(f"{API}/projects/{project.id}/members/{member}",
                            json={"access_level": 10})
    assert (lower.status_code, lower.json()) == (400, {"message": {"access_level": [
        "should be greater than or equal to Reporter inherited membership from group "
        "Engineering"]}})


async def test_only_maintainers_manage_members(gitlab: SimTool, facts: GitLabFacts) -> None:
    project = engineering_project(gitlab, facts)
    levels = direct_levels(gitlab.state, facts, project)
    reporter = next(gitlab.state.users[u] for u, level in
                    project_levels(gitlab.state, facts, project).items() if level < 40
                    and gitlab.state.users[u].status == USER_ACTIVE)
    async with gitlab.client(token=reporter.api_key) as own:
        target = next(iter(levels))
        refused = await own.delete(f"{API}/projects/{project.id}/members/{target}")
        assert (refused.status_code, refused.json()) == (403, {"message": "403 Forbidden"})
        hidden = next(p for p in gitlab.state.projects.values() if not p.is_public
                      and reporter.id not in project_levels(gitlab.state, facts, p))
        assert (await own.get(f"{API}/projects/{hidden.id}")).json() == {
            "message": "404 Project Not Found"}


async def test_share_and_unshare(gitlab: SimTool, facts: GitLabFacts,
                                 admin: httpx.AsyncClient) -> None:
    state = gitlab.state
    project = engineering_project(gitlab, facts)
    group = next(g for g in state.groups.values() if g.user_ids and g.id !=
                 facts.namespaces[project.id] and all(g is not s for s, _ in
                                                      shares(state, facts, project)))
    own_group = await admin.post(f"{API}/projects/{project.id}/share",
                                 json={"group_id": facts.namespaces[project.id],
                                       "group_access": 30})
    assert own_group.status_code == 400
    shared = await admin.post(f"{API}/projects/{project.id}/share",
                              json={"group_id": group.id, "group_access": 20})
    assert shared.status_code == 201 and (group, 20) in shares(state, facts, project)
    shown = (await admin.get(f"{API}/projects/{project.id}")).json()["shared_with_groups"]
    assert {"group_id": group.id, "group_access_level": 20}.items() <= next(
        s for s in shown if s["group_id"] == group.id).items()
    assert (await admin.post(f"{API}/projects/{project.id}/share",
                             json={"group_id": group.id, "group_access": 20})).status_code == 409
    assert (await admin.delete(f"{API}/projects/{project.id}/share/{group.id}")
            ).status_code == 204
    assert all(g is not group for g, _ in shares(state, facts, project))


# -- groups ---------------------------------------------------------------------------------


async def test_groups_and_their_members(gitlab: SimTool, facts: GitLabFacts,
                                        admin: httpx.AsyncClient) -> None:
    state = gitlab.state
    listed = (await admin.get(f"{API}/groups", params={"per_page": 100})).json()
    assert {g["id"] for g in listed} == set(state.groups)
    engineering = next(g for g in state.groups.values() if g.name == "Engineering")
    members = (await admin.get(f"{API}/groups/{engineering.id}/members",
                               params={"per_page": 100})).json()
    assert {m["id"] for m in members} == set(engineering.user_ids)
    assert {m["access_level"] for m in members} == {20}  # a department's people: Reporters
    someone = state.users[engineering.user_ids[0]]
    async with gitlab.client(token=someone.api_key) as own:
        mine = (await own.get(f"{API}/groups")).json()
        every = (await own.get(f"{API}/groups", params={"all_available": "true"})).json()
    assert {g["id"] for g in mine} == {g.id for g in state.groups.values()
                                       if someone.id in g.user_ids}
    assert len(every) == len(state.groups)


async def test_group_membership_reaches_the_groups_projects(
        gitlab: SimTool, facts: GitLabFacts, admin: httpx.AsyncClient) -> None:
    state = gitlab.state
    project = engineering_project(gitlab, facts)
    group = state.groups[facts.namespaces[project.id]]
    newcomer = outsider(gitlab, group)
    base = f"{API}/groups/{group.id}/members"
    added = await admin.post(base, json={"user_id": newcomer.id, "access_level": 30})
    assert added.status_code == 201
    assert project_levels(state, facts, project)[newcomer.id] >= 30
    assert (await admin.post(base, json={"user_id": newcomer.id, "access_level": 30})
            ).status_code == 409
    raised = await admin.put(f"{base}/{newcomer.id}", json={"access_level": 40})
    assert raised.json()["access_level"] == 40 == facts.group_level(group.id, newcomer.id)
    assert (await admin.delete(f"{base}/{newcomer.id}")).status_code == 204
    assert newcomer.id not in project_levels(state, facts, project)
    gone = await admin.delete(f"{base}/{newcomer.id}")
    assert gone.json() == {"message": "404 Member Not Found"}
