"""Requests beyond a ticket's own changes, against the simulated Redmine: a request
recorded by phone pushed to the tool (it becomes the tool's ticket, linked), and access
requests granted through the audited path with the answer commented on the ticket."""

from __future__ import annotations

from pathlib import Path

import pytest

from pmcockpit.services import tickets
from pmcockpit.services.access_request import Grant, grant_access
from pmcockpit.services.outbox import Delivery
from pmcockpit.services.ticket_push import push_local
from pmcockpit.storage.audit import INTENT
from pmcockpit.storage.models import AuditEntry, LocalTicket
from pmcockpit.storage.queries.tickets import ticket_detail
from tests.services.checklist_sim import SimSetup, sim_setup
from tests.services.test_queue_actions import key_of, open_issue


@pytest.fixture
async def setup(tmp_path: Path) -> SimSetup:
    ready = sim_setup(tmp_path)
    await ready.sync()
    return ready


async def test_a_local_request_pushed_to_the_tool_becomes_its_ticket(setup: SimSetup) -> None:
    state = setup.tool.state
    project = min((p for p in state.projects.values() if p.status == 1), key=lambda p: p.id)
    local = tickets.add_local(setup.workspace, subject="VPN drops every hour",
                              requester="Wang Fang", priority="High")
    before = set(state.issues)
    pushed = await push_local(setup.workspace, local, "rm", str(project.id))
    [new_id] = set(state.issues) - before
    issue = state.issues[new_id]
    assert issue.subject == "VPN drops every hour" and "Wang Fang" in (issue.description or "")
    assert pushed.key == f"rm#{new_id}" and pushed.audit_id
    with setup.db.session() as session:
        row = session.get_one(LocalTicket, int(local.split("#")[1]))
        assert (row.pushed_to, row.remote_key) == ("rm", pushed.key)
        assert ticket_detail(session, pushed.key).priority == "High"  # in the queue now
    with pytest.raises(tickets.TicketError, match="already"):
        await push_local(setup.workspace, pushed.key, "rm", str(project.id))


async def test_pushing_without_a_project_says_how_to_name_one(setup: SimSetup) -> None:
    local = tickets.add_local(setup.workspace, subject="Printer", requester="Li Lei",
                              priority="Low")
    with pytest.raises(tickets.TicketError, match=r"queue\.project"):
        await push_local(setup.workspace, local, "rm")
    with pytest.raises(tickets.TicketError, match="no connection"):
        await push_local(setup.workspace, local, "nowhere", "1")


async def test_an_access_request_grants_a_membership_and_says_so_on_the_ticket(
        setup: SimSetup) -> None:
    state = setup.tool.state
    issue = open_issue(setup)
    project = state.projects[issue.project_id]
    user = next(u for u in sorted(state.users.values(), key=lambda u: u.id)
                if u.status == 1 and not any(m.project_id == project.id and m.principal_id
                                             == u.id for m in state.members.values()))
    role = min(r.id for r in state.roles.values() if r.assignable)
    granted = await grant_access(setup.workspace, key_of(issue), Grant.MEMBERSHIP,
                                 user=user.login, target=str(project.id), roles=str(role))
    assert any(m.project_id == project.id and m.principal_id == user.id
               and role in m.direct_role_ids for m in state.members.values())
    assert granted.answer.delivery is Delivery.SENT
    said = [j.notes for j in issue.journals if j.notes.startswith("Access granted by")]
    assert said and f"audit #{granted.audit_id}" in said[0]
    with setup.db.session() as session:
        entry = session.get_one(AuditEntry, granted.audit_id)
        assert entry.status != INTENT and key_of(issue) in entry.reason


async def test_an_access_request_for_nobody_known_changes_nothing(setup: SimSetup) -> None:
    issue = open_issue(setup)
    journals = len(issue.journals)
    with pytest.raises(tickets.TicketError, match="no account"):
        await grant_access(setup.workspace, key_of(issue), Grant.UNLOCK, user="no-such-login")
    with pytest.raises(tickets.TicketError, match="role"):
        await grant_access(setup.workspace, key_of(issue), Grant.MEMBERSHIP,
                           user=next(iter(setup.tool.state.users.values())).login,
                           target="1", roles="")
    assert len(issue.journals) == journals
