"""Checklist runs in the database, mapped to and from :class:`pmcockpit.core.checklist.Run`.

The rules (what may be marked, when a run is complete) stay in core; this
module only loads and saves. Times: the database keeps naive UTC like every
other table, while runs deal in the administrator's local wall-clock time
(a daily run's day is the local day), so values are converted on the way in
and out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pmcockpit.core.checklist import (
    CheckResult,
    CheckStatus,
    ParamValue,
    Period,
    RecurrenceKind,
    Run,
    RunStep,
    StepState,
)
from pmcockpit.core.clock import to_local, to_utc
from pmcockpit.storage.models import ChecklistRun, ChecklistStep


class UnknownRun(LookupError):
    def __init__(self, run_id: int) -> None:
        super().__init__(f"no checklist run with id {run_id}")
        self.run_id = run_id


def _local(moment: datetime | None) -> datetime | None:
    return None if moment is None else to_local(moment)


def _utc(moment: datetime | None) -> datetime | None:
    return None if moment is None else to_utc(moment)


@dataclass(frozen=True, slots=True)
class StepEvidence:
    """What the core step does not carry: who recorded it, and how the check was measured."""

    operator: str | None = None
    measured_at: datetime | None = None
    """Local time of the check's last measurement; None for manual steps."""
    params: Mapping[str, ParamValue] | None = None


@dataclass(frozen=True, slots=True)
class StoredRun:
    id: int
    run: Run
    template_name: str
    recurrence: RecurrenceKind
    operator: str
    """Who opened the run."""
    evidence: Mapping[str, StepEvidence] = field(default_factory=dict)

    def evidence_of(self, step_id: str) -> StepEvidence:
        return self.evidence.get(step_id, StepEvidence())


def _to_core(row: ChecklistRun) -> StoredRun:
    steps = tuple(
        RunStep(
            step_id=step.step_id, title=step.title, check=step.check_name,
            state=StepState(step.state), note=step.note,
            result=None if step.result_status is None else CheckResult(
                CheckStatus(step.result_status), step.result_value or "",
                step.result_message or ""),
            updated_at=_local(step.updated_at),
        )
        for step in row.steps
    )
    run = Run(
        template_key=row.template_key,
        period=Period(row.period_start, row.period_end, row.period_due, row.period_key),
        steps=steps, started_at=to_local(row.started_at), due_time=row.due_time,
        completed_at=_local(row.completed_at),
    )
    evidence = {step.step_id: StepEvidence(step.operator, _local(step.measured_at),
                                           step.check_params) for step in row.steps}
    return StoredRun(row.id, run, row.template_name, RecurrenceKind(row.recurrence),
                     row.operator, evidence)


def find_run(session: Session, template_key: str, period_key: str) -> StoredRun | None:
    row = session.scalars(select(ChecklistRun).where(
        ChecklistRun.template_key == template_key, ChecklistRun.period_key == period_key,
    )).first()
    return None if row is None else _to_core(row)


def load_run(session: Session, run_id: int, *, for_update: bool = False) -> StoredRun:
    """The run ``run_id``; ``for_update`` takes the write lock first, so a change made
    from what was read cannot overwrite another session's change in between."""
    if for_update:
        session.execute(update(ChecklistRun).where(ChecklistRun.id == run_id)
                        .values(id=ChecklistRun.id))
    row = session.get(ChecklistRun, run_id)
    if row is None:
        raise UnknownRun(run_id)
    return _to_core(row)


def create_run(session: Session, run: Run, *, template_name: str,
               recurrence: RecurrenceKind, operator: str) -> StoredRun:
    """Store a new run; when another session stored this period's run first, that one."""
    row = ChecklistRun(
        template_key=run.template_key, template_name=template_name,
        recurrence=recurrence.value, period_key=run.period.key,
        period_start=run.period.start, period_end=run.period.end, period_due=run.period.due,
        due_time=run.due_time, started_at=to_utc(run.started_at),
        completed_at=_utc(run.completed_at), operator=operator,
        steps=[_step_row(position, step, operator) for position, step in enumerate(run.steps)],
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        existing = find_run(session, run.template_key, run.period.key)
        if existing is None:
            raise
        return existing
    return _to_core(row)


def _step_row(position: int, step: RunStep, operator: str) -> ChecklistStep:
    row = ChecklistStep(position=position, step_id=step.step_id, title=step.title,
                        check_name=step.check)
    _write_step(row, step, operator if step.updated_at else None)
    return row


def _write_step(row: ChecklistStep, step: RunStep, operator: str | None) -> None:
    row.state = step.state.value
    row.note = step.note
    row.result_status = step.result.status.value if step.result else None
    row.result_value = step.result.value if step.result else None
    row.result_message = step.result.message if step.result else None
    row.updated_at = _utc(step.updated_at)
    row.operator = operator


def save_step(session: Session, run_id: int, run: Run, step_id: str, *, operator: str,
              measured_with: Mapping[str, ParamValue] | None = None) -> StoredRun:
    """Write one step of ``run`` (after a core change) and the run's completion.

    ``measured_with`` is given when the change is a check's result: its params are
    kept as evidence and the step's time becomes its measurement time.
    """
    row = session.get(ChecklistRun, run_id)
    if row is None:
        raise UnknownRun(run_id)
    step = run.step(step_id)
    step_row = next(s for s in row.steps if s.step_id == step_id)
    _write_step(step_row, step, operator)
    if measured_with is not None:
        step_row.measured_at = _utc(step.updated_at)
        step_row.check_params = dict(measured_with)
    row.completed_at = _utc(run.completed_at)
    session.flush()
    return _to_core(row)


def runs_of(session: Session, template_key: str, since: date | None = None
            ) -> list[StoredRun]:
    """The template's runs, newest period first; ``since`` keeps periods ending on or after."""
    query = select(ChecklistRun).where(ChecklistRun.template_key == template_key)
    if since is not None:
        query = query.where(ChecklistRun.period_end >= since)
    query = query.order_by(ChecklistRun.period_start.desc())
    return [_to_core(row) for row in session.scalars(query)]


def first_period_start(session: Session, template_key: str) -> date | None:
    """When the template's first run began: the checklist counts from then on."""
    return session.scalars(
        select(ChecklistRun.period_start).where(ChecklistRun.template_key == template_key)
        .order_by(ChecklistRun.period_start).limit(1)
    ).first()
