"""The home panel's rollout lines: milestones and gates due this week, struggling waves,
and tools whose version drifted from their upgrade's plan or moved without one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy.orm import Session

from pmcockpit.core.rollout import WaveStatus
from pmcockpit.storage.queries.rollout import rollout_details
from pmcockpit.storage.queries.rollout_versions import version_notes

MOVES_DAYS = 90
"""A version move without a plan is reported for this many days."""


@dataclass(frozen=True, slots=True)
class RolloutDue:
    """A line of the home panel: a milestone or gate due this week, a struggling wave, or
    a tool whose version drifted."""

    rollout: str
    what: str
    """"milestone", "gate", "wave" or "drift"."""
    title: str
    """The milestone, phase or wave; the connection for a drift."""
    due: date | None
    seen: str | None = None
    """A drift: the version the tool runs."""
    planned: str | None = None
    """A drift: what was planned ("17.3.6 → 17.8.2"), or None for a move without a plan."""


def due_this_week(session: Session, today: date, limit: int) -> list[RolloutDue]:
    """Version drifts and struggling waves first, then milestones and phase ends (their
    gates) due in the next 7 days or overdue, soonest first."""
    horizon = today + timedelta(days=7)
    due: list[RolloutDue] = []
    for detail in rollout_details(session, today):
        due += [RolloutDue(detail.name, "milestone", m.title, m.due) for m in detail.milestones
                if m.done_on is None and m.due <= horizon]
        current = detail.current
        if current is not None and current.planned_end <= horizon and \
                any(not item.met for item in detail.gate):
            due.append(RolloutDue(detail.name, "gate", current.title, current.planned_end))
        due += [RolloutDue(detail.name, "wave", w.name, None) for w in detail.waves
                if w.status is WaveStatus.STRUGGLING]
    due += drifts(session, datetime.combine(today, time()) - timedelta(days=MOVES_DAYS))
    due.sort(key=lambda item: (item.due is not None, item.due or today))
    return due[:limit]


def drifts(session: Session, since: datetime) -> list[RolloutDue]:
    """A line per connection whose version moved off its upgrade's plan, or moved since
    ``since`` without a planned upgrade."""
    lines = []
    for name, note in sorted(version_notes(session, since).items()):
        if not note.drifted:
            continue
        if note.move is not None and note.version is None:
            lines.append(RolloutDue(note.connection, "drift", name, None, note.move.after))
        elif note.version is not None:
            version = note.version
            planned = f"{version.planned_current or '?'} → {version.target or '?'}"
            lines.append(RolloutDue(note.upgrade or note.connection, "drift", name, None,
                                    version.observed, planned))
    return lines
