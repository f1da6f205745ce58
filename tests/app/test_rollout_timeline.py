"""The timeline's today marker sits in the current phase, however early phases were left."""

from __future__ import annotations

from datetime import date, timedelta

from pmcockpit.storage.queries.rollout import MilestoneView, PhaseView
from pmcockpit.widgets.rollout_timeline import timeline_text

WIDTH = 78


def phase(position: int, title: str, start: date, weeks: int,
          actual: date | None = None) -> PhaseView:
    return PhaseView(position, title.lower(), title, "", start,
                     start + timedelta(weeks=weeks) - timedelta(days=1), actual, None, False,
                     (), {})


def plan(actual_second: date | None) -> tuple[PhaseView, ...]:
    first = date(2026, 1, 5)
    return (phase(0, "Pilot", first, 12, first),
            phase(1, "Standardise", first + timedelta(weeks=12), 4, actual_second),
            phase(2, "Waves", first + timedelta(weeks=16), 12))


def segment_of(bar: str, column: int) -> str:
    """The title of the segment that ``column`` of the phase bar falls in."""
    left = bar.rfind("│", 0, column) + 1
    return bar[left:bar.index("│", column)].strip("─…")


def test_today_sits_in_the_current_phase_when_the_pilot_ended_early() -> None:
    today = date(2026, 2, 10)  # planned still in the pilot; Standardise began on 02-09
    lines = timeline_text(plan(date(2026, 2, 9)), 1, (), today, WIDTH).plain.splitlines()
    column = lines[1].index("▲")
    assert segment_of(lines[0], column) == "Standardise"
    # One day into a four-week phase: at its start, not its middle.
    assert column - lines[0].index("│") <= 3
    # A milestone two weeks ahead sits two weeks into the phase that began early.
    ahead = MilestoneView(1, "Standard published", today + timedelta(days=14), None)
    lines = timeline_text(plan(date(2026, 2, 9)), 1, (ahead,), today, WIDTH).plain.splitlines()
    assert segment_of(lines[0], lines[1].index("◆")) == "Standardise"
    assert lines[1].index("◆") > column


def test_today_follows_the_planned_dates_when_on_plan() -> None:
    phases = plan(None)
    today = phases[0].planned_start + timedelta(weeks=6)
    milestone = MilestoneView(1, "Pilot review", phases[1].planned_start + timedelta(days=14),
                              None)
    lines = timeline_text(phases, 0, (milestone,), today, WIDTH).plain.splitlines()
    assert segment_of(lines[0], lines[1].index("▲")) == "Pilot"
    assert segment_of(lines[0], lines[1].index("◆")) == "Standardise"


def test_today_at_the_end_once_every_phase_is_done() -> None:
    lines = timeline_text(plan(date(2026, 2, 9)), 3, (), date(2026, 3, 1),
                          WIDTH).plain.splitlines()
    assert lines[1].rstrip().endswith("▲") and len(lines[1]) == WIDTH
