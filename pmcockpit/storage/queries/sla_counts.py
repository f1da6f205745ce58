"""How many open tickets have a running clock past its time, and how many near it: exact
counts over the whole queue, in the policy's hours (business or calendar), for the home
view -- not a count over the first rows read.

Bounded work: SQL keeps only the tickets whose calendar age could reach a clock's risk
line (business time never runs faster than the calendar). For those, the business time
used by a clock without pauses is the difference of two running totals of working time
kept per local day (each day's working time is counted once, not once per ticket); the
few tickets with pauses get the whole clock, as the Queue screen counts it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, false, or_, select
from sqlalchemy.orm import Session

from pmcockpit.core.queue_filter import QueueFilter
from pmcockpit.core.sla import AT_RISK_FRACTION
from pmcockpit.core.sla_clock import ClockState, Pause, running_state
from pmcockpit.core.sla_policy import SlaPolicy
from pmcockpit.storage.models import Ticket
from pmcockpit.storage.queries.queue_list import _local_rows, _pauses

CHUNK = 2_000
"""Candidates read at a time."""


def sla_counts(session: Session, now: datetime, policy: SlaPolicy) -> tuple[int, int]:
    """(open tickets with a running clock past its time; with one near it and none past),
    local requests included, exactly as the Queue screen's clocks say."""
    late = soon = 0
    used = _Used(policy, now)
    query = (select(Ticket.id, Ticket.priority, Ticket.created_at, Ticket.first_response_at)
             .where(Ticket.is_closed.is_(False), or_(false(), *_could_be_due(session, now,
                                                                           policy)))
             .order_by(Ticket.id))
    for rows in session.execute(query).partitions(CHUNK):
        pauses = _pauses(session, [row[0] for row in rows])
        for ticket_id, priority, created_at, first_response_at in rows:
            states = _running_states(policy, used, priority, created_at, first_response_at,
                                     pauses.get(ticket_id, ()))
            late += ClockState.BREACHED in states
            soon += ClockState.AT_RISK in states and ClockState.BREACHED not in states
    for local in _local_rows(session, now, policy, QueueFilter()):
        states = {c.state for c in (local.clocks.response, local.clocks.resolution)
                  if not c.stopped}
        late += ClockState.BREACHED in states
        soon += ClockState.AT_RISK in states and ClockState.BREACHED not in states
    return late, soon


def _risk_line(target: timedelta) -> timedelta:
    """The time used past which a clock is at risk (its time left under the fraction)."""
    return target * (1 - AT_RISK_FRACTION)


def _could_be_due(session: Session, now: datetime, policy: SlaPolicy
                  ) -> list[ColumnElement[bool]]:
    """Per priority: created long enough ago (in calendar time) for a running clock to be
    at risk or past its time."""
    found: list[ColumnElement[bool]] = []
    open_priorities = select(Ticket.priority).where(Ticket.is_closed.is_(False)).distinct()
    for priority in session.scalars(open_priorities):
        level = policy.level(priority)
        either: list[ColumnElement[bool]] = []
        if level.response is not None:
            either.append(and_(Ticket.first_response_at.is_(None),
                               Ticket.created_at <= now - _risk_line(level.response)))
        if level.resolution is not None:
            either.append(Ticket.created_at <= now - _risk_line(level.resolution))
        if either:
            found.append(and_(Ticket.priority == priority, or_(*either)))
    return found


def _running_states(policy: SlaPolicy, used: _Used, priority: str, created_at: datetime,
                    first_response_at: datetime | None, pauses: Sequence[Pause]
                    ) -> set[ClockState]:
    """The states of an open ticket's running clocks."""
    if pauses:
        clocks = policy.clocks(priority=priority, created_at=created_at,
                               first_response_at=first_response_at, resolved_at=None,
                               pauses=pauses, now=used.now)
        return {c.state for c in (clocks.response, clocks.resolution) if not c.stopped}
    level = policy.level(priority)
    targets = [level.resolution] + ([level.response] if first_response_at is None else [])
    spent = used.since(created_at)
    return {running_state(spent, t) for t in targets if t is not None}


class _Used:
    """Time counted from a moment until ``now``, in the policy's hours. In business hours
    it is read from running totals of working time per local day, counted back from
    today (each day once, as first needed), so an old ticket costs no more than a new one."""

    def __init__(self, policy: SlaPolicy, now: datetime) -> None:
        self.now = now
        self.calendar = policy.calendar if policy.business_hours else None
        self.zone = ZoneInfo(policy.calendar.time_zone)
        self.today = self._day(now)
        self.oldest = self.today
        self.back: dict[date, timedelta] = {self.today: timedelta()}
        """Working time from a day's start to today's start."""
        self.today_so_far = (self.calendar.working_time(self._start(self.today), now)
                             if self.calendar is not None else timedelta())

    def since(self, moment: datetime) -> timedelta:
        if self.calendar is None:
            return max(self.now - moment, timedelta())
        if moment >= self.now:
            return timedelta()
        day = self._day(moment)
        while self.oldest > day:
            earlier = self.oldest - timedelta(days=1)
            self.back[earlier] = self.back[self.oldest] + self.calendar.working_time(
                self._start(earlier), self._start(self.oldest))
            self.oldest = earlier
        before = self.calendar.working_time(self._start(day), moment)
        return self.back[day] - before + self.today_so_far

    def _day(self, moment: datetime) -> date:
        return moment.replace(tzinfo=UTC).astimezone(self.zone).date()

    def _start(self, day: date) -> datetime:
        return datetime.combine(day, time(), tzinfo=self.zone).astimezone(UTC).replace(
            tzinfo=None)
