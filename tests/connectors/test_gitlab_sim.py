"""GitLabConnector against the simulated GitLab: every read, every write, some faults.

Reads are compared with the sim's own state; writes are checked in the state after.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, time

import pytest

from pmcockpit.connectors.errors import BadResponse, Rejected, ServerError
from pmcockpit.connectors.gitlab import GitLabConnector
from pmcockpit.core.actions import Action, ActionKind, JSONValue, inverse
from pmcockpit.core.records import AccountKind, AccountStatus, ProjectStatus
from pmcockpit.sim.dialects.gitlab import GitLabFacts, gitlab_facts
from pmcockpit.sim.dialects.gitlab.access import (
    direct_levels,
    inherited_levels,
    is_archived,
    project_levels,
    shares,
)
from pmcockpit.sim.models import USER_ACTIVE, USER_LOCKED, Project, User
from pmcockpit.sim.tool import SimTool
from tests.connectors.conftest import SleepRecorder
from tests.connectors.gitlab_fixtures import sim_connector

STATUSES = {"active": AccountStatus.ACTIVE, "blocked": AccountStatus.LOCKED,
            "deactivated": AccountStatus.DEACTIVATED,
            "blocked_pending_approval": AccountStatus.PENDING}


@pytest.fixture
def sim() -> SimTool:
    return SimTool(dialect="gitlab", seed=7, scale=150)


@pytest.fixture
def facts(sim: SimTool) -> GitLabFacts:
    return gitlab_facts(sim.state)


@pytest.fixture
async def gitlab(sim: SimTool, sleeps: SleepRecorder) -> AsyncIterator[GitLabConnector]:
    connector = sim_connector(sim, sleeps)
    yield connector
    await connector.aclose()


def act(kind: ActionKind, target: int | str, **params: JSONValue) -> Action:
    return Action(kind, "gl", str(target), params=params, reason="test")


def people(sim: SimTool, facts: GitLabFacts) -> list[User]:
    return [u for u in sim.state.users.values() if u.status == USER_ACTIVE and not u.admin
            and not facts.is_bot(u)]


def with_direct_members(sim: SimTool, facts: GitLabFacts) -> Project:
    return next(p for p in sim.state.projects.values() if not is_archived(p)
                and direct_levels(sim.state, facts, p) and p.id in facts.namespaces)


def levels_of(sim: SimTool, facts: GitLabFacts, project: Project) -> dict[int, int]:
    return project_levels(sim.state, facts, project)


# -- reads ----------------------------------------------------------------------------------


async def test_accounts_match_the_sims_users(sim: SimTool, facts: GitLabFacts,
                                             gitlab: GitLabConnector) -> None:
    accounts = {a.remote_id: a for a in await gitlab.list_accounts()}
    users = sim.state.users
    assert {i: a.status for i, a in accounts.items()} == {
        str(u.id): STATUSES[facts.user_state(u)] for u in users.values()}
    assert {i: a.email for i, a in accounts.items()} == {str(u.id): u.mail for u in users.values()}
    assert {i for i, a in accounts.items() if a.kind is AccountKind.SERVICE} == {
        str(u.id) for u in users.values() if facts.is_bot(u)}
    assert {i for i, a in accounts.items() if a.two_factor} == {str(u) for u in facts.two_factor}
    for user in users.values():
        day = facts.activity.get(user.id)
        signed_in = None if user.id in facts.never_signs_in else user.last_login_on
        active = datetime.combine(day, time(), UTC) if day else None
        if signed_in and active and day == signed_in.date():
            active = None
        expected = max((t for t in (signed_in, active) if t), default=None)
        assert accounts[str(user.id)].last_login_at == expected, user.login


async def test_groups_roles_and_projects(sim: SimTool, facts: GitLabFacts,
                                         gitlab: GitLabConnector) -> None:
    listed = await gitlab.list_groups()
    groups = {g.remote_id: set(g.member_ids) for g in listed}
    assert groups == {str(g.id): {str(u) for u in g.user_ids} for g in sim.state.groups.values()}
    names_only = await gitlab.list_groups(members=False)  # a re-sync's: no member lists
    assert [(g.remote_id, g.name, g.member_ids) for g in names_only] == [
        (g.remote_id, g.name, ()) for g in listed]
    roles = {r.remote_id: r.is_admin_like for r in await gitlab.list_roles()}
    assert roles == {"5": False, "10": False, "20": False, "30": False, "40": True, "50": True}
    projects = {p.remote_id: p for p in await gitlab.list_projects()}
    assert {i: (p.key, p.status) for i, p in projects.items()} == {
        str(p.id): (f"{facts.group_paths[facts.namespaces[p.id]]}/{p.identifier}",
                    ProjectStatus.ARCHIVED if is_archived(p) else ProjectStatus.ACTIVE)
        for p in sim.state.projects.values()}


async def test_memberships_say_where_access_comes_from(sim: SimTool, facts: GitLabFacts,
                                                       gitlab: GitLabConnector) -> None:
    projects = await gitlab.list_projects()
    memberships = await gitlab.list_memberships([p.remote_id for p in projects])
    state = sim.state
    for project in state.projects.values():
        mine = [m for m in memberships if m.project_id == str(project.id)]
        users = {m.account_id: m for m in mine if m.account_id}
        assert set(users) == {str(u) for u in levels_of(sim, facts, project)}
        direct = direct_levels(state, facts, project)
        inherited = inherited_levels(state, facts, project)
        for user_id, membership in users.items():
            own = [g.role_id for g in membership.roles if g.inherited_from_group_id is None]
            assert own == ([str(direct[int(user_id)])] if int(user_id) in direct else [])
            sources = {g.inherited_from_group_id for g in membership.roles} - {None}
            if int(user_id) in inherited:
                assert str(inherited[int(user_id)][1].id) in sources
        shared = {m.group_id for m in mine if m.group_id}
        assert shared == {str(m.principal_id) for m in state.memberships_of_project(project.id)
                          if m.principal_id in state.groups
                          and m.principal_id != facts.namespaces.get(project.id)}


async def test_tickets_and_their_comments(sim: SimTool, facts: GitLabFacts,
                                          gitlab: GitLabConnector) -> None:
    state = sim.state
    tickets = {t.remote_id: t for t in await gitlab.list_tickets()}
    expected = {f"project:{i.project_id}:issue:{facts.iid(i)}": i for i in state.issues.values()}
    assert set(tickets) == set(expected)
    for ticket_id, issue in expected.items():
        ticket = tickets[ticket_id]
        assert ticket.is_closed == state.statuses[issue.status_id].is_closed
        assert ticket.priority == state.priorities[issue.priority_id].name
        assert ticket.key.startswith("operations/pm-support#")
        if not ticket.is_closed:
            assert [c.body for c in ticket.comments] == [j.notes for j in issue.journals
                                                         if j.notes]
    opened = {t.remote_id for t in await gitlab.list_tickets(open_only=True)}
    assert opened == {i for i, t in tickets.items() if not t.is_closed}


# -- writes: users --------------------------------------------------------------------------


async def test_block_unblock_and_undo(sim: SimTool, facts: GitLabFacts,
                                      gitlab: GitLabConnector) -> None:
    user = people(sim, facts)[0]
    block = act(ActionKind.LOCK_USER, user.id)
    before = await gitlab.capture(block)
    await gitlab.execute(block)
    assert facts.user_state(sim.state.users[user.id]) == "blocked"
    with pytest.raises(Rejected, match="is already blocked"):
        await gitlab.plan(block)
    undo = inverse(block, before)
    assert undo is not None
    await gitlab.execute(undo)
    assert sim.state.users[user.id].status == USER_ACTIVE


async def test_deactivate_a_dormant_user_and_activate(sim: SimTool, facts: GitLabFacts,
                                                      gitlab: GitLabConnector) -> None:
    today = sim.state.clock().date()
    user = next(u for u in people(sim, facts) if facts.dormant(u, today))
    deactivate = act(ActionKind.DEACTIVATE_USER, user.id)
    [call] = await gitlab.plan(deactivate)
    assert (call.method, call.path) == ("POST", f"/users/{user.id}/deactivate")
    assert "reactivates them when they sign in again" in call.note
    await gitlab.execute(deactivate)
    assert facts.user_state(user) == "deactivated" and user.status == USER_LOCKED
    with pytest.raises(Rejected, match="deactivated, not blocked: activate them instead"):
        await gitlab.plan(act(ActionKind.UNLOCK_USER, user.id))
    await gitlab.execute(act(ActionKind.ACTIVATE_USER, user.id))
    assert facts.user_state(user) == "active"


async def test_recently_active_users_are_not_deactivated(sim: SimTool, facts: GitLabFacts,
                                                         gitlab: GitLabConnector) -> None:
    today = sim.state.clock().date()
    user = next(u for u in people(sim, facts) if not facts.dormant(u, today))
    with pytest.raises(Rejected, match=f"refused to deactivate {user.login}: GitLab "
                                       "deactivates only users with no activity"):
        await gitlab.execute(act(ActionKind.DEACTIVATE_USER, user.id))
    assert facts.user_state(user) == "active"


async def test_the_tokens_own_account_is_not_blocked(sim: SimTool,
                                                     gitlab: GitLabConnector) -> None:
    with pytest.raises(Rejected, match="refusing to block admin"):
        await gitlab.execute(act(ActionKind.LOCK_USER, 1))
    with pytest.raises(Rejected, match="refusing to deactivate admin"):
        await gitlab.plan(act(ActionKind.DEACTIVATE_USER, 1))


# -- writes: memberships and groups ---------------------------------------------------------


async def test_remove_a_direct_member_and_undo(sim: SimTool, facts: GitLabFacts,
                                               gitlab: GitLabConnector) -> None:
    project = with_direct_members(sim, facts)
    user_id, level = next(iter(direct_levels(sim.state, facts, project).items()))
    remove = act(ActionKind.REMOVE_MEMBERSHIP, f"project:{project.id}:user:{user_id}")
    before = await gitlab.capture(remove)
    await gitlab.execute(remove)
    assert user_id not in direct_levels(sim.state, facts, project)
    undo = inverse(remove, before)
    assert undo is not None and undo.kind is ActionKind.ADD_MEMBERSHIP
    facts_of_undo = await gitlab.execute(undo)
    assert facts_of_undo == {"membership_id": f"project:{project.id}:user:{user_id}"}
    assert direct_levels(sim.state, facts, project)[user_id] == level


async def test_access_through_a_group_is_removed_in_the_group(
        sim: SimTool, facts: GitLabFacts, gitlab: GitLabConnector) -> None:
    project = with_direct_members(sim, facts)
    group = sim.state.groups[facts.namespaces[project.id]]
    user_id = next(u for u in inherited_levels(sim.state, facts, project)
                   if u not in direct_levels(sim.state, facts, project))
    with pytest.raises(Rejected, match=f"comes from group {group.name}: remove them from "
                                       "the group"):
        await gitlab.plan(act(ActionKind.REMOVE_MEMBERSHIP,
                              f"project:{project.id}:user:{user_id}"))


async def test_removing_a_direct_member_leaves_the_groups_access(
        sim: SimTool, facts: GitLabFacts, gitlab: GitLabConnector) -> None:
    project = with_direct_members(sim, facts)
    inherited = inherited_levels(sim.state, facts, project)
    user_id = next(u for u in direct_levels(sim.state, facts, project) if u in inherited)
    remove = act(ActionKind.REMOVE_MEMBERSHIP, f"project:{project.id}:user:{user_id}")
    [call] = await gitlab.plan(remove)
    assert f"they keep the access group {inherited[user_id][1].name} gives" in call.note
    await gitlab.execute(remove)
    assert levels_of(sim, facts, project)[user_id] == inherited[user_id][0]


async def test_change_the_access_level_and_undo(sim: SimTool, facts: GitLabFacts,
                                                gitlab: GitLabConnector) -> None:
    project = with_direct_members(sim, facts)
    user_id, level = next(iter(direct_levels(sim.state, facts, project).items()))
    change = act(ActionKind.SET_MEMBERSHIP_ROLES, f"project:{project.id}:user:{user_id}",
                 role_ids=["50"])
    before = await gitlab.capture(change)
    await gitlab.execute(change)
    assert direct_levels(sim.state, facts, project)[user_id] == 50
    undo = inverse(change, before)
    assert undo is not None
    await gitlab.execute(undo)
    assert direct_levels(sim.state, facts, project)[user_id] == level
    with pytest.raises(Rejected, match="one access level"):
        await gitlab.plan(act(ActionKind.SET_MEMBERSHIP_ROLES,
                              f"project:{project.id}:user:{user_id}", role_ids=["30", "40"]))


async def test_gitlab_refuses_less_than_the_group_gives(sim: SimTool, facts: GitLabFacts,
                                                        gitlab: GitLabConnector) -> None:
    project = with_direct_members(sim, facts)
    inherited = inherited_levels(sim.state, facts, project)
    user_id = next(u for u in direct_levels(sim.state, facts, project) if u in inherited)
    with pytest.raises(Rejected, match="should be greater than or equal to Reporter inherited "
                                       "membership from group Engineering"):
        await gitlab.execute(act(ActionKind.SET_MEMBERSHIP_ROLES,
                                 f"project:{project.id}:user:{user_id}", role_ids=["10"]))


async def test_stop_sharing_with_a_group_and_undo(sim: SimTool, facts: GitLabFacts,
                                                  gitlab: GitLabConnector) -> None:
    state = sim.state
    project = next(p for p in state.projects.values() if state.memberships_of_project(p.id)
                   and any(m.principal_id in state.groups and m.principal_id !=
                           facts.namespaces.get(p.id)
                           for m in state.memberships_of_project(p.id)))
    group = next(m.principal_id for m in state.memberships_of_project(project.id)
                 if m.principal_id in state.groups)
    remove = act(ActionKind.REMOVE_MEMBERSHIP, f"project:{project.id}:group:{group}")
    before = await gitlab.capture(remove)
    await gitlab.execute(remove)
    assert state.member_of(project.id, group) is None
    undo = inverse(remove, before)
    assert undo is not None and undo.params["principal_id"] == f"group:{group}"
    await gitlab.execute(undo)
    assert state.member_of(project.id, group) is not None


async def test_add_to_a_group_reaches_its_projects_and_undo(
        sim: SimTool, facts: GitLabFacts, gitlab: GitLabConnector) -> None:
    state = sim.state
    project, group = next((p, g) for p in state.projects.values()
                          for g, _ in shares(state, facts, p)
                          if any(u.id not in g.user_ids for u in people(sim, facts)))
    user = next(u for u in people(sim, facts) if u.id not in group.user_ids)
    add = act(ActionKind.ADD_GROUP_MEMBER, group.id, user_id=str(user.id))
    [call] = await gitlab.plan(add)
    assert call.body == {"user_id": user.id, "access_level": 30}
    before = await gitlab.capture(add)
    await gitlab.execute(add)
    assert user.id in group.user_ids
    assert inherited_levels(state, facts, project)[user.id][1] is group
    undo = inverse(add, before)
    assert undo is not None and undo.kind is ActionKind.REMOVE_GROUP_MEMBER
    await gitlab.execute(undo)
    assert user.id not in group.user_ids
    with pytest.raises(Rejected, match="is not a member of group"):
        await gitlab.plan(undo)


# -- writes: tickets ------------------------------------------------------------------------


async def test_comment_close_reopen_and_assign(sim: SimTool, facts: GitLabFacts,
                                               gitlab: GitLabConnector) -> None:
    state = sim.state
    issue = next(i for i in state.issues.values() if not state.statuses[i.status_id].is_closed)
    ticket = f"project:{issue.project_id}:issue:{facts.iid(issue)}"
    await gitlab.execute(act(ActionKind.ADD_COMMENT, ticket, body="Looking into it"))
    assert issue.journals[-1].notes == "Looking into it"

    close = act(ActionKind.SET_TICKET_STATUS, ticket, status="closed")
    before = await gitlab.capture(close)
    await gitlab.execute(close)
    assert before == {"status": "opened"} and state.statuses[issue.status_id].is_closed
    undo = inverse(close, before)
    assert undo is not None
    await gitlab.execute(undo)
    assert not state.statuses[issue.status_id].is_closed

    member = people(sim, facts)[0].id  # the support project is public: anyone can be assigned
    await gitlab.execute(act(ActionKind.ASSIGN_TICKET, ticket, assignee_id=str(member)))
    assert issue.assigned_to_id == member
    await gitlab.execute(act(ActionKind.ASSIGN_TICKET, str(issue.id), assignee_id=None))
    assert issue.assigned_to_id is None


async def test_an_assignee_gitlab_drops_is_reported(sim: SimTool, facts: GitLabFacts,
                                                    gitlab: GitLabConnector) -> None:
    project = next(p for p in sim.state.projects.values() if not p.is_public
                   and not is_archived(p) and p.id in facts.namespaces)
    outsider = next(u for u in people(sim, facts) if u.id not in levels_of(sim, facts, project))
    created = await gitlab.execute(act(ActionKind.CREATE_TICKET, project.id, subject="x"))
    with pytest.raises(Rejected, match="GitLab drops assignees who cannot see the project"):
        await gitlab.execute(act(ActionKind.ASSIGN_TICKET, created["ticket_id"],
                                 assignee_id=str(outsider.id)))


async def test_create_an_issue(sim: SimTool, facts: GitLabFacts,
                               gitlab: GitLabConnector) -> None:
    project = with_direct_members(sim, facts)
    done = await gitlab.execute(act(ActionKind.CREATE_TICKET, project.id, subject="VPN down",
                                    description="since 9:00"))
    [issue] = [i for i in sim.state.issues.values() if i.subject == "VPN down"]
    assert done == {"ticket_id": f"project:{project.id}:issue:{facts.iid(issue)}",
                    "key": f"{facts.group_paths[facts.namespaces[project.id]]}/"
                           f"{project.identifier}#{facts.iid(issue)}"}


# -- faults ---------------------------------------------------------------------------------


async def test_transient_faults_are_retried(sim: SimTool, gitlab: GitLabConnector,
                                            sleeps: SleepRecorder) -> None:
    sim.faults.server_error(503, 1, path="/api/v4/groups")
    sim.faults.timeout(1, path="/api/v4/version")
    assert await gitlab.list_groups()
    assert await gitlab.list_roles()
    assert len(sleeps.delays) == 2


async def test_a_post_is_not_resent_after_a_server_error(sim: SimTool, facts: GitLabFacts,
                                                         gitlab: GitLabConnector) -> None:
    issue = next(iter(sim.state.issues.values()))
    count = len(issue.journals)
    sim.faults.server_error(502, 1, path="/notes", method="POST")
    with pytest.raises(ServerError):
        await gitlab.execute(act(ActionKind.ADD_COMMENT,
                                 f"project:{issue.project_id}:issue:{facts.iid(issue)}",
                                 body="once"))
    assert len(issue.journals) == count


async def test_malformed_json_is_a_bad_response(sim: SimTool, gitlab: GitLabConnector) -> None:
    sim.faults.malformed_json(1, path="/api/v4/user")
    with pytest.raises(BadResponse, match="did not answer JSON"):
        await gitlab.current_account()
