"""An upgrade's linked checklists are ordinary checklist templates: a run opened from the
Rollout screen keeps its guidance after a tick, is listed on the Checklist screen and
opens from there, and the post-upgrade verification measures its automatic checks."""

from __future__ import annotations

from datetime import timedelta

from textual.widgets import DataTable, Static

from pmcockpit.app import CockpitApp
from pmcockpit.config import Settings
from pmcockpit.core.checklist import StepState
from pmcockpit.screens.checklist import ChecklistScreen
from pmcockpit.screens.checklist_run import ChecklistRunScreen
from pmcockpit.screens.rollout import RolloutScreen
from pmcockpit.screens.rollout_form import RolloutForm
from pmcockpit.services.checklist import open_current_run, run_automated
from pmcockpit.services.rollout_checklists import open_linked_checklist
from pmcockpit.services.templates import load_templates
from pmcockpit.services.workspace import Workspace
from pmcockpit.storage.db import Database
from tests.app.conftest import no_connector
from tests.app.data import FIXED_NOW
from tests.app.helpers import settle
from tests.app.rollout_data import seed_rollouts

UPGRADE = "GitLab 17.8"


def _detail_text(app: CockpitApp) -> str:
    return str(app.screen.query_one("#run-detail", Static).render())


async def test_a_linked_run_keeps_its_guidance_and_opens_from_the_checklist_screen(
        filled_db: Database, settings: Settings) -> None:
    workspace = Workspace(settings, filled_db, no_connector)
    seed_rollouts(workspace)
    app = CockpitApp(workspace, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("5")
        await settle(pilot)
        await pilot.press("down")
        await settle(pilot)
        assert isinstance(app.screen, RolloutScreen)
        await pilot.press("l")
        await settle(pilot)
        assert isinstance(app.screen, RolloutForm)
        await pilot.press("ctrl+s")  # the pre-upgrade checklist, this phase's
        await settle(pilot)
        assert isinstance(app.screen, ChecklistRunScreen)
        run_id = app.screen.detail.stored.id
        assert "Every version in between" in _detail_text(app)
        await pilot.press("space")  # ticked: the run is re-read, its template still found
        await settle(pilot)
        assert app.screen.detail.run.step("release-notes").state is StepState.DONE
        assert "Every version in between" in _detail_text(app)
        await pilot.press("escape")
        await settle(pilot)

        await pilot.press("2")
        await settle(pilot)
        assert isinstance(app.screen, ChecklistScreen)
        table = app.screen.query_one(DataTable)
        keys = [row.value for row in table.rows]
        assert "pre-upgrade" in keys and "post-upgrade" not in keys  # never opened: not listed
        table.move_cursor(row=table.get_row_index("pre-upgrade"))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ChecklistRunScreen)
        assert app.screen.detail.stored.id == run_id
        assert app.screen.detail.run.step("release-notes").state is StepState.DONE


async def test_the_post_upgrade_verification_measures_its_automatic_checks(
        filled_db: Database, settings: Settings) -> None:
    workspace = Workspace(settings, filled_db, no_connector)
    seed_rollouts(workspace)
    templates = load_templates(settings)
    assert "post-upgrade" in templates.linked and "post-upgrade" not in templates.templates
    try:
        open_current_run(workspace, "post-upgrade", FIXED_NOW)
    except ValueError as refused:  # not opened for any rollout yet
        assert "from the Rollout screen" in str(refused)
    else:
        raise AssertionError("a linked checklist opened without a rollout")
    run = open_linked_checklist(workspace, UPGRADE, "post-upgrade", FIXED_NOW)
    report = await run_automated(workspace, run.stored.id, now=FIXED_NOW)
    measured = {o.step_id: o.result for o in report.outcomes}
    assert set(measured) == {"version-reported", "synced"}
    for result in measured.values():
        assert result is not None
        assert "no longer has this check" not in result.message
    assert report.detail.template is not None


async def test_an_upgrade_run_is_once_for_its_rollout_on_the_checklist_screen(
        filled_db: Database, settings: Settings) -> None:
    workspace = Workspace(settings, filled_db, no_connector)
    seed_rollouts(workspace)
    open_linked_checklist(workspace, UPGRADE, "pre-upgrade", FIXED_NOW)
    later = FIXED_NOW + timedelta(days=200)  # long past any quarter: still not overdue
    app = CockpitApp(workspace, clock=lambda: later)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("2")
        await settle(pilot)
        assert isinstance(app.screen, ChecklistScreen)
        table = app.screen.query_one(DataTable)
        table.move_cursor(row=table.get_row_index("pre-upgrade"))
        await settle(pilot)
        about = str(app.screen.query_one("#checklist-about", Static).render())
        assert "once, for GitLab 17.8" in about and "due on demand" in about
        assert "quarterly" not in about
        row = " ".join(str(cell) for cell in table.get_row("pre-upgrade"))
        assert "OVERDUE" not in row and "missed" not in row
        await pilot.press("h")
        await settle(pilot)
        history = app.screen.query_one("#history-table", DataTable)
        assert history.row_count == 1  # the one run, not a row per quarter since March
        assert "OVERDUE" not in str(app.screen.query_one("#history-rate", Static).render())
