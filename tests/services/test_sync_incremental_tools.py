"""Each tool's updated-since filter: GitLab's ``updated_after``, Jira's JQL ``updated >=``
and ZenTao (which has none: its listing is read and only edited bugs fetched). A re-sync with
nothing changed reads no ticket; a changed one comes back with its new comment."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from pmcockpit.services.sync import sync_connection
from pmcockpit.sim.models import Issue
from pmcockpit.sim.state import ToolState
from pmcockpit.storage.models import Ticket, TicketComment
from tests.services.tool_sim import tool_setup


@pytest.mark.parametrize("dialect", ["gitlab", "jira", "zentao"])
def test_resync_reads_only_changed_tickets(tmp_path: Path, dialect: str) -> None:
    setup = tool_setup(tmp_path, dialect)
    _file_one_ticket(setup.tool.state)
    first = asyncio.run(sync_connection(setup.workspace, setup.name))
    assert first.ok and first.full and first.counts["tickets"], first.error
    again = asyncio.run(sync_connection(setup.workspace, setup.name))
    assert again.ok and not again.full, again.error
    assert again.counts["changed_tickets"] == 0
    assert again.counts["tickets"] == first.counts["tickets"]

    state = setup.tool.state
    closed = {s.id for s in state.statuses.values() if s.is_closed}
    issue = next(i for i in state.issues.values() if i.status_id not in closed)
    state.update_issue(issue, issue.author_id, "Checked the runner again", {})
    changed = asyncio.run(sync_connection(setup.workspace, setup.name))
    assert changed.ok and changed.counts["changed_tickets"] == 1, changed.error
    with setup.workspace.db.session() as session:
        subjects = session.scalars(select(Ticket.subject).join(TicketComment).where(
            TicketComment.body == "Checked the runner again")).all()
    assert subjects == [issue.subject]


def _file_one_ticket(state: ToolState) -> None:
    """A week-old open ticket, so that every dialect has one (the demo files each in one)."""
    week_ago = state.clock() - timedelta(days=7)
    project = next(p for p in state.projects.values() if p.status == 1)
    tracker = next(iter(state.trackers.values()))
    state.add_issue(Issue(
        id=state.next_id("issue"), project_id=project.id, tracker_id=tracker.id,
        status_id=tracker.default_status_id, priority_id=next(iter(state.priorities)),
        author_id=next(iter(state.users)), assigned_to_id=None, subject="Runner offline",
        description="", created_on=week_ago, updated_on=week_ago))
