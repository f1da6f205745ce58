"""The demo's rollouts: an adoption in full rollout and a GitLab upgrade with drift."""

from __future__ import annotations

from pathlib import Path

from pmcockpit.config import Settings
from pmcockpit.core.clock import utcnow
from pmcockpit.core.rollout import Decision, Drift, WaveStatus
from pmcockpit.services import rollout as service
from pmcockpit.services.demo import open_demo
from pmcockpit.services.rollout_demo import ADOPTION, UPGRADE
from pmcockpit.storage.db import open_database
from tests.databases import database_url


def test_demo_has_an_adoption_in_full_rollout_and_a_planned_gitlab_upgrade(
        tmp_path: Path) -> None:
    db = open_database(database_url(tmp_path / 'demo.db'))
    settings = Settings(operator="tester", templates_dir=str(tmp_path / "lists"))
    with open_demo(db, settings, scale=60) as workspace:
        today = utcnow().date()
        adoption = service.detail(workspace, ADOPTION, today)
        upgrade = service.detail(workspace, UPGRADE, today)
    db.dispose()
    assert adoption.current is not None and adoption.current.phase_id == "full-rollout"
    assert sorted(w.status for w in adoption.waves) == sorted([
        WaveStatus.LIVE, WaveStatus.LIVE, WaveStatus.STRUGGLING, WaveStatus.NOT_STARTED])
    assert any(c.decision is Decision.PENDING for c in adoption.changes)
    measured = [row for row in adoption.adoption if row.figures is not None]
    assert measured and all(len(row.trend) == 12 for row in measured)
    assert upgrade.version is not None and upgrade.version.drift is Drift.OFF_PLAN
    assert upgrade.version.reported_by_tool and upgrade.rollback_plan
    assert upgrade.current is not None and upgrade.current.phase_id == "test"
