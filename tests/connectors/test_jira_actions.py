"""Every Jira write, end to end: a synced workspace on a file database, the audited
ActionRunner (preview, run, undo) and the simulated Jira's state afterwards.

Also the capability gaps: without the organisation admin API, locking is not
offered and the runner refuses it with the reason.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select

from pmcockpit.core.actions import Action, ActionKind, JSONValue
from pmcockpit.services.actions import ActionResult, ActionRunner, Outcome
from pmcockpit.services.targets import resolve_action
from pmcockpit.sim.dialects.jira.core import (
    ADMIN_GROUP_ID,
    account_id,
    account_type,
    group_id,
    issue_key,
    issue_ref_id,
    project_keys,
    project_ref_id,
    role_identity,
)
from pmcockpit.sim.models import PROJECT_ACTIVE, USER_ACTIVE, USER_LOCKED, Member, User
from pmcockpit.sim.tool import SimTool
from pmcockpit.storage.models import Account
from tests.connectors.jira_setup import CONNECTION, JiraWorkspace, jira_workspace

DEVELOPERS, USERS, ADMINISTRATORS = "10000", "10001", "10002"


@pytest.fixture
def sim() -> SimTool:
    return SimTool(dialect="jira", seed=7, scale=150)


@pytest.fixture
async def synced(tmp_path: Path, sim: SimTool) -> JiraWorkspace:
    setup = jira_workspace(tmp_path, sim)
    await setup.sync()
    return setup


@pytest.fixture
async def runner(synced: JiraWorkspace) -> AsyncIterator[ActionRunner]:
    async with ActionRunner(synced.workspace) as action_runner:
        yield action_runner


def act(kind: ActionKind, target: str, reason: str = "access review", **params: JSONValue
        ) -> Action:
    return Action(kind, CONNECTION, target, params=params, reason=reason)


async def run(runner: ActionRunner, action: Action) -> ActionResult:
    [result] = await runner.run([action], confirmed=True)
    assert result.ok, result.error
    assert result.audit_id is not None
    return result


async def undo(runner: ActionRunner, result: ActionResult) -> ActionResult:
    assert result.audit_id is not None
    reverse = await runner.undo(result.audit_id, reason="undo in test", confirmed=True)
    assert reverse.ok, reverse.error
    return reverse


def a_person(sim: SimTool) -> User:
    return next(u for u in sim.state.users.values() if u.status == USER_ACTIVE
                and not u.admin and account_type(u) == "atlassian")


def live_member(sim: SimTool, *, direct: bool, inherited: bool) -> Member:
    state = sim.state
    return next(m for m in state.members.values() if m.principal_id in state.users
                and bool(m.direct_role_ids) == direct and m.has_inherited == inherited
                and state.projects[m.project_id].status == PROJECT_ACTIVE)


def membership_target(sim: SimTool, member: Member) -> str:
    user = sim.state.users[member.principal_id]
    return f"{project_ref_id(sim.state.projects[member.project_id])}:user:{account_id(user)}"


def jira_roles(sim: SimTool, member: Member) -> list[str]:
    return sorted(str(role_identity(sim.state.roles[r])[1]) for r in member.direct_role_ids)


# -- users ----------------------------------------------------------------------------------


async def test_lock_and_unlock_through_the_admin_api(synced: JiraWorkspace,
                                                     runner: ActionRunner) -> None:
    sim = synced.sim
    user = a_person(sim)
    lock = act(ActionKind.LOCK_USER, account_id(user))
    [preview] = await runner.preview([lock])
    assert preview.refusal is None
    assert [(c.method, c.path) for c in preview.calls] == [(
        "POST", f"/admin/v1/orgs/{sim.connector_options['admin_org_id']}/directory/users/"
                f"{account_id(user)}/suspend-access")]
    result = await run(runner, lock)
    assert sim.state.users[user.id].status == USER_LOCKED
    await synced.sync()
    with synced.workspace.db.session() as session:
        status = session.scalar(select(Account.status).where(
            Account.remote_id == account_id(user)))
    assert status == "locked"
    await undo(runner, result)
    assert sim.state.users[user.id].status == USER_ACTIVE


async def test_without_the_admin_api_locking_is_refused_with_the_reason(
        tmp_path: Path, sim: SimTool) -> None:
    setup = jira_workspace(tmp_path, sim, admin_api=False)
    await setup.sync()
    with setup.workspace.db.session() as session:
        assert session.scalars(select(Account.last_login_at)).all()
        assert set(session.scalars(select(Account.last_login_at))) == {None}  # unknown
    user = a_person(sim)
    async with ActionRunner(setup.workspace) as runner:
        lock = act(ActionKind.LOCK_USER, account_id(user))
        [preview] = await runner.preview([lock])
        assert preview.calls == []
        assert preview.refusal == (
            "jira (jira) Jira's REST API cannot suspend accounts; configure the organisation "
            "admin API (the admin_org_id option and the admin API key) to suspend and restore "
            "access")
        [result] = await runner.run([lock], confirmed=True)
        assert (result.outcome, result.error) == (Outcome.REFUSED, preview.refusal)
        [deactivate] = await runner.run([act(ActionKind.DEACTIVATE_USER, account_id(user))],
                                        confirmed=True)
        assert deactivate.outcome is Outcome.REFUSED
        assert "lock the user (suspend access) instead" in (deactivate.error or "")
    assert sim.state.users[user.id].status == USER_ACTIVE


# -- memberships ----------------------------------------------------------------------------


async def test_remove_a_direct_membership_and_undo(synced: JiraWorkspace,
                                                   runner: ActionRunner) -> None:
    sim = synced.sim
    member = live_member(sim, direct=True, inherited=False)
    project, principal, roles = member.project_id, member.principal_id, jira_roles(sim, member)
    result = await run(runner, act(ActionKind.REMOVE_MEMBERSHIP, membership_target(sim, member)))
    assert sim.state.member_of(project, principal) is None
    await undo(runner, result)
    restored = sim.state.member_of(project, principal)
    assert restored is not None and jira_roles(sim, restored) == roles


async def test_membership_by_login_at_project_key(synced: JiraWorkspace,
                                                  runner: ActionRunner) -> None:
    sim = synced.sim
    member = live_member(sim, direct=True, inherited=False)
    user = sim.state.users[member.principal_id]
    key = project_keys(sim.state)[member.project_id]
    action = resolve_action(synced.workspace.db, CONNECTION, ActionKind.REMOVE_MEMBERSHIP,
                            f"{user.login}@{key}", {}, "left the project")
    assert action.target_id == membership_target(sim, member)
    await run(runner, action)
    assert sim.state.member_of(member.project_id, user.id) is None


async def test_removing_a_mixed_membership_keeps_the_group_roles(
        synced: JiraWorkspace, runner: ActionRunner) -> None:
    sim = synced.sim
    member = live_member(sim, direct=True, inherited=True)
    [preview] = await runner.preview([act(ActionKind.REMOVE_MEMBERSHIP,
                                          membership_target(sim, member))])
    assert all(c.method == "DELETE" and "stay" in c.note for c in preview.calls)
    await run(runner, act(ActionKind.REMOVE_MEMBERSHIP, membership_target(sim, member)))
    kept = sim.state.members[member.id]
    assert kept.direct_role_ids == [] and kept.has_inherited


async def test_inherited_only_membership_fails_naming_the_group(
        synced: JiraWorkspace, runner: ActionRunner) -> None:
    sim = synced.sim
    member = live_member(sim, direct=False, inherited=True)
    group = sim.state.groups[sim.state.members[member.grants[0].inherited_from or 0].principal_id]
    [result] = await runner.run([act(ActionKind.REMOVE_MEMBERSHIP,
                                      membership_target(sim, member))], confirmed=True)
    assert result.outcome is Outcome.FAILED
    assert f"comes from group {group.name}" in (result.error or "")
    assert member.id in sim.state.members


async def test_add_membership_change_roles_and_undo(synced: JiraWorkspace,
                                                    runner: ActionRunner) -> None:
    sim = synced.sim
    state = sim.state
    project = next(p for p in state.projects.values() if p.status == PROJECT_ACTIVE)
    user = next(u for u in state.users.values() if u.status == USER_ACTIVE
                and state.member_of(project.id, u.id) is None)
    added = await run(runner, act(ActionKind.ADD_MEMBERSHIP, project_ref_id(project),
                                  principal_id=account_id(user), role_ids=[DEVELOPERS]))
    target = added.facts["membership_id"]
    member = state.member_of(project.id, user.id)
    assert member is not None and jira_roles(sim, member) == [DEVELOPERS]

    changed = await run(runner, act(ActionKind.SET_MEMBERSHIP_ROLES, target,
                                    role_ids=[USERS, ADMINISTRATORS]))
    assert jira_roles(sim, member) == [USERS, ADMINISTRATORS]
    await undo(runner, changed)
    assert jira_roles(sim, member) == [DEVELOPERS]
    await undo(runner, added)
    assert state.member_of(project.id, user.id) is None


async def test_group_actor_removal_and_undo(synced: JiraWorkspace, runner: ActionRunner) -> None:
    sim = synced.sim
    state = sim.state
    member = next(m for m in state.members.values() if m.principal_id in state.groups
                  and state.groups[m.principal_id].user_ids
                  and state.projects[m.project_id].status == PROJECT_ACTIVE)
    target = f"{project_ref_id(state.projects[member.project_id])}:group:" \
             f"{group_id(member.principal_id)}"
    roles = jira_roles(sim, member)
    result = await run(runner, act(ActionKind.REMOVE_MEMBERSHIP, target))
    assert state.member_of(member.project_id, member.principal_id) is None
    await undo(runner, result)
    restored = state.member_of(member.project_id, member.principal_id)
    assert restored is not None and jira_roles(sim, restored) == roles


# -- groups ---------------------------------------------------------------------------------


async def test_remove_from_group_and_add_back(synced: JiraWorkspace,
                                              runner: ActionRunner) -> None:
    state = synced.sim.state
    group = next(g for g in state.groups.values()
                 if g.user_ids and state.memberships_of_principal(g.id))
    user = state.users[group.user_ids[0]]
    project = state.memberships_of_principal(group.id)[0].project_id
    result = await run(runner, act(ActionKind.REMOVE_GROUP_MEMBER, group_id(group.id),
                                   user_id=account_id(user)))
    assert user.id not in group.user_ids
    inherited = state.member_of(project, user.id)
    assert inherited is None or not inherited.has_inherited
    await undo(runner, result)
    assert user.id in group.user_ids
    back = state.member_of(project, user.id)
    assert back is not None and back.has_inherited


async def test_site_admins_membership_is_the_admin_flag(synced: JiraWorkspace,
                                                        runner: ActionRunner) -> None:
    user = a_person(synced.sim)
    await run(runner, act(ActionKind.ADD_GROUP_MEMBER, group_id(ADMIN_GROUP_ID),
                          user_id=account_id(user)))
    assert user.admin
    await synced.sync()
    with synced.workspace.db.session() as session:
        assert session.scalar(select(Account.is_admin).where(
            Account.remote_id == account_id(user))) is True


# -- tickets --------------------------------------------------------------------------------


async def test_comment_transition_assign_and_create(synced: JiraWorkspace,
                                                    runner: ActionRunner) -> None:
    sim = synced.sim
    state = sim.state
    issue = next(i for i in state.issues.values() if not state.statuses[i.status_id].is_closed)
    ticket = issue_ref_id(issue)

    await run(runner, act(ActionKind.ADD_COMMENT, ticket, reason="", body="On it\n\nETA today"))
    assert issue.journals[-1].notes == "On it\n\nETA today"

    was = state.statuses[issue.status_id].name
    closed = await run(runner, act(ActionKind.SET_TICKET_STATUS, ticket, status="closed"))
    assert state.statuses[issue.status_id].name == "Closed"
    await undo(runner, closed)
    assert state.statuses[issue.status_id].name == was

    user = a_person(sim)
    before = issue.assigned_to_id
    assigned = await run(runner, act(ActionKind.ASSIGN_TICKET, ticket,
                                     assignee_id=account_id(user)))
    assert issue.assigned_to_id == user.id
    await undo(runner, assigned)
    assert issue.assigned_to_id == before

    created = await run(runner, act(ActionKind.CREATE_TICKET, project_ref_id(
        state.projects[issue.project_id]), reason="", subject="VPN down",
        description="since 9:00"))
    new = state.issues[int(created.facts["ticket_id"]) - 10000]
    assert (new.subject, new.description, created.facts["key"]) == (
        "VPN down", "since 9:00", issue_key(state, new))


async def test_unknown_status_fails_with_the_reachable_ones(
        synced: JiraWorkspace, runner: ActionRunner) -> None:
    issue = next(iter(synced.sim.state.issues.values()))
    [result] = await runner.run([act(ActionKind.SET_TICKET_STATUS, issue_ref_id(issue),
                                      status="Done")], confirmed=True)
    assert result.outcome is Outcome.FAILED
    assert "cannot go from" in (result.error or "") and "its workflow offers" in (
        result.error or "")
