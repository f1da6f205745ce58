"""Reads for the Rollout screen, the CLI's ``rollout`` commands and the home panel.

Each rollout is read whole (it has tens of rows, not thousands) and its derived
values are computed here with the core's rules: the current phase's gate, the
health, the drift of the tool's version, the adoption table from the newest
snapshots. Screen and CLI show the same view models.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from pmcockpit.core.rollout import (
    Decision,
    Drift,
    GateFacts,
    GateItemState,
    GateSpec,
    GateTick,
    HealthFacts,
    HealthVerdict,
    Level,
    RolloutKind,
    TeamFigures,
    WaveStatus,
    break_in_end,
    derive_health,
    evaluate,
    gitlab_upgrade_path,
    parse_version,
    version_drift,
)
from pmcockpit.core.rollout.adoption import Cohort, month_of, monthly_cohorts, total
from pmcockpit.core.rollout.kpis import TicketKpis
from pmcockpit.core.rollout.versions import UpgradeStep
from pmcockpit.storage.models import Account, Connection, Group, GroupMember, HealthCheck
from pmcockpit.storage.models.rollout import (
    AccountMonth,
    AdoptionSnapshot,
    ChangeRequest,
    GateTickRow,
    Milestone,
    Risk,
    Rollout,
    RolloutPhase,
    Team,
    TrainingSession,
    Wave,
)
from pmcockpit.storage.queries.rollout_checklists import checklist_outcomes
from pmcockpit.storage.queries.rollout_kpis import team_kpis
from pmcockpit.storage.queries.rollout_targets import targets

TREND_POINTS = 12
"""Snapshots shown in a team's sparkline."""


class UnknownRollout(LookupError):
    def __init__(self, ref: str) -> None:
        super().__init__(f"no rollout {ref!r}; `pmcockpit rollout list` shows them")


@dataclass(frozen=True, slots=True)
class PhaseView:
    id: int
    phase_id: str
    title: str
    guidance: str
    planned_start: date
    planned_end: date
    actual_start: date | None
    actual_end: date | None
    needs_rollback_plan: bool
    gates: tuple[GateSpec, ...]
    ticks: dict[str, GateTick]


@dataclass(frozen=True, slots=True)
class MilestoneView:
    id: int
    title: str
    due: date
    done_on: date | None


@dataclass(frozen=True, slots=True)
class TeamAdoption:
    team: str
    wave: str
    group: str | None
    figures: TeamFigures | None
    """The newest snapshot's figures; None before the first sync measured the team."""
    trend: tuple[float | None, ...]
    """Active-in-30-days share at each of the latest snapshots, oldest first."""
    measured_at: datetime | None


@dataclass(frozen=True, slots=True)
class WaveView:
    id: int
    name: str
    status: WaveStatus
    go_live: date | None
    break_in_end: date | None
    teams: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ChangeView:
    id: int
    title: str
    impact: Level
    priority: Level
    decision: Decision
    decided_by: str | None
    reason: str
    raised_by: str
    raised_at: datetime


@dataclass(frozen=True, slots=True)
class RiskView:
    id: int
    title: str
    impact: Level
    mitigation: str


@dataclass(frozen=True, slots=True)
class TrainingView:
    team: str
    held_on: date
    invited: int
    attended: int


@dataclass(frozen=True, slots=True)
class VersionView:
    connection: str
    tool_kind: str
    observed: str | None
    """What the tool reported at its newest health check, or what the admin entered."""
    reported_by_tool: bool
    planned_current: str | None
    target: str | None
    drift: Drift
    path: tuple[UpgradeStep, ...]
    """GitLab's upgrade path from the observed (or planned) version to the target."""


@dataclass(frozen=True, slots=True)
class RolloutDetail:
    id: int
    name: str
    kind: RolloutKind
    plan_name: str
    owner: str
    connection: str | None
    """The targeted connections' names, comma-separated; None: every tool."""
    rollback_plan: str
    break_in_months: int
    phases: tuple[PhaseView, ...]
    phase_index: int
    gate: tuple[GateItemState, ...]
    """The current phase's gate items, measured."""
    milestones: tuple[MilestoneView, ...]
    waves: tuple[WaveView, ...]
    adoption: tuple[TeamAdoption, ...]
    changes: tuple[ChangeView, ...]
    risks: tuple[RiskView, ...]
    training: tuple[TrainingView, ...]
    version: VersionView | None
    health: HealthVerdict
    kpis: tuple[TicketKpis, ...] = ()
    """Each synced team's ticket KPIs over the last 30 days up to the end of today."""

    @property
    def finished(self) -> bool:
        return self.phase_index >= len(self.phases)

    @property
    def current(self) -> PhaseView | None:
        return None if self.finished else self.phases[self.phase_index]

    @property
    def next_phase(self) -> PhaseView | None:
        index = self.phase_index + 1
        return self.phases[index] if index < len(self.phases) else None


def find(session: Session, ref: str) -> Rollout:
    """A rollout by name, or by id when ``ref`` is a number."""
    row = session.scalars(select(Rollout).where(Rollout.name == ref)).first()
    if row is None and ref.isdigit():
        row = session.get(Rollout, int(ref))
    if row is None:
        raise UnknownRollout(ref)
    return row


def rollout_names(session: Session) -> list[str]:
    return list(session.scalars(select(Rollout.name).order_by(Rollout.created_at, Rollout.id)))


def rollout_details(session: Session, today: date) -> list[RolloutDetail]:
    """Every rollout, oldest first."""
    return [rollout_detail(session, name, today) for name in rollout_names(session)]


def rollout_detail(session: Session, ref: str, today: date) -> RolloutDetail:
    rollout = find(session, ref)
    phases = _phases(session, rollout.id)
    waves, team_waves = _waves(session, rollout)
    adoption = _adoption(session, rollout.id, team_waves)
    changes = tuple(_change(row) for row in session.scalars(
        select(ChangeRequest).where(ChangeRequest.rollout_id == rollout.id)
        .order_by(ChangeRequest.raised_at, ChangeRequest.id)))
    version = version_view(session, rollout)
    current = phases[rollout.phase_index] if rollout.phase_index < len(phases) else None
    live = {w.name for w in waves if w.status in (WaveStatus.LIVE, WaveStatus.STRUGGLING)}
    live_figures = [a.figures for a in adoption if a.wave in live and a.figures is not None]
    facts = GateFacts(adoption=live_figures, waves=[w.status for w in waves],
                      rollback_plan=rollout.rollback_plan,
                      observed_version=version.observed if version else None,
                      target_version=rollout.target_version,
                      checklists=checklist_outcomes(session, rollout.id))
    gate = tuple(evaluate(current.gates, current.ticks, facts)) if current else ()
    milestones = tuple(MilestoneView(m.id, m.title, m.due, m.done_on) for m in session.scalars(
        select(Milestone).where(Milestone.rollout_id == rollout.id)
        .order_by(Milestone.due, Milestone.id)))
    share = total(live_figures, "").share(30) if live_figures else None
    health = derive_health(HealthFacts(
        today=today, finished=current is None,
        phase_end=current.planned_end if current else None,
        gate_open=sum(1 for item in gate if not item.met),
        overdue_milestones=sum(1 for m in milestones if m.done_on is None and m.due < today),
        waves=tuple(w.status for w in waves), live_share=share,
        pending_high_changes=sum(1 for c in changes if c.decision is Decision.PENDING
                                 and c.priority is Level.HIGH)))
    return RolloutDetail(
        rollout.id, rollout.name, RolloutKind(rollout.kind), rollout.plan_name, rollout.owner,
        ", ".join(targets(session, rollout.id)) or rollout.connection, rollout.rollback_plan,
        rollout.break_in_months, phases,
        rollout.phase_index, gate, milestones, waves, adoption, changes,
        tuple(RiskView(r.id, r.title, Level(r.impact), r.mitigation) for r in session.scalars(
            select(Risk).where(Risk.rollout_id == rollout.id, Risk.closed.is_(False))
            .order_by(Risk.id))),
        tuple(TrainingView(t.team, t.held_on, t.invited, t.attended) for t in session.scalars(
            select(TrainingSession).where(TrainingSession.rollout_id == rollout.id)
            .order_by(TrainingSession.held_on))),
        version, health,
        team_kpis(session, rollout.id, datetime.combine(today + timedelta(days=1), time())))


def _phases(session: Session, rollout_id: int) -> tuple[PhaseView, ...]:
    rows = session.scalars(select(RolloutPhase).where(RolloutPhase.rollout_id == rollout_id)
                           .order_by(RolloutPhase.position)).all()
    ticks: dict[int, dict[str, GateTick]] = {}
    for tick in session.scalars(select(GateTickRow).where(
            GateTickRow.phase_id.in_([row.id for row in rows]))):
        ticks.setdefault(tick.phase_id, {})[tick.item_id] = GateTick(
            tick.item_id, tick.evidence, tick.by, tick.at, tick.checklist_run_id)
    return tuple(
        PhaseView(row.id, row.phase_id, row.title, row.guidance, row.planned_start,
                  row.planned_end, row.actual_start, row.actual_end, row.needs_rollback_plan,
                  tuple(GateSpec(g["id"], g["title"], g.get("guidance", ""), g.get("check"),
                                 g.get("params", {}), g.get("checklist")) for g in row.gates),
                  ticks.get(row.id, {}))
        for row in rows)


def _waves(session: Session, rollout: Rollout) -> tuple[tuple[WaveView, ...], dict[int, str]]:
    teams = session.scalars(select(Team).where(Team.rollout_id == rollout.id)
                            .order_by(Team.id)).all()
    views, team_waves = [], {}
    for wave in session.scalars(select(Wave).where(Wave.rollout_id == rollout.id)
                                .order_by(Wave.position, Wave.id)):
        names = tuple(t.name for t in teams if t.wave_id == wave.id)
        team_waves.update({t.id: wave.name for t in teams if t.wave_id == wave.id})
        end = break_in_end(wave.go_live, rollout.break_in_months) if wave.go_live else None
        views.append(WaveView(wave.id, wave.name, WaveStatus(wave.status), wave.go_live, end,
                              names))
    team_waves.update({t.id: "" for t in teams if t.wave_id is None})
    return tuple(views), team_waves


def _adoption(session: Session, rollout_id: int,
              team_waves: dict[int, str]) -> tuple[TeamAdoption, ...]:
    rows = []
    for team in session.scalars(select(Team).where(Team.rollout_id == rollout_id)
                                .order_by(Team.id)):
        snapshots = list(reversed(session.scalars(
            select(AdoptionSnapshot).where(AdoptionSnapshot.team_id == team.id)
            .order_by(AdoptionSnapshot.taken_at.desc()).limit(TREND_POINTS)).all()))
        figures = [TeamFigures(team.name, s.expected, s.accounts, s.active_7, s.active_30)
                   for s in snapshots]
        rows.append(TeamAdoption(
            team.name, team_waves.get(team.id, ""), team.group_name,
            figures[-1] if figures else None, tuple(f.share(30) for f in figures),
            snapshots[-1].taken_at if snapshots else None))
    return tuple(rows)


def _change(row: ChangeRequest) -> ChangeView:
    return ChangeView(row.id, row.title, Level(row.impact), Level(row.priority),
                      Decision(row.decision), row.decided_by, row.reason, row.raised_by,
                      row.raised_at)


def reported_version(session: Session, connection: str) -> str | None:
    """The version the tool reported at its newest health check that had one."""
    return session.scalars(
        select(HealthCheck.version).join(Connection, Connection.id == HealthCheck.connection_id)
        .where(Connection.name == connection, HealthCheck.version.is_not(None))
        .order_by(HealthCheck.id.desc()).limit(1)).first()


def version_view(session: Session, rollout: Rollout,
                 connection: str | None = None) -> VersionView | None:
    """An upgrade's version on ``connection``, one of its targets (default: its first)."""
    connection = connection or rollout.connection
    if rollout.kind != RolloutKind.UPGRADE or connection is None:
        return None
    kind = session.scalars(select(Connection.kind).where(
        Connection.name == connection)).first() or ""
    reported = reported_version(session, connection)
    observed = reported or rollout.manual_version
    path: tuple[UpgradeStep, ...] = ()
    start = parse_version(observed or rollout.current_version)
    target = parse_version(rollout.target_version)
    if kind == "gitlab" and start is not None and target is not None:
        path = tuple(gitlab_upgrade_path(start, target))
    return VersionView(connection, kind, observed, reported is not None,
                       rollout.current_version, rollout.target_version,
                       version_drift(rollout.current_version, observed,
                                     rollout.target_version), path)


def rollout_cohorts(session: Session, ref: str, now: datetime) -> list[Cohort]:
    """Monthly cohorts of the accounts in the rollout's teams (by the month each account
    was created), from the months each was seen active at the syncs."""
    rollout = find(session, ref)
    groups = select(Team.group_name).where(Team.rollout_id == rollout.id)
    query = (select(Account.connection_id, Account.remote_id, Account.created_at)
             .join(GroupMember, GroupMember.account_id == Account.id)
             .join(Group, Group.id == GroupMember.group_id)
             .where(Group.name.in_(groups), Account.created_at.is_not(None)))
    if chosen := targets(session, rollout.id):
        query = query.join(Connection, Connection.id == Account.connection_id).where(
            Connection.name.in_(chosen))
    created = {(c, r): month_of(at) for c, r, at in session.execute(query) if at is not None}
    active: dict[tuple[int, str], set[str]] = {}
    for c, r, month in session.execute(select(
            AccountMonth.connection_id, AccountMonth.remote_id, AccountMonth.month).where(
            AccountMonth.connection_id.in_({c for c, _r in created}))):
        active.setdefault((c, r), set()).add(month)
    keyed = {f"{c}/{r}": month for (c, r), month in created.items()}
    return monthly_cohorts(keyed, {f"{c}/{r}": months for (c, r), months in active.items()},
                           now)
