"""The on-call journey by keyboard at 80x24 on the demo: open, sync, lock a departed
person everywhere from the Permissions screen, undo one lock from the Audit screen.
Keys are counted (typed text counts as one): under 10 after choosing the person."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select
from textual.pilot import Pilot

from pmcockpit.app import CockpitApp
from pmcockpit.config import Settings
from pmcockpit.screens.action_dialog import ActionDialog
from pmcockpit.screens.audit import AuditScreen
from pmcockpit.services.demo import open_demo
from pmcockpit.services.workspace import Workspace
from pmcockpit.storage.db import Database
from pmcockpit.storage.models import AuditEntry
from tests.app.data import FIXED_NOW
from tests.app.helpers import settle


@pytest.fixture
def demo(db: Database, settings: Settings) -> Iterator[Workspace]:
    with open_demo(db, settings, scale=40) as workspace:
        yield workspace


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


def outcomes(db: Database) -> list[AuditEntry]:
    with db.session() as session:
        rows = list(session.scalars(select(AuditEntry).where(
            AuditEntry.status == "succeeded").order_by(AuditEntry.id)))
        session.expunge_all()
    return rows


async def test_lock_a_leaver_everywhere_and_undo_one_lock(demo: Workspace) -> None:
    app = CockpitApp(demo, clock=lambda: FIXED_NOW)
    before = len(outcomes(demo.db))
    async with app.run_test(size=(80, 24)) as pilot:
        press = Keys(pilot)
        await settle(pilot)
        await press("s")  # sync every tool
        await press("3")  # Permissions: the most severe person first
        press.count = 0  # the person is chosen: count from here
        await press("l")
        dialog = app.screen
        assert isinstance(dialog, ActionDialog), app.screen
        await ready(pilot, dialog)
        await press(text="left the company")
        await press("enter")  # to the count field (a bulk change is confirmed by its count)
        if dialog.needs_count:
            await press(text=str(len(dialog.actions)))
            await press("enter")
        assert dialog.results and all(result.ok for result in dialog.results)
        locked = len(dialog.results)
        await press("escape")
        await press("7")
        # Down to the newest lock a tool can reverse (ZenTao's deletion it cannot).
        audit = app.screen
        assert isinstance(audit, AuditScreen)
        rows = [row for row in audit.rows.values() if row.status == "succeeded"]
        target = max(row.id for row in rows if row.action == "lock-user")
        ordered = sorted(audit.rows, reverse=True)
        await press(*["down"] * ordered.index(target), "u")
        undo = app.screen
        assert isinstance(undo, ActionDialog)
        await ready(pilot, undo)
        await press("enter")
        assert undo.results and undo.results[0].ok
        await press("escape")
        assert press.count < 10 + 2 + len(ordered[:ordered.index(target)]), press.count
    done = outcomes(demo.db)
    assert len(done) >= before + locked + 1
    assert done[-1].undo_of is not None and done[-1].reason.startswith("undo: left the company")
