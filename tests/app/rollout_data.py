"""Rollouts at fixed dates for the Rollout screen's snapshots and the home panel."""

from __future__ import annotations

from datetime import timedelta

from pmcockpit.core.rollout import Decision, Level, RolloutKind, WaveStatus
from pmcockpit.services import rollout as service
from pmcockpit.services.workspace import Workspace
from pmcockpit.storage import connections
from pmcockpit.storage.connections import HealthFacts
from pmcockpit.storage.models.rollout import AdoptionSnapshot, Team
from tests.app.data import FIXED_NOW

TODAY = FIXED_NOW.date()
SHARES = {"Finance": (2, 5, 8, 11, 13), "PMO": (1, 3, 6, 10, 14), "Sales": (0, 1, 3, 6, 9)}
"""Active in 30 days at five weekly snapshots; 15 people per team."""


def seed_rollouts(workspace: Workspace) -> None:
    """An adoption in full rollout (waves live, struggling, not started; a pending change)
    and a GitLab upgrade in its test phase with drift and a rollback plan."""
    adoption = "Redmine for everyone"
    service.create_rollout(workspace, adoption, RolloutKind.ADOPTION,
                           TODAY - timedelta(weeks=24), connection="redmine-prod")
    for wave, teams in (("Pilot", ("Finance", "PMO")), ("Wave 1", ("Sales",)),
                        ("Wave 2", ("Product",)), ("Wave 3", ("Engineering",))):
        service.add_wave(workspace, adoption, wave, teams=tuple((t, t, 15) for t in teams))
    for wave, status, days in (("Pilot", WaveStatus.LIVE, 120), ("Wave 1", WaveStatus.LIVE, 30),
                               ("Wave 2", WaveStatus.STRUGGLING, 10)):
        service.set_wave_status(workspace, adoption, wave, status,
                                go_live=TODAY - timedelta(days=days))
    service.tick_gate(workspace, adoption, "pilot-feedback", "Pilot review: wiki/pilot")
    with workspace.db.session() as session:
        for team in session.query(Team).filter(Team.name.in_(SHARES)):
            for week, active in enumerate(SHARES[team.name]):
                session.add(AdoptionSnapshot(
                    team_id=team.id, taken_at=FIXED_NOW - timedelta(weeks=4 - week),
                    expected=15, accounts=14, active_7=active // 2, active_30=active))
    service.advance(workspace, adoption, TODAY - timedelta(weeks=8))
    service.tick_gate(workspace, adoption, "usage-standard", "wiki/usage-standard v1")
    service.tick_gate(workspace, adoption, "training-plan", "Sessions booked for each wave")
    service.advance(workspace, adoption, TODAY - timedelta(weeks=4))
    service.add_milestone(workspace, adoption, "Wave 2 refresher", TODAY + timedelta(days=2))
    service.add_milestone(workspace, adoption, "Wave 3 kick-off", TODAY + timedelta(weeks=3))
    accepted = service.raise_change(workspace, adoption, "Weekly report template",
                                    Level.LOW, Level.MEDIUM)
    service.decide_change(workspace, adoption, accepted, Decision.ACCEPTED, "Three teams ask")
    service.raise_change(workspace, adoption, "Cost-centre field on every project",
                         Level.HIGH, Level.HIGH)
    service.add_risk(workspace, adoption, "Sales enters work twice", Level.MEDIUM)

    with workspace.db.session() as session:
        connections.record_health(session, "gitlab", HealthFacts(
            reachable=True, authenticated=True, version="17.5.1-ee", checked_at=FIXED_NOW))
    upgrade = "GitLab 17.8"
    service.create_rollout(workspace, upgrade, RolloutKind.UPGRADE, TODAY - timedelta(days=10),
                           connection="gitlab", current_version="17.3.6",
                           target_version="17.8.2")
    service.tick_gate(workspace, upgrade, "backup", "Restored on gitlab-test")
    service.tick_gate(workspace, upgrade, "compatible", "Runner and Jira app checked")
    service.set_rollback_plan(workspace, upgrade, "Restore the VM snapshot and the backup.")
    service.advance(workspace, upgrade, TODAY - timedelta(days=1))
    service.add_milestone(workspace, upgrade, "Maintenance window", TODAY + timedelta(days=5))
