"""Issue 10: the Feishu directory imported as the HR roster from the Permissions screen's
import dialog (`i`, the Feishu connection's name typed), at 80x24 against the simulated
Feishu: everyone in the directory is imported, those who resigned as having left, and the
review started next puts a leaver still active in GitLab or ZenTao at the top."""

from __future__ import annotations

from pathlib import Path

from pmcockpit.app import CockpitApp
from pmcockpit.core.clock import utcnow
from pmcockpit.core.risk import Rule
from pmcockpit.screens.permissions import PermissionsScreen
from pmcockpit.screens.review_dialogs import TextDialog
from pmcockpit.sim.dialects.feishu.core import feishu_facts
from pmcockpit.storage import roster
from pmcockpit.widgets.review_people import PeopleTable
from tests.app.helpers import notifications, settle
from tests.connectors.test_feishu_review import _workspace


async def test_the_feishu_directory_typed_into_the_import_dialog(tmp_path: Path) -> None:
    workspace, tools = await _workspace(tmp_path)
    state = tools["feishu"].state
    facts = feishu_facts(state)
    resigned = {u.login for u in state.users.values() if u.id in facts.resigned}
    app = CockpitApp(workspace, clock=utcnow)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("3")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PermissionsScreen) and screen.view is None
        await pilot.press("i")
        await settle(pilot)
        assert isinstance(app.screen, TextDialog)
        await pilot.press(*"feishu", "enter")
        await settle(pilot)
        assert screen.is_current  # the dialog closed
        with workspace.db.session() as session:
            staff = roster.staff(session)
            latest = roster.latest_import(session)
        assert latest is not None and latest.filename == "feishu:feishu"
        people = {u.login for u in state.users.values() if u.login != "admin"}
        assert {e.login for e in staff} == people  # the directory, not the API's admin
        assert {e.login for e in staff if e.has_left} == resigned and resigned
        imported = [n for n in notifications(app) if "Roster imported" in n]
        assert imported and f"{len(staff)} people from feishu:feishu" in imported[-1]

        await pilot.press("n")  # a review judged against the roster just imported
        await settle(pilot)
        assert screen.view is not None
        first = screen.query_one(PeopleTable).current_person()
        assert first is not None
        rules = screen.view.page.rows[0].rules
        assert rules[0] == Rule.DEPARTED_ACTIVE
        left = {e.email.lower() for e in staff if e.has_left and e.email}
        assert first in left
