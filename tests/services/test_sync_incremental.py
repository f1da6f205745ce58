"""Incremental re-sync against the simulated Redmine over loopback, counting requests at the
simulator: a re-sync with nothing changed reads no ticket, a changed ticket is read again
with its comments, a deleted one is found by the next full sync, and a sync that fails
halfway leaves the watermark where it was."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from pmcockpit.config import Settings
from pmcockpit.connectors import registry
from pmcockpit.connectors.base import ConnectionConfig, Connector
from pmcockpit.services.sync import SyncReport, sync_connection
from pmcockpit.services.workspace import Workspace
from pmcockpit.sim import SimTool, serve
from pmcockpit.sim.faults import Fault, FaultKind
from pmcockpit.storage import connections
from pmcockpit.storage.db import open_database
from pmcockpit.storage.models import Ticket, TicketComment

NAME = "desk"
ISSUE_DETAIL = re.compile(r"^GET /issues/\d+\.json")


@dataclass
class Served:
    workspace: Workspace
    tool: SimTool
    log: list[str]
    options: dict[str, str]

    def sync(self, *, full: bool = False, memberships: bool = False) -> SyncReport:
        self.log.clear()
        return asyncio.run(sync_connection(self.workspace, NAME, full=full,
                                           memberships=memberships))

    def requests(self, pattern: str) -> list[str]:
        return [line for line in self.log if re.match(pattern, line)]

    def tickets(self) -> dict[str, list[str]]:
        """remote id -> comment bodies, as stored."""
        with self.workspace.db.session() as session:
            rows = session.execute(select(Ticket.remote_id, TicketComment.body).outerjoin(
                TicketComment, TicketComment.ticket_id == Ticket.id)).all()
        stored: dict[str, list[str]] = {}
        for remote_id, body in rows:
            stored.setdefault(remote_id, []).extend([body] if body is not None else [])
        return stored

    def marks(self) -> tuple[datetime | None, datetime | None]:
        with self.workspace.db.session() as session:
            connection = connections.get(session, NAME)
            return connection.tickets_since, connection.full_sync_at


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    tool = SimTool("redmine", seed=7, scale=40)
    log: list[str] = []
    options: dict[str, str] = {}
    with serve(tool, log=log.append) as running:
        db = open_database(f"sqlite:///{tmp_path / 'pmcockpit.db'}")

        def opener(name: str) -> Connector:
            return registry.open_connector(ConnectionConfig(name, "redmine", running.url,
                                                            tool.token, dict(options)))

        with db.session() as session:
            connections.add(session, NAME, "redmine", running.url)
        yield Served(Workspace(Settings(db=str(db.engine.url), operator="t"), db, opener),
                     tool, log, options)
        db.dispose()


def _change_ticket(tool: SimTool, note: str) -> int:
    issue = next(iter(tool.state.issues.values()))
    tool.state.update_issue(issue, issue.author_id, note, {})
    return issue.id


def test_a_resync_with_nothing_changed_reads_no_ticket(served: Served) -> None:
    first = served.sync()
    assert first.ok and first.full, first.error
    assert served.requests(r"GET /issues/\d+\.json"), "the full sync reads comments"
    again = served.sync()
    assert again.ok and not again.full, again.error
    assert served.requests(r"GET /issues/\d+\.json") == []
    listings = served.requests(r"GET /issues\.json")
    assert len(listings) == 1 and "updated_on=%3E%3D" in listings[0]
    assert again.counts["changed_tickets"] == 0
    assert again.counts["tickets"] == first.counts["tickets"]


def test_a_changed_ticket_is_read_again_with_its_comments(served: Served) -> None:
    assert served.sync().ok
    issue_id = _change_ticket(served.tool, "Printer on floor 3 fixed")
    report = served.sync()
    assert report.ok and not report.full and report.counts["changed_tickets"] == 1
    assert [line.split("?")[0] for line in served.requests(r"GET /issues/\d+\.json")] == [
        f"GET /issues/{issue_id}.json"]
    assert "Printer on floor 3 fixed" in served.tickets()[str(issue_id)]


def test_a_deleted_ticket_is_found_by_the_next_full_sync(served: Served) -> None:
    assert served.sync().ok
    gone = next(iter(served.tool.state.issues))
    del served.tool.state.issues[gone]
    served.tool.state.changed()
    assert not served.sync().full
    assert str(gone) in served.tickets(), "an incremental sync cannot see a deletion"
    with served.workspace.db.session() as session:  # the last full sync is a day old
        connections.get(session, NAME).full_sync_at = datetime.now(UTC).replace(
            tzinfo=None) - timedelta(hours=25)
    report = served.sync()
    assert report.ok and report.full
    assert str(gone) not in served.tickets()


def test_full_forces_a_full_sync_and_options_change_the_basis(served: Served) -> None:
    assert served.sync().ok
    assert served.sync(full=True).full
    served.options["queue.tracker"] = "1"
    # The options decide which tickets are read: new ones need everything read again.
    assert served.sync().full


def test_a_sync_failing_halfway_keeps_the_watermark(served: Served) -> None:
    assert served.sync().ok
    marks = served.marks()
    issue_id = _change_ticket(served.tool, "Half-read note")
    served.tool.faults.faults.append(
        Fault(FaultKind.MALFORMED_JSON, path_contains=f"/issues/{issue_id}.json"))
    failed = served.sync()
    assert not failed.ok
    assert served.marks() == marks
    assert "Half-read note" not in served.tickets()[str(issue_id)]
    report = served.sync()
    assert report.ok and report.counts["changed_tickets"] == 1
    assert "Half-read note" in served.tickets()[str(issue_id)]


def test_a_full_sync_hours_that_is_not_a_number_fails_the_sync_and_says_so(
        served: Served) -> None:
    served.options["full_sync_hours"] = "daily"
    report = served.sync()
    assert not report.ok
    assert report.error == ("the full_sync_hours option must be a number of hours (0 or more), "
                            "not 'daily'")
    served.options["full_sync_hours"] = "0"  # every sync full
    assert served.sync().full and served.sync().full
