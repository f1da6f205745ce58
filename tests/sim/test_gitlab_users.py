"""GitLab dialect: authentication, errors, paging, rate limit, users and their moderation."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from pmcockpit.sim.dialects.gitlab import core, gitlab_facts
from pmcockpit.sim.models import USER_ACTIVE, USER_LOCKED, User
from pmcockpit.sim.tool import SimTool
from tests.sim.conftest import NOW, WRITE_TIME

API = "/api/v4"


@pytest.fixture
def gitlab() -> SimTool:
    return SimTool(dialect="gitlab", seed=7, scale=150, now=NOW, clock=lambda: WRITE_TIME)


@pytest.fixture
async def admin(gitlab: SimTool) -> AsyncIterator[httpx.AsyncClient]:
    async with gitlab.client() as client:
        yield client


def a_person(gitlab: SimTool, *, dormant: bool | None = None) -> User:
    facts = gitlab_facts(gitlab.state)
    return next(u for u in gitlab.state.users.values()
                if u.status == USER_ACTIVE and not u.admin and not facts.is_bot(u)
                and (dormant is None or facts.dormant(u, WRITE_TIME.date()) == dormant))


# -- authentication and errors --------------------------------------------------------------


async def test_a_missing_or_wrong_token_is_401_with_a_message(gitlab: SimTool) -> None:
    async with httpx.AsyncClient(base_url=gitlab.url, transport=gitlab.transport()) as anon:
        for headers in ({}, {"PRIVATE-TOKEN": "glpat-wrong"}):
            response = await anon.get(f"{API}/user", headers=headers)
            assert (response.status_code, response.json()) == (
                401, {"message": "401 Unauthorized"})
        by_param = await anon.get(f"{API}/user", params={"private_token": gitlab.token})
        bearer = await anon.get(f"{API}/user",
                                headers={"Authorization": f"Bearer {gitlab.token}"})
        assert by_param.json()["username"] == bearer.json()["username"] == "admin"


async def test_paths_outside_the_api_and_unknown_routes(admin: httpx.AsyncClient) -> None:
    page = await admin.get("/users/sign_in")
    assert page.status_code == 404 and page.headers["Content-Type"].startswith("text/html")
    unknown = await admin.get(f"{API}/no/such/thing")
    assert (unknown.status_code, unknown.json()) == (404, {"error": "404 Not Found"})
    missing = await admin.get(f"{API}/users/99999")
    assert missing.json() == {"message": "404 User Not Found"}


async def test_version_and_the_current_user(gitlab: SimTool, admin: httpx.AsyncClient) -> None:
    assert (await admin.get(f"{API}/version")).json() == {"version": "17.5.1-ee",
                                                         "revision": "b6d1e8c5f3a"}
    me = (await admin.get(f"{API}/user")).json()
    assert (me["username"], me["name"], me["is_admin"], me["bot"]) == (
        "admin", "Administrator", True, False)
    person = a_person(gitlab)
    async with gitlab.client(token=person.api_key) as own:
        mine = (await own.get(f"{API}/user")).json()
    assert mine["username"] == person.login and "is_admin" not in mine
    assert mine["email"] == person.mail


# -- users ----------------------------------------------------------------------------------


async def test_an_administrator_sees_everything(gitlab: SimTool,
                                                admin: httpx.AsyncClient) -> None:
    users = (await admin.get(f"{API}/users", params={"per_page": 100, "order_by": "id",
                                                     "sort": "asc"})).json()
    assert [u["id"] for u in users] == sorted(gitlab.state.users)[:100]
    facts = gitlab_facts(gitlab.state)
    for item in users:
        user = gitlab.state.users[item["id"]]
        assert item["email"] == user.mail and item["is_admin"] == user.admin
        assert item["two_factor_enabled"] == (user.id in facts.two_factor)
        assert item["bot"] == facts.is_bot(user)
        if user.id in facts.never_signs_in:
            assert item["current_sign_in_at"] is None and item["last_sign_in_at"] is None
    states = {u["state"] for u in users}
    assert {"active", "blocked", "blocked_pending_approval"} <= states


async def test_anyone_else_sees_little(gitlab: SimTool) -> None:
    person = a_person(gitlab)
    async with gitlab.client(token=person.api_key) as own:
        [listed] = (await own.get(f"{API}/users", params={"username": person.login})).json()
        profile = (await own.get(f"{API}/users/{person.id}")).json()
        blocked = await own.post(f"{API}/users/{person.id}/block")
    assert set(listed) == {"id", "username", "name", "state", "locked", "avatar_url", "web_url"}
    assert {"bot", "public_email", "created_at"} <= set(profile)
    assert not {"email", "last_sign_in_at", "two_factor_enabled"} & set(profile)
    assert (blocked.status_code, blocked.json()) == (403, {"message": "403 Forbidden"})


async def test_pages_are_told_in_headers(gitlab: SimTool, admin: httpx.AsyncClient) -> None:
    total = len(gitlab.state.users)
    first = await admin.get(f"{API}/users", params={"per_page": 5, "active": "true"})
    active = sum(1 for u in gitlab.state.users.values() if u.status == USER_ACTIVE)
    assert first.headers["X-Total"] == str(active)
    assert (first.headers["X-Page"], first.headers["X-Next-Page"], first.headers["X-Prev-Page"]) \
        == ("1", "2", "")
    assert 'per_page=5>; rel="next"' in first.headers["Link"]
    assert "active=true" in first.links["next"]["url"]
    assert first.links["next"]["url"].startswith("http://gitlab.sim/api/v4/users?")
    capped = await admin.get(f"{API}/users", params={"per_page": 500})
    assert len(capped.json()) == min(100, total) and capped.headers["X-Per-Page"] == "100"
    last = await admin.get(f"{API}/users", params={"per_page": 100, "page": 99})
    assert last.json() == [] and last.headers["X-Next-Page"] == ""


async def test_no_totals_above_the_count_limit(admin: httpx.AsyncClient,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(core, "COUNT_LIMIT", 10)
    response = await admin.get(f"{API}/users", params={"per_page": 5})
    assert "X-Total" not in response.headers and "X-Total-Pages" not in response.headers
    assert "last" not in response.links and response.headers["X-Next-Page"] == "2"


async def test_gitlabs_own_rate_limit(gitlab: SimTool, admin: httpx.AsyncClient) -> None:
    throttle = gitlab_facts(gitlab.state).throttle
    throttle.remaining, throttle.retry_after = 1, 30
    limited = await admin.get(f"{API}/version")
    assert (limited.status_code, limited.text) == (429, "Retry later\n")
    assert limited.headers["Retry-After"] == "30"
    assert limited.headers["RateLimit-Name"] == "throttle_authenticated_api"
    assert limited.headers["RateLimit-Remaining"] == "0"
    assert int(limited.headers["RateLimit-Reset"]) == int(WRITE_TIME.timestamp()) + 30
    assert limited.headers["RateLimit-ResetTime"].endswith("GMT")
    assert (await admin.get(f"{API}/version")).status_code == 200


async def test_any_api_call_is_activity(gitlab: SimTool) -> None:
    person = a_person(gitlab, dormant=True)
    async with gitlab.client(token=person.api_key) as own:
        await own.get(f"{API}/version")
    assert gitlab_facts(gitlab.state).activity[person.id] == WRITE_TIME.date()


# -- moderation -----------------------------------------------------------------------------


async def test_block_and_unblock(gitlab: SimTool, admin: httpx.AsyncClient) -> None:
    person = a_person(gitlab)
    blocked = await admin.post(f"{API}/users/{person.id}/block")
    assert (blocked.status_code, blocked.json()) == (201, True)
    assert person.status == USER_LOCKED
    async with gitlab.client(token=person.api_key) as own:
        refused = await own.get(f"{API}/user")
    assert (refused.status_code, refused.json()) == (
        403, {"message": "403 Forbidden - Your account has been blocked."})
    activate = await admin.post(f"{API}/users/{person.id}/activate")
    assert activate.json() == {"message": "403 Forbidden - A blocked user must be unblocked "
                                          "to be activated"}
    assert (await admin.post(f"{API}/users/{person.id}/unblock")).status_code == 201
    assert person.status == USER_ACTIVE


async def test_deactivate_only_the_dormant(gitlab: SimTool, admin: httpx.AsyncClient) -> None:
    busy = a_person(gitlab, dormant=False)
    refused = await admin.post(f"{API}/users/{busy.id}/deactivate")
    assert (refused.status_code, refused.json()) == (403, {"message": (
        "403 Forbidden - The user you are trying to deactivate has been active in the past "
        "90 days and cannot be deactivated")})
    dormant = a_person(gitlab, dormant=True)
    assert (await admin.post(f"{API}/users/{dormant.id}/deactivate")).status_code == 201
    assert gitlab_facts(gitlab.state).user_state(dormant) == "deactivated"
    shown = (await admin.get(f"{API}/users/{dormant.id}")).json()
    assert shown["state"] == "deactivated"
    async with gitlab.client(token=dormant.api_key) as own:
        assert "deactivated by your administrator" in (await own.get(f"{API}/user")).text
    unblock = await admin.post(f"{API}/users/{dormant.id}/unblock")
    assert unblock.json() == {"message": "403 Forbidden - Deactivated users cannot be "
                                         "unblocked by the API"}
    assert (await admin.post(f"{API}/users/{dormant.id}/activate")).status_code == 201
    assert gitlab_facts(gitlab.state).user_state(dormant) == "active"


async def test_blocked_users_are_not_deactivated_and_admins_not_blocked(
        gitlab: SimTool, admin: httpx.AsyncClient) -> None:
    person = a_person(gitlab, dormant=True)
    await admin.post(f"{API}/users/{person.id}/block")
    refused = await admin.post(f"{API}/users/{person.id}/deactivate")
    assert refused.json() == {"message": "403 Forbidden - A blocked user cannot be deactivated "
                                         "by the API"}
    me = (await admin.get(f"{API}/user")).json()
    self_block = await admin.post(f"{API}/users/{me['id']}/block")
    assert self_block.json() == {"message": "403 Forbidden - The API initiating user cannot be "
                                            "blocked by the API"}
