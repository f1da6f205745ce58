"""From the Permissions screen at 80x24: import the roster by typing a file's path (a bad
one says why), link an account nobody could place to a person, and sort by a column."""

from __future__ import annotations

from pathlib import Path

from pmcockpit.app import CockpitApp
from pmcockpit.core.clock import utcnow
from pmcockpit.screens.permissions import PermissionsScreen
from pmcockpit.screens.review_dialogs import TextDialog
from pmcockpit.screens.review_filters import PAGE_SIZE
from pmcockpit.services.sync import sync_all
from pmcockpit.storage import roster
from pmcockpit.widgets.review_people import PeopleTable
from tests.app.helpers import notifications, settle
from tests.services.review_sim import review_sim

SIZE = (80, 24)


async def test_import_link_and_sort_from_the_screen(tmp_path: Path) -> None:
    sim = await review_sim(tmp_path, scale=60)
    sim.tools["redmine"].state.add_user(login="zz-ext", firstname="Zed", lastname="Ext",
                                        mail="zz@elsewhere.example")
    await sync_all(sim.workspace)
    shill = next(p for p in sim.org.people if p.login == "shill")
    app = CockpitApp(sim.workspace, clock=utcnow)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        assert isinstance(app.screen, TextDialog)
        await pilot.press(*str(tmp_path / "missing.csv"), "enter")
        await settle(pilot)
        assert any("Roster not imported" in note for note in notifications(app))
        await pilot.press("i")
        await settle(pilot)
        await pilot.press(*str(sim.roster_path), "enter")
        await settle(pilot)
        assert any("Roster imported" in note for note in notifications(app))
        with sim.workspace.db.session() as session:
            assert roster.latest_import(session) is not None

        await pilot.press("n")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PermissionsScreen) and screen.view is not None
        await pilot.press("slash", *"zz-ext", "enter")
        await settle(pilot)
        assert screen.query_one(PeopleTable).current_person() == "zz@elsewhere.example"
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, TextDialog)
        await pilot.press(*"shill", "enter")
        await settle(pilot)
        assert any(f"Linked 1 account to {shill.email.lower()}" in note
                   for note in notifications(app))
        await pilot.press("escape")  # clear the filter
        await settle(pilot)
        await pilot.press("slash", *"shill", "enter")
        await settle(pilot)
        assert screen.query_one(PeopleTable).current_person() == shill.email.lower()
        assert "zz-ext" in {line.login for line in screen.person_lines}

        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("S")
        await settle(pilot)
        assert screen.wanted.sort == "person" and screen.view is not None
        names = [line.name for line in screen.view.page.rows]
        assert names == sorted(names)


async def test_people_are_read_a_page_at_a_time(tmp_path: Path) -> None:
    sim = await review_sim(tmp_path, scale=60)
    app = CockpitApp(sim.workspace, clock=utcnow)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PermissionsScreen) and screen.view is not None
        people = screen.query_one(PeopleTable)
        total = screen.view.page.total
        assert total > PAGE_SIZE and people.row_count == PAGE_SIZE
        await pilot.press("ctrl+end")  # the last line read: the next page comes in
        await settle(pilot)
        assert people.row_count == min(total, 2 * PAGE_SIZE)
        assert people.cursor_row == PAGE_SIZE - 1  # the cursor stays where it was


async def test_a_click_on_a_header_sorts_and_again_reverses(tmp_path: Path) -> None:
    sim = await review_sim(tmp_path, scale=30)
    app = CockpitApp(sim.workspace, clock=utcnow)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PermissionsScreen)
        people = screen.query_one(PeopleTable)
        # Columns with their padding: mark 3, severity 10, person 20, decided 9, tools 7.
        await pilot.click(PeopleTable, offset=(45, 0))
        await settle(pilot)
        assert (screen.wanted.sort, screen.wanted.reverse) == ("tools", False)
        counts = [len(line.tools) for line in people.lines]
        assert counts == sorted(counts, reverse=True)
        await pilot.click(PeopleTable, offset=(45, 0))
        await settle(pilot)
        assert (screen.wanted.sort, screen.wanted.reverse) == ("tools", True)
        counts = [len(line.tools) for line in people.lines]
        assert counts == sorted(counts)
        assert "sorted by most tools, reversed" in str(
            screen.query_one("#review-filters").render())


async def test_a_filter_matching_nobody_then_someone_shows_their_accounts(
        tmp_path: Path) -> None:
    sim = await review_sim(tmp_path, scale=30)
    app = CockpitApp(sim.workspace, clock=utcnow)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PermissionsScreen)
        first = screen.query_one(PeopleTable).current_person()
        assert first is not None
        await pilot.press("slash", *"no-such-person-here", "enter")
        await settle(pilot)
        assert "Nobody matches" in str(screen.query_one("#review-detail-text").render())
        await pilot.press("escape")
        await settle(pilot)
        assert screen.query_one(PeopleTable).current_person() == first
        assert first in str(screen.query_one("#review-detail-text").render())
