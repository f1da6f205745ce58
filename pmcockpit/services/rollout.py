"""The rollout tracker's operations, for the screen and the CLI.

Each change of a rollout's state is written with a row in its own history
(``rollout_event``: who, when, what, details) in the same transaction. Not the
audit log: that chain records actions taken in the connected tools, with a
connection, verification and undo; a rollout is the administrator's own plan.
The functions touch the database: call them from a thread worker.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from pmcockpit.core.clock import utcnow
from pmcockpit.core.i18n import _
from pmcockpit.core.rollout import (
    BREAK_IN_MONTHS,
    Decision,
    Level,
    RolloutKind,
    WaveStatus,
    can_enter,
    can_leave,
)
from pmcockpit.services.rollout_plans import DEFAULT_PLAN, load_plans
from pmcockpit.services.workspace import Workspace
from pmcockpit.storage import connections as connection_store
from pmcockpit.storage.models import ChecklistRun
from pmcockpit.storage.models.rollout import (
    ChangeRequest,
    GateTickRow,
    Milestone,
    Risk,
    Rollout,
    RolloutConnection,
    RolloutEvent,
    RolloutPhase,
    Team,
    TrainingSession,
    Wave,
)
from pmcockpit.storage.queries.rollout import (
    RolloutDetail,
    UnknownRollout,
    find,
    reported_version,
    rollout_detail,
)

__all__ = ["RolloutDetail", "RolloutRefused", "UnknownRollout"]


class RolloutRefused(ValueError):
    """The change is not allowed; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class Advanced:
    left: str
    entered: str | None
    """None when the last phase was left: the rollout is done."""


def log_event(session: Session, rollout: Rollout, by: str, what: str, **detail: Any) -> None:
    session.add(RolloutEvent(rollout_id=rollout.id, at=utcnow(), by=by, what=what,
                             detail=detail))


def create_rollout(workspace: Workspace, name: str, kind: RolloutKind, start: date, *,
                   plan_key: str | None = None, connection: str | None = None,
                   connections: Sequence[str] = (),
                   current_version: str | None = None, target_version: str | None = None,
                   owner: str | None = None, break_in_months: int = BREAK_IN_MONTHS) -> int:
    """A new rollout in its first phase, planned from ``start`` by its plan's weeks.

    It targets ``connection`` and ``connections`` (none: every tool); an upgrade's
    current version defaults to what its first tool last reported."""
    chosen = list(dict.fromkeys([*([connection] if connection else []), *connections]))
    connection = chosen[0] if chosen else None
    if not name.strip():
        raise RolloutRefused(_("a rollout needs a name"))
    if not 0 < break_in_months <= 36:
        raise RolloutRefused(_("the break-in period is 1 to 36 months, not {months}").format(
            months=break_in_months))
    plan = load_plans(workspace.settings).get(plan_key or DEFAULT_PLAN[kind])
    with workspace.db.session() as session:
        for target in chosen:
            connection_store.get(session, target)  # raises UnknownConnection
        if connection is not None:
            current_version = current_version or reported_version(session, connection)
        if session.query(Rollout).filter(Rollout.name == name).first() is not None:
            raise RolloutRefused(_("a rollout called {name} exists already").format(name=name))
        operator = owner or workspace.settings.operator
        rollout = Rollout(name=name.strip(), kind=kind.value, plan_key=plan.key,
                          plan_name=plan.name, owner=operator, connection=connection,
                          current_version=current_version, target_version=target_version,
                          break_in_months=break_in_months)
        session.add(rollout)
        session.flush()
        session.add_all(RolloutConnection(rollout_id=rollout.id, name=n) for n in chosen)
        begin = start
        for position, phase in enumerate(plan.phases):
            end = begin + timedelta(weeks=phase.weeks) - timedelta(days=1)
            session.add(RolloutPhase(
                rollout_id=rollout.id, position=position, phase_id=phase.id, title=phase.title,
                guidance=phase.guidance, needs_rollback_plan=phase.needs_rollback_plan,
                gates=[{"id": g.id, "title": g.title, "guidance": g.guidance, "check": g.check,
                        "params": dict(g.params), "checklist": g.checklist}
                       for g in phase.gates],
                planned_start=begin, planned_end=end,
                actual_start=start if position == 0 else None, actual_end=None))
            begin = end + timedelta(days=1)
        log_event(session, rollout, workspace.settings.operator, "created", kind=kind.value,
               plan=plan.key, connection=", ".join(chosen) or None,
               target_version=target_version)
        return rollout.id


def detail(workspace: Workspace, ref: str, today: date) -> RolloutDetail:
    with workspace.db.session() as session:
        return rollout_detail(session, ref, today)


def advance(workspace: Workspace, ref: str, today: date) -> Advanced:
    """Leave the current phase when its gate is met and the next one may start."""
    with workspace.db.session() as session:
        view = rollout_detail(session, ref, today)
        current = view.current
        if current is None:
            raise RolloutRefused(_("{name} has finished its last phase").format(name=view.name))
        verdict = can_leave(view.gate)
        following = view.next_phase
        if verdict.ok and following is not None:
            verdict = can_enter(following.needs_rollback_plan, view.rollback_plan)
        if not verdict.ok:
            raise RolloutRefused(_("{phase} cannot be left yet: {reasons}").format(
                phase=current.title, reasons="; ".join(verdict.reasons)))
        rollout = find(session, ref)
        session.get_one(RolloutPhase, current.id).actual_end = today
        if following is not None:
            session.get_one(RolloutPhase, following.id).actual_start = today
        rollout.phase_index += 1
        log_event(session, rollout, workspace.settings.operator, "advanced", left=current.phase_id,
               entered=following.phase_id if following else None)
        return Advanced(current.title, following.title if following else None)


def tick_gate(workspace: Workspace, ref: str, item_id: str, evidence: str, *,
              checklist_run_id: int | None = None) -> None:
    """Tick a manual item of the current phase's gate, with its evidence."""
    if not evidence.strip() and checklist_run_id is None:
        raise RolloutRefused(_("a gate item is ticked with evidence: a note or a checklist run"))
    with workspace.db.session() as session:
        view = rollout_detail(session, ref, utcnow().date())
        current = view.current
        if current is None:
            raise RolloutRefused(_("{name} has no open phase").format(name=view.name))
        spec = next((g for g in current.gates if g.id == item_id), None)
        if spec is None:
            raise RolloutRefused(_("the gate of {phase} has no item {item}; it has: {known}")
                                 .format(phase=current.title, item=item_id,
                                         known=", ".join(g.id for g in current.gates)))
        if spec.automatic:
            raise RolloutRefused(_("{item} is measured automatically; it cannot be ticked")
                                 .format(item=spec.title))
        if checklist_run_id is not None and session.get(ChecklistRun, checklist_run_id) is None:
            raise RolloutRefused(_("there is no checklist run {id}; `pmcockpit checklist "
                                   "history` lists them").format(id=checklist_run_id))
        tick = session.query(GateTickRow).filter_by(phase_id=current.id, item_id=item_id).first()
        if tick is None:
            tick = GateTickRow(phase_id=current.id, item_id=item_id, evidence="", by="")
            session.add(tick)
        tick.evidence = evidence.strip() or _("checklist run {id}").format(id=checklist_run_id)
        tick.checklist_run_id = checklist_run_id
        tick.by, tick.at = workspace.settings.operator, utcnow()
        log_event(session, find(session, ref), workspace.settings.operator, "gate-ticked",
               phase=current.phase_id, item=item_id, evidence=tick.evidence,
               checklist_run_id=checklist_run_id)


def set_rollback_plan(workspace: Workspace, ref: str, text: str) -> None:
    with workspace.db.session() as session:
        rollout = find(session, ref)
        rollout.rollback_plan = text.strip()
        log_event(session, rollout, workspace.settings.operator, "rollback-plan",
               characters=len(rollout.rollback_plan))


def set_version(workspace: Workspace, ref: str, version: str) -> None:
    """The version the administrator read off a tool that does not report it (Redmine)."""
    with workspace.db.session() as session:
        rollout = find(session, ref)
        rollout.manual_version = version.strip() or None
        log_event(session, rollout, workspace.settings.operator, "version-entered",
               version=rollout.manual_version)


def add_milestone(workspace: Workspace, ref: str, title: str, due: date) -> int:
    if not title.strip():
        raise RolloutRefused(_("a milestone needs a title"))
    with workspace.db.session() as session:
        rollout = find(session, ref)
        row = Milestone(rollout_id=rollout.id, title=title.strip(), due=due)
        session.add(row)
        session.flush()
        log_event(session, rollout, workspace.settings.operator, "milestone-added", title=title,
               due=due.isoformat())
        return row.id


def complete_milestone(workspace: Workspace, ref: str, milestone_id: int, on: date) -> None:
    with workspace.db.session() as session:
        rollout = find(session, ref)
        row = session.get(Milestone, milestone_id)
        if row is None or row.rollout_id != rollout.id:
            raise RolloutRefused(_("{name} has no milestone {id}").format(name=rollout.name,
                                                                         id=milestone_id))
        row.done_on = on
        log_event(session, rollout, workspace.settings.operator, "milestone-done", title=row.title)


def add_wave(workspace: Workspace, ref: str, name: str, *, go_live: date | None = None,
             teams: tuple[tuple[str, str | None, int | None], ...] = ()) -> int:
    """A wave and its teams: (team name, synced group or None, people expected or None)."""
    if not name.strip():
        raise RolloutRefused(_("a wave needs a name"))
    with workspace.db.session() as session:
        rollout = find(session, ref)
        if session.query(Wave).filter_by(rollout_id=rollout.id, name=name).first():
            raise RolloutRefused(_("{name} has a wave {wave} already").format(
                name=rollout.name, wave=name))
        position = session.query(Wave).filter_by(rollout_id=rollout.id).count()
        wave = Wave(rollout_id=rollout.id, position=position, name=name, go_live=go_live,
                    status=WaveStatus.NOT_STARTED.value)
        session.add(wave)
        session.flush()
        for team, group, expected in teams:
            session.add(Team(rollout_id=rollout.id, wave_id=wave.id, name=team,
                             group_name=group, expected=expected))
        log_event(session, rollout, workspace.settings.operator, "wave-added", wave=name,
               teams=[team for team, _group, _expected in teams])
        return wave.id


def set_wave_status(workspace: Workspace, ref: str, wave_name: str, status: WaveStatus, *,
                    go_live: date | None = None) -> None:
    """Mark a wave; going live without a date takes today's."""
    with workspace.db.session() as session:
        rollout = find(session, ref)
        wave = session.query(Wave).filter_by(rollout_id=rollout.id, name=wave_name).first()
        if wave is None:
            raise RolloutRefused(_("{name} has no wave {wave}").format(name=rollout.name,
                                                                      wave=wave_name))
        before = wave.status
        wave.status = status.value
        if go_live is not None or (status is WaveStatus.LIVE and wave.go_live is None):
            wave.go_live = go_live or utcnow().date()
        log_event(session, rollout, workspace.settings.operator, "wave-status", wave=wave_name,
               before=before, after=status.value)


def raise_change(workspace: Workspace, ref: str, title: str, impact: Level,
                 priority: Level) -> int:
    if not title.strip():
        raise RolloutRefused(_("a change request needs a title"))
    with workspace.db.session() as session:
        rollout = find(session, ref)
        row = ChangeRequest(rollout_id=rollout.id, title=title.strip(), impact=impact.value,
                            priority=priority.value, raised_by=workspace.settings.operator,
                            raised_at=utcnow())
        session.add(row)
        session.flush()
        log_event(session, rollout, workspace.settings.operator, "change-raised", change=row.id,
               title=row.title, impact=impact.value, priority=priority.value)
        return row.id


def decide_change(workspace: Workspace, ref: str, change_id: int, decision: Decision,
                  reason: str) -> None:
    """Accept, defer or reject a change request; who decided and why are kept."""
    if decision is Decision.PENDING:
        raise RolloutRefused(_("decide accepted, deferred or rejected"))
    if not reason.strip():
        raise RolloutRefused(_("say why: a decision without a reason derails the next review"))
    with workspace.db.session() as session:
        rollout = find(session, ref)
        row = session.get(ChangeRequest, change_id)
        if row is None or row.rollout_id != rollout.id:
            raise RolloutRefused(_("{name} has no change request {id}").format(
                name=rollout.name, id=change_id))
        row.decision, row.reason = decision.value, reason.strip()
        row.decided_by, row.decided_at = workspace.settings.operator, utcnow()
        log_event(session, rollout, workspace.settings.operator, "change-decided", change=row.id,
               decision=decision.value, reason=row.reason)


def add_team(workspace: Workspace, ref: str, wave_name: str, team: str,
             group: str | None = None, expected: int | None = None) -> None:
    """A team joins a wave: measured from the synced group ``group`` (None: by hand)."""
    if not team.strip():
        raise RolloutRefused(_("a team needs a name"))
    if expected is not None and expected < 0:
        raise RolloutRefused(_("people expected cannot be negative"))
    with workspace.db.session() as session:
        rollout = find(session, ref)
        wave = session.query(Wave).filter_by(rollout_id=rollout.id, name=wave_name).first()
        if wave is None:
            raise RolloutRefused(_("{name} has no wave {wave}").format(name=rollout.name,
                                                                      wave=wave_name))
        if session.query(Team).filter_by(rollout_id=rollout.id, name=team.strip()).first():
            raise RolloutRefused(_("{name} has a team {team} already").format(
                name=rollout.name, team=team.strip()))
        session.add(Team(rollout_id=rollout.id, wave_id=wave.id, name=team.strip(),
                         group_name=(group or "").strip() or None, expected=expected))
        log_event(session, rollout, workspace.settings.operator, "team-added",
                  wave=wave_name, team=team.strip(), group=group)


def add_risk(workspace: Workspace, ref: str, title: str, impact: Level,
             mitigation: str = "") -> None:
    if not title.strip():
        raise RolloutRefused(_("a risk needs a title: what could go wrong"))
    with workspace.db.session() as session:
        rollout = find(session, ref)
        session.add(Risk(rollout_id=rollout.id, title=title, impact=impact.value,
                         mitigation=mitigation))
        log_event(session, rollout, workspace.settings.operator, "risk-added", title=title)


def add_training(workspace: Workspace, ref: str, team: str, held_on: date, invited: int,
                 attended: int) -> None:
    if not team.strip():
        raise RolloutRefused(_("say which team was trained"))
    if invited < 0 or attended < 0:
        raise RolloutRefused(_("people invited and attending cannot be negative"))
    if attended > invited:
        raise RolloutRefused(_("more attended ({attended}) than were invited ({invited})")
                             .format(attended=attended, invited=invited))
    with workspace.db.session() as session:
        rollout = find(session, ref)
        session.add(TrainingSession(rollout_id=rollout.id, team=team, held_on=held_on,
                                    invited=invited, attended=attended))
        log_event(session, rollout, workspace.settings.operator, "training", team=team,
               held_on=held_on.isoformat(), attended=attended, invited=invited)
