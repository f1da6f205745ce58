"""The tool state built from the organisation: ids, accounts, inheritance rules."""

from __future__ import annotations

from pmcockpit.core.records import AccountStatus
from pmcockpit.sim.models import USER_ACTIVE, USER_LOCKED, USER_REGISTERED
from pmcockpit.sim.org import build_org
from pmcockpit.sim.state import ToolState
from pmcockpit.sim.tool import SimTool
from tests.sim.conftest import NOW


def test_admin_is_user_one_with_the_token(tool: SimTool) -> None:
    admin = tool.state.users[1]
    assert (admin.login, admin.admin, admin.api_key) == ("admin", True, tool.token)
    assert tool.state.user_by_api_key(tool.token) is admin


def test_accounts_follow_the_organisation(tool: SimTool) -> None:
    state, org = tool.state, tool.org
    assert len(state.users) == len(org.people) + 1  # plus the tool's own admin account
    statuses = {AccountStatus.ACTIVE: USER_ACTIVE, AccountStatus.PENDING: USER_REGISTERED,
                AccountStatus.LOCKED: USER_LOCKED}
    for person in org.people:
        user = state.user_by_login(person.login)
        assert user is not None
        assert (user.mail, user.admin, user.status) == (
            person.email, person.is_admin, statuses[person.account_status])
        assert user.last_login_on == person.last_login_at
    id_of = {u.login: u.id for u in state.users.values()}
    ids = [id_of[p.login] for p in sorted(org.people, key=lambda p: p.created_at)]
    assert ids == sorted(ids)  # ids follow account creation


def test_only_people_with_an_account_on_the_tool() -> None:
    org = build_org(seed=7, scale=60, now=NOW)
    gitlab = ToolState.from_org(org, tool="gitlab")
    expected = {p.login for p in org.people_on("gitlab")} | {"admin"}
    assert {u.login for u in gitlab.users.values()} == expected
    assert all(g.builtin is None for g in gitlab.groups.values())


def test_group_roles_reach_members_as_inherited(tool: SimTool) -> None:
    state = tool.state
    for member in state.members.values():
        group = state.groups.get(member.principal_id)
        if group is None:
            continue
        for user_id in group.user_ids:
            user_member = state.member_of(member.project_id, user_id)
            assert user_member is not None
            inherited = {g.role_id for g in user_member.grants
                         if g.inherited_from == member.id}
            assert inherited == set(member.direct_role_ids)


def test_issues_replay_ticket_history(tool: SimTool) -> None:
    state = tool.state
    filed_here = [t for t in tool.org.tickets if t.tool == state.tool]
    assert filed_here and len(state.issues) == len(filed_here)
    for ticket in filed_here:
        issue = state.issues[ticket.number]
        assert state.statuses[issue.status_id].name == ticket.status
        assert [j.notes for j in issue.journals] == [c.body for c in ticket.comments]
        assert issue.closed_on == ticket.closed_at
