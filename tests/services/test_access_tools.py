"""Access requests and pushed requests by the names the administrator knows, against the
simulated Jira, GitLab, ZenTao and Feishu (Redmine: tests/services/test_access_names.py).
Each grant and push is checked in the simulated tool's state afterwards."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from pmcockpit.config import Settings
from pmcockpit.connectors import registry
from pmcockpit.connectors.base import ConnectionConfig, Connector
from pmcockpit.core.ticket_keys import display_key
from pmcockpit.services import tickets
from pmcockpit.services.access_request import Grant, grant_access
from pmcockpit.services.sync import sync_all
from pmcockpit.services.ticket_push import push_local
from pmcockpit.services.workspace import Workspace
from pmcockpit.sim.dialects.feishu.core import feishu_facts
from pmcockpit.sim.dialects.gitlab import gitlab_facts
from pmcockpit.sim.dialects.gitlab.access import direct_levels
from pmcockpit.sim.dialects.jira.core import project_keys, role_identity
from pmcockpit.sim.models import PROJECT_ACTIVE, USER_ACTIVE, USER_LOCKED, Issue, Project, User
from pmcockpit.sim.state import ToolState
from pmcockpit.sim.tool import SimTool
from pmcockpit.storage import connections
from pmcockpit.storage.db import open_database
from pmcockpit.storage.models import Connection, Ticket
from tests.databases import database_url

SCALE = 40


class Tools:
    """A workspace whose connections (named after their dialect) are simulated tools."""

    def __init__(self, tmp_path: Path, *dialects: str) -> None:
        self.sims = {d: SimTool(dialect=d, seed=7, scale=SCALE) for d in dialects}
        db = open_database(database_url(tmp_path / "pmcockpit.db"))
        settings = Settings(db=str(db.engine.url), operator="tester")

        def open_connector(name: str) -> Connector:
            sim = self.sims[name]
            config = ConnectionConfig(name, name, sim.url, sim.token, sim.connector_options)
            return registry.open_connector(config, transport=sim.transport())

        with db.session() as session:
            for name, sim in self.sims.items():
                connections.add(session, name, name, sim.url, sim.connector_options)
        self.workspace = Workspace(settings, db, open_connector)

    def state(self, name: str) -> ToolState:
        return self.sims[name].state

    async def sync(self) -> None:
        for report in await sync_all(self.workspace):
            assert report.ok, report.error

    def set_option(self, connection: str, key: str, value: str) -> None:
        with self.workspace.db.session() as session:
            row = session.scalars(select(Connection).where(Connection.name == connection)).one()
            row.options = {**row.options, key: value}

    def a_ticket(self, connection: str) -> str:
        with self.workspace.db.session() as session:
            key = session.scalars(select(Ticket.key).join(Connection).where(
                Connection.name == connection, Ticket.is_closed.is_(False))
                .order_by(Ticket.id).limit(1)).one()
        return display_key(connection, key)


def said(state: ToolState) -> list[str]:
    return [j.notes for i in state.issues.values() for j in i.journals
            if j.notes.startswith("Access granted by")]


def outsider(state: ToolState, project_id: int) -> User:
    return next(u for u in sorted(state.users.values(), key=lambda u: u.id)
                if u.status == USER_ACTIVE and not u.admin and u.mail
                and state.member_of(project_id, u.id) is None)


def busy_project(state: ToolState) -> Project:
    return min((p for p in state.projects.values() if p.status == PROJECT_ACTIVE),
               key=lambda p: p.id)


def new_issue(state: ToolState, before: set[int]) -> Issue:
    [new_id] = set(state.issues) - before
    return state.issues[new_id]


# -- Jira ---------------------------------------------------------------------------------


async def test_jira_push_lands_in_the_queues_project_and_grants_by_name(
        tmp_path: Path) -> None:
    tools = Tools(tmp_path, "jira")
    state = tools.state("jira")
    project = busy_project(state)
    key = project_keys(state)[project.id]
    tools.set_option("jira", "queue.jql", f"project = {key} ORDER BY created DESC")
    await tools.sync()

    local = tickets.add_local(tools.workspace, subject="Need Confluence space",
                              requester="Wang Fang", priority="High")
    before = set(state.issues)
    pushed = await push_local(tools.workspace, local, "jira")
    issue = new_issue(state, before)
    assert issue.project_id == project.id and issue.subject == "Need Confluence space"
    assert pushed.key.startswith(f"{key}-")

    ticket = pushed.key  # the access request is the pushed one, now Jira's
    user = outsider(state, project.id)
    role = next(r for r in state.roles.values() if r.assignable)
    role_name = str(role_identity(role)[0])
    # the project by its name in capitals, the role by its name in lower case, the user
    # by e-mail
    await grant_access(tools.workspace, ticket, Grant.MEMBERSHIP, user=user.mail.upper(),
                       target=project.name.upper(), roles=role_name.lower())
    member = state.member_of(project.id, user.id)
    assert member is not None and role.id in member.direct_role_ids

    group = next(g for g in sorted(state.groups.values(), key=lambda g: g.id)
                 if user.id not in g.user_ids and not g.builtin)
    await grant_access(tools.workspace, ticket, Grant.GROUP, user=user.login,
                       target=group.name.lower())
    assert user.id in group.user_ids

    locked = next(u for u in state.users.values() if u.status == USER_LOCKED)
    await grant_access(tools.workspace, ticket, Grant.UNLOCK, user=locked.mail)
    assert locked.status == USER_ACTIVE
    assert len(said(state)) == 3


async def test_jira_refuses_unknown_role_names_listing_them(tmp_path: Path) -> None:
    tools = Tools(tmp_path, "jira")
    state = tools.state("jira")
    project = busy_project(state)
    tools.set_option("jira", "queue.jql", f"project = {project_keys(state)[project.id]}")
    await tools.sync()
    local = tickets.add_local(tools.workspace, subject="Access to the wiki",
                              requester="Wang Fang", priority="High")
    ticket = (await push_local(tools.workspace, local, "jira")).key
    user = outsider(state, project.id)
    names = [str(role_identity(r)[0]) for r in state.roles.values() if r.assignable]
    with pytest.raises(tickets.TicketError, match="has no role 'Wizard'") as refused:
        await grant_access(tools.workspace, ticket, Grant.MEMBERSHIP,
                           user=user.login, target=project.name, roles="Wizard")
    assert any(name in str(refused.value) for name in names)
    assert state.member_of(project.id, user.id) is None


# -- GitLab -------------------------------------------------------------------------------


async def test_gitlab_push_and_grants_by_path_and_access_level_name(tmp_path: Path) -> None:
    tools = Tools(tmp_path, "gitlab")
    state = tools.state("gitlab")
    facts = gitlab_facts(state)
    project = next(p for p in sorted(state.projects.values(), key=lambda p: p.id)
                   if p.id in facts.namespaces and p.status == PROJECT_ACTIVE)
    path = f"{facts.full_path(facts.namespaces[project.id])}/{project.identifier}"
    tools.set_option("gitlab", "queue.project", path)
    await tools.sync()

    local = tickets.add_local(tools.workspace, subject="Runner offline",
                              requester="Li Lei", priority="Normal")
    before = set(state.issues)
    pushed = await push_local(tools.workspace, local, "gitlab")
    issue = new_issue(state, before)
    assert issue.project_id == project.id and issue.subject == "Runner offline"
    assert pushed.key.endswith(f"#{facts.iid(issue)}")

    ticket = pushed.key
    user = next(u for u in sorted(state.users.values(), key=lambda u: u.id)
                if u.status == USER_ACTIVE and not u.admin and not facts.is_bot(u)
                and u.id not in direct_levels(state, facts, project))
    await grant_access(tools.workspace, ticket, Grant.MEMBERSHIP, user=user.login,
                       target=path.upper(), roles="reporter")
    assert direct_levels(state, facts, project)[user.id] == 20

    group = next(g for g in sorted(state.groups.values(), key=lambda g: g.id)
                 if user.id not in g.user_ids)
    facts.group_paths[group.id] = "ops-desk"  # renamed: the path no longer follows the name
    await tools.sync()
    await grant_access(tools.workspace, ticket, Grant.GROUP, user=user.login,
                       target="Ops-Desk")
    assert user.id in group.user_ids

    blocked = next(u for u in state.users.values() if facts.user_state(u) == "blocked")
    await grant_access(tools.workspace, ticket, Grant.UNLOCK, user=blocked.login)
    assert facts.user_state(blocked) == "active"
    assert len(said(state)) == 3

    with pytest.raises(tickets.TicketError, match="one access level"):
        await grant_access(tools.workspace, ticket, Grant.MEMBERSHIP, user=blocked.login,
                           target=path, roles="Guest,Reporter")


# -- ZenTao and Feishu ---------------------------------------------------------------------


async def test_zentao_refuses_push_and_grants_naming_zentao(tmp_path: Path) -> None:
    tools = Tools(tmp_path, "zentao")
    await tools.sync()
    state = tools.state("zentao")
    issues, journals = len(state.issues), sum(len(i.journals) for i in state.issues.values())
    local = tickets.add_local(tools.workspace, subject="Printer", requester="Li Lei",
                              priority="Low")
    with pytest.raises(tickets.TicketError, match=r"zentao \(zentao\).*ZenTao"):
        await push_local(tools.workspace, local, "zentao", "1")
    user = next(u for u in state.users.values() if u.status == USER_ACTIVE)
    ticket = tools.a_ticket("zentao")
    for grant, target in ((Grant.MEMBERSHIP, "1"), (Grant.GROUP, "1"), (Grant.UNLOCK, "")):
        with pytest.raises(tickets.TicketError, match="ZenTao"):
            await grant_access(tools.workspace, ticket, grant, user=user.login,
                               target=target, roles="1")
    assert len(state.issues) == issues
    assert sum(len(i.journals) for i in state.issues.values()) == journals


async def test_feishu_unfreezes_for_a_redmine_ticket_and_refuses_the_rest(
        tmp_path: Path) -> None:
    tools = Tools(tmp_path, "redmine", "feishu")
    await tools.sync()
    state, facts = tools.state("feishu"), feishu_facts(tools.state("feishu"))
    frozen = next(u for u in state.users.values() if u.id in facts.frozen and u.mail)
    ticket = tools.a_ticket("redmine")
    granted = await grant_access(tools.workspace, ticket, Grant.UNLOCK, user=frozen.mail,
                                 tool="feishu")
    assert frozen.id not in facts.frozen and granted.audit_id
    assert said(tools.state("redmine"))

    with pytest.raises(tickets.TicketError, match="Feishu is connected as the directory"):
        await grant_access(tools.workspace, ticket, Grant.MEMBERSHIP, user=frozen.mail,
                           target="x", roles="y", tool="feishu")
    local = tickets.add_local(tools.workspace, subject="Printer", requester="Li Lei",
                              priority="Low")
    with pytest.raises(tickets.TicketError, match=r"feishu \(feishu\) Feishu"):
        await push_local(tools.workspace, local, "feishu", "x")
