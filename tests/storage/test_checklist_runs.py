"""Checklist runs in the database: the round trip to core runs, one run per period,
each step's evidence, and the history queries."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from sqlalchemy import inspect

from pmcockpit.core.checklist import (
    ChecklistTemplate,
    CheckResult,
    CheckStatus,
    RecurrenceKind,
    Run,
    StepState,
    parse_template,
)
from pmcockpit.core.checklist import runs as rules
from pmcockpit.core.clock import to_local, to_utc
from pmcockpit.storage import checklist_runs
from pmcockpit.storage.checklist_runs import StoredRun, UnknownRun
from pmcockpit.storage.db import Database
from tests.storage.migrating import migrate

TEMPLATE = parse_template('''\
name = "Daily inspection"
recurrence = "daily"
due_time = "10:00"

[[steps]]
title = "Look at the logs"
guidance = "Read them."

[[steps]]
title = "Backup written"
check = "recent-file"
[steps.params]
path = "/var/backups"
''', "daily.toml", key="daily")
MANUAL, AUTOMATED = "look-at-the-logs", "backup-written"
MORNING = datetime(2026, 11, 20, 9, 0, 30)


def started(template: ChecklistTemplate = TEMPLATE, at: datetime = MORNING) -> Run:
    return rules.start_run(template, template.recurrence.period_for(at.date()), at)


def create(database: Database, run: Run, operator: str = "alice") -> StoredRun:
    with database.session() as session:
        return checklist_runs.create_run(session, run, template_name=TEMPLATE.name,
                                         recurrence=RecurrenceKind.DAILY, operator=operator)


def test_a_run_round_trips_with_its_period_titles_and_local_times(database: Database) -> None:
    run = started()
    stored = create(database, run)
    with database.session() as session:
        loaded = checklist_runs.find_run(session, "daily", "2026-11-20")
    assert loaded is not None and loaded.id == stored.id
    assert loaded.run == run
    assert (loaded.template_name, loaded.recurrence, loaded.operator) == (
        "Daily inspection", RecurrenceKind.DAILY, "alice")
    assert [step.title for step in loaded.run.steps] == ["Look at the logs", "Backup written"]
    assert loaded.run.due_time == time(10, 0)


def test_times_are_utc_in_the_database_and_local_in_runs() -> None:
    assert to_local(to_utc(MORNING)) == MORNING
    assert to_utc(datetime(2026, 1, 1, 12, 0).astimezone()) == to_utc(datetime(2026, 1, 1, 12))


def test_one_run_per_template_and_period(database: Database) -> None:
    first = create(database, started())
    again = create(database, started(at=MORNING.replace(hour=15)), operator="bob")
    assert again.id == first.id and again.operator == "alice"
    next_day = create(database, started(at=datetime(2026, 11, 21, 9, 0)))
    assert next_day.id != first.id


def test_each_step_keeps_its_evidence_and_the_run_its_completion(database: Database) -> None:
    stored = create(database, started())
    result = CheckResult(CheckStatus.FAIL, "30 h old", "the backup did not run")
    measured = datetime(2026, 11, 20, 9, 5)
    with database.session() as session:
        current = checklist_runs.load_run(session, stored.id, for_update=True)
        changed = rules.record_check(current.run, AUTOMATED, result, measured)
        saved = checklist_runs.save_step(session, stored.id, changed, AUTOMATED,
                                         operator="alice", measured_with={"path": "/b"})
    step = saved.run.step(AUTOMATED)
    assert (step.state, step.result, step.updated_at) == (StepState.FAILED, result, measured)
    evidence = saved.evidence_of(AUTOMATED)
    assert (evidence.operator, evidence.measured_at, evidence.params) == (
        "alice", measured, {"path": "/b"})
    assert saved.run.completed_at is None

    done_at = datetime(2026, 11, 20, 9, 30)
    run = rules.add_note(saved.run, AUTOMATED, "ran the backup by hand", done_at)
    run = rules.mark_step(run, MANUAL, StepState.DONE, done_at)
    with database.session() as session:
        checklist_runs.save_step(session, stored.id, run, AUTOMATED, operator="bob")
        checklist_runs.save_step(session, stored.id, run, MANUAL, operator="bob")
    with database.session() as session:
        reloaded = checklist_runs.load_run(session, stored.id)
    assert reloaded.run == run and reloaded.run.complete
    assert reloaded.run.completed_at == done_at
    assert reloaded.evidence_of(AUTOMATED).measured_at == measured  # a note is not a measure
    assert reloaded.evidence_of(MANUAL) == checklist_runs.StepEvidence("bob", None, None)


def test_an_unknown_run_is_named(database: Database) -> None:
    with database.session() as session, pytest.raises(UnknownRun, match="no checklist run "
                                                                        "with id 99"):
        checklist_runs.load_run(session, 99)


def test_history_queries(database: Database) -> None:
    for day in (18, 19, 20):
        create(database, started(at=datetime(2026, 11, day, 9, 0)))
    with database.session() as session:
        assert [s.run.period.key for s in checklist_runs.runs_of(session, "daily")] == [
            "2026-11-20", "2026-11-19", "2026-11-18"]
        since = checklist_runs.runs_of(session, "daily", since=date(2026, 11, 19))
        assert [s.run.period.key for s in since] == ["2026-11-20", "2026-11-19"]
        assert checklist_runs.first_period_start(session, "daily") == date(2026, 11, 18)
        assert checklist_runs.first_period_start(session, "weekly") is None


def test_migration_0003_downgrades_and_upgrades_again(database: Database) -> None:
    for revision, present in (("0002", False), ("head", True)):
        migrate(database, revision)
        with database.engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
        assert {"checklist_run", "checklist_step"} <= tables if present else \
            not tables & {"checklist_run", "checklist_step"}
