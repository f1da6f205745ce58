"""The Redmine test server works, and the Redmine 5 REST facts pmcockpit relies on.

Each test documents one behaviour verified against a real Redmine 5.0 (Debian 12's package).
Names carry a per-test uuid suffix so the tests can run repeatedly against one server.
"""

from __future__ import annotations

import json
import subprocess
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.integration.conftest import SCRIPT, RedmineServer

pytestmark = pytest.mark.redmine

API_KEY_HEADER = "X-Redmine-API-Key"


@pytest.fixture
def client(redmine_server: RedmineServer) -> Iterator[httpx.Client]:
    headers = {API_KEY_HEADER: redmine_server.api_key}
    with httpx.Client(base_url=redmine_server.url, headers=headers, timeout=30) as c:
        yield c


def _suffix() -> str:
    return uuid.uuid4().hex[:10]


def _user_body(login: str) -> dict[str, Any]:
    return {
        "user": {
            "login": login,
            "firstname": "Int",
            "lastname": f"Test {login}",
            "mail": f"{login}@example.com",
            "password": "integration-secret-1",
        }
    }


def _create_user(client: httpx.Client, login: str) -> dict[str, Any]:
    response = client.post("/users.json", json=_user_body(login))
    assert response.status_code == 201, response.text
    user: dict[str, Any] = response.json()["user"]
    return user


def _create_group(client: httpx.Client, name: str) -> dict[str, Any]:
    response = client.post("/groups.json", json={"group": {"name": name}})
    assert response.status_code == 201, response.text
    group: dict[str, Any] = response.json()["group"]
    return group


def _create_project(client: httpx.Client, suffix: str) -> dict[str, Any]:
    body = {"project": {"name": f"Integration {suffix}", "identifier": f"it-{suffix}"}}
    response = client.post("/projects.json", json=body)
    assert response.status_code == 201, response.text
    project: dict[str, Any] = response.json()["project"]
    return project


def _logins(client: httpx.Client, **params: str | int) -> list[str]:
    response = client.get("/users.json", params=params)
    assert response.status_code == 200, response.text
    return [u["login"] for u in response.json()["users"]]


def test_script_reports_the_running_server(redmine_server: RedmineServer) -> None:
    status = subprocess.run([str(SCRIPT), "status"], capture_output=True, text=True, check=False)
    assert status.returncode == 0, status.stdout + status.stderr
    assert status.stdout.startswith("running")
    env = subprocess.run([str(SCRIPT), "env"], capture_output=True, text=True, check=True)
    assert env.stdout.splitlines() == [
        f"REDMINE_URL={redmine_server.url}",
        f"REDMINE_API_KEY={redmine_server.api_key}",
    ]


def test_default_data_is_loaded_so_issues_can_be_created(client: httpx.Client) -> None:
    for path, key in [
        ("/roles.json", "roles"),
        ("/trackers.json", "trackers"),
        ("/issue_statuses.json", "issue_statuses"),
        ("/enumerations/issue_priorities.json", "issue_priorities"),
    ]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.json()[key], f"{path} is empty: default data not loaded"
    project = _create_project(client, _suffix())
    issue = {"issue": {"project_id": project["id"], "subject": "integration smoke"}}
    response = client.post("/issues.json", json=issue)
    assert response.status_code == 201, response.text


def test_current_user_via_api_key_header_is_the_admin(client: httpx.Client) -> None:
    response = client.get("/users/current.json")
    assert response.status_code == 200
    user = response.json()["user"]
    assert user["login"] == "admin"
    assert user["admin"] is True


def test_create_user_needs_json_content_type(client: httpx.Client) -> None:
    login = f"ct{_suffix()}"
    # Without Content-Type Rails parses the body as a form, so the JSON is ignored.
    # For /users.json Redmine 5.0 then crashes on params[:user] == nil: 500, not 422.
    raw = json.dumps(_user_body(login)).encode()
    response = client.post("/users.json", content=raw)
    assert "content-type" not in response.request.headers
    assert response.status_code == 500
    assert response.json() == {"status": 500, "error": "Internal Server Error"}
    assert _logins(client, name=login) == []
    # Endpoints that tolerate a missing root key answer 422 with validation errors instead.
    group_raw = json.dumps({"group": {"name": f"ct{_suffix()}"}}).encode()
    response = client.post("/groups.json", content=group_raw)
    assert response.status_code == 422
    assert response.json() == {"errors": ["Name cannot be blank"]}
    # With Content-Type: application/json: 201 and the created object (incl. its api_key).
    response = client.post("/users.json", content=raw, headers={"Content-Type": "application/json"})
    assert response.status_code == 201
    user = response.json()["user"]
    assert user["login"] == login
    assert user["status"] == 1
    assert isinstance(user["id"], int)
    assert _logins(client, name=login) == [login]


def test_users_list_is_active_only_and_lock_is_put_status_3(client: httpx.Client) -> None:
    login = f"lk{_suffix()}"
    user = _create_user(client, login)
    listed = client.get("/users.json", params={"name": login}).json()["users"]
    assert [u["login"] for u in listed] == [login]
    assert "status" not in listed[0]  # list items never carry status...
    assert client.get(f"/users/{user['id']}.json").json()["user"]["status"] == 1  # ...one does

    response = client.put(f"/users/{user['id']}.json", json={"user": {"status": 3}})
    assert response.status_code == 204
    assert response.content == b""

    assert _logins(client, name=login) == []  # default filter is status=1 (active)
    assert _logins(client, name=login, status=3) == [login]
    assert client.get(f"/users/{user['id']}.json").json()["user"]["status"] == 3


def test_pagination_caps_limit_at_100(client: httpx.Client) -> None:
    prefix = f"pg{_suffix()}"
    for i in range(3):
        _create_user(client, f"{prefix}{i}")
    page = client.get("/users.json", params={"name": prefix, "limit": 2, "offset": 1}).json()
    assert (page["total_count"], page["offset"], page["limit"]) == (3, 1, 2)
    assert len(page["users"]) == 2
    assert client.get("/users.json", params={"limit": 1000}).json()["limit"] == 100
    assert client.get("/users.json", params={"limit": 0}).json()["limit"] == 25  # the default
    assert "total_count" not in client.get("/groups.json").json()  # groups are not paginated


def test_group_membership_is_inherited_and_undeletable(client: httpx.Client) -> None:
    suffix = _suffix()
    user = _create_user(client, f"gm{suffix}")
    group = _create_group(client, f"Group {suffix}")
    response = client.post(f"/groups/{group['id']}/users.json", json={"user_id": user["id"]})
    assert response.status_code == 204
    assert response.content == b""

    project = _create_project(client, suffix)
    role_id = client.get("/roles.json").json()["roles"][0]["id"]
    body = {"membership": {"user_id": group["id"], "role_ids": [role_id]}}
    response = client.post(f"/projects/{project['id']}/memberships.json", json=body)
    assert response.status_code == 201
    assert response.json()["membership"]["group"]["id"] == group["id"]  # "group", not "user"

    memberships = client.get(f"/projects/{project['id']}/memberships.json").json()["memberships"]
    mine = [m for m in memberships if m.get("user", {}).get("id") == user["id"]]
    assert len(mine) == 1
    assert [(r["id"], r["inherited"]) for r in mine[0]["roles"]] == [(role_id, True)]
    group_rows = [m for m in memberships if m.get("group", {}).get("id") == group["id"]]
    assert all("inherited" not in r for r in group_rows[0]["roles"])  # only on the user's

    response = client.delete(f"/memberships/{mine[0]['id']}.json")
    assert response.status_code == 422
    assert response.content == b""  # no "errors" body: a bare 422
    assert client.get(f"/memberships/{mine[0]['id']}.json").status_code == 200  # still there


def test_builtin_groups_are_hidden_unless_requested(client: httpx.Client) -> None:
    group = _create_group(client, f"Visible {_suffix()}")
    plain = client.get("/groups.json").json()
    assert group["id"] in [g["id"] for g in plain["groups"]]
    assert all("builtin" not in g for g in plain["groups"])
    everything = client.get("/groups.json", params={"builtin": 1}).json()["groups"]
    builtins = {g["builtin"] for g in everything if "builtin" in g}
    assert builtins == {"anonymous", "non_member"}
