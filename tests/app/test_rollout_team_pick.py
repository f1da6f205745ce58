"""The team form offers the synced groups and the roster's departments as a pick list,
and still takes a typed group (one not synced yet); neither leaves the team by hand."""

from __future__ import annotations

from sqlalchemy import select
from textual.widgets import Select

from pmcockpit.app import CockpitApp
from pmcockpit.config import Settings
from pmcockpit.screens.rollout import RolloutScreen
from pmcockpit.screens.rollout_form import RolloutForm
from pmcockpit.services import rollout as service
from pmcockpit.services.workspace import Workspace
from pmcockpit.storage.db import Database
from pmcockpit.storage.models import Connection, Group, RosterImport, RosterPerson
from pmcockpit.storage.queries.rollout_groups import group_choices
from tests.app.conftest import no_connector
from tests.app.data import FIXED_NOW
from tests.app.helpers import settle
from tests.app.rollout_data import seed_rollouts

ADOPTION = "Redmine for everyone"


def _groups_and_roster(db: Database) -> None:
    with db.session() as session:
        connection_id = session.scalars(select(Connection.id).limit(1)).one()
        session.add_all([Group(connection_id=connection_id, remote_id="g1", name="Legal"),
                         Group(connection_id=connection_id, remote_id="g2", name="Finance")])
        old = RosterImport(operator="admin", filename="old.csv", sha256="0" * 64,
                           encoding="utf-8", imported=1, rejected=0)
        new = RosterImport(operator="admin", filename="hr.csv", sha256="1" * 64,
                           encoding="utf-8", imported=2, rejected=0)
        session.add_all([old, new])
        session.flush()
        session.add_all([
            RosterPerson(import_id=old.id, email="", login="x", name="X",
                         department="Disbanded", status="active", left_on=None),
            *(RosterPerson(import_id=new.id, email="", login=login, name=login,
                           department=department, status="active", left_on=None)
              for login, department in (("a", "Audit"), ("b", "finance"), ("c", " ")))])


async def test_the_group_is_picked_from_the_list_or_typed(filled_db: Database,
                                                          settings: Settings) -> None:
    _groups_and_roster(filled_db)
    with filled_db.session() as session:
        assert group_choices(session) == ["Audit", "Finance", "finance", "Legal"]
    workspace = Workspace(settings, filled_db, no_connector)
    seed_rollouts(workspace)
    app = CockpitApp(workspace, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("5")
        await settle(pilot)
        assert isinstance(app.screen, RolloutScreen)
        for team, pick, typed in (("Auditors", 1, ""), ("Lawyers", 4, "Legal dept")):
            await pilot.press("T")
            await settle(pilot)
            assert isinstance(app.screen, RolloutForm)
            await pilot.press("tab")
            await pilot.press(*team)
            await pilot.press("tab", "enter", *["down"] * pick, "enter", "tab")
            await pilot.press(*(["space" if c == " " else c for c in typed]))
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, RolloutScreen)
        await pilot.press("T")
        await settle(pilot)
        picker = app.screen.query_one("#field-group", Select)
        assert picker.value == "-"  # the pick list starts at "none"
        await pilot.press("tab")
        await pilot.press(*"Solo")
        await pilot.press("ctrl+s")
        await settle(pilot)

    teams = {a.team: a.group for a in service.detail(workspace, ADOPTION,
                                                     FIXED_NOW.date()).adoption}
    assert teams["Auditors"] == "Audit"
    assert teams["Lawyers"] == "Legal dept"  # typed wins over the pick
    assert teams["Solo"] is None
