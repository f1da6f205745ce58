"""The administrator's service-level policy, read from plain settings values.

The calendar table reads like the config file says it::

    [sla_calendar]
    time_zone = "Asia/Shanghai"
    days = "Mon-Fri"
    hours = "09:00-18:00"
    lunch = "12:00-13:00"
    country = "CN"
    holidays = ["2026-05-06"]
    workdays = ["2026-05-09"]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from pmcockpit.core.i18n import _
from pmcockpit.core.sla_clock import (
    Pause,
    ServiceLevel,
    TicketClocks,
    service_level,
    ticket_clocks,
)
from pmcockpit.core.workcal import WEEKDAYS, CalendarError, WorkCalendar

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class SlaPolicy:
    response_hours: Mapping[str, int]
    resolution_hours: Mapping[str, int]
    business_hours: bool = False
    calendar: WorkCalendar = field(default_factory=WorkCalendar)
    pause_statuses: Mapping[str, Sequence[str]] = field(default_factory=dict)
    _levels: dict[str, ServiceLevel] = field(default_factory=dict, compare=False, repr=False)
    """Levels already looked up, by priority: a queue asks thousands of times."""

    def level(self, priority: str) -> ServiceLevel:
        if priority not in self._levels:
            self._levels[priority] = service_level(
                priority, self.response_hours, self.resolution_hours,
                business_hours=self.business_hours)
        return self._levels[priority]

    def pauses_on(self, tool_kind: str, status: str) -> bool:
        wanted = status.strip().lower()
        return any(s.strip().lower() == wanted for s in self.pause_statuses.get(tool_kind, ()))

    def clocks(self, *, priority: str, created_at: datetime,
               first_response_at: datetime | None, resolved_at: datetime | None,
               pauses: Sequence[Pause], now: datetime) -> TicketClocks:
        return ticket_clocks(created_at=created_at, first_response_at=first_response_at,
                             resolved_at=resolved_at, pauses=pauses,
                             level=self.level(priority), calendar=self.calendar, now=now)


def calendar_from_table(table: Mapping[str, Any]) -> WorkCalendar:
    """A calendar from the ``sla_calendar`` settings table; CalendarError says what is wrong."""
    known = {"time_zone", "days", "hours", "lunch", "country", "holidays", "workdays"}
    unknown = sorted(set(table) - known)
    if unknown:
        raise CalendarError(_("sla_calendar: unknown entry {name!r}; known: {known}").format(
            name=unknown[0], known=", ".join(sorted(known))))
    start, end = _span(str(table.get("hours", "09:00-18:00")), "hours")
    lunch_text = str(table.get("lunch", "12:00-13:00")).strip()
    return WorkCalendar(
        time_zone=str(table.get("time_zone", "UTC")),
        work_days=_days(str(table["days"])) if "days" in table else WEEKDAYS,
        start=start, end=end,
        lunch=_span(lunch_text, "lunch") if lunch_text else None,
        country=str(table["country"]).upper() if table.get("country") else None,
        extra_holidays=_dates(table.get("holidays", ()), "holidays"),
        extra_workdays=_dates(table.get("workdays", ()), "workdays"),
    )


def _span(text: str, name: str) -> tuple[time, time]:
    try:
        low, high = (time.fromisoformat(part.strip()) for part in text.split("-"))
    except ValueError:
        raise CalendarError(_("sla_calendar.{name} must read like \"09:00-18:00\", not "
                              "{value!r}").format(name=name, value=text)) from None
    return low, high


def _days(text: str) -> frozenset[int]:
    """"Mon-Fri", "Mon,Tue,Sat" or "Sun-Thu" as weekday numbers (Monday = 0)."""
    days: set[int] = set()
    try:
        for part in text.lower().replace(" ", "").split(","):
            first, _sep, last = part.partition("-")
            low = DAY_NAMES.index(first[:3])
            high = DAY_NAMES.index(last[:3]) if last else low
            days.update(d % 7 for d in range(low, high + 1 if high >= low else high + 8))
    except ValueError:
        raise CalendarError(_("sla_calendar.days must read like \"Mon-Fri\", not "
                              "{value!r}").format(value=text)) from None
    return frozenset(days)


def _dates(values: Any, name: str) -> frozenset[date]:
    try:
        return frozenset(date.fromisoformat(str(v)) for v in values)
    except (TypeError, ValueError):
        raise CalendarError(_("sla_calendar.{name} must list dates like \"2026-05-06\"").format(
            name=name)) from None
