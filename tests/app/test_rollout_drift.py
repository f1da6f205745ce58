"""Version drift outside the Rollout screen: the Connections screen and the home panel."""

from __future__ import annotations

from datetime import timedelta

from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from pmcockpit.app import CockpitApp
from pmcockpit.config import Settings
from pmcockpit.services.workspace import Workspace
from pmcockpit.storage import connections
from pmcockpit.storage.connections import HealthFacts
from pmcockpit.storage.db import Database
from tests.app.conftest import AppFactory, no_connector
from tests.app.data import FIXED_NOW
from tests.app.helpers import panel_text, settle
from tests.app.rollout_data import seed_rollouts


async def _connection(app: CockpitApp, pilot: Pilot[None], name: str) -> tuple[str, str]:
    """The version cell and the detail of connection ``name`` on the Connections screen."""
    table = app.screen.query_one("#connections-table", DataTable)
    table.move_cursor(row=table.get_row_index(name))
    await settle(pilot)
    version = str(table.get_row(name)[[str(k.value) for k in table.columns].index("version")])
    return version, str(app.screen.query_one("#connection-detail", Static).render())


async def test_a_move_without_a_plan_is_shown_on_home_and_connections(
        make_app: AppFactory, filled_db: Database) -> None:
    with filled_db.session() as session:
        for days, version in ((5, "17.3.6"), (2, "17.5.1-ee")):
            connections.record_health(session, "gitlab", HealthFacts(
                reachable=True, authenticated=True, version=version,
                checked_at=FIXED_NOW - timedelta(days=days)))
    app = make_app(filled_db)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        assert "⚠ gitlab moved to 17.5.1-ee without a plan" in \
            panel_text(app, "panel-rollout").splitlines()
        await pilot.press("6")
        await settle(pilot)
        version, detail = await _connection(app, pilot, "gitlab")
        assert version == "⚠ 17.5.1-ee"
        assert "Moved from 17.3.6 to 17.5.1-ee on 2025-03-08 without a planned upgrade" \
            in detail
        version, detail = await _connection(app, pilot, "redmine-prod")
        assert "⚠" not in version and "Moved" not in detail


async def test_an_upgrade_off_its_plan_is_shown_on_connections(
        filled_db: Database, settings: Settings) -> None:
    workspace = Workspace(settings, filled_db, no_connector)
    seed_rollouts(workspace)
    app = CockpitApp(workspace, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("6")
        await settle(pilot)
        version, detail = await _connection(app, pilot, "gitlab")
    assert version == "⚠ 17.5.1-ee"
    assert "Upgrade GitLab 17.8: 17.3.6 → 17.8.2; runs 17.5.1-ee: drift: the tool moved " \
           "off the plan" in " ".join(detail.split())
