"""Ticket actions from the queue against the simulated Redmine: comment, assign, status,
resolve; and the outbox: a tool that cannot be reached gets each change later, once."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from pmcockpit.core.ticket_keys import display_key
from pmcockpit.services import outbox, tickets
from pmcockpit.services.outbox import Delivery
from pmcockpit.sim.models import Issue
from pmcockpit.storage.models import Ticket
from pmcockpit.storage.queries.tickets import (
    find_ticket,
    outbox_count,
    outbox_items,
    ticket_detail,
)
from tests.services.checklist_sim import CONNECTION, SimSetup, sim_setup


@pytest.fixture
async def setup(tmp_path: Path) -> SimSetup:
    ready = sim_setup(tmp_path)
    await ready.sync()
    return ready


def open_issue(setup: SimSetup) -> Issue:
    state = setup.tool.state
    return min((i for i in state.issues.values()
                if not state.statuses[i.status_id].is_closed
                and state.projects[i.project_id].status == 1), key=lambda i: i.id)


def key_of(issue: Issue) -> str:
    return display_key(CONNECTION, f"#{issue.id}")


def notes(issue: Issue, text: str) -> int:
    return sum(1 for j in issue.journals if j.notes == text)


def replies_shown(setup: SimSetup, key: str, text: str = "Looking into it") -> int:
    """How often ``text`` is in the ticket's conversation; its first response is set."""
    with setup.db.session() as session:
        detail = ticket_detail(session, key)
        first = session.scalar(select(Ticket.first_response_at).where(
            Ticket.id == find_ticket(session, key).ticket_id))
    assert first is not None
    return sum(1 for c in detail.comments if c.body == text)


async def test_comment_assign_status_and_resolve_reach_the_tool(setup: SimSetup) -> None:
    issue = open_issue(setup)
    state = setup.tool.state
    key = key_of(issue)
    done = await tickets.comment(setup.workspace, key, "Looking into it")
    assert done.delivery is Delivery.SENT and done.audit_id
    assert notes(issue, "Looking into it") == 1
    assert replies_shown(setup, key) == 1, "shown at once, not after the next sync"
    await setup.sync()
    assert replies_shown(setup, key) == 1, "the tool's own note replaced the one kept"
    someone = next(u for u in sorted(state.users.values(), key=lambda u: u.id)
                   if u.status == 1 and u.id != issue.assigned_to_id
                   and any(m.project_id == issue.project_id and m.principal_id == u.id
                           for m in state.members.values()))
    assigned = await tickets.assign(setup.workspace, key, someone.login)
    assert assigned.delivery is Delivery.SENT, assigned.message
    assert issue.assigned_to_id == someone.id
    moved = await tickets.set_status(setup.workspace, key, "Feedback")
    assert moved.delivery is Delivery.SENT, moved.message
    assert state.statuses[issue.status_id].name == "Feedback"
    closed = await tickets.resolve(setup.workspace, key, "Fixed: password reset")
    assert [d.delivery for d in closed] == [Delivery.SENT, Delivery.SENT]
    assert state.statuses[issue.status_id].name == "Closed"
    assert notes(issue, "Fixed: password reset") == 1
    with setup.db.session() as session:
        assert outbox_count(session) == 0
        assert [v.state for v in outbox_items(session)] == ["sent"] * 5


async def test_an_unknown_ticket_or_account_is_refused_with_the_reason(setup: SimSetup
                                                                       ) -> None:
    with pytest.raises(tickets.TicketError, match="no ticket rm#999999"):
        await tickets.comment(setup.workspace, "rm#999999", "hello")
    with pytest.raises(tickets.TicketError, match="no account 'nobody-here'"):
        await tickets.assign(setup.workspace, key_of(open_issue(setup)), "nobody-here")


async def test_a_tool_that_cannot_be_reached_gets_the_changes_later_in_order_once(
        setup: SimSetup) -> None:
    issue = open_issue(setup)
    key = key_of(issue)
    setup.tool.faults.disconnect(times=10_000)
    first = await tickets.comment(setup.workspace, key, "First, while down")
    second = await tickets.set_status(setup.workspace, key, "In Progress")
    assert first.delivery is second.delivery is Delivery.QUEUED
    assert "cannot be reached" in first.message
    with setup.db.session() as session:
        assert outbox_count(session) == 2
        detail = ticket_detail(session, key)
        assert [p.kind for p in detail.pending] == ["add-comment", "set-ticket-status"]
    assert notes(issue, "First, while down") == 0
    setup.tool.faults.clear()
    sent = await outbox.send_pending(setup.workspace)
    assert [d.delivery for d in sent] == [Delivery.SENT, Delivery.SENT]
    assert await outbox.send_pending(setup.workspace) == []
    assert notes(issue, "First, while down") == 1
    assert setup.tool.state.statuses[issue.status_id].name == "In Progress"
    # The comment went first: its journal comes before the status change's.
    texts = [j.notes or j.details[0].name for j in issue.journals[-2:]]
    assert texts == ["First, while down", "status_id"]


async def test_a_request_by_phone_joins_the_queue_and_is_resolved_here(setup: SimSetup
                                                                       ) -> None:
    from pmcockpit.core.clock import utcnow
    from pmcockpit.core.queue_filter import QueueFilter
    from pmcockpit.services.queue import sla_policy
    from pmcockpit.storage.queries.queue_list import queue_rows

    key = tickets.add_local(setup.workspace, subject="VPN down for the Shanghai office",
                            requester="Li Wei", priority="Urgent")
    assert key == "local#1"
    policy = sla_policy(setup.workspace.settings)
    with setup.db.session() as session:
        rows, _total = queue_rows(session, utcnow(), policy, QueueFilter(text="VPN"))
        assert [(r.key, r.requester, r.priority) for r in rows] == [(key, "Li Wei", "Urgent")]
        assert ticket_detail(session, key).ref.subject == "VPN down for the Shanghai office"
    with pytest.raises(tickets.TicketError, match="in no tool yet"):
        await tickets.comment(setup.workspace, key, "On it")
    [closed] = await tickets.resolve(setup.workspace, key, "Router restarted")
    assert closed.delivery is Delivery.SENT
    with setup.db.session() as session:
        rows, _total = queue_rows(session, utcnow(), policy, QueueFilter(text="VPN"))
        assert rows == []


async def test_waiting_for_the_requester_pauses_the_resolution_clock_until_they_reply(
        setup: SimSetup) -> None:
    from pmcockpit.core.clock import utcnow
    from pmcockpit.core.queue_filter import QueueFilter
    from pmcockpit.services.queue import note_pauses, sla_policy
    from pmcockpit.storage.queries.queue_list import queue_rows

    issue = open_issue(setup)
    key = key_of(issue)
    policy = sla_policy(setup.workspace.settings)

    def paused_since() -> datetime | None:
        with setup.db.session() as session:
            rows, _total = queue_rows(session, utcnow(), policy, QueueFilter())
        return next(r for r in rows if r.key == key).clocks.resolution.paused_since

    await tickets.set_status(setup.workspace, key, "Feedback")
    await setup.sync()
    assert note_pauses(setup.workspace) == 1
    assert paused_since() is not None  # paused (and, this old ticket, breached already)
    with setup.db.session() as session:
        assert ticket_detail(session, key).paused_since is not None
    await tickets.set_status(setup.workspace, key, "In Progress")
    await setup.sync()
    assert note_pauses(setup.workspace) == 1
    assert paused_since() is None
    with setup.db.session() as session:
        assert ticket_detail(session, key).paused_since is None
