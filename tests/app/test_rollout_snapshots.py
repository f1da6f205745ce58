"""Snapshots of the Rollout screen at 80x24, 60x20 and 160x48, and the home panel, at a
fixed time.

Update with ``pytest tests/app/test_rollout_snapshots.py --snapshot-update`` and look at
every changed snapshot.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.pilot import Pilot

from pmcockpit.app import CockpitApp
from pmcockpit.config import Settings
from pmcockpit.services.workspace import Workspace
from pmcockpit.storage.db import Database
from tests.app.conftest import no_connector
from tests.app.data import FIXED_NOW
from tests.app.helpers import panel_text, settle
from tests.app.rollout_data import seed_rollouts

SnapCompare = Callable[..., bool]


@pytest.fixture
def workspace(filled_db: Database, settings: Settings) -> Workspace:
    workspace = Workspace(settings, filled_db, no_connector)
    seed_rollouts(workspace)
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


def test_rollout_board(snap_compare: SnapCompare, workspace: Workspace) -> None:
    assert snap_compare(app_on(workspace), run_before=after("5"))


def test_rollout_upgrade(snap_compare: SnapCompare, workspace: Workspace) -> None:
    assert snap_compare(app_on(workspace), run_before=after("5", "down"))


def test_rollout_wide(snap_compare: SnapCompare, workspace: Workspace) -> None:
    assert snap_compare(app_on(workspace), terminal_size=(160, 48), run_before=after("5"))


def test_rollout_upgrade_wide(snap_compare: SnapCompare, workspace: Workspace) -> None:
    assert snap_compare(app_on(workspace), terminal_size=(160, 48),
                        run_before=after("5", "down"))


def test_rollout_small(snap_compare: SnapCompare, workspace: Workspace) -> None:
    assert snap_compare(app_on(workspace), terminal_size=(60, 20), run_before=after("5"))


def test_rollout_upgrade_small(snap_compare: SnapCompare, workspace: Workspace) -> None:
    assert snap_compare(app_on(workspace), terminal_size=(60, 20),
                        run_before=after("5", "down"))


async def test_home_panel_shows_what_is_due_this_week_and_drift(workspace: Workspace) -> None:
    app = app_on(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        text = panel_text(app, "panel-rollout")
    assert text.splitlines() == [
        "2 due this week · 1 wave struggling",
        "✗ Wave 2 struggling  Redmine for everyone",
        "⚠ gitlab runs 17.5.1-ee, plan 17.3.6 → 17.8.2  GitLab 17.8",
        "○ 03-12 Wave 2 refresher  Redmine for everyone",
        "○ 03-15 Maintenance window  GitLab 17.8",
    ]
