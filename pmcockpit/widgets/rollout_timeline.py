"""A rollout's phases and milestones on one time axis, drawn to the widget's width.

Three lines: the phases as segments sized by their planned days (the current one
highlighted, done ones marked), today's marker and the milestones (◆) under them,
each inside the segment of its phase (today's in the current phase's, counted from
the day that phase actually started, so a phase left early moves the marker and the
milestones still ahead with it), then
the first and last planned days. At 80 columns each phase keeps at least a few
cells, its title cut to fit.
"""

from __future__ import annotations

from datetime import date, timedelta

from rich.cells import cell_len, set_cell_size
from rich.text import Text
from textual.widget import Widget

from pmcockpit.core.i18n import _
from pmcockpit.storage.queries.rollout import MilestoneView, PhaseView

MIN_SEGMENT = 4


def _widths(phases: tuple[PhaseView, ...], width: int) -> list[int]:
    """Cells per phase, in proportion to planned days, each at least MIN_SEGMENT."""
    days = [max(1, (p.planned_end - p.planned_start).days + 1) for p in phases]
    spare = max(0, width - MIN_SEGMENT * len(phases))
    widths = [MIN_SEGMENT + spare * d // sum(days) for d in days]
    widths[-1] += max(0, width - sum(widths))
    return widths


def _label(title: str, width: int) -> str:
    text = title if cell_len(title) < width else set_cell_size(title, width - 2) + "…"
    return text + "─" * max(0, width - 1 - cell_len(text)) + "│"


def _within(start: date, end: date, day: date, cells: int) -> int:
    """The cell of ``day`` in a segment of ``cells`` spanning ``start`` to ``end``."""
    span = max(1, (end - start).days + 1)
    return min(cells - 1, max(0, (day - start).days * cells // span))


def _column(phases: tuple[PhaseView, ...], widths: list[int], starts: list[int],
            day: date) -> int:
    """A date's cell: inside the segment of the phase planned over it."""
    for phase, cells, first in zip(phases, widths, starts, strict=True):
        if day <= phase.planned_end:
            return first + _within(phase.planned_start, phase.planned_end, day, cells)
    return sum(widths) - 1


def _shift(phases: tuple[PhaseView, ...], current: int) -> timedelta:
    """How much earlier (negative) or later the current phase began than planned: the
    days still ahead move with it."""
    if current >= len(phases) or phases[current].actual_start is None:
        return timedelta()
    phase = phases[current]
    assert phase.actual_start is not None
    return phase.actual_start - phase.planned_start


def _today_column(phases: tuple[PhaseView, ...], current: int, widths: list[int],
                  starts: list[int], today: date) -> int:
    """Today's cell: inside the current phase's segment, however early or late the phases
    before it were left (counted from the day it actually started); past the end once
    every phase is done."""
    if current >= len(phases):
        return sum(widths) - 1
    phase = phases[current]
    begun = phase.actual_start or phase.planned_start
    length = phase.planned_end - phase.planned_start
    return starts[current] + _within(begun, begun + length, today, widths[current])


def timeline_text(phases: tuple[PhaseView, ...], current: int,
                  milestones: tuple[MilestoneView, ...], today: date, width: int) -> Text:
    if not phases or width < MIN_SEGMENT:
        return Text(_("No phases."), style="dim")
    widths = _widths(phases, width)
    bar = Text(no_wrap=True, overflow="crop")
    for index, (phase, cells) in enumerate(zip(phases, widths, strict=True)):
        style = "bold reverse" if index == current else "green" if index < current else "dim"
        bar.append(_label(phase.title, cells), style=style)
    starts = [sum(widths[:index]) for index in range(len(widths))]
    marks = [" "] * width
    shift = _shift(phases, current)
    for milestone in milestones:
        due = milestone.due
        marks[_column(phases, widths, starts, due - shift if due >= today else due)] = "◆"
    marks[_today_column(phases, current, widths, starts, today)] = "▲"
    marker = Text("".join(marks), no_wrap=True, overflow="crop")
    marker.stylize("bold yellow")
    first, last = phases[0].planned_start.isoformat(), phases[-1].planned_end.isoformat()
    note = _("▲ today  ◆ milestone")
    middle = max(1, width - len(first) - len(last))
    footer = Text(first + (note if cell_len(note) + 2 <= middle else "").center(middle) + last,
                  style="dim", no_wrap=True, overflow="crop")
    return Text("\n").join([bar, marker, footer])


class RolloutTimeline(Widget):
    """The phases of the highlighted rollout; redrawn at every width."""

    DEFAULT_CSS = """
    RolloutTimeline {
        height: 3;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self._phases: tuple[PhaseView, ...] = ()
        self._current = 0
        self._milestones: tuple[MilestoneView, ...] = ()
        self._today = date.today()

    def show(self, phases: tuple[PhaseView, ...], current: int,
             milestones: tuple[MilestoneView, ...], today: date) -> None:
        self._phases, self._current = phases, current
        self._milestones, self._today = milestones, today
        self.refresh()

    def render(self) -> Text:
        return timeline_text(self._phases, self._current, self._milestones, self._today,
                             self.size.width)
