"""Ticket and task KPIs per team, the figures the rollout article names: tickets created
and closed, the task completion rate and the delay (overdue) rate.

Measured over a rolling window (30 days by default) from the synced tickets of the
team's members: created counts the tickets they wrote in the window; closed the
tickets assigned to them that were closed with their last update in the window (the
tools' closing dates are not synced, the last update stands for it); the completion
rate is closed over closed plus still open; and since the tools' due dates are not
synced either, an open ticket is late when it has been open longer than the window.
"""

from __future__ import annotations

from dataclasses import dataclass, field

KPI_WINDOW_DAYS = 30


@dataclass(frozen=True, slots=True)
class TicketKpis:
    team: str
    created: int
    """Tickets the team's members wrote in the window."""
    closed: int
    """Tickets assigned to them closed (last updated) in the window."""
    open: int
    """Tickets assigned to them still open."""
    late: int
    """Of the open ones, those open longer than the window."""
    trend: tuple[float | None, ...] = field(default=())
    """The completion rate at each of the latest syncs, oldest first."""

    @property
    def completion(self) -> float | None:
        """Closed in the window per ticket the team had (closed in it, or still open)."""
        worked = self.closed + self.open
        return self.closed / worked if worked else None

    @property
    def late_share(self) -> float | None:
        """Late per open ticket."""
        return self.late / self.open if self.open else None

    @property
    def empty(self) -> bool:
        return not (self.created or self.closed or self.open)
