"""The Permissions screen without an open review: Enter on an account offers its single
actions (admin rights removed in the simulated Redmine), `l` sweeps the account's owner
and `L` everyone the roster says left, each through the action dialog."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable

from pmcockpit.app import CockpitApp
from pmcockpit.core.actions import ActionKind
from pmcockpit.core.clock import utcnow
from pmcockpit.screens.action_dialog import ActionDialog
from pmcockpit.screens.permissions import PermissionsScreen
from pmcockpit.screens.review_dialogs import ActionPicker
from pmcockpit.services import review
from pmcockpit.services.sync import sync_all
from tests.app.helpers import settle
from tests.services.review_sim import review_sim

SIZE = (80, 24)


def _screen(app: CockpitApp) -> PermissionsScreen:
    screen = app.screen
    assert isinstance(screen, PermissionsScreen)
    assert screen.view is None  # no review open: today's accounts
    return screen


async def test_enter_on_an_account_removes_its_admin_rights_without_a_review(
        tmp_path: Path) -> None:
    sim = await review_sim(tmp_path, scale=40)
    redmine = sim.tools["redmine"].state
    user = next(u for u in sorted(redmine.users.values(), key=lambda u: u.login)
                if not u.admin and u.status == 1)
    user.admin = True
    await sync_all(sim.workspace)
    app = CockpitApp(sim.workspace, clock=utcnow)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await settle(pilot)
        screen = _screen(app)
        row = next(i for i, r in enumerate(screen.live_rows)
                   if (r.connection, r.login) == ("redmine", user.login))
        table = screen.query_one("#review-table", DataTable)
        assert app.focused is table
        for _ in range(row):
            await pilot.press("down")
        await pilot.press("enter")
        await settle(pilot)
        picker = app.screen
        assert isinstance(picker, ActionPicker)
        kinds = [action.kind for _label, action in picker.choices]
        assert kinds[:2] == [ActionKind.LOCK_USER, ActionKind.REMOVE_ADMIN]
        await pilot.press("down", "enter")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ActionDialog)
        await pilot.press(*"not an operator any more", "tab", "tab", "enter")
        await settle(pilot)
        assert [r.ok for r in dialog.results] == [True], [r.error for r in dialog.results]
    assert not redmine.users[user.id].admin


async def test_sweeps_without_a_review(tmp_path: Path) -> None:
    sim = await review_sim(tmp_path, scale=60)
    review.import_roster(sim.workspace, sim.roster_path)
    left = {p.login for p in sim.org.people if p.left_on is not None}
    app = CockpitApp(sim.workspace, clock=utcnow)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await settle(pilot)
        screen = _screen(app)
        assert screen.live_rows
        first = screen.live_rows[0]
        await pilot.press("l")
        await settle(pilot)
        one = app.screen
        assert isinstance(one, ActionDialog)
        assert first.login in {a.target_label for a in one.actions}
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("L")
        await settle(pilot)
        everyone = app.screen
        assert isinstance(everyone, ActionDialog)
        assert {a.target_label for a in everyone.actions} <= left
        assert {a.connection for a in everyone.actions if a.target_label == "shill"} == {
            "gitlab", "jira", "redmine"}


async def test_copy_target_is_the_account_login(tmp_path: Path) -> None:
    sim = await review_sim(tmp_path, scale=20)
    app = CockpitApp(sim.workspace, clock=utcnow)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await settle(pilot)
        screen = _screen(app)
        first = screen.live_rows[0]
        assert screen.copy_target() == ("account login", first.login)
        await pilot.press("n")
        await settle(pilot)
        assert screen.view is not None
        target = screen.copy_target()
        assert target is not None and target[1] == screen.person_lines[0].login
