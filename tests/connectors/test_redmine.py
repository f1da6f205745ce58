"""RedmineConnector reading Redmine-shaped answers (respx): parsing and the calls it makes."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
import respx

from pmcockpit.connectors.base import ConnectionConfig, Connector
from pmcockpit.connectors.errors import (
    AuthenticationFailed,
    BadResponse,
    NotSupported,
    PermissionDenied,
)
from pmcockpit.connectors.redmine import RedmineConnector
from pmcockpit.connectors.registry import CONNECTOR_KINDS, open_connector
from pmcockpit.core.capabilities import Capability
from pmcockpit.core.records import AccountStatus, ProjectStatus, RoleGrant
from tests.connectors import redmine_payloads as rp
from tests.connectors.redmine_routes import URL, by_param, redmine_router


@pytest.fixture
def router() -> respx.Router:
    return redmine_router()


@pytest.fixture
async def redmine(router: respx.Router) -> AsyncIterator[RedmineConnector]:
    config = ConnectionConfig("redmine-prod", "redmine", URL, rp.API_KEY)
    connector = RedmineConnector(config, transport=httpx.MockTransport(router.handler))
    yield connector
    await connector.aclose()


def test_registry_opens_redmine_and_names_known_kinds() -> None:
    config = ConnectionConfig("r", "redmine", URL, "t")
    assert isinstance(open_connector(config), RedmineConnector)
    assert "redmine" in CONNECTOR_KINDS
    with pytest.raises(NotSupported, match="unknown kind of tool 'trac'; pmcockpit knows: "
                                           r".*redmine"):
        open_connector(ConnectionConfig("t", "trac", URL, "t"))


def test_implements_the_protocol_and_capabilities(redmine: RedmineConnector) -> None:
    assert isinstance(redmine, Connector)
    assert Capability.DEACTIVATE_USERS not in redmine.capabilities()
    assert Capability.KNOWS_LAST_LOGIN in redmine.capabilities()
    assert redmine.capabilities() == frozenset(Capability) - {Capability.DEACTIVATE_USERS}
    assert redmine.unsupported_reason(Capability.DEACTIVATE_USERS) == (
        "Redmine has no deactivation; lock the user instead")
    assert redmine.unsupported_reason(Capability.LOCK_USERS) is None
    assert rp.API_KEY not in repr(redmine)


async def test_sends_the_api_key_header(redmine: RedmineConnector,
                                        router: respx.Router) -> None:
    await redmine.current_account()
    assert router.calls.last.request.headers["X-Redmine-API-Key"] == rp.API_KEY


async def test_current_account_and_server_info(redmine: RedmineConnector) -> None:
    me = await redmine.current_account()
    assert (me.remote_id, me.login, me.name, me.is_admin) == ("1", "admin", "Redmine Admin", True)
    assert me.status is AccountStatus.ACTIVE
    assert me.last_login_at is not None and me.last_login_at.isoformat() == (
        "2026-03-01T08:15:00+00:00")
    assert rp.API_KEY not in repr(me)
    info = await redmine.server_info()
    assert (info.product, info.version) == ("Redmine", None)


async def test_probe(redmine: RedmineConnector) -> None:
    probe = await redmine.probe()
    assert probe.account.login == "admin"
    assert probe.latency_ms >= 0 and probe.tls_expires_at is None


async def test_accounts_take_their_status_from_the_query(redmine: RedmineConnector,
                                                         router: respx.Router) -> None:
    accounts = {a.login: a for a in await redmine.list_accounts()}
    assert {login: a.status for login, a in accounts.items()} == {
        "admin": AccountStatus.ACTIVE, "alice": AccountStatus.ACTIVE,
        "bob": AccountStatus.ACTIVE, "dave": AccountStatus.PENDING,
        "carol": AccountStatus.LOCKED}
    alice = accounts["alice"]
    assert (alice.name, alice.email, alice.two_factor) == (
        "Alice Archer", "alice@example.org", True)
    assert accounts["bob"].two_factor is False and accounts["bob"].last_login_at is None
    queried = sorted(c.request.url.params["status"] for c in router.calls
                     if c.request.url.path == "/users.json")
    assert queried == ["1", "2", "3"]


async def test_accounts_are_paged(router: respx.Router, redmine: RedmineConnector) -> None:
    many = [rp.user(1000 + n, f"u{n}", "U", str(n)) for n in range(150)]

    def pages(request: httpx.Request) -> httpx.Response:
        if request.url.params["status"] != "1":
            return httpx.Response(200, json=rp.users_page([]))
        offset = int(request.url.params["offset"])
        limit = int(request.url.params["limit"])
        assert limit == 100  # Redmine's maximum
        return httpx.Response(200, json=rp.users_page(many[offset:offset + limit], offset,
                                                      limit, total=150))

    router.get("/users.json").mock(side_effect=pages)
    assert len(await redmine.list_accounts()) == 150


async def test_groups_with_members(redmine: RedmineConnector) -> None:
    groups = {g.name: g for g in await redmine.list_groups()}
    assert groups["Developers"].member_ids == ("5", "6")
    assert groups["Ops"].member_ids == ("7",)


async def test_roles_admin_like_from_manage_members(redmine: RedmineConnector) -> None:
    roles = {r.name: r.is_admin_like for r in await redmine.list_roles()}
    assert roles == {"Manager": True, "Developer": False, "Reporter": False}


async def test_projects_by_status(redmine: RedmineConnector, router: respx.Router) -> None:
    projects = {p.key: p for p in await redmine.list_projects()}
    assert projects["apollo"].status is ProjectStatus.ACTIVE
    assert projects["mercury"].status is ProjectStatus.CLOSED
    assert projects["gemini"].parent_id == "1"
    assert projects["apollo"].updated_at is not None
    queried = sorted(c.request.url.params["status"] for c in router.calls
                     if c.request.url.path == "/projects.json")
    assert queried == ["1", "5", "9"]


async def test_memberships_resolve_group_inheritance(redmine: RedmineConnector) -> None:
    memberships = {m.remote_id: m for m in await redmine.list_memberships(["1", "2", "3"])}
    assert set(memberships) == {"100", "101", "102", "103", "110"}  # built-in group left out
    group = memberships["100"]
    assert (group.group_id, group.account_id) == ("20", None)
    alice = memberships["101"]
    assert alice.account_id == "5" and alice.inherited_only
    assert alice.roles == (RoleGrant("4", "20"),)
    bob = memberships["102"]
    assert bob.roles == (RoleGrant("3", None), RoleGrant("4", "20"))
    assert not bob.inherited_only
    assert memberships["103"].roles == (RoleGrant("5", None),)


async def test_archived_projects_hidden_members_are_skipped(
        router: respx.Router, redmine: RedmineConnector) -> None:
    archived = rp.project(4, "vostok", "Vostok", 9)
    router.get("/projects.json").mock(side_effect=by_param(
        "status", {**rp.PROJECTS_BY_STATUS, "9": [archived]}, "projects"))
    router.get("/projects/4/memberships.json").respond(403)
    projects = await redmine.list_projects()
    assert {p.key: p.status for p in projects}["vostok"] is ProjectStatus.ARCHIVED
    assert len(await redmine.list_memberships(["1", "4"])) == 4
    router.get("/projects/1/memberships.json").respond(403)
    with pytest.raises(PermissionDenied, match="REST API is off"):
        await redmine.list_memberships(["1"])


async def test_tickets_read_comments_for_open_and_recent_ones(
        router: respx.Router, redmine: RedmineConnector) -> None:
    open_issue = rp.issue(11, (2, "In Progress", False), "2020-01-01T00:00:00Z",
                          assignee={"id": 6, "name": "Bob Baker"})
    old_closed = rp.issue(12, (5, "Closed", True), "2020-01-01T00:00:00Z")
    listing = router.get("/issues.json").respond(json={
        "issues": [open_issue, old_closed], "total_count": 2, "offset": 0, "limit": 100})
    detail = router.get("/issues/11.json").respond(
        json={"issue": {**open_issue, "journals": rp.JOURNALS}})
    router.get("/issues/12.json").respond(500)  # must not be asked for
    tickets = {t.key: t for t in await redmine.list_tickets()}
    assert listing.calls.last.request.url.params["status_id"] == "*"
    assert detail.calls.last.request.url.params["include"] == "journals"
    first = tickets["#11"]
    assert (first.status, first.is_closed, first.priority, first.assignee_id) == (
        "In Progress", False, "Normal", "6")
    assert [c.body for c in first.comments] == ["Looking into it"]  # empty notes left out
    assert first.comments[0].author_name == "Redmine Admin"
    assert first.labels == ("Bug",)
    assert tickets["#12"].is_closed and tickets["#12"].comments == ()
    await redmine.list_tickets(open_only=True)
    assert listing.calls.last.request.url.params["status_id"] == "open"


async def test_token_errors(router: respx.Router, redmine: RedmineConnector) -> None:
    router.get("/users/current.json").respond(401)
    with pytest.raises(AuthenticationFailed, match="redmine-prod"):
        await redmine.current_account()


async def test_malformed_answer_is_a_bad_response(router: respx.Router,
                                                   redmine: RedmineConnector) -> None:
    router.get("/users.json").respond(json={"users": [{"id": 3}], "total_count": 1})
    with pytest.raises(BadResponse, match="could not read users") as caught:
        await redmine.list_accounts()
    assert "login" in str(caught.value)
