"""The checklist service: opening runs, the due overview, marking steps, running the
automated steps with their evidence, history with the on-time rate, and the demo."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from pmcockpit.core import wording
from pmcockpit.core.checklist import CheckStatus, DueState, StepState, Timeliness
from pmcockpit.core.clock import to_utc
from pmcockpit.services import checklist as service
from pmcockpit.services.demo import seed_demo_history
from tests.installed import installed_on
from tests.services.checklist_sim import OPERATOR, SimSetup, local_template, sim_setup

MONDAY_9AM = datetime(2026, 11, 2, 9, 0)


@pytest.fixture
def setup(tmp_path: Path) -> SimSetup:
    """No connection: these templates check files and commands only."""
    setup = sim_setup(tmp_path, with_connection=False)
    installed_on(setup.workspace.db)
    backups = tmp_path / "backups"
    backups.mkdir()
    (backups / "db.sql.gz").write_bytes(b"backup")
    setup.write_template("local-checks", local_template(backups))
    return setup


def test_the_current_run_is_created_when_first_opened(setup: SimSetup) -> None:
    ws = setup.workspace
    first = service.open_current_run(ws, "local-checks", MONDAY_9AM)
    assert first.run.period.key == "2026-11-02" and first.name == "Local checks"
    assert first.stored.operator == OPERATOR
    assert [s.step_id for s in first.run.steps] == ["backup", "script", "look"]
    assert first.guidance("look") == "Read them."
    again = service.open_current_run(ws, "local-checks", MONDAY_9AM + timedelta(hours=5))
    assert again.id == first.id
    tomorrow = service.open_current_run(ws, "local-checks", MONDAY_9AM + timedelta(days=1))
    assert tomorrow.id != first.id


def test_overview_lists_overdue_then_due_soonest_first_then_done(setup: SimSetup) -> None:
    ws = setup.workspace
    items = service.due_overview(ws, MONDAY_9AM)
    assert [(i.template.key, i.state) for i in items] == [
        ("quarterly-satisfaction-survey", DueState.OVERDUE),  # due 22 October
        ("daily-inspection", DueState.DUE),  # at 10:00 today
        ("local-checks", DueState.DUE),  # by the end of today
        ("weekly-cleanup", DueState.DUE),  # Wednesday noon
        ("monthly-version-report", DueState.DUE),  # the 6th
    ]
    assert [i.needs_attention for i in items] == [True, True, True, False, False]
    unopened = items[2]
    assert unopened.run_id is None and str(unopened.progress) == "0/3"

    due = service.checklists_due(ws, MONDAY_9AM)
    assert [(d.name, d.overdue) for d in due] == [
        ("Quarterly satisfaction survey", True), ("Daily inspection", False),
        ("Local checks", False)]
    assert due[1].due_at == to_utc(datetime(2026, 11, 2, 10, 0))

    run = service.open_current_run(ws, "local-checks", MONDAY_9AM)
    for step in ("backup", "script"):
        service.mark_step(ws, run.id, step, StepState.DONE, note="looked myself",
                          now=MONDAY_9AM)
    service.toggle_step(ws, run.id, "look", MONDAY_9AM)
    items = service.due_overview(ws, MONDAY_9AM + timedelta(hours=2))
    assert (items[-1].template.key, items[-1].state) == ("local-checks", DueState.DONE)
    assert items[-1].run_id == run.id and str(items[-1].progress) == "3/3"
    assert items[1].overdue  # the daily inspection, now past 10:00


def test_marking_steps_follows_the_rules(setup: SimSetup) -> None:
    ws = setup.workspace
    run = service.open_current_run(ws, "local-checks", MONDAY_9AM)
    done = service.toggle_step(ws, run.id, "look", MONDAY_9AM)
    assert done.run.step("look").state is StepState.DONE
    assert done.evidence("look").operator == OPERATOR
    assert service.toggle_step(ws, run.id, "look").run.step("look").state is StepState.PENDING
    with pytest.raises(ValueError, match="checked automatically"):
        service.toggle_step(ws, run.id, "backup")
    with pytest.raises(ValueError, match="needs a note saying why"):
        service.mark_step(ws, run.id, "look", StepState.FAILED)
    failed = service.mark_step(ws, run.id, "look", StepState.FAILED, note="logs rotated away")
    assert failed.run.step("look").settled
    noted = service.add_note(ws, run.id, "look", "asked ops to keep 7 days")
    assert noted.run.step("look").note == "asked ops to keep 7 days"
    assert noted.run.step("look").state is StepState.FAILED


async def test_run_automated_stores_each_result_as_evidence(setup: SimSetup) -> None:
    ws = setup.workspace
    run = service.open_current_run(ws, "local-checks")
    events: list[service.StepProgress] = []
    report = await service.run_automated(ws, run.id, events.append)
    assert not report.failed
    assert [(o.step_id, o.result.status if o.result else None) for o in report.outcomes] == [
        ("backup", CheckStatus.PASS), ("script", CheckStatus.PASS)]
    assert [(e.index, e.total, e.step_id, e.result is not None) for e in events] == [
        (0, 2, "backup", False), (1, 2, "backup", True),
        (1, 2, "script", False), (2, 2, "script", True)]
    detail = service.load_run(ws, run.id)
    assert detail.run.step("backup").state is StepState.PASSED
    evidence = detail.evidence("backup")
    assert evidence.operator == OPERATOR and evidence.measured_at is not None
    assert evidence.params is not None and str(setup.templates_dir.parent) in str(
        evidence.params["path"])
    assert str(detail.run.progress) == "2/3" and not detail.run.complete


async def test_a_failed_check_waits_for_a_note_and_skipped_steps_are_left_alone(
        setup: SimSetup, tmp_path: Path) -> None:
    ws = setup.workspace
    setup.write_template("local-checks", local_template(tmp_path / "nowhere", "exit 4"))
    run = service.open_current_run(ws, "local-checks")
    service.mark_step(ws, run.id, "backup", StepState.SKIPPED, note="no backups on this host")
    report = await service.run_automated(ws, run.id)
    assert report.failed
    outcomes = {o.step_id: o for o in report.outcomes}
    assert outcomes["backup"].result is None
    assert outcomes["backup"].state is StepState.SKIPPED
    assert outcomes["script"].state is StepState.FAILED
    detail = service.add_note(ws, run.id, "script", "disk was full; cleaned /tmp")
    detail = service.toggle_step(ws, run.id, "look")
    assert detail.run.complete and detail.run.completed_at is not None


def finish(setup: SimSetup, day: datetime, *, fail_look: bool = False) -> int:
    ws = setup.workspace
    run = service.open_current_run(ws, "local-checks", day)
    for step in ("backup", "script"):
        service.mark_step(ws, run.id, step, StepState.DONE, note="by hand", now=day)
    if fail_look:
        service.mark_step(ws, run.id, "look", StepState.FAILED, note="log server down; "
                          "restarted it", now=day)
    else:
        service.toggle_step(ws, run.id, "look", day)
    return run.id


def test_history_with_on_time_rate_missed_periods_and_failures(setup: SimSetup) -> None:
    ws = setup.workspace
    finish(setup, datetime(2026, 11, 16, 9, 0))
    failed_run = finish(setup, datetime(2026, 11, 18, 9, 0), fail_look=True)
    service.open_current_run(ws, "local-checks", datetime(2026, 11, 19, 9, 0))  # abandoned
    service.open_current_run(ws, "local-checks", datetime(2026, 11, 20, 9, 0))
    past = service.history(ws, "local-checks", now=datetime(2026, 11, 20, 12, 0))
    assert [(e.period.key, e.outcome.timeliness) for e in past.entries] == [
        ("2026-11-20", Timeliness.OPEN), ("2026-11-19", Timeliness.MISSED),
        ("2026-11-18", Timeliness.ON_TIME), ("2026-11-17", Timeliness.MISSED),
        ("2026-11-16", Timeliness.ON_TIME)]
    assert wording.on_time_rate(past.rate) == "50% on time (2 of 4)"
    failed = past.entries[2]
    assert failed.run_id == failed_run
    assert [(s.step_id, s.note) for s in failed.failures] == [
        ("look", "log server down; restarted it")]
    recent = service.history(ws, "local-checks", since=datetime(2026, 11, 18).date(),
                             now=datetime(2026, 11, 20, 12, 0))
    assert len(recent.entries) == 3 and recent.rate.counted == 2


def test_history_before_any_run(setup: SimSetup) -> None:
    past = service.history(setup.workspace, "weekly-cleanup")
    assert past.since is None and past.entries == () and past.rate.rate is None


def test_demo_history_has_a_missed_day_a_failure_and_todays_run(setup: SimSetup) -> None:
    ws = setup.workspace
    now = datetime(2026, 11, 20, 8, 30)
    today = seed_demo_history(ws, now)
    assert today.run.period.key == "2026-11-20" and not today.run.complete
    assert seed_demo_history(ws, now).id == today.id  # seeding twice adds nothing
    past = service.history(ws, "daily-inspection", now=now)
    assert [e.outcome.timeliness for e in past.entries] == [
        Timeliness.OPEN, Timeliness.ON_TIME, Timeliness.ON_TIME, Timeliness.MISSED,
        Timeliness.ON_TIME, Timeliness.ON_TIME]
    assert wording.on_time_rate(past.rate) == "80% on time (4 of 5)"
    assert sum(len(e.failures) for e in past.entries) == 1
    due = service.checklists_due(ws, now)
    assert ("Daily inspection", False) in [(d.name, d.overdue) for d in due]
