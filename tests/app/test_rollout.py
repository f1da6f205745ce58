"""The Rollout screen driven by keys at 80x24: an upgrade is created, its gate refuses,
is ticked with evidence, the phase advances, its pre-upgrade checklist is ticked, the
rollback-plan rule holds, the report shows."""

from __future__ import annotations

from datetime import timedelta

from textual.pilot import Pilot
from textual.widgets import DataTable, Markdown, Static

from pmcockpit.app import CockpitApp
from pmcockpit.config import Settings
from pmcockpit.core.rollout import Decision, WaveStatus
from pmcockpit.screens.checklist_run import ChecklistRunScreen
from pmcockpit.screens.rollout import RolloutScreen
from pmcockpit.screens.rollout_form import RolloutForm
from pmcockpit.screens.rollout_report import RolloutReportScreen
from pmcockpit.services import rollout as service
from pmcockpit.services.workspace import Workspace
from pmcockpit.storage import connections
from pmcockpit.storage.connections import HealthFacts
from pmcockpit.storage.db import Database
from tests.app.conftest import AppFactory, no_connector
from tests.app.data import FIXED_NOW
from tests.app.helpers import notifications, settle
from tests.app.rollout_data import seed_rollouts

NAME = "GitLab-17.8"


async def _type(pilot: Pilot[None], text: str) -> None:
    await pilot.press(*["space" if char == " " else char for char in text])


async def _choose(pilot: Pilot[None], downs: int) -> None:
    """Open the focused choice, move down ``downs`` times, take it, go to the next field."""
    await pilot.press("enter", *["down"] * downs, "enter", "tab")


async def _form(pilot: Pilot[None], key: str) -> RolloutForm:
    await pilot.press(key)
    await settle(pilot)
    assert isinstance(pilot.app.screen, RolloutForm)
    return pilot.app.screen


async def _tick(pilot: Pilot[None], evidence: str) -> None:
    """Tick the first open manual item of the gate."""
    await _form(pilot, "t")
    await pilot.press("tab")
    await _type(pilot, evidence)
    await pilot.press("enter")
    await settle(pilot)


def _board_phase(app: CockpitApp) -> str:
    table = app.screen.query_one("#rollout-board", DataTable)
    return str(table.get_row(NAME)[1])


async def test_upgrade_rollout_through_gates_to_the_report(make_app: AppFactory,
                                                            filled_db: Database) -> None:
    app = make_app(filled_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("5")
        await settle(pilot)
        assert isinstance(app.screen, RolloutScreen)

        await _form(pilot, "n")
        await _type(pilot, NAME)
        await pilot.press("tab")
        await _choose(pilot, 1)  # kind: version upgrade
        await _choose(pilot, 1)  # connection: gitlab
        await pilot.press("tab")  # no more connections
        await _type(pilot, "17.8.2")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RolloutScreen)
        assert _board_phase(app) == "1/4 Plan"

        await pilot.press("a")
        await settle(pilot)
        assert any(note.startswith("Refused: Plan cannot be left yet: not met: Backup taken")
                   for note in notifications(app))
        await _tick(pilot, "restore tried on gitlab-test")
        await _tick(pilot, "runner and Jira app checked")
        await pilot.press("a")
        await settle(pilot)
        assert "Rollout: Left Plan; now in Test." in notifications(app)
        assert _board_phase(app) == "2/4 Test"

        await pilot.press("a")
        await settle(pilot)
        assert any("not met: Pre-upgrade checklist complete (the pre-upgrade checklist is not "
                   "opened yet (l))" in note for note in notifications(app))
        await _form(pilot, "l")
        await pilot.press("ctrl+s")  # the Test phase's checklist comes first
        await settle(pilot)
        assert isinstance(app.screen, ChecklistRunScreen)
        for _step in range(6):
            await pilot.press("space")
            await settle(pilot)
            await pilot.press("down")
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert any("not met: Rollback plan written" in note for note in notifications(app))
        await _form(pilot, "b")
        await _type(pilot, "restore the VM snapshot and the backup")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert _board_phase(app) == "3/4 Roll out"

        await pilot.press("p")
        await settle(pilot)
        assert isinstance(app.screen, RolloutReportScreen)
        report = app.screen.markdown
        assert report.startswith(f"# {NAME}\n")
        assert "| Test | " in report and "Gate to leave Roll out" in report
        assert "- [ ] The tool reports the target version: the tool's version is not known" \
            in report
        assert app.screen.query_one(Markdown).source == report


async def test_adoption_keys_mark_a_wave_record_and_decide_a_change_add_a_milestone(
        filled_db: Database, settings: Settings) -> None:
    workspace = Workspace(settings, filled_db, no_connector)
    seed_rollouts(workspace)
    app = CockpitApp(workspace, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("5")
        await settle(pilot)
        await _form(pilot, "w")
        await _choose(pilot, 2)  # Wave 2
        await _choose(pilot, 2)  # live
        await pilot.press("enter")
        await settle(pilot)
        await _form(pilot, "c")
        await _type(pilot, "Archive closed projects monthly")
        await pilot.press("enter")
        await settle(pilot)
        await _form(pilot, "d")
        await _choose(pilot, 0)  # the first pending change request
        await _choose(pilot, 1)  # deferred
        await pilot.press("enter")  # no reason: refused
        await settle(pilot)
        assert any(note.startswith("Refused: say why") for note in notifications(app))
        await _form(pilot, "d")
        await pilot.press("tab", "tab")
        await _type(pilot, "after wave 3")
        await pilot.press("enter")
        await settle(pilot)
        await _form(pilot, "m")
        await _type(pilot, "Go-live review")
        await pilot.press("enter")
        await settle(pilot)

    view = service.detail(workspace, "Redmine for everyone", FIXED_NOW.date())
    assert [w.status for w in view.waves] == [WaveStatus.LIVE, WaveStatus.LIVE, WaveStatus.LIVE,
                                              WaveStatus.NOT_STARTED]
    assert [(c.title, c.decision, c.reason) for c in view.changes][1:] == [
        ("Cost-centre field on every project", Decision.ACCEPTED, "after wave 3"),
        ("Archive closed projects monthly", Decision.PENDING, "")]
    assert "Go-live review" in [m.title for m in view.milestones]
    assert "wave-struggling" not in view.health.reasons


async def test_a_tool_upgraded_without_a_plan_is_named(make_app: AppFactory,
                                                        filled_db: Database) -> None:
    with filled_db.session() as session:
        for days, version in ((5, "17.3.6"), (2, "17.5.1-ee")):
            connections.record_health(session, "gitlab", HealthFacts(
                reachable=True, authenticated=True, version=version,
                checked_at=FIXED_NOW - timedelta(days=days)))
    app = make_app(filled_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("5")
        await settle(pilot)
        moves = app.screen.query_one("#rollout-moves", Static)
        assert moves.display
        assert str(moves.render()) == ("gitlab moved from 17.3.6 to 17.5.1-ee on 2025-03-08 "
                                       "without a planned upgrade")
