"""The Audit screen through Pilot: newest first, paged, verify the chain, undo one entry."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, update
from textual.pilot import Pilot
from textual.widgets import Button, DataTable, Static

from pmcockpit.app import CockpitApp
from pmcockpit.config import Settings
from pmcockpit.core.clock import utcnow
from pmcockpit.screens.action_dialog import ActionDialog
from pmcockpit.screens.audit import PAGE_SIZE
from pmcockpit.services.audit_key import chain_key
from pmcockpit.services.demo import open_demo
from pmcockpit.services.workspace import Workspace
from pmcockpit.storage import audit, audit_head
from pmcockpit.storage.db import Database
from pmcockpit.storage.models import AuditEntry
from pmcockpit.widgets.empty_state import EmptyState
from tests.app.conftest import AppFactory
from tests.app.data import FIXED_NOW
from tests.app.helpers import notifications, settle

SIZE = (80, 24)
SnapCompare = Callable[..., bool]


@pytest.fixture
def demo(db: Database, settings: Settings) -> Iterator[Workspace]:
    """The demo: synced simulated tools and two audited locks from "last week"."""
    with open_demo(db, settings, scale=40) as workspace:
        yield workspace


def table(app: CockpitApp) -> DataTable[object]:
    return app.screen.query_one("#audit-table", DataTable)


def ids(app: CockpitApp) -> list[int]:
    return [int(str(row.value)) for row in table(app).rows]


def entries(db: Database) -> list[AuditEntry]:
    with db.session() as session:
        rows = list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
        session.expunge_all()
    return rows


def append(db: Database, record: audit.AuditRecord, at: datetime) -> None:
    """Add an entry as the runner does: keyed, with the head beside the database."""
    key = chain_key()
    with db.session() as session:
        audit.append(session, record, key, at=at)
    with db.session() as session:
        audit_head.record_head(session, key, audit_head.head_path(db.engine))


def add_entries(db: Database, count: int) -> None:
    for number in range(count):
        append(db, audit.AuditRecord(
            operator="tester", connection_name="redmine", action="add-comment",
            target=f"#{number}", status="succeeded", detail={}, reason=f"note {number}",
        ), FIXED_NOW - timedelta(minutes=count - number))


async def test_entries_are_listed_newest_first(demo: Workspace, db: Database) -> None:
    app = CockpitApp(demo, clock=utcnow)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("7")
        await settle(pilot)
        # The first lock failed (one entry); the second ran: its intent, then its outcome.
        assert ids(app) == [3, 2, 1]
        assert str(table(app).get_cell("3", "action")) == "Lock user"
        assert str(table(app).get_cell("2", "status")) == "intent"
        detail = str(app.screen.query_one("#audit-detail", Static).render())
        assert "#3 " in detail and "demo-admin on redmine" in detail
        assert "Outcome of #2" in detail
        assert "Why: left the company on" in detail


async def test_an_empty_log_says_what_it_will_hold(db: Database, make_app: AppFactory) -> None:
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("7")
        await settle(pilot)
        assert "No actions recorded yet." in str(app.screen.query_one(EmptyState).render())
        await pilot.press("u")
        await pilot.pause()
        assert any("nothing to undo" in note for note in notifications(app))


async def test_a_long_log_is_read_a_page_at_a_time(db: Database, make_app: AppFactory) -> None:
    add_entries(db, PAGE_SIZE + 50)
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("7")
        await settle(pilot)
        assert len(ids(app)) == PAGE_SIZE and ids(app)[0] == PAGE_SIZE + 50
        lead = str(app.screen.query_one("#audit-lead", Static).render())
        assert "older ones load at the end" in lead
        table(app).move_cursor(row=PAGE_SIZE - 1)
        await settle(pilot)
        assert len(ids(app)) == PAGE_SIZE + 50 and ids(app)[-1] == 1


async def test_v_verifies_the_chain(db: Database, make_app: AppFactory) -> None:
    add_entries(db, 3)
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("7")
        await settle(pilot)
        await pilot.press("v")
        await settle(pilot)
        assert any(n.startswith("Audit log intact") and "Key: the keyring." in n
                   for n in notifications(app))
        with db.session() as session:
            session.execute(update(AuditEntry).where(AuditEntry.id == 2)
                            .values(reason="nothing to see"))
        await pilot.press("v")
        await settle(pilot)
        [broken] = [n for n in notifications(app) if n.startswith("Audit log BROKEN")]
        assert "entry 2 was edited after it was written" in broken


async def test_u_undoes_the_selected_entry_through_the_action_dialog(
    demo: Workspace, db: Database
) -> None:
    app = CockpitApp(demo, clock=utcnow)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("7")
        await settle(pilot)
        await pilot.press("u")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ActionDialog)
        assert dialog.undo_of == 3
        listing = str(dialog.query_one("#action-list", Static).render())
        assert listing.startswith("Unlock user: ") and "PUT /users/" in listing
        assert not dialog.query_one("#action-run", Button).disabled
        await pilot.click("#action-run")
        await settle(pilot)
        await pilot.click("#action-done")
        await settle(pilot)
        assert ids(app) == [5, 4, 3, 2, 1]
        assert str(table(app).get_cell("5", "action")) == "Unlock user"
    newest = entries(db)[-1]
    assert (newest.action, newest.status, newest.undo_of) == ("unlock-user", "succeeded", 3)
    assert newest.intent_id == 4
    assert newest.reason.startswith("undo: left the company")


async def test_u_refuses_to_act_on_a_log_that_does_not_verify(demo: Workspace, db: Database
                                                               ) -> None:
    with db.session() as session:  # someone points the lock at another account
        session.execute(update(AuditEntry).where(AuditEntry.id == 3).values(target="admin"))
    app = CockpitApp(demo, clock=utcnow)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("7")
        await settle(pilot)
        await pilot.press("u")
        await settle(pilot)
        assert not isinstance(app.screen, ActionDialog)
        assert any(n.startswith("Cannot undo #3: the audit log does not verify")
                   and "entry 3 was edited" in n for n in notifications(app))


def test_snapshot_audit(snap_compare: SnapCompare, db: Database, make_app: AppFactory) -> None:
    add_entries(db, 4)
    append(db, audit.AuditRecord(
        operator="tester", connection_name="gitlab", action="lock-user",
        target="jdoe (user 17)", status="failed", detail={},
        reason="left on 2025-03-07 (HR roster)\nforged line",
        error="gitlab refused: 403 Forbidden (the token's user is not an administrator)",
    ), FIXED_NOW)
    append(db, audit.AuditRecord(
        operator="tester", connection_name="redmine", action="lock-user",
        target="asmith (user 9)", status=audit.INTENT, detail={}, reason="left",
    ), FIXED_NOW)

    async def open_screen(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("7")
        await settle(pilot)

    assert snap_compare(make_app(db), terminal_size=SIZE, run_before=open_screen)
