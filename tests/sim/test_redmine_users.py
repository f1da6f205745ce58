"""Redmine dialect: authentication, request bodies, paging, users and groups."""

from __future__ import annotations

import base64

import httpx

from pmcockpit.sim.models import USER_ACTIVE, USER_LOCKED, USER_REGISTERED, User
from pmcockpit.sim.tool import SimTool
from tests.sim.conftest import WRITE_TIME

JSON = {"Content-Type": "application/json"}


def a_user(tool: SimTool, status: int = USER_ACTIVE, admin: bool = False) -> User:
    return next(u for u in tool.state.users.values()
                if u.status == status and u.admin == admin and u.login != "admin")


# -- authentication and the shape of requests ----------------------------------------


async def test_missing_or_wrong_key_is_401_with_empty_body(tool: SimTool) -> None:
    async with httpx.AsyncClient(base_url=tool.url, transport=tool.transport()) as anonymous:
        for headers in ({}, {"X-Redmine-API-Key": "wrong"}):
            response = await anonymous.get("/users/current.json", headers=headers)
            assert response.status_code == 401
            assert response.content == b""
            assert "Basic" in response.headers["WWW-Authenticate"]


async def test_key_query_parameter_and_basic_auth(tool: SimTool) -> None:
    async with httpx.AsyncClient(base_url=tool.url, transport=tool.transport()) as anonymous:
        by_param = await anonymous.get("/users/current.json", params={"key": tool.token})
        assert by_param.json()["user"]["login"] == "admin"
        basic = base64.b64encode(f"{tool.token}:x".encode()).decode()
        by_basic = await anonymous.get("/users/current.json",
                                       headers={"Authorization": f"Basic {basic}"})
        assert by_basic.json()["user"]["id"] == 1


async def test_a_locked_users_key_stops_working(tool: SimTool, client: httpx.AsyncClient) -> None:
    user = a_user(tool)
    async with tool.client(token=user.api_key) as own:
        assert (await own.get("/users/current.json")).json()["user"]["id"] == user.id
        await client.put(f"/users/{user.id}.json", json={"user": {"status": USER_LOCKED}})
        assert (await own.get("/users/current.json")).status_code == 401


async def test_paths_need_the_json_suffix(client: httpx.AsyncClient) -> None:
    response = await client.get("/users")
    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("text/html")
    assert (await client.get("/no/such/thing.json")).status_code == 404
    assert (await client.get("/users/99999.json")).status_code == 404
    assert (await client.get("/users/99999.json")).content == b""


async def test_a_user_body_without_json_content_type_crashes_redmine(
        tool: SimTool, client: httpx.AsyncClient) -> None:
    body = b'{"user": {"login": "newbie", "firstname": "N", "lastname": "B", ' \
           b'"mail": "newbie@example.org", "password": "secret123"}}'
    refused = await client.post("/users.json", content=body)
    assert refused.status_code == 500  # as Redmine 5.0.4: the body is read as a form
    assert tool.state.user_by_login("newbie") is None
    created = await client.post("/users.json", content=body, headers=JSON)
    assert created.status_code == 201
    user = a_user(tool)
    ignored = await client.put(f"/users/{user.id}.json", content=b'{"user": {"status": 3}}')
    assert ignored.status_code == 500
    assert tool.state.users[user.id].status == USER_ACTIVE


async def test_other_bodies_without_json_content_type_are_ignored(
        client: httpx.AsyncClient) -> None:
    refused = await client.post("/groups.json", content=b'{"group": {"name": "Ops"}}')
    assert refused.status_code == 422
    assert "Name cannot be blank" in refused.json()["errors"]


async def test_non_admins_get_403_on_admin_endpoints(tool: SimTool) -> None:
    user = a_user(tool)
    async with tool.client(token=user.api_key) as own:
        assert (await own.get("/users.json")).status_code == 403
        assert (await own.get("/groups.json")).status_code == 403
        response = await own.put(f"/users/{user.id}.json", json={"user": {"status": 3}})
        assert response.status_code == 403
        mine = (await own.get(f"/users/{user.id}.json")).json()["user"]
        assert "status" not in mine and mine["api_key"] == user.api_key


async def test_admin_can_switch_user(tool: SimTool, client: httpx.AsyncClient) -> None:
    user = a_user(tool)
    switched = await client.get("/users/current.json",
                                headers={"X-Redmine-Switch-User": user.login})
    assert switched.json()["user"]["id"] == user.id
    unknown = await client.get("/users/current.json",
                               headers={"X-Redmine-Switch-User": "nobody-here"})
    assert unknown.status_code == 412


# -- users ------------------------------------------------------------------------------


async def test_users_list_pages(tool: SimTool, client: httpx.AsyncClient) -> None:
    active = sum(u.status == USER_ACTIVE for u in tool.state.users.values())
    first = (await client.get("/users.json")).json()
    assert (first["total_count"], first["offset"], first["limit"]) == (active, 0, 25)
    assert len(first["users"]) == 25
    capped = (await client.get("/users.json", params={"limit": 500})).json()
    assert capped["limit"] == 100 and len(capped["users"]) == 100
    rest = (await client.get("/users.json", params={"offset": 100, "limit": 100})).json()
    assert len(rest["users"]) == active - 100
    paged = (await client.get("/users.json", params={"page": 2, "limit": 10})).json()
    assert paged["offset"] == 10
    logins = [u["login"] for u in capped["users"]]
    assert logins == sorted(logins, key=str.lower)


async def test_users_status_filter_and_no_status_field(tool: SimTool,
                                                       client: httpx.AsyncClient) -> None:
    users = tool.state.users.values()
    for status in (USER_ACTIVE, USER_REGISTERED, USER_LOCKED):
        data = (await client.get("/users.json", params={"status": status, "limit": 100})).json()
        assert data["total_count"] == sum(u.status == status for u in users) > 0
        assert all("status" not in item for item in data["users"])
    everyone = (await client.get("/users.json", params={"status": ""})).json()
    assert everyone["total_count"] == len(tool.state.users)
    item = everyone["users"][0]
    assert set(item) == {"id", "login", "admin", "firstname", "lastname", "mail", "created_on",
                         "updated_on", "last_login_on", "passwd_changed_on", "twofa_scheme"}
    assert item["created_on"].endswith("Z") and "T" in item["created_on"]


async def test_users_name_and_group_filters(tool: SimTool, client: httpx.AsyncClient) -> None:
    user = a_user(tool)
    found = (await client.get("/users.json", params={"name": user.login})).json()["users"]
    assert user.id in [u["id"] for u in found]
    group = next(g for g in tool.state.groups.values() if g.name == "Support desk")
    in_group = (await client.get("/users.json", params={"group_id": group.id,
                                                        "status": ""})).json()
    assert {u["id"] for u in in_group["users"]} == set(group.user_ids)


async def test_never_logged_in_users_have_null_last_login(client: httpx.AsyncClient,
                                                          tool: SimTool) -> None:
    never = next(u for u in tool.state.users.values() if u.last_login_on is None)
    data = (await client.get(f"/users/{never.id}.json")).json()["user"]
    assert data["last_login_on"] is None and data["status"] == never.status


async def test_user_with_memberships_and_groups(tool: SimTool, client: httpx.AsyncClient) -> None:
    member = next(m for m in tool.state.members.values() if m.principal_id in tool.state.users
                  and tool.state.groups_of(m.principal_id))
    response = await client.get(f"/users/{member.principal_id}.json",
                                params={"include": "memberships,groups"})
    data = response.json()["user"]
    assert data["groups"] and all(set(g) == {"id", "name"} for g in data["groups"])
    assert member.id in [m["id"] for m in data["memberships"]]
    plain = (await client.get(f"/users/{member.principal_id}.json")).json()["user"]
    assert "memberships" not in plain and "groups" not in plain


async def test_lock_and_unlock(tool: SimTool, client: httpx.AsyncClient) -> None:
    user = a_user(tool)
    locked = await client.put(f"/users/{user.id}.json", json={"user": {"status": USER_LOCKED}})
    assert (locked.status_code, locked.content) == (204, b"")
    assert tool.state.users[user.id].status == USER_LOCKED
    assert tool.state.users[user.id].updated_on == WRITE_TIME
    listed = (await client.get("/users.json", params={"status": USER_LOCKED})).json()
    assert user.id in [u["id"] for u in listed["users"]]
    unlocked = await client.put(f"/users/{user.id}.json", json={"user": {"status": 1}})
    assert unlocked.status_code == 204
    assert tool.state.users[user.id].status == USER_ACTIVE
    bad = await client.put(f"/users/{user.id}.json", json={"user": {"status": 7}})
    assert bad.json() == {"errors": ["Status is not included in the list"]}


async def test_create_and_delete_user(tool: SimTool, client: httpx.AsyncClient) -> None:
    body = {"user": {"login": "newbie", "firstname": "New", "lastname": "Bie",
                     "mail": "newbie@example.org", "password": "secret123"}}
    created = await client.post("/users.json", json=body)
    assert created.status_code == 201
    user = created.json()["user"]
    assert (user["login"], user["status"]) == ("newbie", USER_ACTIVE)
    again = await client.post("/users.json", json=body)
    assert again.status_code == 422
    assert again.json()["errors"] == ["Login has already been taken",
                                      "Email has already been taken"]
    deleted = await client.delete(f"/users/{user['id']}.json")
    assert deleted.status_code == 204
    assert (await client.get(f"/users/{user['id']}.json")).status_code == 404


# -- groups -----------------------------------------------------------------------------


async def test_builtin_groups_are_hidden_unless_asked(client: httpx.AsyncClient) -> None:
    plain = (await client.get("/groups.json")).json()["groups"]
    assert all("builtin" not in g for g in plain)
    assert "Engineering" in [g["name"] for g in plain]
    everything = (await client.get("/groups.json", params={"builtin": 1})).json()["groups"]
    builtin = {g["name"]: g["builtin"] for g in everything if "builtin" in g}
    assert builtin == {"Anonymous users": "anonymous", "Non member users": "non_member"}


async def test_group_ids_share_the_user_sequence(tool: SimTool) -> None:
    principal_ids = set(tool.state.users) | set(tool.state.groups)
    assert len(principal_ids) == len(tool.state.users) + len(tool.state.groups)
    assert min(tool.state.groups) > 1 and max(tool.state.groups) > max(tool.state.users)


async def test_group_with_users_and_memberships(tool: SimTool, client: httpx.AsyncClient) -> None:
    group = next(g for g in tool.state.groups.values() if g.name == "Support desk")
    data = (await client.get(f"/groups/{group.id}.json",
                             params={"include": "users,memberships"})).json()["group"]
    assert {u["id"] for u in data["users"]} == set(group.user_ids)
    assert [m["project"]["name"] for m in data["memberships"]] == ["PM Tool Support"]


async def test_group_user_add_and_remove_cascade(tool: SimTool,
                                                 client: httpx.AsyncClient) -> None:
    state = tool.state
    group = next(g for g in state.groups.values() if g.name == "Support desk")
    project_id = state.memberships_of_principal(group.id)[0].project_id
    user = next(u for u in state.users.values() if u.status == USER_ACTIVE
                and state.member_of(project_id, u.id) is None)
    added = await client.post(f"/groups/{group.id}/users.json", json={"user_id": user.id})
    assert (added.status_code, added.content) == (204, b"")
    member = state.member_of(project_id, user.id)
    assert member is not None and member.has_inherited and not member.direct_role_ids
    twice = await client.post(f"/groups/{group.id}/users.json", json={"user_id": user.id})
    assert twice.json() == {"errors": ["User is invalid"]}
    removed = await client.delete(f"/groups/{group.id}/users/{user.id}.json")
    assert removed.status_code == 204
    assert state.member_of(project_id, user.id) is None
