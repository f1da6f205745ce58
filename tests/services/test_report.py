"""The monthly operations bulletin: checklists, failures with their notes, availability
from the health history, access changes from the audit log, tickets."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import update

from pmcockpit.core.checklist import StepState
from pmcockpit.core.clock import to_utc
from pmcockpit.services import audit_log
from pmcockpit.services import checklist as service
from pmcockpit.services.report import monthly_bulletin, monthly_report, parse_month
from pmcockpit.storage import audit, audit_head, connections
from pmcockpit.storage.connections import HealthFacts
from pmcockpit.storage.models import AuditEntry, Ticket
from tests.services.checklist_sim import CONNECTION, SimSetup, local_template, sim_setup

NOW = datetime(2026, 11, 20, 12, 0)
OCTOBER = date(2026, 10, 1)


def finish(setup: SimSetup, day: int, failure: str = "") -> None:
    ws, at = setup.workspace, datetime(2026, 10, day, 9, 0)
    run = service.open_current_run(ws, "local-checks", at)
    for step in ("backup", "script"):
        service.mark_step(ws, run.id, step, StepState.DONE, note="by hand", now=at)
    if failure:
        service.mark_step(ws, run.id, "look", StepState.FAILED, note=failure, now=at)
    else:
        service.toggle_step(ws, run.id, "look", at)


def record(setup: SimSetup, at: datetime, up: bool) -> None:
    with setup.db.session() as session:
        connections.record_health(session, CONNECTION, HealthFacts(
            reachable=up, authenticated=up, checked_at=to_utc(at)))


def act(setup: SimSetup, at: datetime, action: str, status: str = "succeeded") -> None:
    record = audit.AuditRecord(
        operator="alice", connection_name=CONNECTION, action=action,
        target="jsmith (user 12)", status=status, detail={}, reason="left | 2026-10-15")
    key = audit_log.key_for(setup.workspace)
    with setup.db.session() as session:
        audit.append(session, record, key, at=to_utc(at))
    with setup.db.session() as session:
        audit_head.record_head(session, key, audit_log.head_path(setup.workspace))


def ticket(setup: SimSetup, number: int, created: datetime, closed_on: datetime | None) -> None:
    with setup.db.session() as session:
        connection = connections.get(session, CONNECTION)
        session.add(Ticket(connection_id=connection.id, remote_id=str(number), key=f"#{number}",
                           subject="s", status="Closed" if closed_on else "New",
                           is_closed=closed_on is not None, priority="Normal",
                           created_at=to_utc(created), updated_at=to_utc(closed_on or created)))


@pytest.fixture
def setup(tmp_path: Path) -> SimSetup:
    setup = sim_setup(tmp_path)
    setup.write_template("local-checks", local_template(tmp_path / "backups"))
    for day in (28, 30):
        finish(setup, day)
    finish(setup, 31, failure="Log server was down; restarted it at 10:00.")  # 29th missed
    service.open_current_run(setup.workspace, "local-checks", datetime(2026, 11, 3, 9))
    for day, up in ((2, True), (9, True), (16, False), (23, True)):
        record(setup, datetime(2026, 10, day, 8), up)
    record(setup, datetime(2026, 11, 2, 8), False)  # November: not in October's figure
    act(setup, datetime(2026, 10, 16, 9), "lock-user")
    act(setup, datetime(2026, 10, 17, 9), "remove-membership")
    act(setup, datetime(2026, 10, 17, 10), "add-comment")
    act(setup, datetime(2026, 10, 18, 9), "lock-user", status="refused")
    act(setup, datetime(2026, 11, 1, 9), "unlock-user")
    ticket(setup, 1, datetime(2026, 10, 5), datetime(2026, 10, 20))
    ticket(setup, 2, datetime(2026, 9, 1), None)
    ticket(setup, 3, datetime(2026, 10, 10), None)
    return setup


def test_the_report_gathers_the_month(setup: SimSetup) -> None:
    report = monthly_report(setup.workspace, OCTOBER, NOW)
    assert report.until == date(2026, 10, 31)
    [local] = report.checklists  # built-ins never run are left out
    assert (local.rate.on_time, local.rate.late, local.rate.missed) == (3, 0, 1)
    assert local.missed == ("2026-10-29",)
    [failure] = report.failures
    assert (failure.period, failure.step, failure.state) == ("2026-10-31", "Look at the logs",
                                                             StepState.FAILED)
    [tool] = report.tools
    assert (tool.tickets_opened, tool.tickets_resolved, tool.tickets_open) == (2, 1, 2)
    assert [c.action for c in report.access_changes] == ["Lock user", "Remove membership"]
    assert report.other_actions == 1


def test_the_bulletin_in_markdown(setup: SimSetup) -> None:
    text = monthly_bulletin(setup.workspace, OCTOBER, NOW)
    assert text.startswith("# Operations bulletin — October 2026\n")
    assert "Covers 2026-10-01 to 2026-10-31. Written 2026-11-20 12:00 by tester." in text
    assert "| Local checks | 3 | 0 | 1 | 0 | 75.0% |" in text
    assert "Overall: 75% on time (3 of 4)." in text
    assert "Missed: Local checks 2026-10-29." in text
    assert "- **2026-10-31 · Local checks · Look at the logs** (failed)" in text
    assert "  - What was done: Log server was down; restarted it at 10:00." in text
    assert f"| 2026-10-16 09:00 | alice | {CONNECTION} | Lock user | jsmith (user 12) | " \
           "left \\| 2026-10-15 |" in text
    assert "Other actions taken (tickets): 1." in text
    assert f"| {CONNECTION} | 2 | 1 | 2 |" in text


def test_availability_comes_from_the_health_history_of_the_month(setup: SimSetup) -> None:
    [tool] = monthly_report(setup.workspace, OCTOBER, NOW).tools
    assert tool.availability == 0.75
    assert f"| {CONNECTION} | 75.0% |" in monthly_bulletin(setup.workspace, OCTOBER, NOW)


def test_the_current_month_so_far(setup: SimSetup) -> None:
    report = monthly_report(setup.workspace, date(2026, 11, 1), NOW)
    assert report.until == date(2026, 11, 20)
    [local] = report.checklists
    # Only the 3rd had a run, left unfinished: missed, like every other day so far.
    assert local.rate.on_time == 0 and local.open == 1
    assert local.rate.missed == 19
    text = monthly_bulletin(setup.workspace, date(2026, 11, 1), NOW)
    assert "(so far: to 2026-11-20)" in text
    assert "No step failed or was skipped." in text
    assert "No access was changed" not in text  # the unlock on the 1st


def test_an_empty_month_says_so(tmp_path: Path) -> None:
    text = monthly_bulletin(sim_setup(tmp_path, with_connection=False).workspace, OCTOBER, NOW)
    assert "No checklist was run this month." in text
    assert "No tools are connected." in text
    assert "No access was changed through pmcockpit." in text


def test_months_are_parsed_and_the_future_refused(tmp_path: Path) -> None:
    assert parse_month("2026-02") == date(2026, 2, 1)
    for bad in ("2026-13", "26-01", "2026/01", "next"):
        with pytest.raises(ValueError, match="YYYY-MM"):
            parse_month(bad)
    with pytest.raises(ValueError, match="has not begun"):
        monthly_report(sim_setup(tmp_path).workspace, date(2026, 12, 1), NOW)


def test_the_bulletin_carries_a_checkpoint_that_later_proves_the_log(setup: SimSetup) -> None:
    text = monthly_bulletin(setup.workspace, OCTOBER, NOW)
    section = text.split("## Audit log", 1)[1]
    assert "The audit log verifies (keyed chain and head)." in section
    checkpoint = section.split("```json\n", 1)[1].split("```", 1)[0]
    act(setup, datetime(2026, 11, 2, 9), "lock-user")  # the log goes on growing
    assert audit_log.verify(setup.workspace, checkpoint).checkpoint == 5  # the fixture acted 5x
    with setup.db.session() as session:
        session.execute(update(AuditEntry).where(AuditEntry.id == 1).values(reason="routine"))
    later = audit_log.verify(setup.workspace, checkpoint)
    assert not later.intact
