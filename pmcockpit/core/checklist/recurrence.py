"""How often a checklist recurs, and the periods that recurrence cuts the calendar into.

Every run belongs to exactly one period; a period's ``key`` ("2026-11-21",
"2026-W47", "2026-11", "2026-Q4") is how storage finds the run for a period.
A period is due a few days after it starts (:data:`DEFAULT_DUE_WITHIN_DAYS`, or
the template's ``due_within_days``), never after it ends: the weekly clean-up set
for Monday is due by Wednesday, the quarterly survey within three weeks, and the
week it covers runs until Sunday.
"""

from __future__ import annotations

import calendar
import enum
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from pmcockpit.core.i18n import N_, _

WEEKDAYS: tuple[str, ...] = (
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
)

_ONE_DAY = timedelta(days=1)

OPEN_END = date(9999, 12, 30)
"""The end (and due day) of a one-off run's period: never reached, and still a date a
time zone can be added to."""


class RecurrenceKind(enum.StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    ONCE = "once"
    """Run on demand (an upgrade's checklists): the period is the day the run was opened
    and never ends, so the calendar never makes it due, overdue or missed."""


DEFAULT_DUE_WITHIN_DAYS: dict[RecurrenceKind, int] = {
    RecurrenceKind.DAILY: 0,
    RecurrenceKind.WEEKLY: 2,
    RecurrenceKind.MONTHLY: 5,
    RecurrenceKind.QUARTERLY: 21,
    RecurrenceKind.ONCE: 0,
}
"""Days after its start a period's run is due; a quarterly survey is not late on day 2."""


@dataclass(frozen=True, slots=True)
class Period:
    """The span of days one run covers (both ends included)."""

    start: date
    end: date
    due: date
    key: str

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    @property
    def open_ended(self) -> bool:
        """A one-off run's period: never due, overdue or missed by the calendar."""
        return self.end >= OPEN_END

    def due_at(self, due_time: time | None = None, tz: tzinfo | None = None) -> datetime:
        """The last moment an unfinished run is not yet overdue.

        With no ``due_time`` the whole due day is allowed. ``tz`` should be the
        zone of the ``now`` it will be compared with (None for naive local time).
        """
        clock = time.max if due_time is None else due_time.replace(tzinfo=None)
        return datetime.combine(self.due, clock, tzinfo=tz)


@dataclass(frozen=True, slots=True)
class Recurrence:
    """``weekday`` (0 = Monday) is used by weekly recurrences, ``day`` by monthly and
    quarterly ones (the day of the month, or of the quarter's first month); a day past
    the month's end means its last day. ``due_within_days`` (None: the kind's default)
    puts the due date that many days after the period's start."""

    kind: RecurrenceKind
    weekday: int = 0
    day: int = 1
    due_within_days: int | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError(_("weekday must be 0 (Monday) to 6 (Sunday), not {weekday}")
                             .format(weekday=self.weekday))
        if not 1 <= self.day <= 31:
            raise ValueError(_("day must be 1 to 31, not {day}").format(day=self.day))
        if self.due_within_days is not None and self.due_within_days < 0:
            raise ValueError(_("due_within_days must be 0 or more, not {days}")
                             .format(days=self.due_within_days))

    @property
    def due_offset(self) -> int:
        """Days from a period's start to its due date, before clamping to its end."""
        if self.due_within_days is None:
            return DEFAULT_DUE_WITHIN_DAYS[self.kind]
        return self.due_within_days

    def describe(self, for_what: str | None = None) -> str:
        """When the checklist recurs, as the screens and ``checklist validate`` say it;
        a one-off run names what it is for (``for_what``: the rollout), if known."""
        if self.kind is RecurrenceKind.ONCE:
            if for_what:
                return _("once, for {what}").format(what=for_what)
            return _("once, on demand")
        if self.kind is RecurrenceKind.DAILY:
            return _("every day")
        if self.kind is RecurrenceKind.WEEKLY:
            return _(_EVERY_WEEKDAY[self.weekday])
        last = self.day == 31
        if self.kind is RecurrenceKind.MONTHLY:
            message = _("monthly on the last day") if last else _("monthly on the {day}")
        else:
            message = (_("quarterly on the last day of January, April, July and October")
                       if last else
                       _("quarterly on the {day} of January, April, July and October"))
        return message.format(day=_ordinal(self.day))

    def period_for(self, day: date) -> Period:
        """The period that contains ``day`` (for a one-off run: the one opened on it)."""
        if self.kind is RecurrenceKind.ONCE:
            return Period(day, OPEN_END, OPEN_END, day.isoformat())
        if self.kind is RecurrenceKind.DAILY:
            return self._period(day, day, day.isoformat())
        if self.kind is RecurrenceKind.WEEKLY:
            start = day - timedelta(days=(day.weekday() - self.weekday) % 7)
            iso_year, iso_week, _ = start.isocalendar()
            return self._period(start, start + timedelta(days=6), f"{iso_year}-W{iso_week:02d}")
        step = 1 if self.kind is RecurrenceKind.MONTHLY else 3
        # The occurrence in the step-aligned month holding ``day`` (January/April/...
        # for quarters), or the one before it when ``day`` comes before it.
        year, month = day.year, day.month - (day.month - 1) % step
        start = self._occurrence(year, month)
        if day < start:
            year, month = _add_months(year, month, -step)
            start = self._occurrence(year, month)
        next_year, next_month = _add_months(year, month, step)
        end = self._occurrence(next_year, next_month) - _ONE_DAY
        key = f"{year}-{month:02d}" if step == 1 else f"{year}-Q{(month - 1) // 3 + 1}"
        return self._period(start, end, key)

    def _period(self, start: date, end: date, key: str) -> Period:
        return Period(start, end, min(start + timedelta(days=self.due_offset), end), key)

    def previous(self, period: Period) -> Period:
        return self.period_for(period.start - _ONE_DAY)

    def next(self, period: Period) -> Period:
        if period.open_ended:
            return self.period_for(period.start + _ONE_DAY)
        return self.period_for(period.end + _ONE_DAY)

    def periods_between(self, start: date, end: date) -> list[Period]:
        """Every period that overlaps ``start``..``end`` (both included), oldest first."""
        return list(self.iter_periods(start, end))

    def iter_periods(self, start: date, end: date) -> Iterator[Period]:
        if end < start:
            return
        if self.kind is RecurrenceKind.ONCE:  # no calendar: only the runs count
            return
        period = self.period_for(start)
        while period.start <= end:
            yield period
            period = self.next(period)

    def _occurrence(self, year: int, month: int) -> date:
        return date(year, month, min(self.day, calendar.monthrange(year, month)[1]))


def _add_months(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


_EVERY_WEEKDAY = (N_("every Monday"), N_("every Tuesday"), N_("every Wednesday"),
                  N_("every Thursday"), N_("every Friday"), N_("every Saturday"),
                  N_("every Sunday"))
"""Marked here, translated where described: built at import."""


def _ordinal(number: int) -> str:
    """A day of the month as an ordinal ("1st", "22nd")."""
    # Translators: a day of the month as an ordinal, "11th", "1st", "22nd", "3rd".
    if 10 <= number % 100 <= 20:
        message = _("{number}th")
    else:
        message = {1: _("{number}st"), 2: _("{number}nd"), 3: _("{number}rd")}.get(
            number % 10, _("{number}th"))
    return message.format(number=number)
