"""First-response service levels of support tickets: pure rules, no I/O.

A ticket's clock starts when it is created and stops at the first comment by
someone other than its author. The administrator configures hours per priority
(``Settings.sla_hours``); tools name priorities differently, so the usual
synonyms (Jira "Highest", Redmine "Immediate", ...) map onto the configured ones.
All datetimes are naive UTC, like the database.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

AT_RISK_FRACTION = 0.25
"""Less than this share of the allowed time left: the ticket is at risk."""

FALLBACK_PRIORITY = "normal"
"""A priority nobody configured is held to this one's service level."""

PRIORITY_SYNONYMS: Mapping[str, str] = {
    "immediate": "urgent",
    "highest": "urgent",
    "blocker": "urgent",
    "critical": "urgent",
    "major": "high",
    "medium": "normal",
    "minor": "low",
    "lowest": "low",
    "trivial": "low",
}


class SlaState(enum.StrEnum):
    ON_TRACK = "on track"
    """Waiting for a first response, with time left."""
    AT_RISK = "at risk"
    """Waiting, with less than a quarter of the allowed time left."""
    BREACHED = "breached"
    """Past due without a response, or answered late."""
    MET = "met"
    """Answered in time (or closed without needing an answer)."""
    NO_SLA = "no SLA"
    """No service level is configured for this priority."""


@dataclass(frozen=True, slots=True)
class SlaStatus:
    state: SlaState
    due_at: datetime | None
    """When the first response is (or was) due; None without a service level."""
    remaining: timedelta | None
    """Time left while waiting (negative once overdue); None once answered or closed."""

    @property
    def needs_attention(self) -> bool:
        """Still waiting, and late or nearly late: what the administrator acts on today."""
        return self.remaining is not None and self.state in (SlaState.AT_RISK, SlaState.BREACHED)


def sla_hours_for(priority: str, sla_hours: Mapping[str, int]) -> int | None:
    """Hours allowed for a first response at ``priority``.

    The configured name (any case) wins, then the usual synonym, then the
    fallback priority; None when none of them is configured.
    """
    configured = {name.lower(): hours for name, hours in sla_hours.items()}
    wanted = priority.strip().lower()
    for name in (wanted, PRIORITY_SYNONYMS.get(wanted), FALLBACK_PRIORITY):
        if name is not None and name in configured:
            return configured[name]
    return None


def waiting_cutoffs(now: datetime, hours: int) -> tuple[datetime, datetime]:
    """(breached_before, at_risk_before) for tickets still waiting for a first response.

    A waiting ticket created before the first is breached; before the second, at
    risk or breached. Queries use these to count in SQL what :func:`sla_status` says.
    """
    allowed = timedelta(hours=hours)
    return now - allowed, now - allowed * (1 - AT_RISK_FRACTION)


def sla_status(
    *,
    priority: str,
    created_at: datetime,
    first_response_at: datetime | None,
    is_closed: bool,
    now: datetime,
    sla_hours: Mapping[str, int],
) -> SlaStatus:
    """The state of one ticket's first-response service level at ``now``.

    Closing a ticket stops its clock. Without a reply we cannot tell when that
    happened, so a ticket closed unanswered counts as met.
    """
    hours = sla_hours_for(priority, sla_hours)
    if hours is None:
        return SlaStatus(SlaState.NO_SLA, None, None)
    due_at = created_at + timedelta(hours=hours)
    if first_response_at is not None:
        state = SlaState.MET if first_response_at <= due_at else SlaState.BREACHED
        return SlaStatus(state, due_at, None)
    if is_closed:
        return SlaStatus(SlaState.MET, due_at, None)
    breached_before, at_risk_before = waiting_cutoffs(now, hours)
    if created_at < breached_before:
        state = SlaState.BREACHED
    elif created_at < at_risk_before:
        state = SlaState.AT_RISK
    else:
        state = SlaState.ON_TRACK
    return SlaStatus(state, due_at, due_at - now)
