"""The Connections screen through Pilot: list, test, sync, a tool that is down, add, remove.

The tools are the simulator's (in-process for sync and health, on loopback for
adding, which opens a real HTTP connection); tokens go to an in-memory keyring.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import timedelta

import keyring
import pytest
from keyring.backends import fail
from sqlalchemy import func, select
from textual.message import Message
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Select, Static

from pmcockpit.app import CockpitApp
from pmcockpit.config import Settings
from pmcockpit.core.clock import utcnow
from pmcockpit.messages import SyncFinished, SyncProgressed
from pmcockpit.services.demo import available_tools, sim_opener
from pmcockpit.services.opener import keyring_opener
from pmcockpit.services.sync import sync_all
from pmcockpit.services.workspace import Workspace
from pmcockpit.sim import SimTool, build_org, serve
from pmcockpit.storage import connections
from pmcockpit.storage.connections import HealthFacts
from pmcockpit.storage.db import Database
from pmcockpit.storage.models import Account, Connection, HealthCheck
from pmcockpit.widgets.empty_state import EmptyState
from tests.app.conftest import AppFactory
from tests.app.data import hours_ago
from tests.app.helpers import notifications, panel_text, settle
from tests.keyring_backend import MemoryKeyring

SIZE = (80, 24)
SnapCompare = Callable[..., bool]
TOKEN = "canary-connections-screen-token"


@pytest.fixture(autouse=True)
def memory_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[MemoryKeyring]:
    """The machine's keyring is never touched; no token comes from the caller's shell."""
    for name in ("PMCOCKPIT_TOKEN_REDMINE", "PMCOCKPIT_TOKEN_JIRA", "PMCOCKPIT_TOKEN_GITLAB"):
        monkeypatch.delenv(name, raising=False)
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@dataclass
class SimSetup:
    workspace: Workspace
    tools: dict[str, SimTool]


@pytest.fixture
def sim(db: Database, settings: Settings) -> SimSetup:
    """The demo's tools, added and synced once, with the simulators at hand for faults."""
    org = build_org(seed=7, scale=30)
    tools = {tool.connection: SimTool(tool.kind, org=org) for tool in available_tools()}
    workspace = Workspace(settings, db, sim_opener(tools))
    with db.session() as session:
        for name, tool in tools.items():
            connections.add(session, name, tool.dialect.name, tool.url)
    asyncio.run(sync_all(workspace))
    return SimSetup(workspace, tools)


def cockpit(workspace: Workspace) -> CockpitApp:
    # Real time: the syncs above recorded real times.
    return CockpitApp(workspace, clock=utcnow)


def table(app: CockpitApp) -> DataTable[object]:
    return app.screen.query_one("#connections-table", DataTable)


def cell(app: CockpitApp, name: str, column: str) -> str:
    return str(table(app).get_cell(name, column))


async def select_row(app: CockpitApp, name: str) -> None:
    grid = table(app)
    grid.move_cursor(row=grid.get_row_index(name))


def detail(app: CockpitApp) -> str:
    return str(app.screen.query_one("#connection-detail", Static).render())


def set_last_sync(db: Database, name: str, hours: float) -> None:
    with db.session() as session:
        connections.get(session, name).last_sync_at = utcnow() - timedelta(hours=hours)


def count(db: Database, model: type[Account] | type[HealthCheck]) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


async def test_the_screen_lists_each_tool_with_health_and_token(
    sim: SimSetup, memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    memory_keyring.passwords[("pmcockpit", "redmine")] = TOKEN
    monkeypatch.setenv("PMCOCKPIT_TOKEN_JIRA", TOKEN)
    app = cockpit(sim.workspace)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("6")
        await settle(pilot)
        assert [row.value for row in table(app).rows] == ["feishu", "gitlab", "jira", "redmine",
                                                          "zentao"]
        assert [cell(app, name, "token") for name in ("gitlab", "jira", "redmine")] == \
            ["missing", "environment", "keyring"]
        assert cell(app, "redmine", "health") == "not checked"
        assert cell(app, "redmine", "synced") == "<1m ago"
        assert "5 tools connected" in str(app.screen.query_one("#connections-lead",
                                                                 Static).render())
        assert "Health not checked yet: press t." in detail(app)


async def test_t_checks_the_selected_tool_and_records_it(sim: SimSetup, db: Database) -> None:
    app = cockpit(sim.workspace)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("6")
        await settle(pilot)
        await select_row(app, "redmine")
        await pilot.press("t")
        await settle(pilot)
        await settle(pilot)
        assert count(db, HealthCheck) == 1
        assert cell(app, "redmine", "health") == "● up"
        assert cell(app, "redmine", "admin") == "yes"
        assert cell(app, "redmine", "latency").endswith(" ms")
        assert any(note.startswith("Checked redmine: ● up") for note in notifications(app))
        assert "Health <1m ago: ● up" in detail(app)
        # What it can do, asked of the tool by the same test.
        assert "Offers: lock user, unlock user," in detail(app)
        assert "deactivate user" not in detail(app)  # Redmine has no deactivation


async def test_s_syncs_every_tool_here_as_everywhere_and_the_footer_names_both_keys(
    sim: SimSetup, db: Database
) -> None:
    from textual.widgets._footer import FooterKey

    from pmcockpit.screens.base import key_commands

    messages: list[Message] = []
    app = cockpit(sim.workspace)
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await pilot.press("6")
        await settle(pilot)
        footer = {(key.key, key.description) for key in app.screen.query(FooterKey)}
        assert {("s", "Sync all"), ("S", "Sync this")} <= footer
        assert "Connections: Sync this" in [title for title, *_ in key_commands(app.screen)]
        await select_row(app, "jira")
        await pilot.press("s")
        await settle(pilot)
        await settle(pilot)
    [finished] = [m for m in messages if isinstance(m, SyncFinished)]
    assert sorted(r.connection for r in finished.reports) == sorted(sim.tools)


async def test_shift_s_syncs_the_selected_tool_with_progress(sim: SimSetup, db: Database) -> None:
    for name in sim.tools:
        set_last_sync(db, name, 3)
    messages: list[Message] = []
    app = cockpit(sim.workspace)
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await pilot.press("6")
        await settle(pilot)
        assert cell(app, "jira", "synced") == "3h ago"
        await select_row(app, "jira")
        await pilot.press("S")
        await settle(pilot)
        await settle(pilot)
        assert cell(app, "jira", "synced") == "<1m ago"
        assert cell(app, "redmine", "synced") == "3h ago"  # only the selected one synced
    steps = [(m.connection, m.what) for m in messages if isinstance(m, SyncProgressed)]
    # The lists are read side by side and a burst of steps collapses into the newest, so
    # which middle steps arrive varies; the last, saving, always does.
    assert steps[-1] == ("jira", "saving") and {name for name, _ in steps} == {"jira"}
    [finished] = [m for m in messages if isinstance(m, SyncFinished)]
    assert [(r.connection, r.ok) for r in finished.reports] == [("jira", True)]


async def test_a_tool_that_is_down_keeps_its_last_state_and_says_how_old(
    sim: SimSetup, db: Database
) -> None:
    set_last_sync(db, "redmine", 2)
    accounts = count(db, Account)
    sim.tools["redmine"].faults.server_error(500, times=1000)
    app = cockpit(sim.workspace)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("6")
        await settle(pilot)
        await select_row(app, "redmine")
        await pilot.press("S")
        await settle(pilot)
        await settle(pilot)
        assert any(note.startswith("Sync of redmine failed") for note in notifications(app))
        assert cell(app, "redmine", "synced") == "✗ 2h ago"
        assert "Last sync failed" in detail(app)
        assert "The cockpit shows the state of the last good sync (2h ago)." in detail(app)
        with db.session() as session:
            connections.record_health(session, "redmine", HealthFacts(
                reachable=False, authenticated=False, error="connection refused"))
        await pilot.press("1")
        await settle(pilot)
        tools = panel_text(app, "panel-tools")
        assert "1 failing" in tools and "1 down" in tools
        assert "✗ redmine  redmine  down  data 2h old" in tools
    assert count(db, Account) == accounts  # the previous state is whole
    with db.session() as session:
        row = connections.get(session, "redmine")
        assert row.last_sync_error and row.last_sync_at is not None
        assert utcnow() - row.last_sync_at > timedelta(hours=1.9)


async def test_the_detail_says_how_old_kept_memberships_are(sim: SimSetup, db: Database) -> None:
    with db.session() as session:  # read 5 hours ago, then re-synced since: kept, not read
        connections.get(session, "redmine").memberships_at = utcnow() - timedelta(hours=5)
        assert connections.get(session, "jira").memberships_at is not None
    app = cockpit(sim.workspace)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("6")
        await settle(pilot)
        await select_row(app, "redmine")
        await settle(pilot)
        assert "Memberships as of 5h ago: a re-sync keeps them" in detail(app)
        await select_row(app, "jira")  # read by the last sync: nothing to say
        await settle(pilot)
        assert "Memberships as of" not in detail(app)


async def test_no_connection_says_how_to_add_one(db: Database, make_app: AppFactory) -> None:
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("6")
        await settle(pilot)
        assert "No tool connected yet." in str(app.screen.query_one(EmptyState).render())
        await pilot.press("t")
        await pilot.pause()
        assert any("No connection yet: press a to add one." in n for n in notifications(app))


def fill_form(app: CockpitApp, url: str, token: str) -> None:
    form = app.screen
    form.query_one("#field-name", Input).value = "rm"
    form.query_one("#field-kind", Select).value = "redmine"
    form.query_one("#field-url", Input).value = url
    form.query_one("#field-token", Input).value = token


async def test_add_tries_the_token_then_keeps_it_in_the_keyring(
    db: Database, settings: Settings, memory_keyring: MemoryKeyring
) -> None:
    with serve(SimTool("redmine", seed=7, scale=20, token=TOKEN)) as running:
        app = cockpit(Workspace(settings, db, keyring_opener(db)))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("6", "a")
            await pilot.pause()
            fill_form(app, running.url, TOKEN)
            await pilot.click("#connection-save")
            await settle(pilot)
            await settle(pilot)
            assert app.screen.sub_title == "Connections"  # the form closed
            assert [row.value for row in table(app).rows] == ["rm"]
            assert cell(app, "rm", "token") == "keyring"
            saved = [n for n in notifications(app) if n.startswith("Connection saved")]
            assert saved and "belongs to admin, an administrator" in saved[0]
    assert memory_keyring.passwords == {("pmcockpit", "rm"): TOKEN}
    assert all(TOKEN not in note for note in notifications(app))


async def test_add_with_a_refused_token_saves_nothing(
    db: Database, settings: Settings, memory_keyring: MemoryKeyring
) -> None:
    with serve(SimTool("redmine", seed=7, scale=20, token=TOKEN)) as running:
        app = cockpit(Workspace(settings, db, keyring_opener(db)))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("6", "a")
            await pilot.pause()
            fill_form(app, running.url, "not-the-token")
            await pilot.click("#connection-save")
            await settle(pilot)
            status = str(app.screen.query_one("#connection-status", Static).render())
            assert status.startswith("The tool refused:") and "Nothing was stored." in status
    assert memory_keyring.passwords == {}
    with db.session() as session:
        assert connections.names(session) == []


async def test_add_without_a_keyring_gives_its_advice_and_saves_nothing(
    db: Database, settings: Settings
) -> None:
    keyring.set_keyring(fail.Keyring())
    with serve(SimTool("redmine", seed=7, scale=20, token=TOKEN)) as running:
        app = cockpit(Workspace(settings, db, keyring_opener(db)))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("6", "a")
            await pilot.pause()
            fill_form(app, running.url, TOKEN)
            await pilot.click("#connection-save")
            await settle(pilot)
            status = str(app.screen.query_one("#connection-status", Static).render())
    assert "no usable keyring" in status and "PMCOCKPIT_TOKEN_RM" in status
    with db.session() as session:
        assert connections.names(session) == []


async def test_remove_asks_first_and_cancel_is_the_default(
    sim: SimSetup, db: Database, memory_keyring: MemoryKeyring
) -> None:
    memory_keyring.passwords[("pmcockpit", "jira")] = TOKEN
    app = cockpit(sim.workspace)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("6")
        await settle(pilot)
        await select_row(app, "jira")
        await pilot.press("d", "enter")  # Enter alone presses Cancel
        await settle(pilot)
        with db.session() as session:
            assert "jira" in connections.names(session)
        await pilot.press("d")
        await pilot.pause()
        await pilot.click("#removal-confirm")
        await settle(pilot)
        await settle(pilot)
        assert [row.value for row in table(app).rows] == ["feishu", "gitlab", "redmine", "zentao"]
        assert any(n.startswith("Removed jira") for n in notifications(app))
    with db.session() as session:
        assert connections.names(session) == ["feishu", "gitlab", "redmine", "zentao"]
    assert memory_keyring.passwords == {}


async def test_the_demo_adds_and_removes_nothing(sim: SimSetup, db: Database) -> None:
    app = cockpit(replace(sim.workspace, demo=True))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("6")
        await settle(pilot)
        assert cell(app, "redmine", "token") == "simulated"
        for key in ("a", "d"):
            await pilot.press(key)
            await pilot.pause()
            assert app.screen.sub_title == "Connections"  # no dialog opened
    assert sum("Not in the demo" in n for n in notifications(app)) == 2
    with db.session() as session:
        assert connections.names(session) == ["feishu", "gitlab", "jira", "redmine", "zentao"]


# --- snapshots ------------------------------------------------------------------------


def _with_health(db: Database) -> None:
    with db.session() as session:
        connections.record_health(session, "redmine-prod", HealthFacts(
            reachable=True, authenticated=True, is_admin=True, latency_ms=84.6,
            version="5.1.2", tls_expires_at=hours_ago(-24 * 20), checked_at=hours_ago(1)))
        connections.record_health(session, "gitlab", HealthFacts(
            reachable=True, authenticated=False, error="401 Unauthorized: the token has "
            "expired", checked_at=hours_ago(2)))
        assert session.scalar(select(func.count()).select_from(Connection)) == 2


def test_snapshot_connections(snap_compare: SnapCompare, filled_db: Database,
                              make_app: AppFactory) -> None:
    _with_health(filled_db)

    async def open_screen(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("6")
        await settle(pilot)

    assert snap_compare(make_app(filled_db), terminal_size=SIZE, run_before=open_screen)


def test_snapshot_add_form(snap_compare: SnapCompare, db: Database,
                           make_app: AppFactory) -> None:
    assert snap_compare(make_app(db), terminal_size=SIZE, press=["6", "a"])
