"""A checklist run: one period's pass through a template, step by step.

Runs are plain frozen values; every change returns a new :class:`Run`, and the
storage layer maps them to rows. The rules kept here:

* a manual step is marked done, failed or skipped by hand; failing or skipping
  needs a note saying why;
* an automated step is passed, warned or failed by its check's result, and may
  be skipped (with a note) or marked done by hand (with a note saying how it
  was checked instead);
* a step is settled when it is done, passed or warned, or failed or skipped
  with a note; a failed check therefore waits for the administrator to say
  what was done about it. A run is complete when every step is settled.

Timeliness: a run is overdue after its period's due point (the due day, or
``due_time`` on it). For the on-time rate, a period counts as on time when its
run was completed on or before the period's last day; completed later is late;
a past period with no run, or an unfinished one, is missed.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, time

from pmcockpit.core.checklist.checks import CheckResult, CheckStatus
from pmcockpit.core.checklist.recurrence import Period, Recurrence, RecurrenceKind
from pmcockpit.core.checklist.template import ChecklistTemplate
from pmcockpit.core.i18n import N_, _, ngettext


class StepState(enum.StrEnum):
    PENDING = "pending"
    DONE = "done"
    PASSED = "passed"
    WARNED = "warned"
    FAILED = "failed"
    SKIPPED = "skipped"


class DueState(enum.StrEnum):
    UPCOMING = "upcoming"
    DUE = "due"
    OVERDUE = "overdue"
    DONE = "done"
    MISSED = "missed"


class Timeliness(enum.StrEnum):
    ON_TIME = "on-time"
    LATE = "late"
    MISSED = "missed"
    OPEN = "open"
    """The period is still running and its run is not complete: not counted yet."""


_STATE_FOR_STATUS = {
    CheckStatus.PASS: StepState.PASSED,
    CheckStatus.WARN: StepState.WARNED,
    CheckStatus.FAIL: StepState.FAILED,
    CheckStatus.ERROR: StepState.FAILED,  # unmeasured is not passed: a person must look
}
_NEEDS_NOTE = {
    StepState.FAILED: N_("{title}: a failed step needs a note saying why"),
    StepState.SKIPPED: N_("{title}: a skipped step needs a note saying why"),
}
"""The states a step may only take with a note, and the refusal without one."""
_FROM_A_CHECK = {
    StepState.PASSED: N_("{title}: passed comes from a check's result; "
                         "mark the step done instead"),
    StepState.WARNED: N_("{title}: warned comes from a check's result; "
                         "mark the step done instead"),
}
"""The states only a check's result sets, and the refusal to set them by hand."""


@dataclass(frozen=True, slots=True)
class RunStep:
    step_id: str
    title: str
    """Copied from the template so old runs read the same after it changes."""
    check: str | None = None
    state: StepState = StepState.PENDING
    note: str = ""
    result: CheckResult | None = None
    """The evidence the check collected, for automated steps."""
    updated_at: datetime | None = None

    @property
    def automated(self) -> bool:
        return self.check is not None

    @property
    def settled(self) -> bool:
        if self.state in _NEEDS_NOTE:
            return bool(self.note.strip())
        return self.state is not StepState.PENDING

    @property
    def needs_note(self) -> bool:
        """Failed or skipped without the note that would settle it."""
        return self.state in _NEEDS_NOTE and not self.note.strip()


@dataclass(frozen=True, slots=True)
class Progress:
    done: int
    total: int

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 1.0

    def __str__(self) -> str:
        return f"{self.done}/{self.total}"


@dataclass(frozen=True, slots=True)
class Run:
    template_key: str
    period: Period
    steps: tuple[RunStep, ...]
    started_at: datetime
    due_time: time | None = None
    completed_at: datetime | None = None

    @property
    def complete(self) -> bool:
        return all(step.settled for step in self.steps)

    @property
    def failures(self) -> int:
        """Steps that failed (settled with a note or not): a complete run may have some."""
        return sum(1 for step in self.steps if step.state is StepState.FAILED)

    @property
    def progress(self) -> Progress:
        return Progress(sum(1 for step in self.steps if step.settled), len(self.steps))

    def step(self, step_id: str) -> RunStep:
        for step in self.steps:
            if step.step_id == step_id:
                return step
        raise KeyError(f"this run of {self.template_key} has no step {step_id!r}")


def start_run(template: ChecklistTemplate, period: Period, now: datetime) -> Run:
    steps = tuple(RunStep(step.id, step.title, step.check) for step in template.steps)
    return Run(template.key, period, steps, started_at=now, due_time=template.due_time)


def mark_step(run: Run, step_id: str, state: StepState, now: datetime, note: str = "") -> Run:
    """Set a step's state by hand. Raises ValueError when the rules forbid it."""
    step = run.step(step_id)
    note = note.strip()
    title = repr(step.title)
    if state in _FROM_A_CHECK:
        raise ValueError(_(_FROM_A_CHECK[state]).format(title=title))
    if state in _NEEDS_NOTE and not note:
        raise ValueError(_(_NEEDS_NOTE[state]).format(title=title))
    if state is StepState.DONE and step.automated and not note:
        raise ValueError(_("{title}: marking an automated step done by hand needs a "
                           "note saying how it was checked instead").format(title=title))
    result = None if state is StepState.PENDING else step.result
    if state is StepState.PENDING:
        note = ""
    return _with_step(run, replace(step, state=state, note=note, result=result,
                                   updated_at=now), now)


def record_check(run: Run, step_id: str, result: CheckResult, now: datetime) -> Run:
    """Store a check's result as the step's evidence and set its state from it.

    A note written earlier is dropped: it was about an earlier result.
    """
    step = run.step(step_id)
    if not step.automated:
        raise ValueError(_("{title} is a manual step; it has no check to record")
                         .format(title=repr(step.title)))
    updated = replace(step, state=_STATE_FOR_STATUS[result.status], note="", result=result,
                      updated_at=now)
    return _with_step(run, updated, now)


def add_note(run: Run, step_id: str, note: str, now: datetime) -> Run:
    """Write or replace a step's note without changing its state (e.g. what was
    done about a failed check, which settles it)."""
    step = run.step(step_id)
    if step.state in _NEEDS_NOTE and not note.strip():
        raise ValueError(_(_NEEDS_NOTE[step.state]).format(title=repr(step.title)))
    return _with_step(run, replace(step, note=note.strip(), updated_at=now), now)


def _with_step(run: Run, updated: RunStep, now: datetime) -> Run:
    steps = tuple(updated if step.step_id == updated.step_id else step for step in run.steps)
    changed = replace(run, steps=steps)
    # Completion is stamped once and kept while the run stays complete; reopening
    # a step clears it so the next completion is stamped afresh.
    if not changed.complete:
        return replace(changed, completed_at=None)
    if changed.completed_at is None:
        return replace(changed, completed_at=now)
    return changed


def due_state(period: Period, now: datetime, completed: bool,
              due_time: time | None = None) -> DueState:
    if completed:
        return DueState.DONE
    today = now.date()
    if today < period.start:
        return DueState.UPCOMING
    if today > period.end:
        return DueState.MISSED
    if now > period.due_at(due_time, now.tzinfo):
        return DueState.OVERDUE
    return DueState.DUE


def run_due_state(run: Run, now: datetime) -> DueState:
    return due_state(run.period, now, run.complete, run.due_time)


def is_overdue(run: Run, now: datetime) -> bool:
    """Unfinished after its due point, while its period lasts or after."""
    return not run.complete and now > run.period.due_at(run.due_time, now.tzinfo)


@dataclass(frozen=True, slots=True)
class PeriodOutcome:
    period: Period
    run: Run | None
    timeliness: Timeliness


@dataclass(frozen=True, slots=True)
class OnTimeRate:
    on_time: int
    late: int
    missed: int

    @property
    def counted(self) -> int:
        return self.on_time + self.late + self.missed

    @property
    def rate(self) -> float | None:
        """Share of counted periods done on time; None before any period counts."""
        return self.on_time / self.counted if self.counted else None


def timeliness(period: Period, run: Run | None, today: date) -> Timeliness:
    if run is not None and run.complete and run.completed_at is not None:
        on_time = run.completed_at.date() <= period.end
        return Timeliness.ON_TIME if on_time else Timeliness.LATE
    return Timeliness.MISSED if period.end < today else Timeliness.OPEN


def period_outcomes(recurrence: Recurrence, runs: Iterable[Run], since: date,
                    today: date) -> list[PeriodOutcome]:
    """Every period from the one holding ``since`` to the one holding ``today``, oldest
    first, each with its run (matched by period key) and how it went. A one-off
    checklist has no calendar: its outcomes are its runs, oldest first."""
    if recurrence.kind is RecurrenceKind.ONCE:
        return [PeriodOutcome(run.period, run, timeliness(run.period, run, today))
                for run in sorted(runs, key=lambda run: run.period.start)]
    by_key: dict[str, Run] = {}
    for run in runs:
        kept = by_key.get(run.period.key)
        if kept is None or (run.complete and not kept.complete):
            by_key[run.period.key] = run
    return [PeriodOutcome(period, by_key.get(period.key),
                          timeliness(period, by_key.get(period.key), today))
            for period in recurrence.iter_periods(since, today)]


def on_time_rate(recurrence: Recurrence, runs: Iterable[Run], since: date,
                 today: date) -> OnTimeRate:
    """How reliably the checklist was kept since ``since`` (say, when it was adopted)."""
    return count_outcomes(period_outcomes(recurrence, runs, since, today))


def count_outcomes(outcomes: Iterable[PeriodOutcome]) -> OnTimeRate:
    """The on-time rate of a chosen set of periods (say, those ending in one month)."""
    counts = dict.fromkeys(Timeliness, 0)
    for outcome in outcomes:
        counts[outcome.timeliness] += 1
    return OnTimeRate(counts[Timeliness.ON_TIME], counts[Timeliness.LATE],
                      counts[Timeliness.MISSED])


def done_words(failures: int) -> str:
    """"done", or "done with 1 failure": a run with failed steps never reads clean."""
    if not failures:
        return _("done")
    return ngettext("done with {count} failure", "done with {count} failures",
                    failures).format(count=failures)
