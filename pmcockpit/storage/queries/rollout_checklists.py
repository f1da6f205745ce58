"""The checklist runs linked to a rollout: an upgrade's pre- and post-upgrade checklists.

A linked run is an ordinary checklist run whose period key names the rollout
(:func:`period_key`), so one rollout has at most one run of each checklist.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from pmcockpit.core.checklist import StepState
from pmcockpit.core.rollout.gates import ChecklistOutcome
from pmcockpit.storage import checklist_runs
from pmcockpit.storage.checklist_runs import StoredRun
from pmcockpit.storage.models import ChecklistRun
from pmcockpit.storage.models.rollout import Rollout


def period_key(rollout_id: int) -> str:
    return f"rollout-{rollout_id}"


def checklist_outcomes(session: Session, rollout_id: int) -> dict[str, ChecklistOutcome]:
    """Each linked run's progress, by checklist template key."""
    found = {}
    for run_id in session.scalars(select(ChecklistRun.id).where(
            ChecklistRun.period_key == period_key(rollout_id)).order_by(ChecklistRun.id)):
        stored = checklist_runs.load_run(session, run_id)
        run = stored.run
        found[run.template_key] = ChecklistOutcome(
            stored.id, run.progress.done, run.progress.total,
            sum(1 for step in run.steps if step.state is StepState.FAILED), run.complete)
    return found


def open_linked_runs(session: Session, template_keys: Iterable[str]) -> list[StoredRun]:
    """The rollouts' unfinished runs of the linked (upgrade) checklists, oldest first:
    what the Checklist screen lists beside the scheduled checklists."""
    keys = list(template_keys)
    if not keys:
        return []
    ids = session.scalars(select(ChecklistRun.id).where(
        ChecklistRun.template_key.in_(keys), ChecklistRun.period_key.like("rollout-%"),
        ChecklistRun.completed_at.is_(None)).order_by(ChecklistRun.id))
    return [checklist_runs.load_run(session, run_id) for run_id in list(ids)]


def latest_linked_run(session: Session, template_key: str) -> StoredRun | None:
    """The newest rollout run of a linked checklist, unfinished ones first."""
    runs = open_linked_runs(session, [template_key])
    if runs:
        return runs[-1]
    run_id = session.scalars(select(ChecklistRun.id).where(
        ChecklistRun.template_key == template_key, ChecklistRun.period_key.like("rollout-%"))
        .order_by(ChecklistRun.id.desc()).limit(1)).first()
    return None if run_id is None else checklist_runs.load_run(session, run_id)


def linked_rollout_name(session: Session, key: str) -> str | None:
    """The name of the rollout a linked run's period ``key`` names (None for other runs)."""
    number = key.removeprefix("rollout-")
    if number == key or not number.isdigit():
        return None
    return session.scalar(select(Rollout.name).where(Rollout.id == int(number)))
