"""The audit log's trust features in the cockpit: actions left in doubt by a crash are
marked and reconciled (at start, with r, from the palette); text is escaped; a TUI undo
reads the target once and the token once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
import keyring
import pytest
from textual.widgets import Button, DataTable, Static

from pmcockpit.app import CockpitApp
from pmcockpit.config import Settings
from pmcockpit.connectors.base import ConnectionConfig, Connector
from pmcockpit.connectors.registry import open_connector
from pmcockpit.connectors.tokens import TokenStore
from pmcockpit.core.actions import Action, ActionKind
from pmcockpit.screens.action_dialog import ActionDialog
from pmcockpit.services.actions import ActionRunner
from pmcockpit.services.workspace import Workspace
from pmcockpit.sim import SimTool
from pmcockpit.storage.db import Database
from pmcockpit.storage.queries import audit as audit_reads
from tests.app.data import FIXED_NOW
from tests.app.helpers import notifications, open_palette_and_run, settle
from tests.keyring_backend import MemoryKeyring
from tests.killpoints import crash_at

SIZE = (80, 24)
REDMINE_ACTIVE, REDMINE_LOCKED = 1, 3


@dataclass
class Counting(httpx.AsyncBaseTransport):
    """Counts the HTTP requests that reach the simulator."""

    inner: httpx.AsyncBaseTransport
    requests: list[str] = field(default_factory=list)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(f"{request.method} {request.url.path}")
        return await self.inner.handle_async_request(request)


@dataclass
class Tools:
    tool: SimTool
    transport: Counting
    reachable: bool = True

    def opener(self, name: str) -> Connector:
        if not self.reachable:
            raise LookupError(f"{name} is out of reach")
        token = TokenStore().get(name)  # as the real opener: the keyring, once per open
        config = ConnectionConfig(name, "redmine", self.tool.url, token)
        return open_connector(config, transport=self.transport)


@pytest.fixture
def tools(memory_keyring_for_every_test: MemoryKeyring) -> Tools:
    tool = SimTool("redmine", seed=7, scale=40, now=FIXED_NOW)
    memory_keyring_for_every_test.set_password("pmcockpit", "redmine", tool.token)
    return Tools(tool, Counting(tool.transport()))


@pytest.fixture
def workspace(db: Database, settings: Settings, tools: Tools) -> Workspace:
    return Workspace(settings, db, tools.opener)


def _lock(tools: Tools, reason: str = "left") -> Action:
    user = min((u for u in tools.tool.state.users.values()
                if u.status == REDMINE_ACTIVE and not u.admin), key=lambda u: u.id)
    return Action(ActionKind.LOCK_USER, "redmine", str(user.id), user.login, reason=reason)


async def _leave_in_doubt(workspace: Workspace, action: Action,
                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Run ``action`` and "kill" the process after the remote call, before the outcome."""
    await crash_at(workspace, action, "after-call", monkeypatch)


def _in_doubt(db: Database) -> list[int]:
    with db.session() as session:
        return [row.id for row in audit_reads.in_doubt(session)]


async def test_the_app_reconciles_at_start_what_a_crash_left_in_doubt(
        workspace: Workspace, tools: Tools, db: Database,
        monkeypatch: pytest.MonkeyPatch) -> None:
    lock = _lock(tools)
    await _leave_in_doubt(workspace, lock, monkeypatch)
    assert tools.tool.state.users[int(lock.target_id)].status == REDMINE_LOCKED
    assert _in_doubt(db) == [1]
    app = CockpitApp(workspace, clock=lambda: FIXED_NOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert any("Actions left in doubt by a crash" in n and "changed" in n
                   for n in notifications(app))
    assert _in_doubt(db) == []
    with db.session() as session:
        outcome = audit_reads.page(session, limit=1).rows[0]
    assert (outcome.status, outcome.intent_id) == ("succeeded", 1)


async def test_the_audit_screen_marks_doubt_and_r_reconciles(
        workspace: Workspace, tools: Tools, db: Database,
        monkeypatch: pytest.MonkeyPatch) -> None:
    lock = _lock(tools, reason="left\nforged: 99 lock-user admin")
    await _leave_in_doubt(workspace, lock, monkeypatch)
    tools.reachable = False  # at start the tool does not answer: it stays in doubt
    app = CockpitApp(workspace, clock=lambda: FIXED_NOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("7")
        await settle(pilot)
        table = app.screen.query_one("#audit-table", DataTable)
        assert str(table.get_cell("1", "status")) == "IN DOUBT"
        lead = str(app.screen.query_one("#audit-lead", Static).render())
        assert "1 action in doubt: r reconciles it" in lead
        detail = str(app.screen.query_one("#audit-detail", Static).render())
        assert "may or may not have run" in detail
        # The newline is shown escaped: it cannot start a line of its own.
        assert "Why: left\\nforged: 99 lock-user admin" in detail
        assert "\nforged" not in detail
        tools.reachable = True
        await pilot.press("r")
        await settle(pilot)
        assert any("1 action reconciled" in n for n in notifications(app))
        assert [int(str(k.value)) for k in table.rows] == [2, 1]
        assert str(table.get_cell("1", "status")) == "intent"
        assert str(table.get_cell("2", "status")) == "succeeded"
    assert _in_doubt(db) == []


async def test_reconcile_is_a_palette_command(workspace: Workspace, tools: Tools,
                                              db: Database,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    await _leave_in_doubt(workspace, _lock(tools), monkeypatch)
    tools.reachable = False
    app = CockpitApp(workspace, clock=lambda: FIXED_NOW)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("7")
        await settle(pilot)
        tools.reachable = True
        await open_palette_and_run(pilot, "Audit: Reconcile")
        await settle(pilot)
    assert _in_doubt(db) == []


async def test_a_tui_undo_reads_the_target_once_and_the_token_once(
        workspace: Workspace, tools: Tools, db: Database,
        memory_keyring_for_every_test: MemoryKeyring) -> None:
    lock = _lock(tools)
    async with ActionRunner(workspace) as runner:
        [done] = await runner.run([lock], confirmed=True)
    assert done.ok, done.error
    reads: list[tuple[str, str]] = []
    backend = keyring.get_keyring()
    original: Callable[[str, str], str | None] = backend.get_password

    def counting_get(service: str, username: str) -> str | None:
        reads.append((service, username))
        return original(service, username)

    backend.get_password = counting_get  # type: ignore[method-assign]
    tools.transport.requests.clear()
    app = CockpitApp(workspace, clock=lambda: FIXED_NOW)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("7")
        await settle(pilot)
        await pilot.press("u")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ActionDialog) and dialog.undo_of == done.audit_id
        assert not dialog.query_one("#action-run", Button).disabled
        await pilot.click("#action-run")
        await settle(pilot)
        await pilot.click("#action-done")
        await settle(pilot)
    assert tools.tool.state.users[int(lock.target_id)].status == REDMINE_ACTIVE
    # Who the token is, the user as it is now (the dry run's read serves the run), the PUT.
    assert len(tools.transport.requests) <= 3, tools.transport.requests
    assert tools.transport.requests[-1].startswith("PUT /users/")
    assert reads.count(("pmcockpit", "redmine")) == 1, reads
