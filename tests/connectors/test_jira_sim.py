"""JiraConnector against the simulated Jira: every read, both paging styles, 429, refusals.

Reads are compared with the sim's own state; the audited writes are in
test_jira_actions.py.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from pmcockpit.connectors import jira_read
from pmcockpit.connectors.base import ConnectionConfig
from pmcockpit.connectors.errors import AuthenticationFailed, NotSupported, Rejected
from pmcockpit.connectors.jira import JiraConnector, JiraSettingMissing
from pmcockpit.core.actions import Action, ActionKind, JSONValue
from pmcockpit.core.capabilities import Capability
from pmcockpit.core.records import AccountKind, AccountStatus, ProjectStatus
from pmcockpit.sim.dialects.jira.core import (
    account_id,
    account_type,
    group_id,
    issue_ref_id,
    project_ref_id,
    role_identity,
)
from pmcockpit.sim.models import PROJECT_ARCHIVED, USER_ACTIVE
from pmcockpit.sim.server import serve
from pmcockpit.sim.tool import SimTool
from tests.connectors.conftest import SleepRecorder
from tests.connectors.jira_setup import sim_connector


@pytest.fixture
def sim() -> SimTool:
    return SimTool(dialect="jira", seed=7, scale=150)


@pytest.fixture
async def jira(sim: SimTool, sleeps: SleepRecorder) -> AsyncIterator[JiraConnector]:
    connector = sim_connector(sim, sleeps)
    yield connector
    await connector.aclose()


class RecordingTransport(httpx.AsyncBaseTransport):
    """Passes requests to the sim and keeps (method, path, query or JSON body) of each."""

    def __init__(self, sim: SimTool) -> None:
        self.inner = sim.transport()
        self.seen: list[tuple[str, str, Any]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        detail: Any = dict(request.url.params) if not body else httpx.Response(
            200, content=body).json()
        self.seen.append((request.method, request.url.path, detail))
        return await self.inner.handle_async_request(request)

    def calls(self, path: str) -> list[Any]:
        return [detail for _, seen_path, detail in self.seen if seen_path == path]


def act(kind: ActionKind, target: str, **params: JSONValue) -> Action:
    return Action(kind, "jira", target, params=params, reason="test")


# -- reads ----------------------------------------------------------------------------------


async def test_reads_match_the_sims_state(sim: SimTool, jira: JiraConnector) -> None:
    state = sim.state
    accounts = {a.remote_id: a for a in await jira.list_accounts()}
    assert set(accounts) == {account_id(u) for u in state.users.values()}
    for user in state.users.values():
        account = accounts[account_id(user)]
        person = account_type(user) == "atlassian"
        assert account.status is (AccountStatus.ACTIVE if user.status == USER_ACTIVE
                                  else AccountStatus.LOCKED)
        assert account.email == (user.mail if person else None)
        assert account.login == (user.login if person else account_id(user))
        assert account.kind is (AccountKind.PERSON if person else AccountKind.SERVICE)
        assert account.is_admin == user.admin  # through the site-admins group
        assert account.last_login_at == (user.last_login_on if person else None)

    names_only = {(g.remote_id, g.name) for g in await jira.list_groups(members=False)}
    listed = await jira.list_groups()
    assert names_only == {(g.remote_id, g.name) for g in listed}
    groups = {g.name: set(g.member_ids) for g in listed}
    assert groups.pop("site-admins") == {account_id(u) for u in state.users.values() if u.admin}
    assert groups == {g.name: {account_id(state.users[i]) for i in g.user_ids}
                      for g in state.groups.values()}

    roles = {r.name: (r.remote_id, r.is_admin_like) for r in await jira.list_roles()}
    assert roles == {"Administrators": ("10002", True), "Developers": ("10000", False),
                     "Users": ("10001", False)}

    projects = {p.remote_id: p for p in await jira.list_projects()}
    assert {i: p.status for i, p in projects.items()} == {
        project_ref_id(p): ProjectStatus.ARCHIVED if p.status == PROJECT_ARCHIVED
        else ProjectStatus.ACTIVE for p in state.projects.values()}


async def test_memberships_are_role_actors_and_what_groups_pass_on(
        sim: SimTool, jira: JiraConnector) -> None:
    state = sim.state
    projects = await jira.list_projects()
    read = {m.remote_id: sorted((g.role_id, g.inherited_from_group_id or "") for g in m.roles)
            for m in await jira.list_memberships([p.remote_id for p in projects])}
    expected = {}
    for member in state.members.values():
        project = state.projects[member.project_id]
        if project.status == PROJECT_ARCHIVED:
            continue
        user = state.users.get(member.principal_id)
        principal = f"user:{account_id(user)}" if user else f"group:{group_id(member.principal_id)}"
        expected[f"{project_ref_id(project)}:{principal}"] = sorted(
            (str(role_identity(state.roles[g.role_id])[1]),
             "" if g.inherited_from is None
             else group_id(state.members[g.inherited_from].principal_id))
            for g in member.grants)
    assert read == expected
    assert any(all(source for _, source in roles) for roles in read.values())  # inherited only


async def test_tickets_and_their_comments(sim: SimTool, jira: JiraConnector) -> None:
    state = sim.state
    tickets = {t.remote_id: t for t in await jira.list_tickets()}
    assert set(tickets) == {issue_ref_id(i) for i in state.issues.values()}
    for issue in state.issues.values():
        ticket = tickets[issue_ref_id(issue)]
        status = state.statuses[issue.status_id]
        assert (ticket.status, ticket.is_closed, ticket.subject) == (
            status.name, status.is_closed, issue.subject)
        assert [c.body for c in ticket.comments] == [j.notes for j in issue.journals if j.notes]
    open_tickets = await jira.list_tickets(open_only=True)
    assert {t.remote_id for t in open_tickets} == {
        i for i, t in tickets.items() if not t.is_closed}


async def test_comments_beyond_what_the_issue_carries_are_fetched(
        sim: SimTool, jira: JiraConnector) -> None:
    issue = next(iter(sim.state.issues.values()))
    for number in range(25):
        sim.state.update_issue(issue, 1, f"note {number}", {})
    [ticket] = [t for t in await jira.list_tickets() if t.remote_id == issue_ref_id(issue)]
    assert [c.body for c in ticket.comments][-25:] == [f"note {n}" for n in range(25)]


async def test_last_activity_and_locking_need_the_admin_api(
        sim: SimTool, sleeps: SleepRecorder) -> None:
    plain = sim_connector(sim, sleeps, admin_api=False)
    assert {Capability.LOCK_USERS, Capability.KNOWS_LAST_LOGIN,
            Capability.DEACTIVATE_USERS}.isdisjoint(plain.capabilities())
    assert plain.unsupported_reason(Capability.KNOWS_LAST_LOGIN) == (
        "Jira's REST API does not expose last activity; configure the organisation admin API "
        "(admin_org_id + admin key) to see it")
    assert "suspend and restore access" in (plain.unsupported_reason(Capability.LOCK_USERS)
                                            or "")
    assert all(a.last_login_at is None for a in await plain.list_accounts())
    with pytest.raises(NotSupported, match="cannot suspend accounts"):
        await plain.plan(act(ActionKind.LOCK_USER, account_id(sim.state.users[2])))
    await plain.aclose()

    half = JiraConnector(ConnectionConfig("jira", "jira", sim.url, sim.token, {
        "email": "admin@example.org", "admin_org_id": "org-1"}), transport=sim.transport())
    assert half.unsupported_reason(Capability.LOCK_USERS) == (
        "the organisation admin API needs its API key: store it as the token of jira-admin")
    await half.aclose()


# -- paging and rate limits -----------------------------------------------------------------


async def test_both_paging_styles(sim: SimTool, sleeps: SleepRecorder,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jira_read, "USERS_PAGE_SIZE", 10)
    monkeypatch.setattr(jira_read, "SEARCH_PAGE_SIZE", 7)
    wire = RecordingTransport(sim)
    jira = sim_connector(sim, sleeps, transport=wire)
    users = len(sim.state.users)
    assert len(await jira.list_accounts()) == users
    # startAt/maxResults on a bare list: page after page until an empty one.
    assert [int(q["startAt"]) for q in wire.calls("/rest/api/3/users/search")] == [
        *range(0, users, 10), users]
    # Page beans: the 58 engineers come in two pages of at most 50 (isLast ends it).
    engineering = next(g for g in sim.state.groups.values() if g.name == "Engineering")
    member_pages = [q for q in wire.calls("/rest/api/3/group/member")
                    if q["groupId"] == group_id(engineering.id)]
    assert len(engineering.user_ids) > 50
    assert [int(q["startAt"]) for q in member_pages] == [0, 50]
    assert all(q["includeInactiveUsers"] == "true" for q in member_pages)
    # nextPageToken: a POST per page, each after the first carrying the token.
    tickets = await jira.list_tickets()
    searches = wire.calls("/rest/api/3/search/jql")
    assert len(tickets) == len(sim.state.issues)
    assert len(searches) == -(-len(tickets) // 7)
    assert "nextPageToken" not in searches[0]
    assert all(s["nextPageToken"] for s in searches[1:])
    assert searches[0]["jql"].startswith("project in (") and "comment" in searches[0]["fields"]
    await jira.aclose()


async def test_rate_limits_are_waited_out(sim: SimTool, jira: JiraConnector,
                                          sleeps: SleepRecorder) -> None:
    sim.faults.rate_limit(2, retry_after=3, path="/rest/api/3/users/search")
    sim.faults.rate_limit(1, retry_after=2, path="/rest/api/3/search/jql", method="POST")
    sim.faults.rate_limit(1, retry_after=5, path="/last-active-dates")
    assert await jira.list_accounts()
    assert await jira.list_tickets()
    assert sorted(sleeps.delays) == [2.0, 3.0, 3.0, 5.0]


# -- errors ---------------------------------------------------------------------------------


async def test_wrong_credentials_and_missing_email(sim: SimTool, sleeps: SleepRecorder) -> None:
    wrong = sim_connector(sim, sleeps, token="not-the-token")
    with pytest.raises(AuthenticationFailed) as caught:
        await wrong.current_account()
    assert "not-the-token" not in str(caught.value)
    await wrong.aclose()

    with pytest.raises(JiraSettingMissing, match="Jira needs the e-mail address") as missing:
        JiraConnector(ConnectionConfig("jira", "jira", sim.url, sim.token))
    assert "--option email=" in missing.value.hint

    options = {**sim.connector_options, "admin_api_key": "wrong-admin-key"}
    bad_key = JiraConnector(ConnectionConfig("jira", "jira", sim.url, sim.token, options),
                            transport=sim.transport())
    with pytest.raises(AuthenticationFailed, match=r"jira \(admin API\)") as rejected:
        await bad_key.list_accounts()
    assert "wrong-admin-key" not in str(rejected.value)
    await bad_key.aclose()


async def test_current_account_and_probe(jira: JiraConnector) -> None:
    me = await jira.current_account()
    assert (me.login, me.is_admin) == ("admin", True)
    assert (await jira.probe()).account == me
    info = await jira.server_info()
    assert (info.product, info.extra["admin_api"]) == ("Jira Cloud", "configured")


async def test_refusals(sim: SimTool, jira: JiraConnector) -> None:
    state = sim.state
    admin = state.user_by_login("admin")
    assert admin is not None
    with pytest.raises(Rejected, match="refusing to lock admin: it is the account"):
        await jira.plan(act(ActionKind.LOCK_USER, account_id(admin)))
    with pytest.raises(Rejected, match="admin is already active"):
        await jira.plan(act(ActionKind.UNLOCK_USER, account_id(admin)))
    with pytest.raises(Rejected, match="refusing to remove admin from site-admins"):
        await jira.plan(act(ActionKind.REMOVE_GROUP_MEMBER, group_id(0),
                            user_id=account_id(admin)))
    with pytest.raises(NotSupported, match=r"lock the user \(suspend access\) instead"):
        await jira.plan(act(ActionKind.DEACTIVATE_USER, account_id(admin)))
    member = next(m for m in state.members.values() if m.principal_id in state.users
                  and m.has_inherited and not m.direct_role_ids
                  and state.projects[m.project_id].status != PROJECT_ARCHIVED)
    group = state.groups[state.members[member.grants[0].inherited_from or 0].principal_id]
    user = state.users[member.principal_id]
    target = f"{project_ref_id(state.projects[member.project_id])}:user:{account_id(user)}"
    with pytest.raises(Rejected, match=f"{user.name}'s access to .* comes from group "
                                       f"{group.name}: remove the group"):
        await jira.plan(act(ActionKind.REMOVE_MEMBERSHIP, target))
    project = project_ref_id(state.projects[member.project_id])
    with pytest.raises(Rejected, match="has no project role 99; it has: 10000 "):
        await jira.plan(act(ActionKind.ADD_MEMBERSHIP, project,
                            principal_id=account_id(user), role_ids=["99"]))
    with pytest.raises(Rejected, match="is not a Jira membership id"):
        await jira.plan(act(ActionKind.REMOVE_MEMBERSHIP, "42"))


# -- over loopback --------------------------------------------------------------------------


async def test_over_loopback(sim: SimTool) -> None:
    with serve(sim) as running:
        options = {**sim.connector_options, "admin_url": running.url}
        config = ConnectionConfig("jira", "jira", running.url, sim.token, options)
        jira = JiraConnector(config)
        try:
            accounts = await jira.list_accounts()
            assert len(accounts) == len(sim.state.users)
            assert any(a.last_login_at for a in accounts)
            issue = next(iter(sim.state.issues.values()))
            await jira.execute(act(ActionKind.ADD_COMMENT, issue_ref_id(issue),
                                   body="Checked over the wire"))
            assert issue.journals[-1].notes == "Checked over the wire"
        finally:
            await jira.aclose()
