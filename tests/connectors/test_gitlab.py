"""GitLabConnector basics: registry, URL, token header, capabilities by token, paging, 429."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from pmcockpit.connectors.base import ConnectionConfig, Connector
from pmcockpit.connectors.errors import AuthenticationFailed, NotSupported
from pmcockpit.connectors.gitlab import ADMIN_ONLY, GitLabConnector, api_url
from pmcockpit.connectors.registry import CONNECTOR_KINDS, open_connector
from pmcockpit.core.actions import Action, ActionKind
from pmcockpit.core.capabilities import Capability
from pmcockpit.sim.dialects.gitlab import gitlab_facts
from pmcockpit.sim.models import USER_ACTIVE, User
from pmcockpit.sim.tool import SimTool
from tests.connectors.conftest import SleepRecorder
from tests.connectors.gitlab_fixtures import payload, sim_connector

URL = "https://gitlab.example.com"


@pytest.fixture
def sim() -> SimTool:
    return SimTool(dialect="gitlab", seed=7, scale=60)


@pytest.fixture
async def gitlab(sim: SimTool, sleeps: SleepRecorder) -> AsyncIterator[GitLabConnector]:
    connector = sim_connector(sim, sleeps)
    yield connector
    await connector.aclose()


def a_developer(sim: SimTool) -> User:
    return next(u for u in sim.state.users.values()
                if u.status == USER_ACTIVE and not u.admin and u.login != "admin"
                and not gitlab_facts(sim.state).is_bot(u))


def test_registry_opens_gitlab_and_the_api_is_under_api_v4() -> None:
    assert "gitlab" in CONNECTOR_KINDS
    connector = open_connector(ConnectionConfig("gl", "gitlab", URL + "/", "glpat-secret"))
    assert isinstance(connector, GitLabConnector) and isinstance(connector, Connector)
    assert connector.client.base_url == URL + "/api/v4"
    assert api_url(URL + "/api/v4/") == URL + "/api/v4"
    assert "glpat-secret" not in repr(connector)


async def test_token_goes_in_private_token(sim: SimTool) -> None:
    seen: list[httpx.Request] = []
    transport = sim.transport()

    async def spy(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return await transport.handle_async_request(request)

    connector = GitLabConnector(ConnectionConfig("gl", "gitlab", sim.url, sim.token),
                                transport=httpx.MockTransport(spy))
    me = await connector.current_account()
    await connector.aclose()
    assert (me.login, me.is_admin) == ("admin", True)
    assert seen[0].url.path == "/api/v4/user"
    assert seen[0].headers["PRIVATE-TOKEN"] == sim.token


async def test_server_info_probe_and_a_wrong_token(sim: SimTool, gitlab: GitLabConnector,
                                                   sleeps: SleepRecorder) -> None:
    info = await gitlab.server_info()
    assert (info.product, info.version) == ("GitLab", "17.5.1-ee")
    assert info.extra["edition"] == "EE" and info.extra["admin"] == "yes"
    probe = await gitlab.probe()
    assert probe.account.login == "admin" and probe.latency_ms >= 0
    wrong = sim_connector(sim, sleeps, token="glpat-wrong")
    with pytest.raises(AuthenticationFailed):
        await wrong.current_account()
    await wrong.aclose()


async def test_an_administrators_token_can_do_everything(gitlab: GitLabConnector) -> None:
    await gitlab.current_account()
    assert gitlab.capabilities() == frozenset(Capability)
    assert all(gitlab.unsupported_reason(c) is None for c in Capability)


async def test_without_admin_rights_user_actions_are_not_offered(
        sim: SimTool, sleeps: SleepRecorder) -> None:
    developer = a_developer(sim)
    connector = sim_connector(sim, sleeps, token=developer.api_key, name="gl-dev")
    me = await connector.current_account()
    assert not me.is_admin
    assert connector.capabilities() == frozenset(Capability) - ADMIN_ONLY
    reason = connector.unsupported_reason(Capability.LOCK_USERS)
    assert reason == (f"the token's user {developer.login} is not a GitLab administrator: "
                      "only administrators see sign-in dates and can block or deactivate "
                      "users (use an administrator's personal access token with the api "
                      "scope)")
    assert connector.unsupported_reason(Capability.KNOWS_LAST_LOGIN) == reason
    assert connector.unsupported_reason(Capability.MANAGE_MEMBERSHIPS) is None
    accounts = await connector.list_accounts()
    assert all(a.last_login_at is None and a.two_factor is None for a in accounts)
    public = {u.mail for u in sim.state.users.values()
              if u.id in gitlab_facts(sim.state).public_email}
    assert {a.email for a in accounts if a.email} == public  # only public e-mails
    await connector.aclose()


async def test_capabilities_are_exact_once_the_token_user_is_known(
        sim: SimTool, sleeps: SleepRecorder) -> None:
    connector = sim_connector(sim, sleeps, token=a_developer(sim).api_key)
    assert Capability.LOCK_USERS in connector.capabilities()  # not known yet: offered
    await connector.current_account()
    assert Capability.LOCK_USERS not in connector.capabilities()
    await connector.aclose()


async def test_a_fresh_connector_asks_before_acting(sim: SimTool, sleeps: SleepRecorder
                                                    ) -> None:
    connector = sim_connector(sim, sleeps, token=a_developer(sim).api_key)
    with pytest.raises(NotSupported, match="is not a GitLab administrator"):
        await connector.plan(Action(ActionKind.LOCK_USER, "gl", "2", reason="x"))
    assert Capability.LOCK_USERS not in connector.capabilities()
    await connector.aclose()


# -- paging ---------------------------------------------------------------------------------


def pages_by(make_headers: Callable[[int, int], dict[str, str]], items: list[Any],
             per_page: int, seen: list[httpx.Request]) -> httpx.MockTransport:
    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        page = int(request.url.params.get("page", "1"))
        chunk = items[(page - 1) * per_page: page * per_page]
        return httpx.Response(200, json=chunk, headers=make_headers(page, len(items)))
    return httpx.MockTransport(answer)


def link_only(page: int, total: int) -> dict[str, str]:
    """Only ``Link`` (rel=next while there is more), shaped like the docs' example."""
    example = payload("pagination_headers")["link"]
    if page * 1 >= total:
        return {}
    return {"Link": example.replace("https://gitlab.example.com", URL)
            .replace("projects/8/issues/8/notes", "users")
            .replace("page=3&per_page=3", f"page={page + 1}&per_page=1")}


def next_page_only(page: int, total: int) -> dict[str, str]:
    """Only ``X-Next-Page``, empty on the last page, as GitLab sends it."""
    return {"X-Next-Page": str(page + 1) if page < total else "", "X-Page": str(page)}


@pytest.mark.parametrize("headers", [link_only, next_page_only], ids=["link", "x-next-page"])
async def test_every_page_of_users_is_read(headers: Callable[[int, int], dict[str, str]]
                                           ) -> None:
    users = [{**payload("users_admin")[0], "id": n, "username": f"u{n}"} for n in range(1, 4)]
    me = {**users[0], "is_admin": True}
    seen: list[httpx.Request] = []
    pages = pages_by(headers, users, 1, seen)

    async def route(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/user"):
            return httpx.Response(200, json=me)
        return await pages.handle_async_request(request)

    connector = GitLabConnector(ConnectionConfig("gl", "gitlab", URL, "t"),
                                transport=httpx.MockTransport(route))
    accounts = await connector.list_accounts()
    await connector.aclose()
    assert [a.login for a in accounts] == ["u1", "u2", "u3"]
    assert [r.url.params.get("page", "1") for r in seen] == ["1", "2", "3"]
    assert seen[0].url.params["per_page"] == "100"
    assert seen[0].url.params["order_by"] == "id"


async def test_the_sim_pages_like_gitlab(sim: SimTool, gitlab: GitLabConnector) -> None:
    """More users than a page holds: read through both headers the sim sends."""
    assert len(await gitlab.list_accounts()) == len(sim.state.users)


async def test_rate_limited_then_answered(sim: SimTool, gitlab: GitLabConnector,
                                          sleeps: SleepRecorder) -> None:
    """GitLab's own throttle (RateLimit-* headers), then the shared fault plan's 429."""
    throttle = gitlab_facts(sim.state).throttle
    throttle.remaining, throttle.retry_after = 2, 7
    assert (await gitlab.server_info()).version == "17.5.1-ee"
    assert sleeps.delays == [7.0, 7.0]
    sim.faults.rate_limit(1, retry_after=3, path="/api/v4/groups")
    assert await gitlab.list_groups()
    assert sleeps.delays == [7.0, 7.0, 3.0]
