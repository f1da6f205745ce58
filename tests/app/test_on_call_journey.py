"""The on-call journey by keyboard at 80x24 on the demo: open, see the failing tool,
sync, lock a departed person's Redmine account from the Permissions screen, and undo
exactly that lock from the Audit screen. Keys are counted from the moment the person is
chosen (typed text counts as one): under 10. The simulated Redmine is looked at after
each step: locked, then active again."""

from __future__ import annotations

from collections.abc import Iterator
from typing import cast

import pytest
from sqlalchemy import select
from textual.pilot import Pilot

from pmcockpit.app import CockpitApp
from pmcockpit.config import Settings
from pmcockpit.screens.action_dialog import ActionDialog
from pmcockpit.screens.audit import AuditScreen
from pmcockpit.screens.permissions import PermissionsScreen
from pmcockpit.screens.review_dialogs import ActionPicker
from pmcockpit.services.demo import open_demo
from pmcockpit.services.workspace import Workspace
from pmcockpit.sim.models import USER_ACTIVE, USER_LOCKED
from pmcockpit.sim.tool import SimTool
from pmcockpit.storage.db import Database
from pmcockpit.storage.models import AuditEntry
from pmcockpit.widgets.review_people import PeopleTable
from tests.app.data import FIXED_NOW
from tests.app.helpers import notifications, settle

LEAVER = "smartin@example.org"
"""In the demo's roster he resigned in Feishu; his Redmine (and ZenTao) accounts are open."""


@pytest.fixture
def demo(db: Database, settings: Settings) -> Iterator[Workspace]:
    with open_demo(db, settings, scale=40) as workspace:
        yield workspace


def simulators(workspace: Workspace) -> dict[str, SimTool]:
    """The demo's simulated tools, as its connector opener holds them."""
    opener = workspace.open_connector
    cells = dict(zip(opener.__code__.co_freevars,
                     (cell.cell_contents for cell in opener.__closure__ or ()), strict=True))
    return cast(dict[str, SimTool], cells["tools"])


class Keys:
    """Presses keys and counts them; a typed text is one."""

    def __init__(self, pilot: Pilot[None]) -> None:
        self.pilot, self.count = pilot, 0

    async def __call__(self, *keys: str, text: str = "") -> None:
        for key in keys:
            await self.pilot.press(key)
            self.count += 1
        if text:
            await self.pilot.press(*text)
            self.count += 1
        await settle(self.pilot)


async def ready(pilot: Pilot[None], dialog: ActionDialog) -> None:
    """Wait for the dialog's dry run, however long a busy machine takes."""
    for _ in range(500):
        if dialog.has_class("-ready"):
            return
        await settle(pilot)
    raise AssertionError("the dry run never finished")


async def choose(pilot: Pilot[None], person: str) -> None:
    """Arrow down the people table to ``person`` (choosing is not counted)."""
    screen = pilot.app.screen
    assert isinstance(screen, PermissionsScreen)
    people = screen.query_one(PeopleTable)
    for _ in range(people.row_count):
        if people.current_person() == person and screen.lines_person == person:
            return
        if people.current_person() != person:
            await pilot.press("down")
        await settle(pilot)
    raise AssertionError(f"{person} is not on the Permissions screen")


async def test_lock_a_leaver_and_undo_exactly_that_lock(demo: Workspace) -> None:
    tools = simulators(demo)
    redmine = tools["redmine"].state
    account = redmine.user_by_login("smartin")
    assert account is not None and account.status == USER_ACTIVE
    tools["gitlab"].faults.error_rate = 1.0  # GitLab is down tonight
    app = CockpitApp(demo, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        press = Keys(pilot)
        await settle(pilot)
        await press("s")  # sync every tool: the failing one is named
        assert any("gitlab" in note.lower() for note in notifications(app)
                   if "fail" in note.lower() or "503" in note), notifications(app)
        await press("3")
        await choose(pilot, LEAVER)
        press.count = 0  # the person is chosen: count from here
        await press("enter")  # act on one of his accounts: the open one with a finding first
        picker = app.screen
        assert isinstance(picker, ActionPicker)
        assert picker.choices[0][0] == "Lock smartin on redmine", picker.choices[:3]
        await press("enter")
        dialog = app.screen
        assert isinstance(dialog, ActionDialog)
        await ready(pilot, dialog)
        await press(text="left the company")
        await press("enter")  # Enter runs once the dry run is ready
        assert [result.ok for result in dialog.results] == [True]
        assert account.status == USER_LOCKED
        await press("escape")
        await press("7")  # Audit, newest first: the lock is the top row
        audit = app.screen
        assert isinstance(audit, AuditScreen)
        lock_id = max(audit.rows)
        assert audit.rows[lock_id].action == "lock-user"
        await press("u")
        undo = app.screen
        assert isinstance(undo, ActionDialog)
        await ready(pilot, undo)
        await press("enter")
        assert undo.results and undo.results[0].ok, undo.results
        await press("escape")
        assert press.count < 10, press.count
    assert account.status == USER_ACTIVE
    with demo.db.session() as session:
        last = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        assert last is not None and last.status == "succeeded"
        assert (last.undo_of, last.connection_name) == (lock_id, "redmine")
        assert last.action == "unlock-user" and last.target.startswith("smartin ")
