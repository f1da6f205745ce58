"""Snapshots of the checklist screens at 80x24 (and the run at 120x40), at a fixed time.

Monday 10 March 2025, 09:00 (tests.app.data.FIXED_NOW), with the local zone pinned to
UTC: the daily inspection has five past days (one missed, one with a failed step) and
today's run half done, with checks' evidence, a failure explained and a step skipped.
Update with ``pytest tests/app/test_checklist_snapshots.py --snapshot-update`` and look
at every changed snapshot.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot

from pmcockpit.app import CockpitApp
from pmcockpit.config import Settings
from pmcockpit.core.checklist import CheckResult, CheckStatus, StepState
from pmcockpit.core.checklist import runs as rules
from pmcockpit.services import checklist as service
from pmcockpit.services.demo import seed_demo_history
from pmcockpit.services.workspace import Workspace
from pmcockpit.storage import checklist_runs
from pmcockpit.storage.db import Database
from tests.app.conftest import no_connector
from tests.app.data import FIXED_NOW
from tests.app.helpers import settle

SnapCompare = Callable[..., bool]
DAILY_ROW = 2
"""The daily inspection's row: after the quarter's and the month's overdue runs."""

CHECKED = {
    "tools-up": CheckResult(CheckStatus.PASS, "2 of 2 up",
                            "redmine-prod: up, 120 ms, version 5.0.8\ngitlab: up, 95 ms"),
    "certificates": CheckResult(CheckStatus.WARN, "21 days left",
                                "pm.example.org: certificate expires in 21 days; renew soon"),
    "backup": CheckResult(CheckStatus.FAIL, "31 h old",
                          "/var/backups/pm-tool: newest file is 31 h old (limit 26 h)"),
}


@pytest.fixture
def workspace(tmp_path: Path, db: Database) -> Workspace:
    """Built-in templates, a week of the daily inspection, today's run half done."""
    settings = Settings(operator="tester", templates_dir=str(tmp_path / "checklists"))
    workspace = Workspace(settings, db, no_connector)
    now = FIXED_NOW  # local time is UTC here
    today = seed_demo_history(workspace, now)
    with db.session() as session:
        for step_id, result in CHECKED.items():
            stored = checklist_runs.load_run(session, today.id, for_update=True)
            run = rules.record_check(stored.run, step_id, result, now)
            checklist_runs.save_step(session, today.id, run, step_id, operator="tester",
                                     measured_with={})
    service.add_note(workspace, today.id, "backup",
                     "The job hung on the NFS mount; ran it by hand at 08:50.", now)
    service.toggle_step(workspace, today.id, "test-notification", now)
    service.mark_step(workspace, today.id, "error-logs", StepState.SKIPPED,
                      "Nothing new since Friday's look.", now)
    return workspace


def after(*keys: str) -> Callable[[Pilot[None]], object]:
    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    return run_before


def app_on(workspace: Workspace) -> CockpitApp:
    return CockpitApp(workspace, clock=lambda: FIXED_NOW)


def test_checklist_list(snap_compare: SnapCompare, workspace: Workspace) -> None:
    assert snap_compare(app_on(workspace), run_before=after("2"))


def test_checklist_run(snap_compare: SnapCompare, workspace: Workspace) -> None:
    keys = ("2", *["down"] * DAILY_ROW, "enter")
    assert snap_compare(app_on(workspace), run_before=after(*keys))


def test_checklist_run_wide(snap_compare: SnapCompare, workspace: Workspace) -> None:
    keys = ("2", *["down"] * DAILY_ROW, "enter", "down", "down")
    assert snap_compare(app_on(workspace), terminal_size=(120, 40), run_before=after(*keys))


def test_checklist_note_dialog(snap_compare: SnapCompare, workspace: Workspace) -> None:
    keys = ("2", *["down"] * DAILY_ROW, "enter", "down", "down", "down", "f")
    assert snap_compare(app_on(workspace), run_before=after(*keys))


def test_checklist_history(snap_compare: SnapCompare, workspace: Workspace) -> None:
    keys = ("2", *["down"] * DAILY_ROW, "h", "down", "down", "down", "down")
    assert snap_compare(app_on(workspace), run_before=after(*keys))
