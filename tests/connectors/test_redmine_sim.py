"""RedmineConnector against the simulated Redmine: every read, every write, some faults.

Reads are compared with the sim's own state; writes are checked in the state after.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from pmcockpit.connectors.base import ConnectionConfig
from pmcockpit.connectors.errors import AuthenticationFailed, BadResponse, Rejected, ServerError
from pmcockpit.connectors.http import ToolClient
from pmcockpit.connectors.redmine import API_KEY_HEADER, RedmineConnector
from pmcockpit.core.actions import Action, ActionKind, JSONValue, inverse
from pmcockpit.core.records import AccountStatus, ProjectStatus
from pmcockpit.sim.models import PROJECT_ARCHIVED, USER_ACTIVE, USER_LOCKED, Member
from pmcockpit.sim.tool import SimTool
from tests.connectors.conftest import SleepRecorder

STATUSES = {1: AccountStatus.ACTIVE, 2: AccountStatus.PENDING, 3: AccountStatus.LOCKED}


@pytest.fixture
def sim() -> SimTool:
    return SimTool(dialect="redmine", seed=7, scale=150)


def connect(sim: SimTool, sleeps: SleepRecorder, token: str | None = None) -> RedmineConnector:
    config = ConnectionConfig("sim", "redmine", sim.url, token or sim.token)
    client = ToolClient("sim", sim.url, auth_headers={API_KEY_HEADER: config.token},
                        transport=sim.transport(), sleep=sleeps)
    return RedmineConnector(config, client=client)


@pytest.fixture
async def redmine(sim: SimTool, sleeps: SleepRecorder) -> AsyncIterator[RedmineConnector]:
    connector = connect(sim, sleeps)
    yield connector
    await connector.aclose()


def act(kind: ActionKind, target: int | str, **params: JSONValue) -> Action:
    return Action(kind, "sim", str(target), params=params, reason="test")


def user_memberships(sim: SimTool) -> list[Member]:
    return [m for m in sim.state.members.values() if m.principal_id in sim.state.users
            and sim.state.projects[m.project_id].status != PROJECT_ARCHIVED]


# -- reads ----------------------------------------------------------------------------------


async def test_reads_match_the_sims_state(sim: SimTool, redmine: RedmineConnector) -> None:
    state = sim.state
    accounts = {a.remote_id: a for a in await redmine.list_accounts()}
    assert {i: a.status for i, a in accounts.items()} == {
        str(u.id): STATUSES[u.status] for u in state.users.values()}
    some = next(u for u in state.users.values() if u.last_login_on)
    assert accounts[str(some.id)].last_login_at == some.last_login_on
    assert accounts[str(some.id)].email == some.mail

    groups = {g.remote_id: g for g in await redmine.list_groups()}
    assert {i: set(g.member_ids) for i, g in groups.items()} == {
        str(g.id): {str(u) for u in g.user_ids} for g in state.groups.values()
        if g.builtin is None}

    roles = {r.remote_id: r.is_admin_like for r in await redmine.list_roles()}
    assert roles == {str(r.id): r.is_admin_like for r in state.roles.values()}

    projects = {p.remote_id: p for p in await redmine.list_projects()}
    # Redmine's API shows no archived project, so neither does the connector.
    assert {i: p.status for i, p in projects.items()} == {
        str(p.id): {1: ProjectStatus.ACTIVE, 5: ProjectStatus.CLOSED}[p.status]
        for p in state.projects.values() if p.status != PROJECT_ARCHIVED}


async def test_memberships_and_their_groups(sim: SimTool, redmine: RedmineConnector) -> None:
    state = sim.state
    projects = await redmine.list_projects()
    memberships = {m.remote_id: m for m in
                   await redmine.list_memberships([p.remote_id for p in projects])}
    visible = {m.id: m for m in state.members.values()
               if state.projects[m.project_id].status != PROJECT_ARCHIVED}
    assert set(memberships) == {str(i) for i in visible}
    for member_id, member in visible.items():
        read = memberships[str(member_id)]
        expected = sorted(
            (str(g.role_id), "" if g.inherited_from is None
             else str(state.members[g.inherited_from].principal_id)) for g in member.grants)
        assert sorted((r.role_id, r.inherited_from_group_id or "") for r in read.roles) == expected
        assert (read.account_id or read.group_id) == str(member.principal_id)


async def test_tickets(sim: SimTool, redmine: RedmineConnector) -> None:
    state = sim.state
    tickets = {t.remote_id: t for t in await redmine.list_tickets()}
    visible = {i for i, issue in state.issues.items()
               if state.projects[issue.project_id].status != PROJECT_ARCHIVED}
    assert set(tickets) == {str(i) for i in visible}
    open_ids = {str(i) for i in visible if not state.statuses[state.issues[i].status_id].is_closed}
    assert {t.remote_id for t in await redmine.list_tickets(open_only=True)} == open_ids
    for ticket_id in open_ids:
        notes = [j.notes for j in state.issues[int(ticket_id)].journals if j.notes]
        assert [c.body for c in tickets[ticket_id].comments] == notes


async def test_current_account_probe_and_bad_token(sim: SimTool, redmine: RedmineConnector,
                                                   sleeps: SleepRecorder) -> None:
    me = await redmine.current_account()
    assert me.login == "admin" and me.is_admin
    assert (await redmine.probe()).account.remote_id == me.remote_id
    wrong = connect(sim, sleeps, token="not-the-token")
    with pytest.raises(AuthenticationFailed):
        await wrong.current_account()
    await wrong.aclose()


# -- writes ---------------------------------------------------------------------------------


async def test_lock_unlock_and_undo(sim: SimTool, redmine: RedmineConnector) -> None:
    user = next(u for u in sim.state.users.values()
                if u.status == USER_ACTIVE and not u.admin)
    lock = act(ActionKind.LOCK_USER, user.id)
    before = await redmine.capture(lock)
    await redmine.execute(lock)
    assert sim.state.users[user.id].status == USER_LOCKED
    undo = inverse(lock, before)
    assert undo is not None
    await redmine.execute(undo)
    assert sim.state.users[user.id].status == USER_ACTIVE


async def test_self_lock_is_refused(sim: SimTool, redmine: RedmineConnector) -> None:
    admin = sim.state.user_by_login("admin")
    assert admin is not None
    with pytest.raises(Rejected, match="refusing to lock admin"):
        await redmine.execute(act(ActionKind.LOCK_USER, admin.id))
    assert sim.state.users[admin.id].status == USER_ACTIVE


async def test_remove_direct_membership_and_undo(sim: SimTool,
                                                 redmine: RedmineConnector) -> None:
    member = next(m for m in user_memberships(sim) if not m.has_inherited
                  and sim.state.projects[m.project_id].status == 1)
    remove = act(ActionKind.REMOVE_MEMBERSHIP, member.id)
    before = await redmine.capture(remove)
    await redmine.execute(remove)
    assert member.id not in sim.state.members
    undo = inverse(remove, before)
    assert undo is not None
    facts = await redmine.execute(undo)
    restored = sim.state.members[int(facts["membership_id"])]
    assert (restored.project_id, restored.principal_id) == (member.project_id,
                                                            member.principal_id)
    assert restored.direct_role_ids == member.direct_role_ids


async def test_inherited_only_membership_is_refused(sim: SimTool,
                                                    redmine: RedmineConnector) -> None:
    member = next(m for m in user_memberships(sim) if m.has_inherited and not m.direct_role_ids
                  and sim.state.projects[m.project_id].status == 1)
    group = sim.state.groups[sim.state.members[member.grants[0].inherited_from or 0].principal_id]
    with pytest.raises(Rejected, match=f"comes from group {group.name}: remove the group's "
                                       "membership or remove .* from the group"):
        await redmine.plan(act(ActionKind.REMOVE_MEMBERSHIP, member.id))
    assert member.id in sim.state.members


async def test_mixed_membership_keeps_the_group_roles(sim: SimTool,
                                                      redmine: RedmineConnector) -> None:
    member = next(m for m in user_memberships(sim) if m.has_inherited and m.direct_role_ids
                  and sim.state.projects[m.project_id].status == 1)
    await redmine.execute(act(ActionKind.REMOVE_MEMBERSHIP, member.id))
    kept = sim.state.members[member.id]
    assert kept.direct_role_ids == [] and kept.has_inherited


async def test_add_membership_and_change_roles(sim: SimTool,
                                               redmine: RedmineConnector) -> None:
    state = sim.state
    project = next(p for p in state.projects.values() if p.status == 1)
    outsider = next(u for u in state.users.values() if u.status == USER_ACTIVE
                    and state.member_of(project.id, u.id) is None)
    facts = await redmine.execute(act(ActionKind.ADD_MEMBERSHIP, project.id,
                                      principal_id=str(outsider.id), role_ids=[5]))
    member = state.members[int(facts["membership_id"])]
    assert (member.project_id, member.principal_id, member.direct_role_ids) == (
        project.id, outsider.id, [5])
    change = act(ActionKind.SET_MEMBERSHIP_ROLES, member.id, role_ids=[3, 4])
    assert (await redmine.capture(change))["role_ids"] == [5]
    await redmine.execute(change)
    assert sorted(state.members[member.id].direct_role_ids) == [3, 4]


async def test_group_add_and_remove(sim: SimTool, redmine: RedmineConnector) -> None:
    state = sim.state
    group = next(g for g in state.groups.values()
                 if g.builtin is None and state.memberships_of_principal(g.id))
    user = next(u for u in state.users.values()
                if u.status == USER_ACTIVE and u.id not in group.user_ids)
    add = act(ActionKind.ADD_GROUP_MEMBER, group.id, user_id=str(user.id))
    await redmine.execute(add)
    assert user.id in state.groups[group.id].user_ids
    group_project = state.memberships_of_principal(group.id)[0].project_id
    assert state.member_of(group_project, user.id) is not None  # inherited membership appears
    undo = inverse(add, await redmine.capture(act(ActionKind.REMOVE_GROUP_MEMBER, group.id,
                                                  user_id=str(user.id))))
    assert undo is not None
    await redmine.execute(undo)
    assert user.id not in state.groups[group.id].user_ids


async def test_tickets_create_comment_status_assign(sim: SimTool,
                                                    redmine: RedmineConnector) -> None:
    state = sim.state
    project = next(p for p in state.projects.values() if p.status == 1)
    facts = await redmine.execute(act(ActionKind.CREATE_TICKET, project.id,
                                      subject="VPN down", description="since 9:00"))
    issue = state.issues[int(facts["ticket_id"])]
    assert (issue.subject, issue.project_id, issue.description) == (
        "VPN down", project.id, "since 9:00")

    await redmine.execute(act(ActionKind.ADD_COMMENT, issue.id, body="Looking into it"))
    assert issue.journals[-1].notes == "Looking into it"

    change = act(ActionKind.SET_TICKET_STATUS, issue.id, status="In Progress")
    before = await redmine.capture(change)
    await redmine.execute(change)
    assert state.statuses[issue.status_id].name == "In Progress"
    undo = inverse(change, before)
    assert undo is not None
    await redmine.execute(undo)
    assert state.statuses[issue.status_id].name == before["status"]

    member = next(m for m in state.memberships_of_project(project.id)
                  if m.principal_id in state.users)
    await redmine.execute(act(ActionKind.ASSIGN_TICKET, issue.id,
                              assignee_id=str(member.principal_id)))
    assert issue.assigned_to_id == member.principal_id
    await redmine.execute(act(ActionKind.ASSIGN_TICKET, issue.id, assignee_id=None))
    assert issue.assigned_to_id is None


# -- faults ---------------------------------------------------------------------------------


async def test_transient_faults_are_retried(sim: SimTool, redmine: RedmineConnector,
                                            sleeps: SleepRecorder) -> None:
    sim.faults.rate_limit(2, retry_after=3, path="/users.json")
    sim.faults.server_error(503, 1, path="/groups.json")
    sim.faults.timeout(1, path="/roles.json")
    assert await redmine.list_accounts()
    assert await redmine.list_groups()
    assert await redmine.list_roles()
    assert sleeps.delays.count(3.0) == 2 and len(sleeps.delays) == 4


async def test_post_is_not_resent_after_a_server_error(sim: SimTool,
                                                       redmine: RedmineConnector) -> None:
    project = next(p for p in sim.state.projects.values() if p.status == 1)
    count = len(sim.state.issues)
    sim.faults.server_error(502, 1, path="/issues.json", method="POST")
    with pytest.raises(ServerError):
        await redmine.execute(act(ActionKind.CREATE_TICKET, project.id, subject="x"))
    assert len(sim.state.issues) == count


async def test_malformed_json_is_a_bad_response(sim: SimTool,
                                                redmine: RedmineConnector) -> None:
    sim.faults.malformed_json(1, path="/users/current.json")
    with pytest.raises(BadResponse, match="did not answer JSON"):
        await redmine.current_account()
