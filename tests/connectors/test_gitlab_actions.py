"""Every GitLab write through the audited action path: a workspace on a file database,
synced from the simulated GitLab, then ActionRunner run and undo; the sim's state after."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from pmcockpit.config import Settings
from pmcockpit.connectors import registry
from pmcockpit.connectors.base import ConnectionConfig, Connector
from pmcockpit.core.actions import Action, ActionKind, JSONValue
from pmcockpit.services.actions import ActionResult, ActionRunner, Outcome, UndoError
from pmcockpit.services.sync import sync_all
from pmcockpit.services.workspace import Workspace
from pmcockpit.sim.dialects.gitlab import GitLabFacts, gitlab_facts
from pmcockpit.sim.dialects.gitlab.access import (
    direct_levels,
    inherited_levels,
    is_archived,
    shares,
)
from pmcockpit.sim.models import USER_ACTIVE, Project, User
from pmcockpit.sim.tool import SimTool
from pmcockpit.storage import connections
from pmcockpit.storage.db import open_database

CONNECTION = "gl"


@dataclass
class Setup:
    tool: SimTool
    workspace: Workspace
    runner: ActionRunner

    @property
    def facts(self) -> GitLabFacts:
        return gitlab_facts(self.tool.state)

    async def run(self, kind: ActionKind, target: object, reason: str = "access review",
                  **params: JSONValue) -> ActionResult:
        action = Action(kind, CONNECTION, str(target), params=params, reason=reason)
        [result] = await self.runner.run([action], confirmed=True)
        return result

    async def undo(self, result: ActionResult) -> ActionResult:
        assert result.audit_id is not None
        return await self.runner.undo(result.audit_id, reason="undo", confirmed=True)


def workspace_on(tmp_path: Path, tool: SimTool, token: str) -> Workspace:
    db = open_database(f"sqlite:///{tmp_path}/t.db")
    settings = Settings(db=str(db.engine.url), operator="tester")

    def open_connector(name: str) -> Connector:
        config = ConnectionConfig(name, "gitlab", tool.url, token)
        return registry.open_connector(config, transport=tool.transport())

    with db.session() as session:
        connections.add(session, CONNECTION, "gitlab", tool.url)
    return Workspace(settings, db, open_connector)


async def synced(tmp_path: Path, tool: SimTool, token: str) -> AsyncIterator[Setup]:
    workspace = workspace_on(tmp_path, tool, token)
    [report] = await sync_all(workspace)
    assert report.ok, report.error
    async with ActionRunner(workspace) as runner:
        yield Setup(tool, workspace, runner)


@pytest.fixture
def tool() -> SimTool:
    return SimTool(dialect="gitlab", seed=7, scale=60)


@pytest.fixture
async def admin(tmp_path: Path, tool: SimTool) -> AsyncIterator[Setup]:
    async for setup in synced(tmp_path, tool, tool.token):
        yield setup


def people(setup: Setup) -> list[User]:
    return [u for u in setup.tool.state.users.values() if u.status == USER_ACTIVE
            and not u.admin and not setup.facts.is_bot(u)]


def a_project(setup: Setup) -> Project:
    facts, state = setup.facts, setup.tool.state
    return next(p for p in state.projects.values() if not is_archived(p)
                and p.id in facts.namespaces and direct_levels(state, facts, p)
                and any(u in direct_levels(state, facts, p)
                        for u in inherited_levels(state, facts, p)))


async def test_sync_reads_everything(admin: Setup) -> None:
    [report] = await sync_all(admin.workspace)
    state = admin.tool.state
    assert report.counts["accounts"] == len(state.users)
    assert report.counts["projects"] == len(state.projects)
    assert report.counts["tickets"] == len(state.issues)
    assert report.counts["roles"] == 6


async def test_block_and_undo(admin: Setup) -> None:
    user = people(admin)[0]
    done = await admin.run(ActionKind.LOCK_USER, user.id)
    assert done.outcome is Outcome.SUCCEEDED, done.error
    assert admin.facts.user_state(user) == "blocked"
    undone = await admin.undo(done)
    assert undone.outcome is Outcome.SUCCEEDED and admin.facts.user_state(user) == "active"


async def test_deactivate_and_undo(admin: Setup) -> None:
    today = admin.tool.state.clock().date()
    user = next(u for u in people(admin) if admin.facts.dormant(u, today))
    done = await admin.run(ActionKind.DEACTIVATE_USER, user.id)
    assert done.outcome is Outcome.SUCCEEDED, done.error
    assert admin.facts.user_state(user) == "deactivated"
    assert (await admin.undo(done)).ok and admin.facts.user_state(user) == "active"


async def test_deactivating_someone_active_fails_with_gitlabs_rule(admin: Setup) -> None:
    today = admin.tool.state.clock().date()
    user = next(u for u in people(admin) if not admin.facts.dormant(u, today))
    done = await admin.run(ActionKind.DEACTIVATE_USER, user.id)
    assert done.outcome is Outcome.FAILED
    assert done.error is not None and "no activity in its dormant period" in done.error


async def test_remove_membership_and_undo(admin: Setup) -> None:
    state, facts = admin.tool.state, admin.facts
    project = a_project(admin)
    user_id, level = next(iter(direct_levels(state, facts, project).items()))
    done = await admin.run(ActionKind.REMOVE_MEMBERSHIP, f"project:{project.id}:user:{user_id}")
    assert done.outcome is Outcome.SUCCEEDED, done.error
    assert user_id not in direct_levels(state, facts, project)
    assert (await admin.undo(done)).ok
    assert direct_levels(state, facts, project)[user_id] == level


async def test_removing_inherited_access_fails_naming_the_group(admin: Setup) -> None:
    state, facts = admin.tool.state, admin.facts
    project = a_project(admin)
    user_id = next(u for u in inherited_levels(state, facts, project)
                   if u not in direct_levels(state, facts, project))
    done = await admin.run(ActionKind.REMOVE_MEMBERSHIP, f"project:{project.id}:user:{user_id}")
    group = state.groups[facts.namespaces[project.id]]
    assert done.outcome is Outcome.FAILED
    assert done.error is not None and f"comes from group {group.name}" in done.error


async def test_change_access_level_and_undo(admin: Setup) -> None:
    state, facts = admin.tool.state, admin.facts
    project = a_project(admin)
    user_id, level = next(iter(direct_levels(state, facts, project).items()))
    done = await admin.run(ActionKind.SET_MEMBERSHIP_ROLES,
                           f"project:{project.id}:user:{user_id}", role_ids=["50"])
    assert done.ok, done.error
    assert direct_levels(state, facts, project)[user_id] == 50
    assert (await admin.undo(done)).ok
    assert direct_levels(state, facts, project)[user_id] == level


async def test_share_with_a_group_and_undo(admin: Setup) -> None:
    state, facts = admin.tool.state, admin.facts
    project = a_project(admin)
    group = next(g for g in state.groups.values() if g.id != facts.namespaces[project.id]
                 and all(g is not shared for shared, _ in shares(state, facts, project)))
    done = await admin.run(ActionKind.ADD_MEMBERSHIP, project.id,
                           principal_id=f"group:{group.id}", role_ids=["20"])
    assert done.ok, done.error
    assert done.facts == {"membership_id": f"project:{project.id}:group:{group.id}"}
    assert (group, 20) in shares(state, facts, project)
    assert (await admin.undo(done)).ok
    assert all(g is not group for g, _ in shares(state, facts, project))


async def test_group_members_and_undo(admin: Setup) -> None:
    state = admin.tool.state
    group = next(g for g in state.groups.values()
                 if g.user_ids and any(u.id not in g.user_ids for u in people(admin)))
    user = next(u for u in people(admin) if u.id not in group.user_ids)
    added = await admin.run(ActionKind.ADD_GROUP_MEMBER, group.id, user_id=str(user.id))
    assert added.ok, added.error
    assert user.id in group.user_ids and admin.facts.group_level(group.id, user.id) == 30
    assert (await admin.undo(added)).ok and user.id not in group.user_ids

    member = group.user_ids[0]
    removed = await admin.run(ActionKind.REMOVE_GROUP_MEMBER, group.id, user_id=str(member))
    assert removed.ok, removed.error and member not in group.user_ids
    assert (await admin.undo(removed)).ok and member in group.user_ids


async def test_tickets_comment_close_assign_create(admin: Setup) -> None:
    state, facts = admin.tool.state, admin.facts
    issue = next(i for i in state.issues.values() if not state.statuses[i.status_id].is_closed)
    ticket = f"project:{issue.project_id}:issue:{facts.iid(issue)}"

    commented = await admin.run(ActionKind.ADD_COMMENT, ticket, reason="", body="On it")
    assert commented.ok and issue.journals[-1].notes == "On it"
    assert commented.audit_id is not None
    with pytest.raises(UndoError, match="cannot be undone"):
        admin.runner.undo_action(commented.audit_id, "")

    closed = await admin.run(ActionKind.SET_TICKET_STATUS, ticket, status="closed")
    assert closed.ok and state.statuses[issue.status_id].is_closed
    assert (await admin.undo(closed)).ok and not state.statuses[issue.status_id].is_closed

    previous = issue.assigned_to_id
    assigned = await admin.run(ActionKind.ASSIGN_TICKET, ticket,
                               assignee_id=str(people(admin)[0].id))
    assert assigned.ok and issue.assigned_to_id == people(admin)[0].id
    assert (await admin.undo(assigned)).ok and issue.assigned_to_id == previous

    created = await admin.run(ActionKind.CREATE_TICKET, issue.project_id, reason="",
                              subject="Printer on floor 3")
    assert created.ok and created.facts["key"].endswith(f"#{facts.last_iid[issue.project_id]}")


# -- a token without administrator rights -----------------------------------------------------


@pytest.fixture
def developer(tool: SimTool) -> User:
    facts = gitlab_facts(tool.state)
    return next(u for u in tool.state.users.values() if u.status == USER_ACTIVE
                and not u.admin and not facts.is_bot(u))


async def test_without_admin_rights_user_actions_are_refused_with_the_reason(
        tmp_path: Path, tool: SimTool, developer: User) -> None:
    async for setup in synced(tmp_path, tool, developer.api_key):
        target = people(setup)[-1]
        action = Action(ActionKind.LOCK_USER, CONNECTION, str(target.id), reason="left")
        [preview] = await setup.runner.preview([action])
        assert preview.refusal == (
            f"gl (gitlab) the token's user {developer.login} is not a GitLab administrator: "
            "only administrators see sign-in dates and can block or deactivate users (use an "
            "administrator's personal access token with the api scope)")
        for kind in (ActionKind.LOCK_USER, ActionKind.DEACTIVATE_USER):
            result = await setup.run(kind, target.id)
            assert result.outcome is Outcome.REFUSED
            assert result.error == preview.refusal
        assert setup.facts.user_state(target) == "active"


async def test_before_any_sync_the_preview_and_the_run_say_why(
        tmp_path: Path, tool: SimTool, developer: User) -> None:
    workspace = workspace_on(tmp_path, tool, developer.api_key)
    async with ActionRunner(workspace) as runner:
        action = Action(ActionKind.DEACTIVATE_USER, CONNECTION, "2", reason="dormant")
        [preview] = await runner.preview([action])
        [result] = await runner.run([action], confirmed=True)
    assert preview.refusal is not None and "is not a GitLab administrator" in preview.refusal
    assert result.outcome is Outcome.REFUSED and result.error == preview.refusal
