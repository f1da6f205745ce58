"""The checklist runs linked to a rollout: an upgrade's pre- and post-upgrade checklists.

A linked run is an ordinary checklist run whose period key names the rollout
(:func:`period_key`), so one rollout has at most one run of each checklist.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from pmcockpit.core.checklist import StepState
from pmcockpit.core.rollout.gates import ChecklistOutcome
from pmcockpit.storage import checklist_runs
from pmcockpit.storage.models import ChecklistRun


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
