"""The demo's rollouts: Redmine adopted wave by wave, and a planned GitLab upgrade.

The adoption rollout is in its full-rollout phase: the pilot wave and wave 1 are
live, wave 2 struggles, wave 3 has not started, and a change request awaits its
decision. Twelve weekly adoption snapshots give the trend. The GitLab upgrade
plans from 17.3.6 while the tool reports 17.5.1 (drift), with a rollback plan; its
pre-upgrade checklist is four steps in.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from pmcockpit.core.i18n import N_, _
from pmcockpit.core.rollout import Decision, Level, RolloutKind, WaveStatus
from pmcockpit.services import rollout as service
from pmcockpit.services.checklist import toggle_step
from pmcockpit.services.rollout_adoption import record_adoption
from pmcockpit.services.rollout_checklists import open_linked_checklist
from pmcockpit.services.workspace import Workspace
from pmcockpit.storage.models.rollout import Rollout, RolloutPhase

ADOPTION, UPGRADE = N_("Redmine for everyone"), N_("GitLab 17.8 upgrade")
WAVES = (
    (N_("Pilot"), WaveStatus.LIVE, 150, ("Finance", "PMO")),
    (N_("Wave 1"), WaveStatus.LIVE, 30, ("Operations", "Sales")),
    (N_("Wave 2"), WaveStatus.STRUGGLING, 9, ("Product", "HR")),
    (N_("Wave 3"), WaveStatus.NOT_STARTED, None, ("Engineering",)),
)
"""Name, status, days since go-live (None: not yet), teams (the roster's departments).

The demo's words go through the catalog when they are written (``_``): the demo in
Chinese seeds them in Chinese, as an administrator there would have typed them."""


def seed_demo_rollouts(workspace: Workspace, now: datetime,
                       team_name: Callable[[str], str] = str) -> None:
    """``team_name`` names a roster department as the demo's roster does."""
    today = now.date()
    if "redmine" in _connections(workspace):
        _adoption(workspace, now, team_name)
    if "gitlab" in _connections(workspace):
        _upgrade(workspace, today)


def _connections(workspace: Workspace) -> set[str]:
    from pmcockpit.services.sync import connection_names

    return set(connection_names(workspace))


def _adoption(workspace: Workspace, now: datetime, team_name: Callable[[str], str]) -> None:
    today = now.date()
    start = today - timedelta(weeks=26)
    adoption = _(ADOPTION)
    service.create_rollout(workspace, adoption, RolloutKind.ADOPTION, start,
                           connection="redmine")
    for name, status, days, teams in WAVES:
        wave = _(name)
        names = tuple(team_name(t) for t in teams)
        service.add_wave(workspace, adoption, wave, teams=tuple((t, t, None) for t in names))
        go_live = today - timedelta(days=days) if days is not None else None
        if status is not WaveStatus.NOT_STARTED:
            service.set_wave_status(workspace, adoption, wave, status, go_live=go_live)
    _history_until_full_rollout(workspace, adoption, today - timedelta(weeks=10),
                                today - timedelta(weeks=4))
    for weeks in range(11, -1, -1):
        record_adoption(workspace, "redmine", now - timedelta(weeks=weeks))
    published = service.add_milestone(workspace, adoption, _("Usage standard v1 published"),
                                      today - timedelta(weeks=5))
    service.complete_milestone(workspace, adoption, published, today - timedelta(weeks=5))
    service.add_milestone(workspace, adoption, _("Wave 2 refresher training"),
                          today + timedelta(days=3))
    service.add_milestone(workspace, adoption, _("Wave 3 kick-off"), today + timedelta(weeks=3))
    done = service.raise_change(workspace, adoption, _("Weekly status report template per team"),
                                Level.LOW, Level.MEDIUM)
    service.decide_change(workspace, adoption, done, Decision.ACCEPTED,
                          _("Asked for by three teams; costs an afternoon"))
    service.raise_change(workspace, adoption, _("Add a cost-centre field to every project"),
                         Level.HIGH, Level.HIGH)
    service.add_risk(workspace, adoption, _("Sales keeps entering work in the CRM twice"),
                     Level.MEDIUM, _("Show the team lead the weekly report from Redmine"))
    service.add_training(workspace, adoption, team_name("Product"),
                         today - timedelta(days=12), 14, 6)


def _history_until_full_rollout(workspace: Workspace, adoption: str, standardised: date,
                                full_rollout: date) -> None:
    """The pilot and the usage standard are behind it: gates ticked, dates as they were."""
    service.tick_gate(workspace, adoption, "pilot-feedback",
                      _("Pilot review notes: wiki/redmine-pilot"))
    with workspace.db.session() as session:
        rollout = session.query(Rollout).filter_by(name=adoption).one()
        phases = session.query(RolloutPhase).filter_by(rollout_id=rollout.id).order_by(
            RolloutPhase.position).all()
        phases[0].actual_end = phases[1].actual_start = standardised
        phases[1].actual_end = phases[2].actual_start = full_rollout
        rollout.phase_index = 2


def _pre_upgrade_checklist(workspace: Workspace, name: str, now: datetime) -> None:
    """The pre-upgrade checklist opened, four of its six steps done: the gate shows it."""
    run = open_linked_checklist(workspace, name, "pre-upgrade", now)
    for step in run.stored.run.steps[:4]:
        toggle_step(workspace, run.id, step.step_id, now)


def _upgrade(workspace: Workspace, today: date) -> None:
    start = today - timedelta(days=10)
    upgrade = _(UPGRADE)
    service.create_rollout(workspace, upgrade, RolloutKind.UPGRADE, start, connection="gitlab",
                           current_version="17.3.6", target_version="17.8.2")
    service.tick_gate(workspace, upgrade, "backup", _("Nightly backup restored on gitlab-test"))
    service.tick_gate(workspace, upgrade, "compatible", _("Runner 17.8 and the Jira app checked"))
    service.set_rollback_plan(workspace, upgrade, _(
        "Stop GitLab, restore the VM snapshot taken before the window and the 22:00 "
        "backup (gitlab-backup restore), reconfigure, check sign-in and a pipeline."))
    service.advance(workspace, upgrade, start + timedelta(days=9))
    _pre_upgrade_checklist(workspace, upgrade, datetime.combine(today, datetime.min.time()))
    service.add_milestone(workspace, upgrade, _("Maintenance window Saturday 06:00"),
                          start + timedelta(days=16))
