"""The queue's figures: open tickets by priority, breaches this week, and the median and
90th percentile times to first response and to resolution over the last 30 days, per
tool and overall. The screen's header line and the monthly bulletin read them."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pmcockpit.core.i18n import _
from pmcockpit.core.sla_clock import Clock, ClockState
from pmcockpit.core.sla_policy import SlaPolicy
from pmcockpit.core.tool_words import tool_word
from pmcockpit.core.wording import span
from pmcockpit.storage.models import Connection, Ticket
from pmcockpit.storage.queries.tickets import outbox_count

WINDOW = timedelta(days=30)
WEEK = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class Times:
    """Median and 90th percentile of some durations; None when there are none."""

    count: int = 0
    median: timedelta | None = None
    p90: timedelta | None = None

    @classmethod
    def of(cls, values: list[timedelta]) -> Times:
        if not values:
            return cls()
        ordered = sorted(values)
        return cls(len(ordered), ordered[(len(ordered) - 1) // 2],
                   ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))])

    def text(self, *, short: bool = False) -> str:
        if self.median is None or self.p90 is None:
            return "–"
        if short:
            return span(self.median)
        return _("{median} (p90 {p90})").format(median=span(self.median), p90=span(self.p90))


@dataclass(frozen=True, slots=True)
class ToolFigures:
    tool: str
    response: Times
    resolution: Times
    breached_week: int


@dataclass(frozen=True, slots=True)
class QueueMetrics:
    open_total: int
    open_by_priority: tuple[tuple[str, int], ...]
    breached_week: int
    response: Times
    resolution: Times
    outbox: int
    per_tool: tuple[ToolFigures, ...] = field(default=())

    def headline(self, *, short: bool = False) -> str:
        """The figures on one line; ``short`` (80 columns) leaves out the 90th percentiles."""
        priorities = " ".join(f"{tool_word(name)[:1]}{count}"
                              for name, count in self.open_by_priority)
        # Translators: the short line at 80 columns; "7d" = in the last 7 days.
        words = _("{open} open ({priorities}) · {breached} breached 7d · reply {response} · "
                  "resolved {resolution}") if short else _(
            "{open} open ({priorities}) · {breached} breached this week · 1st reply "
            "{response} · resolved {resolution}")
        line = words.format(
            open=self.open_total, priorities=priorities or "-",
            breached=self.breached_week, response=self.response.text(short=short),
            resolution=self.resolution.text(short=short))
        if self.outbox:
            line += " · " + _("outbox {count}").format(count=self.outbox)
        return line


def queue_metrics(session: Session, now: datetime, policy: SlaPolicy) -> QueueMetrics:
    by_priority = Counter({priority: count for priority, count in session.execute(
        select(Ticket.priority, func.count()).where(Ticket.is_closed.is_(False))
        .group_by(Ticket.priority))})
    since = now - WINDOW
    query = (select(Ticket.priority, Ticket.created_at, Ticket.updated_at, Ticket.is_closed,
                    Connection.name, Ticket.first_response_at)
             .join(Connection, Connection.id == Ticket.connection_id)
             .where(Ticket.created_at >= since))
    responses: dict[str, list[timedelta]] = defaultdict(list)
    resolutions: dict[str, list[timedelta]] = defaultdict(list)
    breached: Counter[str] = Counter()
    for priority, created_at, updated_at, is_closed, tool, first_at in session.execute(query):
        clocks = policy.clocks(priority=priority, created_at=created_at,
                               first_response_at=first_at,
                               resolved_at=updated_at if is_closed else None,
                               pauses=(), now=now)
        if first_at is not None:
            responses[tool].append(clocks.response.used)
        if is_closed:
            resolutions[tool].append(clocks.resolution.used)
        if any(_breached_this_week(clock, updated_at, now)
               for clock in (clocks.response, clocks.resolution)):
            breached[tool] += 1
    tools = sorted(set(responses) | set(resolutions) | set(breached))
    per_tool = tuple(ToolFigures(t, Times.of(responses[t]), Times.of(resolutions[t]),
                                 breached[t]) for t in tools)
    return QueueMetrics(
        open_total=sum(by_priority.values()),
        open_by_priority=tuple(sorted(by_priority.items(), key=lambda kv: -kv[1])),
        breached_week=sum(breached.values()),
        response=Times.of([v for values in responses.values() for v in values]),
        resolution=Times.of([v for values in resolutions.values() for v in values]),
        outbox=outbox_count(session), per_tool=per_tool)


def _breached_this_week(clock: Clock, stopped_at: datetime, now: datetime) -> bool:
    """Breached within the last week: a running clock that ran out less than a week of
    counted time ago, or a stopped one whose ticket stopped it within the week."""
    if clock.state is not ClockState.BREACHED or clock.left is None:
        return False
    if clock.stopped:
        return now - stopped_at <= WEEK
    return -clock.left <= WEEK
