"""Periods and their keys: month ends, leap years, ISO weeks across years, quarters."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta

import pytest

from pmcockpit.core.checklist.recurrence import (
    DEFAULT_DUE_WITHIN_DAYS,
    Period,
    Recurrence,
    RecurrenceKind,
)

D = date.fromisoformat
DAILY = Recurrence(RecurrenceKind.DAILY)
MONDAYS = Recurrence(RecurrenceKind.WEEKLY, weekday=0)
SUNDAYS = Recurrence(RecurrenceKind.WEEKLY, weekday=6)


def monthly(day: int) -> Recurrence:
    return Recurrence(RecurrenceKind.MONTHLY, day=day)


def quarterly(day: int = 1) -> Recurrence:
    return Recurrence(RecurrenceKind.QUARTERLY, day=day)


def span(period: Period) -> tuple[str, str, str]:
    return period.start.isoformat(), period.end.isoformat(), period.key


def test_daily_period_is_the_day_itself() -> None:
    period = DAILY.period_for(D("2026-11-21"))
    assert span(period) == ("2026-11-21", "2026-11-21", "2026-11-21")
    assert period.due == D("2026-11-21")


def test_weekly_on_monday_covers_monday_to_sunday_and_is_due_wednesday() -> None:
    period = MONDAYS.period_for(D("2026-11-21"))  # a Saturday
    assert span(period) == ("2026-11-16", "2026-11-22", "2026-W47")
    assert period.due == D("2026-11-18")
    assert MONDAYS.period_for(D("2026-11-16")) == period
    assert MONDAYS.period_for(D("2026-11-23")).key == "2026-W48"


def test_weekly_on_sunday_starts_on_the_sunday_before() -> None:
    period = SUNDAYS.period_for(D("2026-11-21"))  # Saturday: the week began last Sunday
    assert span(period) == ("2026-11-15", "2026-11-21", "2026-W46")
    assert SUNDAYS.period_for(D("2026-11-22")).key == "2026-W47"


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        # 2026 has 53 ISO weeks: the week of 28 December runs into January.
        ("2026-12-31", ("2026-12-28", "2027-01-03", "2026-W53")),
        ("2027-01-03", ("2026-12-28", "2027-01-03", "2026-W53")),
        ("2027-01-04", ("2027-01-04", "2027-01-10", "2027-W01")),
        # The Monday of 30 December 2024 is already ISO week 1 of 2025.
        ("2024-12-31", ("2024-12-30", "2025-01-05", "2025-W01")),
    ],
)
def test_weekly_across_the_year_end_uses_iso_weeks(day: str, expected: tuple[str, ...]) -> None:
    assert span(MONDAYS.period_for(D(day))) == expected


def test_monthly_on_the_first() -> None:
    period = monthly(1).period_for(D("2026-11-21"))
    assert span(period) == ("2026-11-01", "2026-11-30", "2026-11")
    assert period.due == D("2026-11-06")


def test_monthly_before_the_day_belongs_to_last_months_period_across_the_year() -> None:
    period = monthly(15).period_for(D("2026-01-10"))
    assert span(period) == ("2025-12-15", "2026-01-14", "2025-12")


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2025-02-27", ("2025-01-31", "2025-02-27", "2025-01")),
        ("2025-02-28", ("2025-02-28", "2025-03-30", "2025-02")),  # 31st -> last day of Feb
        ("2024-02-28", ("2024-01-31", "2024-02-28", "2024-01")),
        ("2024-02-29", ("2024-02-29", "2024-03-30", "2024-02")),  # leap year
        ("2024-03-31", ("2024-03-31", "2024-04-29", "2024-03")),
        ("2024-04-30", ("2024-04-30", "2024-05-30", "2024-04")),  # 30-day month
        ("2026-12-31", ("2026-12-31", "2027-01-30", "2026-12")),
    ],
)
def test_monthly_on_the_31st_means_the_last_day(day: str, expected: tuple[str, ...]) -> None:
    assert span(monthly(31).period_for(D(day))) == expected


def test_monthly_on_the_30th_in_february() -> None:
    assert span(monthly(30).period_for(D("2024-02-29"))) == ("2024-02-29", "2024-03-29",
                                                             "2024-02")
    assert span(monthly(30).period_for(D("2023-03-01"))) == ("2023-02-28", "2023-03-29",
                                                             "2023-02")
    # 1900 was not a leap year (divisible by 100), 2000 was (divisible by 400).
    assert monthly(29).period_for(D("1900-02-28")).start == D("1900-02-28")
    assert monthly(29).period_for(D("2000-02-29")).start == D("2000-02-29")


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2026-11-21", ("2026-10-01", "2026-12-31", "2026-Q4")),
        ("2026-03-31", ("2026-01-01", "2026-03-31", "2026-Q1")),
        ("2026-04-01", ("2026-04-01", "2026-06-30", "2026-Q2")),
        ("2026-07-01", ("2026-07-01", "2026-09-30", "2026-Q3")),
        ("2027-01-01", ("2027-01-01", "2027-03-31", "2027-Q1")),
    ],
)
def test_quarterly_quarters_start_in_january_april_july_october(
        day: str, expected: tuple[str, ...]) -> None:
    assert span(quarterly().period_for(D(day))) == expected


def test_quarterly_with_a_day_reaches_back_across_the_year() -> None:
    assert span(quarterly(15).period_for(D("2026-01-10"))) == ("2025-10-15", "2026-01-14",
                                                               "2025-Q4")
    # Day 31: January 31st, then April 30th (April has 30 days).
    assert span(quarterly(31).period_for(D("2026-02-01"))) == ("2026-01-31", "2026-04-29",
                                                               "2026-Q1")


@pytest.mark.parametrize(
    "recurrence",
    [DAILY, MONDAYS, SUNDAYS, Recurrence(RecurrenceKind.WEEKLY, weekday=3), monthly(1),
     monthly(29), monthly(30), monthly(31), quarterly(), quarterly(31)],
    ids=lambda r: f"{r.kind}-{r.weekday}-{r.day}",
)
def test_periods_tile_the_calendar_with_unique_keys(recurrence: Recurrence) -> None:
    periods = recurrence.periods_between(D("2023-11-01"), D("2028-02-29"))
    keys = [period.key for period in periods]
    assert len(keys) == len(set(keys))
    for earlier, later in itertools.pairwise(periods):
        assert later.start == earlier.end + timedelta(days=1)
    day = D("2024-01-01")
    while day <= D("2027-12-31"):
        period = recurrence.period_for(day)
        assert period.start <= day <= period.end
        assert day in period
        day += timedelta(days=1)


def test_previous_and_next() -> None:
    q1 = quarterly().period_for(D("2026-02-10"))
    assert quarterly().previous(q1).key == "2025-Q4"
    assert quarterly().next(q1).key == "2026-Q2"
    week = MONDAYS.period_for(D("2027-01-05"))
    assert MONDAYS.previous(week).key == "2026-W53"
    assert monthly(31).previous(monthly(31).period_for(D("2024-03-31"))).start == D("2024-02-29")


def test_periods_between_includes_both_partial_ends() -> None:
    keys = [p.key for p in monthly(1).periods_between(D("2026-01-15"), D("2026-03-01"))]
    assert keys == ["2026-01", "2026-02", "2026-03"]
    assert monthly(1).periods_between(D("2026-03-01"), D("2026-01-01")) == []
    assert len(DAILY.periods_between(D("2024-02-01"), D("2024-02-29"))) == 29


def test_due_at_is_the_end_of_the_due_day_or_the_due_time() -> None:
    period = MONDAYS.period_for(D("2026-11-18"))
    assert period.due_at() == datetime.combine(D("2026-11-18"), time.max)
    assert period.due_at(time(10, 0)) == datetime(2026, 11, 18, 10, 0)
    utc = UTC
    assert period.due_at(time(10, 0), utc) == datetime(2026, 11, 18, 10, 0, tzinfo=utc)


def test_default_due_windows_by_kind() -> None:
    assert DEFAULT_DUE_WITHIN_DAYS == {RecurrenceKind.DAILY: 0, RecurrenceKind.WEEKLY: 2,
                                       RecurrenceKind.MONTHLY: 5, RecurrenceKind.QUARTERLY: 21,
                                       RecurrenceKind.ONCE: 0}
    assert DAILY.period_for(D("2026-11-21")).due == D("2026-11-21")
    # The quarterly survey is due three weeks in, not on the quarter's first day.
    assert quarterly().period_for(D("2026-10-02")).due == D("2026-10-22")


@pytest.mark.parametrize(
    ("recurrence", "day", "due"),
    [
        (Recurrence(RecurrenceKind.WEEKLY, due_within_days=0), "2026-11-19", "2026-11-16"),
        (Recurrence(RecurrenceKind.WEEKLY, due_within_days=4), "2026-11-19", "2026-11-20"),
        (Recurrence(RecurrenceKind.MONTHLY, day=15, due_within_days=10), "2026-11-20",
         "2026-11-25"),
        # Past the period's end the due date is its last day.
        (Recurrence(RecurrenceKind.WEEKLY, due_within_days=30), "2026-11-19", "2026-11-22"),
        (Recurrence(RecurrenceKind.DAILY, due_within_days=3), "2026-11-19", "2026-11-19"),
        (Recurrence(RecurrenceKind.MONTHLY, day=31, due_within_days=40), "2025-02-28",
         "2025-03-30"),
        (Recurrence(RecurrenceKind.QUARTERLY, due_within_days=0), "2026-12-31", "2026-10-01"),
    ],
)
def test_due_within_days_moves_the_due_date_but_not_past_the_period(
        recurrence: Recurrence, day: str, due: str) -> None:
    period = recurrence.period_for(D(day))
    assert period.due == D(due)
    assert period.start <= period.due <= period.end


def test_negative_due_within_days_is_refused() -> None:
    with pytest.raises(ValueError, match="due_within_days"):
        Recurrence(RecurrenceKind.DAILY, due_within_days=-1)


def test_invalid_recurrence_values_are_refused() -> None:
    with pytest.raises(ValueError, match="weekday"):
        Recurrence(RecurrenceKind.WEEKLY, weekday=7)
    with pytest.raises(ValueError, match="day must be 1 to 31"):
        Recurrence(RecurrenceKind.MONTHLY, day=0)


def test_describe() -> None:
    assert DAILY.describe() == "every day"
    assert MONDAYS.describe() == "every Monday"
    assert monthly(1).describe() == "monthly on the 1st"
    assert monthly(22).describe() == "monthly on the 22nd"
    assert monthly(31).describe() == "monthly on the last day"
    assert quarterly(11).describe().startswith("quarterly on the 11th")
