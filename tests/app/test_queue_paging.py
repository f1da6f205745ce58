"""A long queue at 80x24: a screenful and a half is read first, the rest a page at a
time as the cursor goes down; the key under the cursor is what `y` copies; the ticket
screen's keys are in the palette."""

from __future__ import annotations

from datetime import timedelta

from pmcockpit.screens.base import key_commands
from pmcockpit.screens.queue import QueueScreen
from pmcockpit.screens.queue_ticket import TicketScreen
from pmcockpit.storage import connections
from pmcockpit.storage.db import Database
from pmcockpit.storage.models import Ticket
from pmcockpit.widgets.queue_table import QueueTable
from tests.app.conftest import AppFactory
from tests.app.data import FIXED_NOW
from tests.app.helpers import settle

COUNT = 300


def fill(db: Database) -> None:
    with db.session() as session:
        conn = connections.add(session, "rm", "redmine", "http://rm.invalid")
        for n in range(1, COUNT + 1):
            created = FIXED_NOW - timedelta(hours=n)
            session.add(Ticket(connection_id=conn.id, remote_id=str(n), key=f"#{n}",
                               subject=f"Request {n}", description="", status="New",
                               is_closed=False, priority="Normal", author_remote_id="1",
                               assignee_remote_id=None, created_at=created,
                               updated_at=created))


async def test_rows_come_a_page_at_a_time_and_the_key_is_copied(
        db: Database, make_app: AppFactory) -> None:
    fill(db)
    app = make_app(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, QueueScreen)
        table = screen.query_one(QueueTable)
        first = table.row_count
        assert 0 < first < COUNT and screen.total == COUNT
        assert screen.copy_target() == ("ticket key", "rm#300")  # the oldest: most late
        await pilot.press("ctrl+end")
        await settle(pilot)
        assert table.row_count > first
        while table.row_count < COUNT:  # each page arrives as the cursor nears the end
            shown = table.row_count
            await pilot.press("ctrl+end")
            await settle(pilot)
            assert table.row_count > shown
        assert len(set(screen.rows)) == COUNT
        key = screen.copy_target()
        assert key is not None and key[1] == table.current()

        await pilot.press("enter")
        await settle(pilot)
        ticket = app.screen
        assert isinstance(ticket, TicketScreen)
        titles = [title for title, _help, _run in key_commands(ticket)]
        for words in ("Comment", "Resolve", "Grant access", "Push to a tool", "Status"):
            assert f"{ticket.key}: {words}" in titles
        assert ticket.copy_target() == ("ticket key", ticket.key)
