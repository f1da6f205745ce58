"""A ticket's two service-level clocks: time to first response and time to resolution.

Each is counted in business hours (a :class:`WorkCalendar`) or calendar hours. The
resolution clock pauses while the ticket waits for its requester (the pauses are
history, kept by the caller), so a priority or service-level change mid-clock keeps
the time already paused; the first-response clock never pauses. Pure: the caller
passes the moments and ``now``; all datetimes are naive UTC.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from pmcockpit.core.sla import AT_RISK_FRACTION, sla_hours_for
from pmcockpit.core.workcal import WorkCalendar


class ClockState(enum.StrEnum):
    RUNNING = "running"
    AT_RISK = "at risk"
    BREACHED = "breached"
    """Running past its target, or stopped after it."""
    PAUSED = "paused"
    MET = "met"
    NO_SLA = "no SLA"


@dataclass(frozen=True, slots=True)
class ServiceLevel:
    response: timedelta | None
    resolution: timedelta | None
    business_hours: bool = True


@dataclass(frozen=True, slots=True)
class Pause:
    start: datetime
    end: datetime | None = None
    """None while the ticket still waits for its requester."""


@dataclass(frozen=True, slots=True)
class Clock:
    state: ClockState
    target: timedelta | None
    used: timedelta
    """Counted time so far (business or calendar), pauses left out."""
    due_at: datetime | None = None
    """When it runs out, for a running clock."""
    paused_since: datetime | None = None
    stopped: bool = False
    """Answered (response) or resolved (resolution): the clock no longer runs."""

    @property
    def left(self) -> timedelta | None:
        """Time left; negative: breached by that much. None without a target."""
        return None if self.target is None else self.target - self.used


@dataclass(frozen=True, slots=True)
class TicketClocks:
    response: Clock
    resolution: Clock

    @property
    def next(self) -> Clock:
        """The clock to watch: the running one with the least time left (else the
        first-response clock)."""
        running = [c for c in (self.response, self.resolution)
                   if c.left is not None and not c.stopped]
        return min(running, key=lambda c: c.left or timedelta()) if running else self.response

    @property
    def urgency(self) -> tuple[int, timedelta]:
        """Sort key: breached first, then least time left, stopped and unlimited last."""
        lefts = [(c.left, c.state is ClockState.PAUSED)
                 for c in (self.response, self.resolution)
                 if c.left is not None and not c.stopped]
        if not lefts:
            return 3, timedelta.max
        least, paused = min(lefts)
        if least < timedelta():
            return 0, least
        return (2 if paused else 1), least


def service_level(priority: str, response_hours: Mapping[str, int],
                  resolution_hours: Mapping[str, int], *, business_hours: bool
                  ) -> ServiceLevel:
    """The level configured for ``priority`` (its synonyms and the fallback included)."""
    response = sla_hours_for(priority, response_hours)
    resolution = sla_hours_for(priority, resolution_hours)
    return ServiceLevel(None if response is None else timedelta(hours=response),
                        None if resolution is None else timedelta(hours=resolution),
                        business_hours)


def ticket_clocks(
    *, created_at: datetime, first_response_at: datetime | None,
    resolved_at: datetime | None, pauses: Sequence[Pause], level: ServiceLevel,
    calendar: WorkCalendar, now: datetime,
) -> TicketClocks:
    counter = _Counter(calendar if level.business_hours else None)
    # A ticket resolved unanswered needed no answer: its response clock stops there.
    response_end = first_response_at or resolved_at
    response = counter.clock(level.response, created_at, response_end, now, [])
    resolution = counter.clock(level.resolution, created_at, resolved_at, now, pauses)
    return TicketClocks(response, resolution)


def running_state(used: timedelta, target: timedelta) -> ClockState:
    """A running, unpaused clock's state once ``used`` of its ``target`` has gone."""
    left = target - used
    if left < timedelta():
        return ClockState.BREACHED
    if left < target * AT_RISK_FRACTION:
        return ClockState.AT_RISK
    return ClockState.RUNNING


class _Counter:
    def __init__(self, calendar: WorkCalendar | None) -> None:
        self.calendar = calendar

    def span(self, begin: datetime, end: datetime) -> timedelta:
        if self.calendar is None:
            return max(end - begin, timedelta())
        return self.calendar.working_time(begin, end)

    def add(self, begin: datetime, duration: timedelta) -> datetime:
        return begin + duration if self.calendar is None else self.calendar.add(begin, duration)

    def clock(self, target: timedelta | None, start: datetime, stop: datetime | None,
              now: datetime, pauses: Sequence[Pause]) -> Clock:
        end = stop or now
        paused = timedelta()
        paused_since = None
        for pause in pauses:
            pause_end = min(pause.end or end, end)
            paused += self.span(max(pause.start, start), pause_end)
            if pause.end is None and stop is None and pause.start <= now:
                paused_since = pause.start
        used = self.span(start, end) - paused
        if target is None:
            return Clock(ClockState.NO_SLA, None, used, stopped=stop is not None)
        if stop is not None:
            state = ClockState.MET if used <= target else ClockState.BREACHED
            return Clock(state, target, used, stopped=True)
        if paused_since is not None:
            state = ClockState.BREACHED if used > target else ClockState.PAUSED
            return Clock(state, target, used, paused_since=paused_since)
        left = target - used
        due_at = self.add(now, left) if left > timedelta() else now + left
        return Clock(running_state(used, target), target, used, due_at=due_at)
