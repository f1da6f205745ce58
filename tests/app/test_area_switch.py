"""Area switches are cheap by construction: Permissions and Queue are built once Home is
read; a revisit shows the same screen with its last rows before its refresh comes in;
a filter keystroke reads one page; the queue's wheel reads the next page as its keys do."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event
from textual.events import MouseScrollDown
from textual.pilot import Pilot

from benchmarks.review_screen import fill as fill_review
from pmcockpit.app import CockpitApp
from pmcockpit.screens.permissions import PermissionsScreen
from pmcockpit.screens.queue import QueueScreen
from pmcockpit.screens.review_filters import PAGE_SIZE
from pmcockpit.storage.db import Database
from pmcockpit.widgets.queue_table import QueueTable
from pmcockpit.widgets.review_people import PeopleTable
from tests.app.conftest import AppFactory
from tests.app.helpers import settle
from tests.app.test_queue_paging import COUNT
from tests.app.test_queue_paging import fill as fill_queue


async def _built_ahead(pilot: Pilot[None], app: CockpitApp) -> None:
    while any(mode not in app._screen_stacks for mode in app.prebuilt_areas):
        await pilot.pause(0.05)
    await settle(pilot)


@contextmanager
def _statements(db: Database) -> Iterator[list[tuple[str, Any]]]:
    said: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any,
               *_args: Any) -> None:
        said.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield said
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


async def test_areas_are_built_ahead_and_a_revisit_shows_the_last_rows_at_once(
        db: Database, make_app: AppFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    fill_queue(db)
    fill_review(db, 400)
    app = make_app(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await _built_ahead(pilot, app)
        queue = app._screen_stacks["queue"][0]
        assert isinstance(queue, QueueScreen)
        table = queue.query_one(QueueTable)
        assert table.row_count  # read while Home was on screen
        await pilot.press("4")
        await settle(pilot)
        assert app.screen is queue and queue.query_one(QueueTable) is table
        shown = [table.get_row_at(n) for n in range(table.row_count)]

        refreshes: list[str] = []
        monkeypatch.setattr(queue, "load", lambda: refreshes.append("read"))
        await pilot.press("1")
        await settle(pilot)
        await pilot.press("4")  # the refresh never comes in: the rows are the last read
        assert app.screen is queue and queue.query_one(QueueTable) is table
        assert [table.get_row_at(n) for n in range(table.row_count)] == shown
        assert refreshes == ["read"]

        people = app._screen_stacks["permissions"][0]
        assert isinstance(people, PermissionsScreen)
        await pilot.press("3")
        assert app.screen is people and people.query_one(PeopleTable).row_count


async def test_a_filter_keystroke_reads_one_page(db: Database,
                                                 make_app: AppFactory) -> None:
    fill_review(db, 2000)
    app = make_app(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("3")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PermissionsScreen)
        await pilot.press("slash")
        await settle(pilot)
        people = screen.query_one(PeopleTable)
        with _statements(db) as said:
            await pilot.press("w")
            await settle(pilot)
        assert screen.shown is not None and screen.shown.text == "w"
        # (The Queue, built ahead meanwhile, reads its own tickets.)
        pages = [params for sql, params in said if " LIMIT ? OFFSET ?" in sql
                 and ("FROM review_person" in sql or "FROM review_item" in sql)]
        assert len(pages) == 1, said  # one page of people, no debounce, no second read
        assert pages[0][-2] <= PAGE_SIZE  # LIMIT ? OFFSET ?: at most a page
        assert 0 < people.row_count <= PAGE_SIZE
        assert all("w" in line.person for line in people.lines)


async def test_the_wheel_reads_the_next_page_of_the_queue(
        db: Database, make_app: AppFactory) -> None:
    fill_queue(db)
    app = make_app(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("4")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, QueueScreen)
        table = screen.query_one(QueueTable)
        first = table.row_count
        assert 0 < first < COUNT
        for _turn in range(first):  # the wheel, the cursor left where it was
            await pilot._post_mouse_events([MouseScrollDown], QueueTable, offset=(10, 5))
            await settle(pilot)
            if table.row_count > first:
                break
        assert table.cursor_row == 0 and table.row_count > first
        assert len({row.key for row in table.rows_shown}) == table.row_count
