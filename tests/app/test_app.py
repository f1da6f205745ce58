"""The cockpit shell through Pilot: areas by key and palette, help, quitting, failures."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable

from pmcockpit.app import DEMO_TITLE, CockpitApp
from pmcockpit.config import Settings
from pmcockpit.screens.areas import AREAS, Area
from pmcockpit.screens.audit import AuditScreen
from pmcockpit.screens.checklist import ChecklistScreen
from pmcockpit.screens.connections import ConnectionsScreen
from pmcockpit.screens.help import HelpScreen
from pmcockpit.screens.home import HomeScreen
from pmcockpit.screens.permissions import PermissionsScreen
from pmcockpit.screens.queue import QueueScreen
from pmcockpit.screens.rollout import RolloutScreen
from pmcockpit.storage.db import Database
from pmcockpit.storage.models import Connection
from pmcockpit.widgets.empty_state import EmptyState
from pmcockpit.widgets.summary_panel import SummaryPanel
from tests.app.conftest import AppFactory
from tests.app.helpers import notifications, open_palette_and_run, panel_text, settle

SIZE = (80, 24)
SCREENS = {
    "home": HomeScreen, "checklist": ChecklistScreen, "permissions": PermissionsScreen,
    "queue": QueueScreen, "rollout": RolloutScreen, "connections": ConnectionsScreen,
    "audit": AuditScreen,
}


async def test_starts_on_home_with_a_panel_per_topic(db: Database, make_app: AppFactory) -> None:
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.current_mode == "home"
        assert isinstance(app.screen, HomeScreen)
        panels = [panel.id for panel in app.screen.query(SummaryPanel)]
        assert panels == ["panel-checklist", "panel-queue", "panel-review", "panel-rollout",
                          "panel-tools"]
        assert "No tool connected yet" in panel_text(app, "panel-tools")
        assert "pmcockpit connect add NAME" in panel_text(app, "panel-tools")
        assert "Daily inspection" in panel_text(app, "panel-checklist")
        assert "Nothing due this week" in panel_text(app, "panel-rollout")
        assert "connect a tool first" in panel_text(app, "panel-review")


@pytest.mark.parametrize("area", AREAS, ids=lambda area: area.mode)
async def test_every_area_is_one_key_away(db: Database, make_app: AppFactory,
                                          area: Area) -> None:
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2" if area.key == "1" else "1", area.key)
        await settle(pilot)
        assert app.current_mode == area.mode
        assert isinstance(app.screen, SCREENS[area.mode])
        assert app.screen.sub_title == area.title


async def test_keys_walk_through_every_area_and_back(db: Database,
                                                     make_app: AppFactory) -> None:
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        for key, mode in [("2", "checklist"), ("3", "permissions"), ("4", "queue"),
                          ("5", "rollout"), ("1", "home")]:
            await pilot.press(key)
            await settle(pilot)
            assert app.current_mode == mode


@pytest.mark.parametrize("mode", list(SCREENS))
async def test_every_area_is_reachable_from_the_command_palette(
    db: Database, make_app: AppFactory, mode: str
) -> None:
    app = make_app(db)
    title = next(area.title for area in AREAS if area.mode == mode)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("5" if mode == "home" else "1")
        await open_palette_and_run(pilot, f"Go: {title}")
        await settle(pilot)
        assert app.current_mode == mode


async def test_screen_keys_are_palette_commands_too(filled_db: Database,
                                                    make_app: AppFactory) -> None:
    app = make_app(filled_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("4")
        await settle(pilot)
        await open_palette_and_run(pilot, "Queue: Refresh")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        assert app.screen.query_one(DataTable).row_count == 4


async def test_empty_areas_say_what_to_do_first(db: Database, make_app: AppFactory) -> None:
    app = make_app(db)
    expected = {"3": "No accounts synced yet.",
                "4": "No tickets yet.", "5": "No rollouts tracked yet."}
    async with app.run_test(size=SIZE) as pilot:
        for key, headline in expected.items():
            await pilot.press(key)
            await settle(pilot)
            empty = app.screen.query_one(EmptyState)
            assert empty.display
            assert headline in str(empty.render())


async def test_a_connected_tool_without_open_tickets_has_a_clear_queue(
    db: Database, make_app: AppFactory
) -> None:
    with db.session() as session:
        session.add(Connection(name="redmine", kind="redmine", url="https://pm.example.org"))
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "No open tickets: the queue is clear." in panel_text(app, "panel-queue")
        assert "never synced" in panel_text(app, "panel-tools")
        await pilot.press("4")
        await settle(pilot)
        assert "No open tickets." in str(app.screen.query_one(EmptyState).render())


async def test_help_lists_the_keys_of_the_current_screen(db: Database,
                                                         make_app: AppFactory) -> None:
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("4", "question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        descriptions = [row.description for row in app.screen.keys]
        keys = [row.keys for row in app.screen.keys]
        assert any(d.startswith("Refresh") for d in descriptions)
        for area in AREAS:
            assert any(d.startswith(area.title) for d in descriptions)
            assert area.key in keys
        assert app.screen.help_title == "Queue"
        assert "app.queue" in [row.binding_id for row in app.screen.keys]
        shown = app.screen.query_one("#help-keys").render()
        assert shown is not None


@pytest.mark.parametrize("key", ["escape", "question_mark", "q"])
async def test_help_closes_with_escape_question_mark_or_q(db: Database, make_app: AppFactory,
                                                           key: str) -> None:
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press(key)
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert app.is_running


@pytest.mark.parametrize("key", ["q", "ctrl+c"])
async def test_q_and_ctrl_c_quit(db: Database, make_app: AppFactory, key: str) -> None:
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await settle(pilot)
        await pilot.press(key)
        await pilot.pause()
        assert not app.is_running
    assert app.return_code == 0


async def test_home_shows_what_needs_the_administrator(filled_db: Database,
                                                       make_app: AppFactory) -> None:
    app = make_app(filled_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        queue = panel_text(app, "panel-queue")
        assert "4 open tickets" in queue and "1 past SLA" in queue and "1 at risk" in queue
        assert "#101" in queue and "5h late" in queue
        review = panel_text(app, "panel-review")
        assert "4 of 7 accounts" in review
        assert "alice" in review and "inactive admin" in review
        assert "bob" in review and "never logged in" in review
        tools = panel_text(app, "panel-tools")
        assert "redmine-prod" in tools and "synced 3h ago" in tools
        assert "failed: 401 Unauthorized" in tools


async def test_the_screens_read_with_the_limits_of_the_settings(
    filled_db: Database, make_app: AppFactory
) -> None:
    """A one-day inactivity limit and generous service levels change what the screens show."""
    relaxed = {"Urgent": 1000, "High": 1000, "Normal": 1000, "Low": 1000}
    app = make_app(filled_db,
                   app_settings=Settings(operator="t", inactive_days=1, sla_hours=relaxed))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "5 of 7 accounts" in panel_text(app, "panel-review")
        assert "all answered or in time" in panel_text(app, "panel-queue")
        await pilot.press("3")
        await settle(pilot)
        assert app.screen.query_one(DataTable).row_count == 5
        await pilot.press("4")
        await settle(pilot)
        assert not any("late" in str(cell) for cell in app.screen.query_one(DataTable)
                       .get_column_at(0))


async def test_panels_open_their_area_by_enter_and_by_click(filled_db: Database,
                                                            make_app: AppFactory) -> None:
    app = make_app(filled_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.screen.query_one("#panel-review").focus()
        await pilot.press("enter")
        await settle(pilot)
        assert app.current_mode == "permissions"
        assert app.screen.query_one(DataTable).row_count == 4
        await pilot.press("1")
        await settle(pilot)
        await pilot.click("#panel-queue")
        await settle(pilot)
        assert app.current_mode == "queue"


async def test_the_tools_panel_opens_the_connections_screen(db: Database,
                                                            make_app: AppFactory) -> None:
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.screen.query_one("#panel-tools").focus()
        await pilot.press("enter")
        await settle(pilot)
        assert app.current_mode == "connections"


async def test_a_failed_read_becomes_a_notification(
    db: Database, make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("database is locked")

    monkeypatch.setattr("pmcockpit.storage.queries.home.home_summary", broken)
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.is_running
        assert any("Reading the home summary failed: database is locked" in n
                   for n in notifications(app))


async def test_keys_can_be_remapped_from_the_settings(db: Database, make_app: AppFactory) -> None:
    app = make_app(db, app_settings=Settings(operator="t", keymap={"app.queue": "w"}))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("w")
        await settle(pilot)
        assert app.current_mode == "queue"


async def test_theme_comes_from_the_settings(db: Database, make_app: AppFactory) -> None:
    app = make_app(db, app_settings=Settings(operator="t", theme="nord"))
    async with app.run_test(size=SIZE):
        assert app.theme == "nord"


async def test_an_unknown_theme_falls_back_with_a_warning(db: Database,
                                                          make_app: AppFactory) -> None:
    app = make_app(db, app_settings=Settings(operator="t", theme="no-such-theme"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.theme == "textual-dark"
        assert any("Unknown theme 'no-such-theme'" in n for n in notifications(app))


async def test_demo_says_so_in_the_header_and_shows_its_notes(db: Database,
                                                              make_app: AppFactory) -> None:
    app = make_app(db, demo=True, notes=["Simulated organisation of 150 people (seed 7)."])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.title == DEMO_TITLE
        assert "DEMO" in app.title and "nothing real" in app.title
        assert app.has_class("-demo")
        assert any("150 people" in n for n in notifications(app))


async def test_no_color_is_honoured(db: Database, make_app: AppFactory,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.no_color
        assert any(type(f).__name__ in {"Monochrome", "NoColor"} for f in app._filters)


def test_every_binding_has_a_description_and_an_id() -> None:
    from pmcockpit.screens.base import AreaScreen, LiveAreaScreen

    owners: list[type] = [CockpitApp, AreaScreen, LiveAreaScreen, HelpScreen, SummaryPanel,
                          *SCREENS.values()]
    for owner in owners:
        for binding in owner.__dict__.get("BINDINGS", []):
            assert binding.description, (owner, binding)
            assert binding.id, (owner, binding)


async def test_help_is_in_the_palette_instead_of_textuals_key_panel(
    db: Database, make_app: AppFactory
) -> None:
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await settle(pilot)
        assert all(command.title != "Keys" for command in app.get_system_commands(app.screen))
        await open_palette_and_run(pilot, "Help: Keys")
        assert isinstance(app.screen, HelpScreen)
        assert app.screen.help_title == "Permissions"
