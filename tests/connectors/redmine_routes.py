"""A respx router answering the read calls like a small Redmine 5.0 (see redmine_payloads)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import respx

from tests.connectors import redmine_payloads as rp

URL = "https://redmine.example.org"


def by_param(name: str, pages: dict[str, Any], key: str) -> Any:
    def answer(request: httpx.Request) -> httpx.Response:
        items = pages[request.url.params[name]]
        return httpx.Response(200, json={key: items, "total_count": len(items),
                                         "offset": 0, "limit": 100})
    return answer


def redmine_router() -> respx.Router:
    router = respx.Router(base_url=URL, assert_all_called=False)
    router.get("/users/current.json").respond(json=rp.CURRENT)
    router.get("/users.json").mock(side_effect=by_param("status", rp.USERS_BY_STATUS, "users"))
    router.get("/groups.json").respond(json=rp.GROUPS)
    for gid, body in rp.GROUP_DETAILS.items():
        router.get(f"/groups/{gid}.json").respond(json=body)
    router.get("/roles.json").respond(json=rp.ROLES)
    for rid, body in rp.ROLE_DETAILS.items():
        router.get(f"/roles/{rid}.json").respond(json=body)
    router.get("/projects.json").mock(
        side_effect=by_param("status", rp.PROJECTS_BY_STATUS, "projects"))
    router.get("/projects/1/memberships.json").respond(json=rp.APOLLO_MEMBERSHIPS)
    router.get("/projects/2/memberships.json").respond(json=rp.GEMINI_MEMBERSHIPS)
    router.get("/projects/3/memberships.json").respond(json=rp.MERCURY_MEMBERSHIPS)
    router.get("/issue_statuses.json").respond(json=rp.ISSUE_STATUSES)
    return router


def sent_json(route: respx.Route) -> Any:
    request = route.calls.last.request
    assert request.headers["Content-Type"] == "application/json"
    return json.loads(request.content)
