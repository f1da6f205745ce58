"""The Rollout screen's forms at 80x24: waves, teams, risks and training sessions added
by keys, typos refused with the field named, and an upgrade's linked checklist ticked
on the checklist run screen until its gate item is met."""

from __future__ import annotations

from textual.pilot import Pilot

from pmcockpit.app import CockpitApp
from pmcockpit.config import Settings
from pmcockpit.screens.checklist_run import ChecklistRunScreen
from pmcockpit.screens.rollout import RolloutScreen
from pmcockpit.screens.rollout_form import RolloutForm
from pmcockpit.services import rollout as service
from pmcockpit.services.workspace import Workspace
from pmcockpit.storage.db import Database
from tests.app.conftest import no_connector
from tests.app.data import FIXED_NOW
from tests.app.helpers import notifications, settle
from tests.app.rollout_data import seed_rollouts

ADOPTION, UPGRADE = "Redmine for everyone", "GitLab 17.8"


async def _type(pilot: Pilot[None], text: str) -> None:
    await pilot.press(*["space" if char == " " else char for char in text])


async def _open(pilot: Pilot[None], key: str) -> None:
    await pilot.press(key)
    await settle(pilot)
    assert isinstance(pilot.app.screen, RolloutForm)


async def _save(pilot: Pilot[None]) -> None:
    await pilot.press("ctrl+s")
    await settle(pilot)


def _refused(app: CockpitApp, start: str) -> bool:
    return any(note.startswith(f"Refused: {start}") for note in notifications(app))


def _workspace(filled_db: Database, settings: Settings) -> Workspace:
    workspace = Workspace(settings, filled_db, no_connector)
    seed_rollouts(workspace)
    return workspace


async def test_waves_teams_risks_and_training_from_forms(filled_db: Database,
                                                         settings: Settings) -> None:
    workspace = _workspace(filled_db, settings)
    app = CockpitApp(workspace, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("5")
        await settle(pilot)
        assert isinstance(app.screen, RolloutScreen)
        assert app.screen.copy_target() == ("rollout name", ADOPTION)

        await _open(pilot, "W")
        await _type(pilot, "Wave 4")
        await pilot.press("tab")
        await _type(pilot, "Legal, Ops:Operations")
        await pilot.press("tab")
        await _type(pilot, "2025-04-31")
        await _save(pilot)
        assert _refused(app, "Go-live date: write the date as YYYY-MM-DD, not '2025-04-31'")
        await _open(pilot, "W")
        await _type(pilot, "Wave 4")
        await pilot.press("tab")
        await _type(pilot, "Legal, Ops:Operations")
        await _save(pilot)

        await _open(pilot, "T")
        await pilot.press("enter", *["down"] * 4, "enter", "tab")  # Wave 4
        await _type(pilot, "Audit")
        await pilot.press("tab", "tab")
        await _type(pilot, "seven")
        await _save(pilot)
        assert _refused(app, "People expected: a whole number of people, not 'seven'")
        await _open(pilot, "T")
        await pilot.press("enter", *["down"] * 4, "enter", "tab")
        await _type(pilot, "Audit")
        await pilot.press("tab", "tab")
        await _type(pilot, "7")
        await _save(pilot)

        await _open(pilot, "R")
        await _type(pilot, "Key users leave mid-rollout")
        await pilot.press("tab", "enter", "down", "enter", "tab")  # impact: high
        await _type(pilot, "Two key users per team")
        await _save(pilot)

        await _open(pilot, "S")
        await pilot.press("tab", "tab")  # team: the first, held today
        await _type(pilot, "12")
        await pilot.press("tab")
        await _type(pilot, "15")
        await _save(pilot)
        assert _refused(app, "more attended (15) than were invited (12)")
        await _open(pilot, "S")
        await pilot.press("tab", "tab")
        await _type(pilot, "12")
        await pilot.press("tab")
        await _type(pilot, "9")
        await _save(pilot)
        assert isinstance(app.screen, RolloutScreen)

    view = service.detail(workspace, ADOPTION, FIXED_NOW.date())
    wave = view.waves[-1]
    assert (wave.name, wave.teams, wave.go_live) == ("Wave 4", ("Legal", "Ops", "Audit"), None)
    assert [(a.team, a.group) for a in view.adoption][-3:] == [
        ("Legal", "Legal"), ("Ops", "Operations"), ("Audit", None)]
    assert [(r.title, r.impact.value, r.mitigation) for r in view.risks][-1] == (
        "Key users leave mid-rollout", "high", "Two key users per team")
    assert [(t.team, t.held_on, t.invited, t.attended) for t in view.training] == [
        ("Finance", FIXED_NOW.date(), 12, 9)]


async def test_the_pre_upgrade_checklist_is_ticked_until_its_gate_item_is_met(
        filled_db: Database, settings: Settings) -> None:
    workspace = _workspace(filled_db, settings)
    app = CockpitApp(workspace, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("5")
        await settle(pilot)
        await pilot.press("down")
        await settle(pilot)
        assert isinstance(app.screen, RolloutScreen)
        assert app.screen.copy_target() == ("target version", "17.8.2")
        await _open(pilot, "l")  # two linked: pre-upgrade (this phase's) first
        await _save(pilot)
        assert isinstance(app.screen, ChecklistRunScreen)
        for _step in range(6):
            await pilot.press("space")
            await settle(pilot)
            await pilot.press("down")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, RolloutScreen)

    gate = {g.spec.id: g for g in service.detail(workspace, UPGRADE, FIXED_NOW.date()).gate}
    assert gate["pre-upgrade-checklist"].met
    assert gate["pre-upgrade-checklist"].detail.endswith("6 of 6 steps settled")
