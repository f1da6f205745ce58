"""Business hours: working days and hours, a lunch break, a time zone and public holidays.

Holidays come from the maintained ``holidays`` package (country code such as "CN"),
including the make-up working days some countries declare (China's 调休: a Saturday
that is a working day), plus the days the administrator adds. Times in and out are
naive UTC, like the database; the calendar works in its own zone's wall-clock time.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

from pmcockpit.core.i18n import _

WEEKDAYS = frozenset({0, 1, 2, 3, 4})
"""Monday (0) to Friday (4)."""

MAX_DAYS = 3 * 366
"""How far a deadline is looked for: a calendar with no working day ends the search."""

Interval = tuple[datetime, datetime]


class CalendarError(ValueError):
    """A calendar setting that cannot be used; the message says which and why."""


@dataclass(frozen=True)
class WorkCalendar:
    time_zone: str = "UTC"
    work_days: frozenset[int] = WEEKDAYS
    """Weekdays worked, Monday = 0."""
    start: time = time(9)
    end: time = time(18)
    lunch: tuple[time, time] | None = (time(12), time(13))
    country: str | None = None
    """A country code of the ``holidays`` package ("CN", "DE"...); None: no public holidays."""
    extra_holidays: frozenset[date] = field(default_factory=frozenset)
    extra_workdays: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise CalendarError(_("unknown time zone {zone!r}").format(
                zone=self.time_zone)) from None
        if self.start >= self.end:
            raise CalendarError(_("the working day must start before it ends"))
        if self.country and self.country not in holidays.list_supported_countries():
            raise CalendarError(_("no holiday data for country {code!r}").format(
                code=self.country))

    def is_working_day(self, day: date) -> bool:
        if day in self.extra_holidays:
            return False
        if day in self.extra_workdays:
            return True
        if self.country:
            public = _public_holidays(self.country, day.year)
            if day in public:
                return False
            if day in getattr(public, "weekend_workdays", ()):
                return True
        return day.weekday() in self.work_days

    def working_time(self, begin: datetime, end: datetime) -> timedelta:
        """Working time between two naive UTC moments (zero when ``end`` is not after)."""
        total = timedelta()
        for low, high in self._intervals(begin, end):
            total += high - low
        return total

    def add(self, begin: datetime, duration: timedelta) -> datetime:
        """The naive UTC moment ``duration`` of working time after ``begin``."""
        left = duration
        day = self._local_day(begin)
        for _offset in range(MAX_DAYS):
            for low, high in _day_intervals(self, day):
                low = max(low, begin)
                if high <= low:
                    continue
                if high - low >= left:
                    return low + left
                left -= high - low
            day += timedelta(days=1)
        raise CalendarError(_("no working time within three years: check the calendar"))

    def _local_day(self, moment: datetime) -> date:
        return moment.replace(tzinfo=UTC).astimezone(ZoneInfo(self.time_zone)).date()

    def _intervals(self, begin: datetime, end: datetime) -> Iterable[Interval]:
        if end <= begin:
            return
        day, last = self._local_day(begin), self._local_day(end)
        while day <= last:
            for low, high in _day_intervals(self, day):
                low, high = max(low, begin), min(high, end)
                if low < high:
                    yield low, high
            day += timedelta(days=1)


@functools.lru_cache(maxsize=64)
def _public_holidays(country: str, year: int) -> holidays.HolidayBase:
    return holidays.country_holidays(country, years=year)


@functools.lru_cache(maxsize=8192)
def _day_intervals(calendar: WorkCalendar, day: date) -> tuple[Interval, ...]:
    """The working periods of one local day, as naive UTC intervals."""
    if not calendar.is_working_day(day):
        return ()
    spans = [(calendar.start, calendar.end)]
    if calendar.lunch is not None:
        lunch_start, lunch_end = calendar.lunch
        spans = [(calendar.start, min(lunch_start, calendar.end)),
                 (max(lunch_end, calendar.start), calendar.end)]
    zone = ZoneInfo(calendar.time_zone)

    def utc(moment: time) -> datetime:
        local = datetime.combine(day, moment, tzinfo=zone)
        return local.astimezone(UTC).replace(tzinfo=None)

    return tuple((utc(low), utc(high)) for low, high in spans if low < high)
