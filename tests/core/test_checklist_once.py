"""A one-off ("once") checklist: an upgrade's checklists, opened on demand. Its run's
period is the day it was opened; the calendar never makes it due, overdue or missed,
and its history is its runs, not a row per calendar period."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from pmcockpit.core.checklist.recurrence import OPEN_END, Recurrence, RecurrenceKind
from pmcockpit.core.checklist.runs import (
    DueState,
    StepState,
    Timeliness,
    due_state,
    is_overdue,
    mark_step,
    on_time_rate,
    period_outcomes,
    start_run,
)
from pmcockpit.core.checklist.template import TemplateError, parse_template

ONCE = Recurrence(RecurrenceKind.ONCE)
OPENED = datetime(2026, 11, 16, 9, 0)
TEMPLATE_TEXT = '''\
name = "Pre-upgrade checklist"
recurrence = "once"

[[steps]]
title = "Backup taken and a restore tried"
guidance = "Restore it on the test instance."
'''


def test_the_period_is_the_day_it_was_opened_and_never_ends() -> None:
    period = ONCE.period_for(OPENED.date())
    assert period.start == OPENED.date() and period.key == "2026-11-16"
    assert period.open_ended and period.end == period.due == OPEN_END
    assert not Recurrence(RecurrenceKind.QUARTERLY).period_for(OPENED.date()).open_ended


def test_never_due_overdue_or_missed_by_the_calendar() -> None:
    period = ONCE.period_for(OPENED.date())
    for later in (timedelta(0), timedelta(days=1), timedelta(days=400)):
        assert due_state(period, OPENED + later, False) is DueState.DUE
    assert due_state(period, OPENED - timedelta(days=1), False) is DueState.UPCOMING
    template = parse_template(TEMPLATE_TEXT, "pre-upgrade.toml", key="pre-upgrade")
    run = start_run(template, period, OPENED)
    assert not is_overdue(run, OPENED + timedelta(days=400))


def test_the_description_says_once_and_what_for() -> None:
    assert ONCE.describe() == "once, on demand"
    assert ONCE.describe("GitLab 17.8 upgrade") == "once, for GitLab 17.8 upgrade"


def test_history_lists_the_runs_not_periods() -> None:
    template = parse_template(TEMPLATE_TEXT, "pre-upgrade.toml", key="pre-upgrade")
    first = start_run(template, ONCE.period_for(date(2026, 3, 2)), datetime(2026, 3, 2, 9))
    first = mark_step(first, first.steps[0].step_id, StepState.DONE, datetime(2026, 5, 1, 9))
    second = start_run(template, ONCE.period_for(date(2026, 11, 16)), OPENED)
    outcomes = period_outcomes(ONCE, [second, first], date(2026, 1, 1), date(2026, 12, 6))
    assert [o.run for o in outcomes] == [first, second]  # two runs, no quarter rows
    assert [o.timeliness for o in outcomes] == [Timeliness.ON_TIME, Timeliness.OPEN]
    rate = on_time_rate(ONCE, [first, second], date(2026, 1, 1), date(2026, 12, 6))
    assert (rate.on_time, rate.late, rate.missed) == (1, 0, 0)
    assert ONCE.periods_between(date(2026, 1, 1), date(2026, 12, 6)) == []


def test_a_template_says_once_and_refuses_a_day() -> None:
    template = parse_template(TEMPLATE_TEXT, "pre-upgrade.toml", key="pre-upgrade")
    assert template.recurrence.kind is RecurrenceKind.ONCE
    wrong = TEMPLATE_TEXT.replace('recurrence = "once"', 'recurrence = { kind = "once", day = 3 }')
    with pytest.raises(TemplateError, match="day only applies"):
        parse_template(wrong, "pre-upgrade.toml")
