"""Both service-level clocks in business hours: weekends, lunch, time zones, China's
holiday week with its make-up Saturday, the admin's own days, pauses, priority changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from pmcockpit.core.sla_clock import (
    ClockState,
    Pause,
    ServiceLevel,
    TicketClocks,
    service_level,
    ticket_clocks,
)
from pmcockpit.core.workcal import CalendarError, WorkCalendar

SHANGHAI = "Asia/Shanghai"
CN = WorkCalendar(time_zone=SHANGHAI, country="CN")
H = timedelta(hours=1)


def utc(year: int, month: int, day: int, hour: int, minute: int = 0,
        zone: str = SHANGHAI) -> datetime:
    """Local wall-clock time in ``zone`` as the naive UTC the database keeps."""
    local = datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(zone))
    return local.astimezone(UTC).replace(tzinfo=None)


def test_a_deadline_skips_the_weekend() -> None:
    friday_5pm = utc(2025, 3, 7, 17)
    assert CN.add(friday_5pm, 4 * H) == utc(2025, 3, 10, 12)
    assert CN.working_time(friday_5pm, utc(2025, 3, 10, 12)) == 4 * H


def test_lunch_is_not_working_time() -> None:
    assert CN.add(utc(2025, 3, 11, 11), 2 * H) == utc(2025, 3, 11, 14)
    assert CN.working_time(utc(2025, 3, 11, 11, 30), utc(2025, 3, 11, 13, 30)) == H
    # A working day is nine hours long less an hour's lunch.
    assert CN.working_time(utc(2025, 3, 11, 0), utc(2025, 3, 12, 0)) == 8 * H


def test_the_same_instant_counts_by_each_calendar_s_own_zone() -> None:
    berlin = WorkCalendar(time_zone="Europe/Berlin", lunch=None)
    moment = utc(2025, 3, 11, 9)  # 09:00 in Shanghai is 02:00 in Berlin
    assert berlin.add(moment, H) == utc(2025, 3, 11, 10, zone="Europe/Berlin")
    assert CN.add(moment, H) == utc(2025, 3, 11, 10)


def test_china_s_national_day_week_is_skipped() -> None:
    # 2025: 1-8 October off; Tuesday 30 September 17:00 + 8 working hours.
    assert CN.add(utc(2025, 9, 30, 17), 8 * H) == utc(2025, 10, 9, 17)


def test_china_s_make_up_saturday_and_sunday_are_working_days() -> None:
    assert CN.is_working_day(date(2025, 10, 11))  # a Saturday, worked (调休)
    assert CN.is_working_day(date(2025, 9, 28))  # a Sunday, worked
    assert not CN.is_working_day(date(2025, 10, 4))
    assert CN.add(utc(2025, 10, 10, 17), 2 * H) == utc(2025, 10, 11, 10)
    plain = WorkCalendar(time_zone=SHANGHAI)
    assert plain.add(utc(2025, 10, 10, 17), 2 * H) == utc(2025, 10, 13, 10)


def test_the_admin_adds_local_holidays_and_working_days() -> None:
    local = WorkCalendar(time_zone=SHANGHAI, country="CN",
                         extra_holidays=frozenset({date(2025, 3, 10)}),
                         extra_workdays=frozenset({date(2025, 3, 8)}))
    assert local.add(utc(2025, 3, 7, 17), 4 * H) == utc(2025, 3, 8, 12)
    assert local.add(utc(2025, 3, 8, 17), 2 * H) == utc(2025, 3, 11, 10)


@pytest.mark.parametrize("kwargs", [{"time_zone": "Mars/Olympus"},
                                    {"start": time(18), "end": time(9)},
                                    {"country": "XX"}])
def test_a_calendar_that_cannot_work_is_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(CalendarError):
        WorkCalendar(**kwargs)  # type: ignore[arg-type]


LEVEL = ServiceLevel(response=4 * H, resolution=16 * H)
CREATED = utc(2025, 3, 10, 9)  # a Monday


def clocks(now: datetime, *, level: ServiceLevel = LEVEL, response: datetime | None = None,
           resolved: datetime | None = None, pauses: tuple[Pause, ...] = ()) -> TicketClocks:
    return ticket_clocks(created_at=CREATED, first_response_at=response, resolved_at=resolved,
                         pauses=pauses, level=level, calendar=CN, now=now)


def test_both_clocks_run_in_business_hours() -> None:
    result = clocks(utc(2025, 3, 10, 13, 30))  # 9-12, lunch, 13-13:30
    assert result.response.state is ClockState.AT_RISK
    assert result.response.left == H / 2
    assert result.response.due_at == utc(2025, 3, 10, 14)
    assert result.resolution.state is ClockState.RUNNING
    assert result.resolution.left == 12.5 * H


def test_a_late_clock_says_by_how_much() -> None:
    result = clocks(utc(2025, 3, 10, 16))
    assert result.response.state is ClockState.BREACHED
    assert result.response.left == -2 * H
    assert result.urgency == (0, -2 * H)


def test_an_answer_stops_the_response_clock() -> None:
    on_time = clocks(utc(2025, 3, 11, 9), response=utc(2025, 3, 10, 10))
    assert on_time.response.state is ClockState.MET and on_time.response.stopped
    late = clocks(utc(2025, 3, 11, 9), response=utc(2025, 3, 10, 15))
    assert late.response.state is ClockState.BREACHED and late.response.stopped
    assert late.response.left == -H


def test_waiting_for_the_requester_pauses_resolution_only() -> None:
    pause = Pause(utc(2025, 3, 10, 10))
    result = clocks(utc(2025, 3, 11, 10), pauses=(pause,))
    assert result.resolution.state is ClockState.PAUSED
    assert result.resolution.paused_since == pause.start
    assert result.resolution.used == H
    assert result.response.state is ClockState.BREACHED  # never paused


def test_a_reply_resumes_the_clock_and_paused_time_stays_out() -> None:
    pause = Pause(utc(2025, 3, 10, 10), utc(2025, 3, 11, 10))
    result = clocks(utc(2025, 3, 11, 12), response=utc(2025, 3, 10, 9, 30), pauses=(pause,))
    assert result.resolution.state is ClockState.RUNNING
    assert result.resolution.used == 3 * H  # 9-10 Monday, 10-12 Tuesday
    assert result.resolution.due_at == utc(2025, 3, 12, 18)


def test_a_priority_change_mid_clock_keeps_the_paused_time() -> None:
    pauses = (Pause(utc(2025, 3, 10, 10), utc(2025, 3, 11, 10)),)
    now = utc(2025, 3, 11, 12)
    urgent = ServiceLevel(response=H, resolution=4 * H)
    before = clocks(now, pauses=pauses)
    after = clocks(now, pauses=pauses, level=urgent)
    assert before.resolution.used == after.resolution.used == 3 * H
    assert after.resolution.left == H
    assert after.resolution.state is ClockState.RUNNING


def test_calendar_hours_count_nights_and_weekends() -> None:
    level = ServiceLevel(response=4 * H, resolution=None, business_hours=False)
    result = clocks(CREATED + 5 * H, level=level)
    assert result.response.left == -H
    assert result.resolution.state is ClockState.NO_SLA


def test_resolution_stops_both_clocks() -> None:
    result = clocks(utc(2025, 3, 20, 9), resolved=utc(2025, 3, 10, 11))
    assert result.response.state is ClockState.MET
    assert result.resolution.state is ClockState.MET
    assert result.urgency[0] == 3


def test_levels_come_from_the_priority_and_its_synonyms() -> None:
    level = service_level("Immediate", {"Urgent": 2}, {"Urgent": 8, "Normal": 40},
                          business_hours=True)
    assert level == ServiceLevel(2 * H, 8 * H, True)
    assert service_level("Odd", {}, {"Normal": 40}, business_hours=False).response is None


def test_the_calendar_table_reads_like_the_config_file() -> None:
    from pmcockpit.core.sla_policy import calendar_from_table

    calendar = calendar_from_table({"time_zone": SHANGHAI, "days": "Sun-Thu",
                                    "hours": "08:30-17:30", "lunch": "", "country": "cn",
                                    "holidays": ["2025-03-11"]})
    assert calendar.work_days == frozenset({6, 0, 1, 2, 3})
    assert calendar.lunch is None and calendar.country == "CN"
    assert not calendar.is_working_day(date(2025, 3, 11))
    for bad in ({"hours": "nine to six"}, {"days": "Funday"}, {"holidays": ["soon"]},
                {"colour": "blue"}):
        with pytest.raises(CalendarError):
            calendar_from_table(bad)


def test_the_filter_line_reads_terms_and_text() -> None:
    from pmcockpit.core.queue_filter import QueueFilter, describe_filter, parse_filter

    wanted = parse_filter('sla:at-risk tool:rm status:"In Progress" vpn down priority:')
    assert wanted == QueueFilter("vpn down priority:", "In Progress", "", "rm", "", "at risk")
    assert parse_filter(describe_filter(wanted)) == wanted
    assert parse_filter("sla:soon").text == "sla:soon"
    assert parse_filter('status:"open').status == "open"  # a quote not yet closed
