"""Redmine dialect: projects, memberships with group inheritance, roles."""

from __future__ import annotations

from typing import Any

import httpx

from pmcockpit.sim.models import PROJECT_ACTIVE, PROJECT_ARCHIVED, PROJECT_CLOSED, Member
from pmcockpit.sim.tool import SimTool

REPORTER, DEVELOPER, MANAGER = 5, 4, 3


def active_project_id(tool: SimTool, name: str = "PM Tool Support") -> int:
    return next(p.id for p in tool.state.projects.values() if p.name == name)


def inherited_only(tool: SimTool) -> Member:
    state = tool.state
    return next(m for m in state.members.values() if m.principal_id in state.users
                and m.has_inherited and not m.direct_role_ids
                and state.projects[m.project_id].status == PROJECT_ACTIVE)


def roles_of(item: dict[str, Any]) -> list[tuple[int, bool]]:
    return sorted((r["id"], r.get("inherited", False)) for r in item["roles"])


# -- projects ---------------------------------------------------------------------------


async def test_projects_default_hides_archived(tool: SimTool, client: httpx.AsyncClient) -> None:
    projects = tool.state.projects.values()
    data = (await client.get("/projects.json", params={"limit": 100})).json()
    assert data["total_count"] == sum(p.status != PROJECT_ARCHIVED for p in projects)
    for status in (PROJECT_ACTIVE, PROJECT_CLOSED):
        listed = (await client.get("/projects.json", params={"status": status})).json()
        assert {p["status"] for p in listed["projects"]} == {status}
        assert listed["total_count"] == sum(p.status == status for p in projects)
    assert any(p.status == PROJECT_ARCHIVED for p in projects)
    archived = (await client.get("/projects.json", params={"status": 9})).json()
    assert archived["projects"] == [] and archived["total_count"] == 0  # as Redmine 5.0.4


async def test_project_fields_and_parents(tool: SimTool, client: httpx.AsyncClient) -> None:
    items = (await client.get("/projects.json", params={"status": ""})).json()["projects"]
    child = next(p for p in items if "parent" in p)
    assert set(child["parent"]) == {"id", "name"}
    positions = [p["id"] for p in items]
    assert positions.index(child["parent"]["id"]) < positions.index(child["id"])
    assert {"id", "name", "identifier", "description", "status", "created_on", "updated_on",
            "is_public"} <= set(child)
    by_identifier = (await client.get(f"/projects/{child['identifier']}.json")).json()
    assert by_identifier["project"]["id"] == child["id"]


async def test_archived_project_pages_are_403(tool: SimTool, client: httpx.AsyncClient) -> None:
    archived = next(p for p in tool.state.projects.values() if p.status == PROJECT_ARCHIVED)
    assert (await client.get(f"/projects/{archived.id}.json")).status_code == 403
    members = await client.get(f"/projects/{archived.id}/memberships.json")
    assert (members.status_code, members.content) == (403, b"")


async def test_private_projects_hidden_from_non_members(tool: SimTool) -> None:
    state = tool.state
    private = next(p for p in state.projects.values()
                   if not p.is_public and p.status == PROJECT_ACTIVE)
    outsider = next(u for u in state.users.values() if u.status == 1 and not u.admin
                    and state.member_of(private.id, u.id) is None)
    async with tool.client(token=outsider.api_key) as own:
        assert (await own.get(f"/projects/{private.id}.json")).status_code == 403
        listed = (await own.get("/projects.json", params={"limit": 100})).json()["projects"]
        assert private.id not in [p["id"] for p in listed]


# -- memberships ------------------------------------------------------------------------


async def test_memberships_mark_inherited_roles(tool: SimTool, client: httpx.AsyncClient) -> None:
    member = inherited_only(tool)
    data = (await client.get(f"/projects/{member.project_id}/memberships.json",
                             params={"limit": 100})).json()
    item = next(m for m in data["memberships"] if m["id"] == member.id)
    assert set(item) == {"id", "project", "user", "roles"}
    assert all(r["inherited"] is True for r in item["roles"])
    groups = [m for m in data["memberships"] if "group" in m]
    assert groups and all("user" not in m for m in groups)
    assert all("inherited" not in r for m in groups for r in m["roles"])


async def test_memberships_page_and_accept_identifiers(tool: SimTool,
                                                       client: httpx.AsyncClient) -> None:
    project = tool.state.projects[active_project_id(tool)]
    by_id = (await client.get(f"/projects/{project.id}/memberships.json",
                              params={"limit": 2})).json()
    assert len(by_id["memberships"]) == 2 and by_id["total_count"] > 2
    by_identifier = (await client.get(f"/projects/{project.identifier}/memberships.json",
                                      params={"limit": 2})).json()
    assert by_identifier == by_id


async def test_deleting_inherited_membership_is_422_empty(tool: SimTool,
                                                          client: httpx.AsyncClient) -> None:
    member = inherited_only(tool)
    response = await client.delete(f"/memberships/{member.id}.json")
    assert (response.status_code, response.content) == (422, b"")
    assert member.id in tool.state.members


async def test_mixed_membership_keeps_inherited_roles(tool: SimTool,
                                                      client: httpx.AsyncClient) -> None:
    state = tool.state
    mixed = next(m for m in state.members.values() if m.principal_id in state.users
                 and m.has_inherited and m.direct_role_ids)
    assert (await client.delete(f"/memberships/{mixed.id}.json")).status_code == 422
    cleared = await client.put(f"/memberships/{mixed.id}.json",
                               json={"membership": {"role_ids": []}})
    assert cleared.status_code == 204
    assert state.members[mixed.id].direct_role_ids == [] and mixed.has_inherited


async def test_add_change_and_delete_user_membership(tool: SimTool,
                                                     client: httpx.AsyncClient) -> None:
    state = tool.state
    project_id = active_project_id(tool)
    user = next(u for u in state.users.values() if u.status == 1
                and state.member_of(project_id, u.id) is None)
    created = await client.post(f"/projects/{project_id}/memberships.json",
                                json={"membership": {"user_id": user.id,
                                                     "role_ids": [REPORTER]}})
    assert created.status_code == 201
    item = created.json()["membership"]
    assert item["user"]["id"] == user.id and roles_of(item) == [(REPORTER, False)]
    again = await client.post(f"/projects/{project_id}/memberships.json",
                              json={"membership": {"user_id": user.id,
                                                   "role_ids": [REPORTER]}})
    assert again.json() == {"errors": ["User has already been taken"]}
    no_roles = await client.put(f"/memberships/{item['id']}.json",
                                json={"membership": {"role_ids": []}})
    assert no_roles.json() == {"errors": ["Role cannot be empty"]}
    changed = await client.put(f"/memberships/{item['id']}.json",
                               json={"membership": {"role_ids": [MANAGER, DEVELOPER]}})
    assert changed.status_code == 204
    shown = (await client.get(f"/memberships/{item['id']}.json")).json()["membership"]
    assert roles_of(shown) == [(MANAGER, False), (DEVELOPER, False)]
    deleted = await client.delete(f"/memberships/{item['id']}.json")
    assert (deleted.status_code, deleted.content) == (204, b"")
    assert state.member_of(project_id, user.id) is None


async def test_group_membership_cascades(tool: SimTool, client: httpx.AsyncClient) -> None:
    state = tool.state
    project_id = active_project_id(tool, "Budget Planning")
    group = next(g for g in state.groups.values() if g.name == "Security champions"
                 and state.member_of(project_id, g.id) is None)
    created = await client.post(f"/projects/{project_id}/memberships.json",
                                json={"membership": {"user_id": group.id,
                                                     "role_ids": [DEVELOPER]}})
    assert created.status_code == 201
    group_member_id = created.json()["membership"]["id"]
    assert created.json()["membership"]["group"]["id"] == group.id
    members = (await client.get(f"/projects/{project_id}/memberships.json",
                                params={"limit": 100})).json()["memberships"]
    by_user = {m["user"]["id"]: m for m in members if "user" in m}
    for user_id in group.user_ids:
        assert (DEVELOPER, True) in roles_of(by_user[user_id])

    await client.put(f"/memberships/{group_member_id}.json",
                     json={"membership": {"role_ids": [REPORTER]}})
    for user_id in group.user_ids:
        member = state.member_of(project_id, user_id)
        assert member is not None
        assert {(g.role_id, g.inherited_from) for g in member.grants
                if g.inherited_from} == {(REPORTER, group_member_id)}

    deleted = await client.delete(f"/memberships/{group_member_id}.json")
    assert deleted.status_code == 204
    for user_id in group.user_ids:
        member = state.member_of(project_id, user_id)
        assert member is None or not member.has_inherited


async def test_closed_projects_are_read_only(tool: SimTool, client: httpx.AsyncClient) -> None:
    closed = next(p for p in tool.state.projects.values() if p.status == PROJECT_CLOSED)
    assert (await client.get(f"/projects/{closed.id}/memberships.json")).status_code == 200
    refused = await client.post(f"/projects/{closed.id}/memberships.json",
                                json={"membership": {"user_id": 5, "role_ids": [REPORTER]}})
    assert refused.status_code == 403


# -- roles ------------------------------------------------------------------------------


async def test_roles(client: httpx.AsyncClient) -> None:
    roles = (await client.get("/roles.json")).json()["roles"]
    assert roles == [{"id": MANAGER, "name": "Manager"}, {"id": DEVELOPER, "name": "Developer"},
                     {"id": REPORTER, "name": "Reporter"}]
    manager = (await client.get(f"/roles/{MANAGER}.json")).json()["role"]
    assert "manage_members" in manager["permissions"]
    reporter = (await client.get(f"/roles/{REPORTER}.json")).json()["role"]
    assert "manage_members" not in reporter["permissions"]
    assert (await client.get("/roles/99.json")).status_code == 404
