"""Access requests by the names the administrator knows, against the simulated Redmine:
projects by identifier or name, roles by name, groups by name, users by login or e-mail;
ids still work; unknown and ambiguous names are refused with the candidates."""

from __future__ import annotations

from pathlib import Path

import pytest

from pmcockpit.services import tickets
from pmcockpit.services.access_names import (
    Candidate,
    Kind,
    choices,
    pick,
    resolve,
    resolve_roles,
)
from pmcockpit.services.access_request import Grant, grant_access
from pmcockpit.services.ticket_push import push_local, queue_project
from tests.services.checklist_sim import SimSetup, sim_setup
from tests.services.test_queue_actions import key_of, open_issue


@pytest.fixture
async def setup(tmp_path: Path) -> SimSetup:
    ready = sim_setup(tmp_path)
    await ready.sync()
    return ready


async def test_a_membership_by_identifier_role_names_and_e_mail(setup: SimSetup) -> None:
    state = setup.tool.state
    issue = open_issue(setup)
    project = state.projects[issue.project_id]
    user = next(u for u in sorted(state.users.values(), key=lambda u: u.id)
                if u.status == 1 and u.mail and state.member_of(project.id, u.id) is None)
    roles = sorted((r for r in state.roles.values() if r.assignable), key=lambda r: r.id)[:2]
    named = ", ".join(r.name.lower() for r in roles)
    await grant_access(setup.workspace, key_of(issue), Grant.MEMBERSHIP,
                       user=user.mail.upper(), target=project.identifier.upper(), roles=named)
    member = state.member_of(project.id, user.id)
    assert member is not None and {r.id for r in roles} <= set(member.direct_role_ids)


async def test_a_group_by_name_and_a_push_by_project_name(setup: SimSetup) -> None:
    state = setup.tool.state
    issue = open_issue(setup)
    group = min((g for g in state.groups.values() if not g.builtin), key=lambda g: g.id)
    user = next(u for u in sorted(state.users.values(), key=lambda u: u.id)
                if u.status == 1 and u.id not in group.user_ids)
    await grant_access(setup.workspace, key_of(issue), Grant.GROUP, user=user.login,
                       target=f"  {group.name.swapcase()} ")
    assert user.id in group.user_ids

    project = state.projects[issue.project_id]
    local = tickets.add_local(setup.workspace, subject="Wiki page lost",
                              requester="Li Lei", priority="Normal")
    before = set(state.issues)
    await push_local(setup.workspace, local, "rm", project.name.lower())
    [new] = set(state.issues) - before
    assert state.issues[new].project_id == project.id


async def test_unknown_names_are_refused_with_the_candidates(setup: SimSetup) -> None:
    state = setup.tool.state
    issue = open_issue(setup)
    journals = len(issue.journals)
    user = next(u for u in state.users.values() if u.status == 1)
    project = state.projects[issue.project_id]
    role = next(r for r in state.roles.values() if r.assignable)
    with pytest.raises(tickets.TicketError, match=r"no role 'Develper'; did you mean: "
                                                  r"Developer \[\d+\]"):
        await grant_access(setup.workspace, key_of(issue), Grant.MEMBERSHIP, user=user.login,
                           target=project.identifier, roles="Develper")
    with pytest.raises(tickets.TicketError, match="no project 'nowhere'"):
        await grant_access(setup.workspace, key_of(issue), Grant.MEMBERSHIP, user=user.login,
                           target="nowhere", roles=role.name)
    with pytest.raises(tickets.TicketError, match="no account 'ghost'"):
        await grant_access(setup.workspace, key_of(issue), Grant.UNLOCK, user="ghost")
    assert len(issue.journals) == journals
    assert role.name in choices(setup.workspace, "rm", Kind.ROLE)
    assert project.identifier in choices(setup.workspace, "rm", Kind.PROJECT)


def test_ambiguous_names_list_each_with_its_id() -> None:
    found = [Candidate("7", "ops (Operations)", ("ops",), "Operations"),
             Candidate("9", "ops-cn (Operations)", ("ops-cn",), "Operations")]
    with pytest.raises(tickets.TicketError, match=r"several projects.*\[7\].*\[9\]"):
        pick(found, "operations", tool="rm", kind=Kind.PROJECT)
    assert pick(found, "OPS", tool="rm", kind=Kind.PROJECT).remote_id == "7"
    assert pick(found, "9", tool="rm", kind=Kind.PROJECT).remote_id == "9"


def test_the_queue_project_of_a_jira_queue_comes_from_its_jql() -> None:
    assert queue_project({"queue.jql": "project = SUP AND status = Open"}) == "SUP"
    assert queue_project({"queue.jql": 'project in ("Help Desk")'}) == "Help Desk"
    assert queue_project({"queue.jql": "project in (A, B)"}) == ""
    assert queue_project({"queue.project": "grp/app", "queue.jql": "project = X"}) == "grp/app"


async def test_a_tool_never_synced_is_asked_for_its_names(tmp_path: Path) -> None:
    fresh = sim_setup(tmp_path)  # no sync: nothing in the database
    state = fresh.tool.state
    role = min((r for r in state.roles.values() if r.assignable), key=lambda r: r.id)
    assert choices(fresh.workspace, "rm", Kind.ROLE) == []
    [named] = await resolve_roles(fresh.workspace, "rm", role.name.upper())
    assert named.remote_id == str(role.id)
    project = min(state.projects.values(), key=lambda p: p.id)
    found = await resolve(fresh.workspace, "rm", Kind.PROJECT, project.identifier)
    assert found.remote_id == str(project.id)
