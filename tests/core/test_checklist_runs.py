"""Runs: the step rules, completion, overdue and due states, and the on-time rate."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from pmcockpit.core import wording
from pmcockpit.core.checklist.checks import CheckResult, CheckStatus
from pmcockpit.core.checklist.recurrence import Recurrence, RecurrenceKind
from pmcockpit.core.checklist.runs import (
    DueState,
    Run,
    StepState,
    Timeliness,
    add_note,
    count_outcomes,
    due_state,
    is_overdue,
    mark_step,
    on_time_rate,
    period_outcomes,
    record_check,
    run_due_state,
    start_run,
)
from pmcockpit.core.checklist.template import ChecklistTemplate, parse_template

D = date.fromisoformat
MONDAY_9AM = datetime(2026, 11, 16, 9, 0)
WEEKLY = Recurrence(RecurrenceKind.WEEKLY, due_within_days=0)  # due on Mondays at noon
TEMPLATE_TEXT = '''\
name = "Weekly clean-up"
recurrence = "weekly"
due_within_days = 0
due_time = "12:00"

[[steps]]
title = "Clear out temporary tasks"
guidance = "Close test tickets."

[[steps]]
title = "Stale tickets"
check = "stale-tickets"
'''


@pytest.fixture
def template() -> ChecklistTemplate:
    return parse_template(TEMPLATE_TEXT, "weekly.toml", key="weekly")


@pytest.fixture
def run(template: ChecklistTemplate) -> Run:
    return start_run(template, WEEKLY.period_for(MONDAY_9AM.date()), MONDAY_9AM)


MANUAL, AUTOMATED = "clear-out-temporary-tasks", "stale-tickets"
PASSED = CheckResult(CheckStatus.PASS, "0 tickets", "Every open ticket was updated.")
FAILED = CheckResult(CheckStatus.FAIL, "9 tickets", "9 open tickets ...")


def test_the_template_carries_the_due_window(template: ChecklistTemplate) -> None:
    assert template.recurrence == WEEKLY


def test_default_window_makes_a_quarterly_survey_due_weeks_into_the_quarter() -> None:
    quarter = Recurrence(RecurrenceKind.QUARTERLY).period_for(D("2026-10-02"))
    assert due_state(quarter, datetime(2026, 10, 2, 9, 0), False) is DueState.DUE
    assert due_state(quarter, datetime(2026, 10, 22, 23, 0), False) is DueState.DUE
    assert due_state(quarter, datetime(2026, 10, 23, 0, 0), False) is DueState.OVERDUE
    week = Recurrence(RecurrenceKind.WEEKLY).period_for(D("2026-11-16"))
    assert due_state(week, datetime(2026, 11, 18, 11, 0), False, time(12, 0)) is DueState.DUE
    assert due_state(week, datetime(2026, 11, 18, 12, 1), False, time(12, 0)) \
        is DueState.OVERDUE


def test_start_run_copies_the_template(run: Run) -> None:
    assert run.template_key == "weekly"
    assert run.period.key == "2026-W47"
    assert run.due_time == time(12, 0)
    assert [(s.step_id, s.check, s.state) for s in run.steps] == [
        (MANUAL, None, StepState.PENDING), (AUTOMATED, "stale-tickets", StepState.PENDING)]
    assert str(run.progress) == "0/2" and not run.complete


def test_failing_or_skipping_a_manual_step_needs_a_note(run: Run) -> None:
    for state in (StepState.FAILED, StepState.SKIPPED):
        with pytest.raises(ValueError, match=f"a {state} step needs a note saying why"):
            mark_step(run, MANUAL, state, MONDAY_9AM, note="  ")
    skipped = mark_step(run, MANUAL, StepState.SKIPPED, MONDAY_9AM, note="no training this week")
    assert skipped.step(MANUAL).settled
    assert skipped.step(MANUAL).note == "no training this week"


def test_passed_and_warned_only_come_from_checks(run: Run) -> None:
    with pytest.raises(ValueError, match="comes from a check's result"):
        mark_step(run, MANUAL, StepState.PASSED, MONDAY_9AM)
    with pytest.raises(ValueError, match="is a manual step"):
        record_check(run, MANUAL, PASSED, MONDAY_9AM)
    with pytest.raises(KeyError, match="no step 'nope'"):
        mark_step(run, "nope", StepState.DONE, MONDAY_9AM)


def test_marking_an_automated_step_done_by_hand_needs_a_note(run: Run) -> None:
    with pytest.raises(ValueError, match="how it was checked instead"):
        mark_step(run, AUTOMATED, StepState.DONE, MONDAY_9AM)
    done = mark_step(run, AUTOMATED, StepState.DONE, MONDAY_9AM, note="counted in the web UI")
    assert done.step(AUTOMATED).settled


def test_run_completes_when_every_step_is_settled(run: Run) -> None:
    later = MONDAY_9AM + timedelta(hours=1)
    run = mark_step(run, MANUAL, StepState.DONE, MONDAY_9AM)
    assert str(run.progress) == "1/2" and run.completed_at is None
    run = record_check(run, AUTOMATED, PASSED, later)
    assert run.complete and run.completed_at == later
    assert run.step(AUTOMATED).result == PASSED
    assert run.progress.fraction == 1.0
    # A change that keeps the run complete keeps the first completion time.
    run = add_note(run, MANUAL, "two left for next week", later + timedelta(hours=1))
    assert run.completed_at == later
    # Reopening a step clears it; completing again stamps afresh.
    run = mark_step(run, MANUAL, StepState.PENDING, later)
    assert not run.complete and run.completed_at is None
    assert run.step(MANUAL).note == ""


def test_a_failed_check_waits_for_a_note(run: Run) -> None:
    run = mark_step(run, MANUAL, StepState.DONE, MONDAY_9AM)
    run = record_check(run, AUTOMATED, FAILED, MONDAY_9AM)
    assert run.step(AUTOMATED).state is StepState.FAILED
    assert run.step(AUTOMATED).needs_note and not run.complete
    with pytest.raises(ValueError, match="needs a note"):
        add_note(run, AUTOMATED, "", MONDAY_9AM)
    run = add_note(run, AUTOMATED, "asked the assignees to update them", MONDAY_9AM)
    assert run.complete
    # A new result replaces the note, which was about the old one.
    run = record_check(run, AUTOMATED, FAILED, MONDAY_9AM)
    assert run.step(AUTOMATED).note == "" and not run.complete


@pytest.mark.parametrize(
    ("status", "state"),
    [(CheckStatus.PASS, StepState.PASSED), (CheckStatus.WARN, StepState.WARNED),
     (CheckStatus.FAIL, StepState.FAILED), (CheckStatus.ERROR, StepState.FAILED)],
)
def test_check_status_sets_the_step_state(run: Run, status: CheckStatus,
                                          state: StepState) -> None:
    result = CheckResult(status, "v", "m")
    assert record_check(run, AUTOMATED, result, MONDAY_9AM).step(AUTOMATED).state is state


def test_is_overdue_after_the_due_time(run: Run) -> None:
    assert not is_overdue(run, datetime(2026, 11, 16, 11, 59))
    assert is_overdue(run, datetime(2026, 11, 16, 12, 1))
    assert is_overdue(run, datetime(2026, 11, 25, 8, 0))  # still overdue after the period
    done = mark_step(run, MANUAL, StepState.DONE, MONDAY_9AM)
    done = record_check(done, AUTOMATED, PASSED, MONDAY_9AM)
    assert not is_overdue(done, datetime(2026, 11, 25, 8, 0))


def test_without_a_due_time_the_whole_due_day_is_allowed() -> None:
    period = WEEKLY.period_for(D("2026-11-16"))
    assert due_state(period, datetime(2026, 11, 16, 23, 59), False) is DueState.DUE
    assert due_state(period, datetime(2026, 11, 17, 0, 0), False) is DueState.OVERDUE


@pytest.mark.parametrize(
    ("now", "completed", "expected"),
    [
        (datetime(2026, 11, 15, 20, 0), False, DueState.UPCOMING),
        (datetime(2026, 11, 16, 9, 0), False, DueState.DUE),
        (datetime(2026, 11, 16, 12, 0), False, DueState.DUE),
        (datetime(2026, 11, 16, 12, 0, 1), False, DueState.OVERDUE),
        (datetime(2026, 11, 22, 23, 0), False, DueState.OVERDUE),
        (datetime(2026, 11, 23, 0, 0), False, DueState.MISSED),
        (datetime(2026, 11, 23, 0, 0), True, DueState.DONE),
        (datetime(2026, 11, 16, 9, 0), True, DueState.DONE),
    ],
)
def test_due_states(now: datetime, completed: bool, expected: DueState) -> None:
    period = WEEKLY.period_for(D("2026-11-18"))
    assert due_state(period, now, completed, time(12, 0)) is expected


def test_due_state_with_an_aware_now(run: Run) -> None:
    utc = UTC
    assert run_due_state(run, datetime(2026, 11, 16, 11, 0, tzinfo=utc)) is DueState.DUE
    assert run_due_state(run, datetime(2026, 11, 16, 13, 0, tzinfo=utc)) is DueState.OVERDUE


def finished(template: ChecklistTemplate, day: str, completed_on: str) -> Run:
    """A run for the week holding ``day``, completed on ``completed_on``."""
    start = datetime.combine(D(day), time(9, 0))
    run = start_run(template, WEEKLY.period_for(D(day)), start)
    end = datetime.combine(D(completed_on), time(17, 0))
    run = mark_step(run, MANUAL, StepState.DONE, end)
    return record_check(run, AUTOMATED, PASSED, end)


def test_on_time_rate(template: ChecklistTemplate) -> None:
    runs = [
        finished(template, "2026-10-05", "2026-10-05"),  # W41 on time, on the due day
        finished(template, "2026-10-12", "2026-10-18"),  # W42 on time: by the week's Sunday
        finished(template, "2026-10-19", "2026-10-27"),  # W43 late: finished the week after
        # W44 has no run at all: missed
        start_run(template, WEEKLY.period_for(D("2026-11-02")), MONDAY_9AM),  # W45 unfinished
        finished(template, "2026-11-09", "2026-11-09"),  # W46 on time
        start_run(template, WEEKLY.period_for(D("2026-11-16")), MONDAY_9AM),  # W47 still open
    ]
    outcomes = period_outcomes(WEEKLY, runs, since=D("2026-10-05"), today=D("2026-11-18"))
    assert [(o.period.key, o.timeliness) for o in outcomes] == [
        ("2026-W41", Timeliness.ON_TIME), ("2026-W42", Timeliness.ON_TIME),
        ("2026-W43", Timeliness.LATE), ("2026-W44", Timeliness.MISSED),
        ("2026-W45", Timeliness.MISSED), ("2026-W46", Timeliness.ON_TIME),
        ("2026-W47", Timeliness.OPEN)]
    assert outcomes[3].run is None and outcomes[4].run is not None
    rate = on_time_rate(WEEKLY, runs, since=D("2026-10-05"), today=D("2026-11-18"))
    assert (rate.on_time, rate.late, rate.missed, rate.counted) == (3, 1, 2, 6)
    assert rate.rate == pytest.approx(0.5)
    assert wording.on_time_rate(rate) == "50% on time (3 of 6)"


def test_count_outcomes_rates_a_chosen_set_of_periods(template: ChecklistTemplate) -> None:
    runs = [finished(template, "2026-10-12", "2026-10-18"),
            finished(template, "2026-10-19", "2026-10-27")]
    outcomes = period_outcomes(WEEKLY, runs, since=D("2026-10-05"), today=D("2026-11-18"))
    october = [o for o in outcomes if o.period.end.month == 10]
    rate = count_outcomes(october)
    assert (rate.on_time, rate.late, rate.missed) == (1, 1, 1)  # W41 missed; W44 ends in Nov
    assert count_outcomes(outcomes) == on_time_rate(WEEKLY, runs, since=D("2026-10-05"),
                                                    today=D("2026-11-18"))


def test_current_period_counts_once_complete(template: ChecklistTemplate) -> None:
    runs = [finished(template, "2026-11-16", "2026-11-16")]
    rate = on_time_rate(WEEKLY, runs, since=D("2026-11-16"), today=D("2026-11-17"))
    assert (rate.on_time, rate.counted, rate.rate) == (1, 1, 1.0)


def test_no_finished_period_yet_has_no_rate(template: ChecklistTemplate) -> None:
    runs = [start_run(template, WEEKLY.period_for(D("2026-11-16")), MONDAY_9AM)]
    rate = on_time_rate(WEEKLY, runs, since=D("2026-11-16"), today=D("2026-11-17"))
    assert rate.rate is None and wording.on_time_rate(rate) == "no finished periods yet"


def test_a_complete_run_wins_over_an_abandoned_one_for_the_same_period(
        template: ChecklistTemplate) -> None:
    abandoned = start_run(template, WEEKLY.period_for(D("2026-11-09")), MONDAY_9AM)
    done = finished(template, "2026-11-09", "2026-11-10")
    for runs in ([abandoned, done], [done, abandoned]):
        outcomes = period_outcomes(WEEKLY, runs, since=D("2026-11-09"), today=D("2026-11-18"))
        assert outcomes[0].timeliness is Timeliness.ON_TIME
