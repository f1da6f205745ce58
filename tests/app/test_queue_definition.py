"""The queue definition edited from the Connections screen (key u): one field per
option the tool knows, saved under the same rules as `connect set NAME queue.…`."""

from __future__ import annotations

from sqlalchemy import select
from textual.widgets import Input

from pmcockpit.screens.connections import ConnectionsScreen
from pmcockpit.screens.queue_definition import QueueDefinitionDialog
from pmcockpit.storage.db import Database
from pmcockpit.storage.models import Connection
from tests.app.conftest import AppFactory
from tests.app.helpers import notifications, settle


def options(db: Database, name: str) -> dict[str, str]:
    with db.session() as session:
        return dict(session.scalars(select(Connection.options)
                                    .where(Connection.name == name)).one())


async def test_the_queue_of_a_redmine_is_set_and_a_wrong_value_refused(
        filled_db: Database, make_app: AppFactory) -> None:
    app = make_app(filled_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("6")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ConnectionsScreen)
        while screen.selected_name() != "redmine-prod":
            await pilot.press("down")
        await pilot.press("u")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, QueueDefinitionDialog)
        fields = {f.id: f for f in dialog.query(Input)}
        assert set(fields) == {"definition-project", "definition-tracker",
                               "definition-query_id", "definition-resolve_status"}
        fields["definition-project"].value = "helpdesk"
        fields["definition-tracker"].value = "bug"  # a number is wanted
        fields["definition-resolve_status"].focus()
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is dialog
        assert any("takes a number" in note for note in notifications(app))
        assert "queue.project" not in options(filled_db, "redmine-prod")  # all or nothing
        fields["definition-tracker"].value = "3"
        fields["definition-resolve_status"].focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ConnectionsScreen)
        saved = options(filled_db, "redmine-prod")
        assert (saved["queue.project"], saved["queue.tracker"]) == ("helpdesk", "3")
        assert "queue.query_id" not in saved
