"""Dates of a rollout: the break-in period and the health derived from dates, gates and
adoption."""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from pmcockpit.core.i18n import _
from pmcockpit.core.rollout.model import Health, WaveStatus

BREAK_IN_MONTHS = 6
"""The first months after a team goes live need close attention (磨合期)."""
AT_RISK_DAYS = 7
"""A phase ending within this many days with its gate still open is at risk."""
LOW_ADOPTION = 0.6
"""Live teams with fewer active people than this share put the rollout at risk."""


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def break_in_end(go_live: date, months: int = BREAK_IN_MONTHS) -> date:
    """The last day of the break-in period of a team that went live on ``go_live``."""
    return add_months(go_live, months) - timedelta(days=1)


def in_break_in(go_live: date | None, today: date, months: int = BREAK_IN_MONTHS) -> bool:
    return go_live is not None and go_live <= today <= break_in_end(go_live, months)


@dataclass(frozen=True, slots=True)
class HealthFacts:
    """What health is derived from, for the current phase."""

    today: date
    finished: bool
    """Every phase is done."""
    phase_end: date | None
    """The current phase's planned end."""
    gate_open: int
    """Gate items of the current phase not met yet."""
    overdue_milestones: int
    waves: Sequence[WaveStatus] = ()
    live_share: float | None = None
    """Active in the last 30 days per expected person, over the live teams."""
    pending_high_changes: int = 0


@dataclass(frozen=True, slots=True)
class HealthVerdict:
    health: Health
    reasons: tuple[str, ...]


def derive_health(facts: HealthFacts) -> HealthVerdict:
    """Late beats at risk beats on track; the reasons say why (untranslated keys)."""
    if facts.finished:
        return HealthVerdict(Health.DONE, ())
    late = []
    if facts.phase_end is not None and facts.phase_end < facts.today:
        late.append("phase-overdue")
    if facts.overdue_milestones:
        late.append("milestone-overdue")
    if late:
        return HealthVerdict(Health.LATE, tuple(late))
    risks = []
    if facts.phase_end is not None and facts.gate_open and \
            (facts.phase_end - facts.today).days <= AT_RISK_DAYS:
        risks.append("gate-open-near-end")
    if WaveStatus.STRUGGLING in facts.waves:
        risks.append("wave-struggling")
    if facts.live_share is not None and facts.live_share < LOW_ADOPTION:
        risks.append("low-adoption")
    if facts.pending_high_changes:
        risks.append("change-pending")
    return HealthVerdict(Health.AT_RISK if risks else Health.ON_TRACK, tuple(risks))


def reason_label(reason: str) -> str:
    return {
        "phase-overdue": _("the phase is past its planned end"),
        "milestone-overdue": _("a milestone is overdue"),
        "gate-open-near-end": _("the phase ends within a week and its gate is not met"),
        "wave-struggling": _("a wave is struggling"),
        "low-adoption": _("fewer than 60 per cent of the live teams are active"),
        "change-pending": _("a high-priority change request awaits a decision"),
    }.get(reason, reason)
