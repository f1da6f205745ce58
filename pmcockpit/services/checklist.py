"""The checklist's operations, for the screen and the CLI: runs, steps, checks, history.

Every rule (what may be marked, completion, due and overdue, the on-time rate)
lives in :mod:`pmcockpit.core.checklist`; this module loads templates, keeps runs
in the database and measures the automated checks. Times given and returned are
local wall-clock times (naive): a daily run's day is the administrator's day.
The sync functions touch the database and template files: call them from a
thread worker. :func:`run_automated` is async and keeps blocking work off the loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import partial

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pmcockpit.core.checklist import (
    ChecklistTemplate,
    CheckResult,
    CheckStatus,
    DueState,
    OnTimeRate,
    ParamValue,
    Period,
    PeriodOutcome,
    Progress,
    Run,
    RunStep,
    StepState,
    TemplateStep,
    count_outcomes,
    due_state,
    period_outcomes,
    run_due_state,
)
from pmcockpit.core.checklist import runs as rules
from pmcockpit.core.clock import to_local, to_utc
from pmcockpit.core.i18n import _
from pmcockpit.services.alert_triggers import after_run
from pmcockpit.services.alerts import Delivery
from pmcockpit.services.checks import CheckMeasurer
from pmcockpit.services.templates import TemplateSet, load_templates
from pmcockpit.services.workspace import Workspace
from pmcockpit.storage import checklist_runs
from pmcockpit.storage.checklist_runs import StepEvidence, StoredRun
from pmcockpit.storage.models import ChecklistRun, Connection
from pmcockpit.storage.queries import rollout_checklists as linked_runs
from pmcockpit.storage.queries.home import ChecklistRunDue

_ORDER = {DueState.OVERDUE: 0, DueState.DUE: 1, DueState.UPCOMING: 2, DueState.DONE: 3,
          DueState.MISSED: 4}
_BY_HAND = frozenset({StepState.DONE, StepState.SKIPPED})
"""Automated steps settled by hand; running the checks leaves them alone."""


def local_now() -> datetime:
    return datetime.now().replace(microsecond=0)


@dataclass(frozen=True, slots=True)
class RunDetail:
    """One stored run with the template it came from (None once that is gone or broken)."""

    stored: StoredRun
    template: ChecklistTemplate | None

    @property
    def id(self) -> int:
        return self.stored.id

    @property
    def run(self) -> Run:
        return self.stored.run

    @property
    def name(self) -> str:
        return self.template.name if self.template else self.stored.template_name

    def guidance(self, step_id: str) -> str:
        template_step = _template_step(self.template, self.run.step(step_id))
        return template_step.guidance if template_step else ""

    def evidence(self, step_id: str) -> StepEvidence:
        return self.stored.evidence_of(step_id)

    def due_state(self, now: datetime) -> DueState:
        return run_due_state(self.run, now)


@dataclass(frozen=True, slots=True)
class DueItem:
    """A template's current period: its run (if opened yet), due state and progress."""

    template: ChecklistTemplate
    period: Period
    state: DueState
    progress: Progress
    due_at: datetime
    run_id: int | None  # None until the run is first opened
    needs_attention: bool
    """Overdue, or due today: what the home view counts and the screen lists first."""
    failures: int = 0  # failed steps of its run: a run done with failures is not clean
    done_today: bool = False
    """Its run was completed today (a run done with failures stays on the home view)."""
    for_what: str | None = None  # what a one-off run is for: its rollout's name

    @property
    def overdue(self) -> bool:
        return self.state is DueState.OVERDUE


def due_overview(workspace: Workspace, now: datetime | None = None,
                 templates: TemplateSet | None = None) -> list[DueItem]:
    """Every template's current period: overdue first, then due (soonest first), then done.

    Runs are not created here (only when opened), so an unopened one shows 0 of N."""
    now = now or local_now()
    templates = templates or load_templates(workspace.settings)
    items = []
    with workspace.db.session() as session:
        installed = installed_on(session) or now.date()
        for template in templates.templates.values():
            period = template.recurrence.period_for(now.date())
            stored = checklist_runs.find_run(session, template.key, period.key)
            failures, done_today = 0, False
            if stored is None:
                due_time = template.due_time
                if period.start <= installed and \
                        checklist_runs.first_period_start(session, template.key) is None:
                    # Never run, and installed during this period: due by its end, not
                    # overdue from before the installation existed.
                    period, due_time = replace(period, due=max(period.due, period.end)), None
                progress = Progress(0, len(template.steps))
                state = due_state(period, now, False, due_time)
                due_at = period.due_at(due_time)
            else:
                run = stored.run
                progress, state = run.progress, run_due_state(run, now)
                period, due_at = run.period, run.period.due_at(run.due_time)
                failures = run.failures
                done_today = run.completed_at is not None and \
                    run.completed_at.date() == now.date()
            items.append(DueItem(template, period, state, progress, due_at,
                                 stored.id if stored else None, _attention(state, period, now),
                                 failures, done_today))
        linked = linked_runs.open_linked_runs(session, templates.linked)
        for stored in {s.run.template_key: s for s in linked}.values():  # opened on demand
            run, state, rollout = stored.run, run_due_state(stored.run, now), \
                linked_runs.linked_rollout_name(session, stored.run.period.key)
            items.append(DueItem(templates.linked[run.template_key], run.period, state,
                                 run.progress, run.period.due_at(run.due_time), stored.id,
                                 _attention(state, run.period, now), run.failures, False, rollout))
    return sorted(items, key=lambda item: (_ORDER[item.state], item.due_at))


def _attention(state: DueState, period: Period, now: datetime) -> bool:
    return state is DueState.OVERDUE or (state is DueState.DUE and period.due <= now.date())


def checklists_due(workspace: Workspace, now: datetime | None = None) -> list[ChecklistRunDue]:
    """For the home view: runs overdue or due today. ``due_at`` is naive UTC, like the
    database and :class:`~pmcockpit.storage.queries.home.HomeSummary`'s ``now``."""
    return [ChecklistRunDue(item.template.name, to_utc(item.due_at), item.overdue,
                            item.failures if item.state is DueState.DONE else 0)
            for item in due_overview(workspace, now)
            if item.needs_attention or (item.done_today and item.failures)]


def installed_on(session: Session) -> date | None:
    """The installation's first day, as far as the database tells: its first connection
    or its first checklist run (None on a fresh database: today, then)."""
    first = [session.scalar(select(func.min(Connection.created_at))),
             session.scalar(select(func.min(ChecklistRun.period_start)))]
    days = [to_local(day).date() if isinstance(day, datetime) else day
            for day in first if day is not None]
    return min(days) if days else None


def open_current_run(workspace: Workspace, template_key: str,
                     now: datetime | None = None) -> RunDetail:
    """The template's run for the period holding ``now``, created when first opened.

    Raises :class:`~pmcockpit.services.templates.UnknownTemplate` or
    :class:`~pmcockpit.services.templates.BrokenTemplate`.
    """
    now = now or local_now()
    templates = load_templates(workspace.settings)
    template = templates.get(template_key)
    period = template.recurrence.period_for(now.date())
    with workspace.db.session() as session:
        if template_key in templates.linked:  # one run per rollout, opened from the rollout
            linked = linked_runs.latest_linked_run(session, template_key)
            if linked is None:
                raise ValueError(_("{name} is opened for an upgrade from the Rollout screen "
                                   "(l)").format(name=template.name))
            return RunDetail(linked, template)
        stored = checklist_runs.find_run(session, template.key, period.key)
        if stored is None:
            stored = checklist_runs.create_run(
                session, rules.start_run(template, period, now), template_name=template.name,
                recurrence=template.recurrence.kind, operator=workspace.settings.operator)
    return RunDetail(stored, template)


def load_run(workspace: Workspace, run_id: int) -> RunDetail:
    """Raises :class:`~pmcockpit.storage.checklist_runs.UnknownRun`."""
    with workspace.db.session() as session:
        stored = checklist_runs.load_run(session, run_id)
    return _detail(workspace, stored)


def toggle_step(workspace: Workspace, run_id: int, step_id: str,
                now: datetime | None = None) -> RunDetail:
    """Space on a step: done <-> pending. Automated steps are settled by their check or
    by :func:`mark_step` with a note; raises ValueError for them."""
    return _change(workspace, run_id, step_id, partial(_toggled, step_id=step_id,
                                                       now=now or local_now()))


def _toggled(run: Run, *, step_id: str, now: datetime) -> Run:
    step = run.step(step_id)
    if step.state is StepState.DONE:
        return rules.mark_step(run, step_id, StepState.PENDING, now)
    if step.automated:
        raise ValueError(_("{title!r} is checked automatically: run the checks, or mark it "
                           "done with a note saying how it was checked instead").format(
                               title=step.title))
    return rules.mark_step(run, step_id, StepState.DONE, now, note=step.note)


def mark_step(workspace: Workspace, run_id: int, step_id: str, state: StepState,
              note: str = "", now: datetime | None = None) -> RunDetail:
    """Mark a step done, failed, skipped or pending; failing or skipping needs a note.
    Raises ValueError with the reason when the rules forbid it."""
    return _change(workspace, run_id, step_id, partial(
        rules.mark_step, step_id=step_id, state=state, now=now or local_now(), note=note))


def add_note(workspace: Workspace, run_id: int, step_id: str, note: str,
             now: datetime | None = None) -> RunDetail:
    """Write a step's note (what was done about a failure settles a failed step)."""
    return _change(workspace, run_id, step_id, partial(
        rules.add_note, step_id=step_id, note=note, now=now or local_now()))


def _change(workspace: Workspace, run_id: int, step_id: str, change: Callable[[Run], Run],
            measured_with: Mapping[str, ParamValue] | None = None) -> RunDetail:
    with workspace.db.session() as session:
        stored = checklist_runs.load_run(session, run_id, for_update=True)
        stored = checklist_runs.save_step(session, run_id, change(stored.run), step_id,
                                          operator=workspace.settings.operator,
                                          measured_with=measured_with)
    return _detail(workspace, stored)


def _detail(workspace: Workspace, stored: StoredRun) -> RunDetail:
    templates = load_templates(workspace.settings)
    return RunDetail(stored, templates.find(stored.run.template_key))


def _template_step(template: ChecklistTemplate | None, step: RunStep) -> TemplateStep | None:
    """The template's step behind a run's step, while it still measures the same check."""
    if template is None:
        return None
    found = next((s for s in template.steps if s.id == step.step_id), None)
    return found if found is not None and found.check == step.check else None


# --- automated steps -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StepProgress:
    """Sent before each check (``result`` None) and after it (with its result)."""

    index: int
    """Checks finished so far."""
    total: int
    step_id: str
    title: str
    result: CheckResult | None = None


ProgressCallback = Callable[[StepProgress], None]


@dataclass(frozen=True, slots=True)
class StepOutcome:
    step_id: str
    title: str
    check: str
    result: CheckResult | None
    """None when the step was not measured (settled by hand: done or skipped)."""
    state: StepState


@dataclass(frozen=True, slots=True)
class AutomatedReport:
    detail: RunDetail
    outcomes: tuple[StepOutcome, ...]
    deliveries: tuple[Delivery, ...] = ()
    """The alerts sent about this run (a failed run alerts the notifiers)."""

    @property
    def failed(self) -> bool:
        """Any check failed or could not be measured (a warning is not a failure)."""
        return any(o.result is not None and o.result.status in (CheckStatus.FAIL,
                                                                 CheckStatus.ERROR)
                   for o in self.outcomes)


async def run_automated(workspace: Workspace, run_id: int,
                        progress: ProgressCallback | None = None,
                        now: datetime | None = None) -> AutomatedReport:
    """Measure every automated step of the run not settled by hand, one after another,
    storing each result at once as the step's evidence (value, message, time, operator)."""
    detail = await asyncio.to_thread(load_run, workspace, run_id)
    steps = [step for step in detail.run.steps if step.automated]
    to_measure = [step for step in steps if step.state not in _BY_HAND]
    measurer = CheckMeasurer(workspace, to_utc(now or local_now()))
    results: dict[str, CheckResult] = {}
    for index, step in enumerate(to_measure):
        assert step.check is not None
        if progress:
            progress(StepProgress(index, len(to_measure), step.step_id, step.title))
        template_step = _template_step(detail.template, step)
        if template_step is None:
            params: dict[str, ParamValue] = {}
            result = CheckResult.error("the template no longer has this check; mark the step "
                                       "by hand")
        else:
            params = dict(template_step.params)
            result = await measurer.measure(step.check, params)
        record = partial(rules.record_check, step_id=step.step_id, result=result,
                         now=now or local_now())
        detail = await asyncio.to_thread(_change, workspace, run_id, step.step_id, record,
                                         params)
        results[step.step_id] = result
        if progress:
            progress(StepProgress(index + 1, len(to_measure), step.step_id, step.title, result))
    outcomes = tuple(StepOutcome(step.step_id, step.title, step.check or "",
                                 results.get(step.step_id), detail.run.step(step.step_id).state)
                     for step in steps)
    report = AutomatedReport(detail, outcomes)
    return replace(report, deliveries=tuple(await after_run(workspace, report)))


# --- history -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    outcome: PeriodOutcome
    run_id: int | None
    failures: tuple[RunStep, ...]
    """Steps that failed, with the note saying what was done."""

    @property
    def period(self) -> Period:
        return self.outcome.period


@dataclass(frozen=True, slots=True)
class History:
    template: ChecklistTemplate
    since: date | None
    """From the first period with a run (or the date asked for); None before any run."""
    rate: OnTimeRate
    entries: tuple[HistoryEntry, ...]
    """Newest period first, including periods missed without any run."""


def history(workspace: Workspace, template_key: str, since: date | None = None,
            now: datetime | None = None) -> History:
    """Past runs of a template with the on-time rate since it was adopted (or ``since``)."""
    today = (now or local_now()).date()
    template = load_templates(workspace.settings).get(template_key)
    with workspace.db.session() as session:
        adopted = checklist_runs.first_period_start(session, template.key)
        start = adopted if adopted is None or since is None else max(since, adopted)
        stored = checklist_runs.runs_of(session, template.key, since=start)
    if start is None:
        return History(template, None, OnTimeRate(0, 0, 0), ())
    outcomes = period_outcomes(template.recurrence, [s.run for s in stored], start, today)
    ids = {s.run.period.key: s.id for s in stored}
    entries = tuple(
        HistoryEntry(outcome, ids.get(outcome.period.key), failed_steps(outcome.run))
        for outcome in reversed(outcomes))
    return History(template, start, count_outcomes(outcomes), entries)


def failed_steps(run: Run | None) -> tuple[RunStep, ...]:
    if run is None:
        return ()
    return tuple(step for step in run.steps if step.state is StepState.FAILED)
