"""Rollouts on a simulated organisation: adoption over simulated weeks, gates, waves,
version drift and the rollback-plan rule."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from pmcockpit.core.checklist import StepState
from pmcockpit.core.rollout import Decision, Drift, Level, RolloutKind, WaveStatus
from pmcockpit.services import checklist, rollout_adoption
from pmcockpit.services import rollout as service
from pmcockpit.services.health import check_health
from pmcockpit.services.rollout import RolloutRefused
from pmcockpit.services.rollout_checklists import linked_checklists, open_linked_checklist
from pmcockpit.services.rollout_report import rollout_report
from pmcockpit.services.sync import sync_connection
from pmcockpit.services.workspace import Workspace
from pmcockpit.storage import connections
from pmcockpit.storage.connections import HealthFacts
from pmcockpit.storage.models.rollout import AccountMonth
from pmcockpit.storage.queries.rollout import rollout_cohorts
from pmcockpit.storage.queries.rollout_versions import unplanned_moves
from tests.services.rollout_sim import SimSetup, sim_setup


@pytest.fixture
def sim(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SimSetup]:
    setup = sim_setup(tmp_path)
    # Snapshots are taken at the simulated time, as they would be each week.
    monkeypatch.setattr(rollout_adoption, "utcnow", lambda: setup.clock.naive)
    yield setup
    setup.workspace.db.dispose()


async def _sync(sim: SimSetup, name: str = "redmine") -> None:
    report = await sync_connection(sim.workspace, name)
    assert report.ok, report.error


async def test_adoption_is_measured_at_each_sync_over_simulated_weeks(sim: SimSetup) -> None:
    ws, today = sim.workspace, sim.clock.naive.date()
    service.create_rollout(ws, "Redmine for all", RolloutKind.ADOPTION, today,
                           connection="redmine")
    service.add_wave(ws, "Redmine for all", "Pilot",
                     teams=(("Finance", "Finance", None), ("PMO", "PMO", None)))
    service.set_wave_status(ws, "Redmine for all", "Pilot", WaveStatus.LIVE, go_live=today)
    finance, pmo = sim.group_logins("redmine", "Finance"), sim.group_logins("redmine", "PMO")
    team = finance + pmo
    shares = []
    for week, active in enumerate((2, 6, 10, len(team))):
        if week:
            sim.next_week()
        sim.set_activity("redmine", team, active)
        await _sync(sim)
        view = service.detail(ws, "Redmine for all", sim.clock.naive.date())
        rows = {row.team: row for row in view.adoption}
        measured = rows["Finance"].figures, rows["PMO"].figures
        assert measured[0] is not None and measured[1] is not None
        assert measured[0].active_7 + measured[1].active_7 == active
        assert measured[0].expected + measured[1].expected == len(team)
        shares.append(view.gate[0])
    assert [state.met for state in shares] == [False, False, False, True]
    assert "100% active" in shares[-1].detail
    trend = next(row for row in view.adoption if row.team == "PMO").trend
    assert len(trend) == 4 and trend == tuple(sorted(trend, key=lambda s: s or 0))
    assert view.waves[0].break_in_end is not None
    assert view.waves[0].break_in_end.month == 9  # six months after 3 March

    with ws.db.session() as session:
        cohorts = rollout_cohorts(session, "Redmine for all", sim.clock.naive)
    assert sum(c.size for c in cohorts) == len(team)
    # In the current month everyone was seen active (the last week): each share is 1.
    assert all(c.shares[-1] == 1.0 for c in cohorts)
    markdown, data = rollout_report(ws, "Redmine for all", sim.clock.naive)
    assert "## Monthly cohorts (share active each month since)" in markdown
    assert [c["size"] for c in data["cohorts"]] == [c.size for c in cohorts]
    assert "| Finance | Pilot | " in markdown


async def test_manual_gate_blocks_advance_until_ticked(sim: SimSetup) -> None:
    ws, today = sim.workspace, sim.clock.naive.date()
    service.create_rollout(ws, "Pilot", RolloutKind.ADOPTION, today, connection="redmine")
    service.add_wave(ws, "Pilot", "Wave 1", teams=(("Finance", "Finance", None),))
    service.set_wave_status(ws, "Pilot", "Wave 1", WaveStatus.LIVE)
    sim.set_activity("redmine", sim.group_logins("redmine", "Finance"), 99)
    await _sync(sim)
    with pytest.raises(RolloutRefused, match="Pilot feedback collected"):
        service.advance(ws, "Pilot", today)
    with pytest.raises(RolloutRefused, match="measured automatically"):
        service.tick_gate(ws, "Pilot", "pilot-adoption", "trust me")
    with pytest.raises(RolloutRefused, match="evidence"):
        service.tick_gate(ws, "Pilot", "pilot-feedback", "  ")
    service.tick_gate(ws, "Pilot", "pilot-feedback", "Review notes: wiki/pilot-review")
    moved = service.advance(ws, "Pilot", today)
    assert (moved.left, moved.entered) == ("Pilot", "Standardise")
    view = service.detail(ws, "Pilot", today)
    assert view.phases[0].actual_end == today and view.current is not None
    assert view.current.phase_id == "standardise"


async def test_wave_status_and_struggling_wave_puts_the_rollout_at_risk(sim: SimSetup) -> None:
    ws, today = sim.workspace, sim.clock.naive.date()
    service.create_rollout(ws, "Jira", RolloutKind.ADOPTION, today)
    service.add_wave(ws, "Jira", "Wave 1")
    service.add_wave(ws, "Jira", "Wave 2")
    service.set_wave_status(ws, "Jira", "Wave 1", WaveStatus.TRAINED)
    assert service.detail(ws, "Jira", today).health.health.value == "on-track"
    service.set_wave_status(ws, "Jira", "Wave 2", WaveStatus.STRUGGLING)
    view = service.detail(ws, "Jira", today)
    assert [w.status for w in view.waves] == [WaveStatus.TRAINED, WaveStatus.STRUGGLING]
    assert view.health.health.value == "at-risk"
    assert "wave-struggling" in view.health.reasons
    with pytest.raises(RolloutRefused, match="no wave"):
        service.set_wave_status(ws, "Jira", "Wave 9", WaveStatus.LIVE)


async def test_change_requests_keep_who_decided_and_why(sim: SimSetup) -> None:
    ws, today = sim.workspace, sim.clock.naive.date()
    service.create_rollout(ws, "Jira", RolloutKind.ADOPTION, today)
    change = service.raise_change(ws, "Jira", "Add a custom field for cost centre",
                                  Level.MEDIUM, Level.HIGH)
    assert "change-pending" in service.detail(ws, "Jira", today).health.reasons
    with pytest.raises(RolloutRefused, match="say why"):
        service.decide_change(ws, "Jira", change, Decision.DEFERRED, "")
    service.decide_change(ws, "Jira", change, Decision.DEFERRED, "After wave 2 is live")
    decided = service.detail(ws, "Jira", today).changes[0]
    assert (decided.decision, decided.decided_by, decided.reason) == (
        Decision.DEFERRED, "tester", "After wave 2 is live")


async def test_gitlab_upgrade_reads_its_version_shows_drift_and_path(sim: SimSetup) -> None:
    ws, today = sim.workspace, sim.clock.naive.date()
    await check_health(ws, "gitlab")
    service.create_rollout(ws, "GitLab 17.8", RolloutKind.UPGRADE, today, connection="gitlab",
                           target_version="17.8.0")
    version = service.detail(ws, "GitLab 17.8", today).version
    assert version is not None and version.reported_by_tool
    assert (version.planned_current, version.observed, version.drift) == (
        "17.5.1-ee", "17.5.1-ee", Drift.NONE)
    # 17.5.1 is below the 17.5.5 the documentation names: 17.5's latest patch comes first.
    assert [str(step) for step in version.path] == ["17.5.z", "17.8.z"]
    service.create_rollout(ws, "GitLab 18", RolloutKind.UPGRADE, today, connection="gitlab",
                           current_version="17.3.2", target_version="18.1.0")
    moved = service.detail(ws, "GitLab 18", today).version
    assert moved is not None and moved.drift is Drift.OFF_PLAN
    assert [str(step) for step in moved.path] == ["17.5.z", "17.8.z", "17.11.z", "18.1.z"]


async def test_redmine_does_not_report_its_version_so_the_admin_enters_it(
        sim: SimSetup) -> None:
    ws, today = sim.workspace, sim.clock.naive.date()
    await check_health(ws, "redmine")
    service.create_rollout(ws, "Redmine 6", RolloutKind.UPGRADE, today, connection="redmine",
                           current_version="5.0.8", target_version="6.0.1")
    version = service.detail(ws, "Redmine 6", today).version
    assert version is not None and version.drift is Drift.UNKNOWN
    assert not version.reported_by_tool
    service.set_version(ws, "Redmine 6", "5.0.8")
    version = service.detail(ws, "Redmine 6", today).version
    assert version is not None and version.drift is Drift.NONE


def _pass_checklist(ws: Workspace, ref: str, key: str, now: datetime) -> None:
    run = open_linked_checklist(ws, ref, key, now)
    for step in run.stored.run.steps:
        checklist.toggle_step(ws, run.id, step.step_id, now)


async def test_upgrade_gates_measure_their_linked_checklist_runs(sim: SimSetup) -> None:
    ws, now = sim.workspace, sim.clock.naive
    await check_health(ws, "gitlab")
    service.create_rollout(ws, "Up", RolloutKind.UPGRADE, now.date(), connection="gitlab",
                           target_version="17.8.0")
    for item in ("backup", "compatible"):
        service.tick_gate(ws, "Up", item, "noted")
    service.advance(ws, "Up", now.date())
    assert linked_checklists(ws, "Up", now) == ["pre-upgrade", "post-upgrade"]
    gate = {g.spec.id: g for g in service.detail(ws, "Up", now.date()).gate}
    assert not gate["pre-upgrade-checklist"].met
    assert gate["pre-upgrade-checklist"].detail == \
        "the pre-upgrade checklist is not opened yet (l)"

    run = open_linked_checklist(ws, "Up", "pre-upgrade", now)
    assert open_linked_checklist(ws, "Up", "pre-upgrade", now).id == run.id  # one per rollout
    steps = [step.step_id for step in run.stored.run.steps]
    assert steps[1] == "backup-restorable" and len(steps) == 6
    for step in steps[:-1]:
        checklist.toggle_step(ws, run.id, step, now)
    checklist.mark_step(ws, run.id, steps[-1], StepState.FAILED, "mail server down", now)
    gate = {g.spec.id: g for g in service.detail(ws, "Up", now.date()).gate}
    assert not gate["pre-upgrade-checklist"].met
    assert gate["pre-upgrade-checklist"].detail == (
        f"checklist run {run.id}: 6 of 6 steps settled, 1 failed")
    checklist.toggle_step(ws, run.id, steps[-1], now)  # failed -> done once mailed
    gate = {g.spec.id: g for g in service.detail(ws, "Up", now.date()).gate}
    assert gate["pre-upgrade-checklist"].met
    markdown, _data = rollout_report(ws, "Up", now)
    assert f"- [x] Pre-upgrade checklist complete: checklist run {run.id}: 6 of 6" in markdown
    with pytest.raises(RolloutRefused, match="no upgrade checklist nightly"):
        open_linked_checklist(ws, "Up", "nightly", now)


async def test_roll_out_cannot_start_without_a_rollback_plan(sim: SimSetup) -> None:
    ws, today = sim.workspace, sim.clock.naive.date()
    await check_health(ws, "gitlab")
    service.create_rollout(ws, "Up", RolloutKind.UPGRADE, today, connection="gitlab",
                           target_version="17.8.0")
    for item in ("backup", "compatible"):
        service.tick_gate(ws, "Up", item, "done, see run 12")
    assert service.advance(ws, "Up", today).entered == "Test"
    _pass_checklist(ws, "Up", "pre-upgrade", sim.clock.naive)
    with pytest.raises(RolloutRefused, match="rollback plan"):
        service.advance(ws, "Up", today)
    service.set_rollback_plan(ws, "Up", "Restore the VM snapshot taken at 22:00, then "
                                        "the database dump; DNS back to the old host.")
    assert service.advance(ws, "Up", today).entered == "Roll out"


def test_a_version_move_no_upgrade_planned_is_shown(sim: SimSetup) -> None:
    ws, now = sim.workspace, sim.clock.naive
    with ws.db.session() as session:
        for days, version in ((20, "17.3.6"), (10, "17.3.6"), (5, "17.5.1-ee"), (1, None)):
            connections.record_health(session, "gitlab", HealthFacts(
                reachable=True, authenticated=True, version=version,
                checked_at=now - timedelta(days=days)))
    service.create_rollout(ws, "Next", RolloutKind.UPGRADE, now.date(), connection="gitlab",
                           target_version="17.8.0")
    with ws.db.session() as session:
        moves = unplanned_moves(session, now - timedelta(days=90))
    assert [(m.connection, m.before, m.after, m.at.date()) for m in moves] == [
        ("gitlab", "17.3.6", "17.5.1-ee", (now - timedelta(days=5)).date())]
    service.create_rollout(ws, "Was planned", RolloutKind.UPGRADE, now.date(),
                           connection="gitlab", target_version="17.5.1")
    with ws.db.session() as session:
        assert unplanned_moves(session, now - timedelta(days=90)) == []


async def test_a_sync_keeps_nothing_for_rollouts_while_none_is_tracked(sim: SimSetup) -> None:
    await _sync(sim)
    with sim.workspace.db.session() as session:
        assert session.query(AccountMonth).count() == 0
    service.create_rollout(sim.workspace, "First", RolloutKind.ADOPTION,
                           sim.clock.naive.date())
    await _sync(sim)
    with sim.workspace.db.session() as session:
        assert session.query(AccountMonth).count() > 0
