"""The action dialog through Pilot: dry run, reason, confirmation, per-item results, audit.

The dialog runs on a small host app over a simulated Redmine: every call goes
through the real connector and the real action runner, and lands in the audit log.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest
from sqlalchemy import select
from textual.app import App
from textual.message import Message
from textual.widgets import Button, Input, Static

from pmcockpit.config import Settings
from pmcockpit.connectors.jira_write import NO_DEACTIVATION
from pmcockpit.core.actions import Action, ActionKind
from pmcockpit.screens.action_dialog import ActionDialog
from pmcockpit.services.actions import ActionResult, Outcome
from pmcockpit.services.demo import sim_opener
from pmcockpit.services.workspace import Workspace
from pmcockpit.sim import SimTool
from pmcockpit.storage.db import Database
from pmcockpit.storage.models import AuditEntry
from tests.app.data import FIXED_NOW

SIZE = (80, 24)
SnapCompare = Callable[..., bool]
REDMINE_ACTIVE = 1
REDMINE_LOCKED = 3


class DialogHost(App[None]):
    """Opens one ActionDialog and keeps what it returned and what it posted."""

    def __init__(self, workspace: Workspace, actions: list[Action]) -> None:
        super().__init__()
        self.workspace = workspace
        self.actions = actions
        self.returned: list[list[ActionResult] | None] = []
        self.completed: list[ActionDialog.Completed] = []

    def on_mount(self) -> None:
        self.push_screen(ActionDialog(self.workspace, self.actions), self.returned.append)

    def on_action_dialog_completed(self, message: ActionDialog.Completed) -> None:
        self.completed.append(message)


@pytest.fixture
def redmine() -> SimTool:
    return SimTool("redmine", seed=7, scale=40, now=FIXED_NOW)


@pytest.fixture
def workspace(db: Database, settings: Settings, redmine: SimTool) -> Workspace:
    return Workspace(settings, db, sim_opener({"redmine": redmine}))


def active_users(tool: SimTool, count: int) -> list[Action]:
    users = sorted((u for u in tool.state.users.values()
                    if u.status == REDMINE_ACTIVE and not u.admin), key=lambda u: u.id)
    return [Action(ActionKind.LOCK_USER, "redmine", str(u.id), u.login) for u in users[:count]]


def unlock(user_id: str, label: str) -> Action:
    return Action(ActionKind.UNLOCK_USER, "redmine", user_id, label)


def dialog_of(app: App[None]) -> ActionDialog:
    assert isinstance(app.screen, ActionDialog)
    return app.screen


def text_of(app: App[None], selector: str) -> str:
    return str(dialog_of(app).query_one(selector, Static).render())


def run_button(app: App[None]) -> Button:
    return dialog_of(app).query_one("#action-run", Button)


def audit_rows(db: Database) -> list[AuditEntry]:
    """The outcomes (each follows its intent, written before the tool was called)."""
    with db.session() as session:
        rows = list(session.scalars(select(AuditEntry).where(AuditEntry.status != "intent")
                                    .order_by(AuditEntry.id)))
        session.expunge_all()
    return rows


async def test_the_preview_shows_each_action_and_its_planned_calls(
    workspace: Workspace, redmine: SimTool, db: Database
) -> None:
    [lock] = active_users(redmine, 1)
    app = DialogHost(workspace, [lock])
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        listing = text_of(app, "#action-list")
        assert f"Lock user: {lock.target_label} on redmine" in listing
        assert f"PUT /users/{lock.target_id}.json" in listing
        assert "destructive" in listing
        assert "a dry run: nothing has changed yet" in text_of(app, "#action-summary")
    assert audit_rows(db) == []  # a preview records nothing


async def test_a_destructive_action_does_not_run_without_a_reason(
    workspace: Workspace, redmine: SimTool, db: Database
) -> None:
    [lock] = active_users(redmine, 1)
    app = DialogHost(workspace, [lock])
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert run_button(app).disabled
        assert "Give a reason" in text_of(app, "#action-status")
        await pilot.click("#action-run")
        await pilot.pause()
        assert isinstance(app.screen, ActionDialog) and not dialog_of(app).results
        await pilot.press(*"left the company")
        await pilot.pause()
        assert not run_button(app).disabled
        await pilot.click("#action-run")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "✓ done" in text_of(app, "#action-list")
        assert "1 done" in text_of(app, "#action-summary")
        await pilot.click("#action-done")
        await pilot.pause()
    [results] = app.returned
    assert results is not None and [r.outcome for r in results] == [Outcome.SUCCEEDED]
    assert [message.connections for message in app.completed] == [{"redmine"}]
    [entry] = audit_rows(db)
    assert (entry.action, entry.status, entry.reason) == ("lock-user", "succeeded",
                                                          "left the company")
    assert redmine.state.users[int(lock.target_id)].status != REDMINE_ACTIVE


async def test_enter_moves_on_until_ready_then_runs(workspace: Workspace, redmine: SimTool,
                                                   db: Database) -> None:
    """Enter with no reason moves on and runs nothing; once ready, Enter in the reason
    runs, as the hint says."""
    [lock] = active_users(redmine, 1)
    app = DialogHost(workspace, [lock])
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.press("enter")
        await pilot.pause()
        assert audit_rows(db) == [] and not dialog_of(app).results
        dialog_of(app).query_one("#action-reason", Input).focus()
        await pilot.press(*"left")
        await pilot.pause()
        assert "Enter runs" in text_of(app, "#action-status")
        assert str(run_button(app).label) == "Run 1 action"
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "1 done" in text_of(app, "#action-summary")
    [entry] = audit_rows(db)
    assert (entry.status, entry.reason) == ("succeeded", "left")


async def test_no_run_button_when_nothing_can_run(workspace: Workspace, redmine: SimTool,
                                                  db: Database) -> None:
    workspace.settings = replace(workspace.settings, read_only=True)
    [lock] = active_users(redmine, 1)
    app = DialogHost(workspace, [lock])
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not run_button(app).display
        assert "Nothing can run" in text_of(app, "#action-status")


async def test_a_bulk_destructive_change_needs_its_count_typed(
    workspace: Workspace, redmine: SimTool, db: Database
) -> None:
    locks = active_users(redmine, 3)
    app = DialogHost(workspace, locks)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.press(*"annual clean-up")
        await pilot.pause()
        assert run_button(app).disabled
        assert "Type 3 to confirm" in text_of(app, "#action-status")
        dialog_of(app).query_one("#action-count", Input).value = "2"
        await pilot.pause()
        assert run_button(app).disabled
        dialog_of(app).query_one("#action-count", Input).value = "3"
        await pilot.pause()
        assert not run_button(app).disabled
        await pilot.click("#action-run")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "3 done" in text_of(app, "#action-summary")
        await pilot.press("escape")
        await pilot.pause()
    assert [entry.target.split()[0] for entry in audit_rows(db)] == \
        [lock.target_label for lock in locks]


async def test_each_item_gets_its_own_result(workspace: Workspace, redmine: SimTool,
                                             db: Database) -> None:
    locked = sorted((u for u in redmine.state.users.values() if u.status == REDMINE_LOCKED),
                    key=lambda u: u.id)[:2]
    assert len(locked) == 2
    actions = [unlock(str(u.id), u.login) for u in locked]
    # The second one passes the dry run, then the tool fails when it is run.
    redmine.faults.server_error(500, path=f"/users/{locked[1].id}.json", method="PUT")
    app = DialogHost(workspace, actions)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not run_button(app).disabled  # not destructive: the reason may stay empty
        await pilot.click("#action-run")
        await app.workers.wait_for_complete()
        await pilot.pause()
        listing = text_of(app, "#action-list")
        assert f"✓ done    Unlock user: {locked[0].login}" in listing
        assert f"✗ failed  Unlock user: {locked[1].login}" in listing
        assert "1 done, 1 failed" in text_of(app, "#action-summary")
        await pilot.click("#action-done")
        await pilot.pause()
    [results] = app.returned
    assert results is not None
    assert [r.outcome for r in results] == [Outcome.SUCCEEDED, Outcome.FAILED]
    assert results[1].error
    assert [entry.status for entry in audit_rows(db)] == ["succeeded", "failed"]


async def test_read_only_mode_refuses_with_its_message(workspace: Workspace, redmine: SimTool,
                                                       db: Database) -> None:
    read_only = replace(workspace, settings=replace(workspace.settings, read_only=True))
    app = DialogHost(read_only, active_users(redmine, 1))
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.press(*"a reason")
        await pilot.pause()
        assert "refused: read-only mode" in text_of(app, "#action-list")
        assert "Nothing can run" in text_of(app, "#action-status")
        assert run_button(app).disabled
        await pilot.press("escape")
        await pilot.pause()
    assert app.returned == [None]
    assert audit_rows(db) == []


async def test_a_capability_the_tool_lacks_is_refused_with_its_reason(
    db: Database, settings: Settings
) -> None:
    jira = SimTool("jira", seed=7, scale=30, now=FIXED_NOW)
    workspace = Workspace(settings, db, sim_opener({"jira": jira}))
    user = next(iter(jira.state.users.values()))
    action = Action(ActionKind.DEACTIVATE_USER, "jira", str(user.id), user.login, reason="x")
    app = DialogHost(workspace, [action])
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        listing = text_of(app, "#action-list")
        assert run_button(app).disabled
    assert f"✗ refused: jira (jira) {NO_DEACTIVATION}" in listing


def test_snapshot_of_a_bulk_preview(snap_compare: SnapCompare, workspace: Workspace,
                                    redmine: SimTool) -> None:
    app = DialogHost(workspace, active_users(redmine, 2))

    async def wait_for_preview(pilot: object) -> None:
        await app.workers.wait_for_complete()

    assert snap_compare(app, terminal_size=SIZE, run_before=wait_for_preview)


def test_messages_of_the_dialog_are_typed() -> None:
    """Completed is the message a screen handles; it names the tools changed."""
    lock = Action(ActionKind.LOCK_USER, "redmine", "1", "a", reason="r")
    done = ActionResult(lock, Outcome.SUCCEEDED, 1)
    failed = ActionResult(replace(lock, connection="jira"), Outcome.FAILED, 2, "boom")
    message = ActionDialog.Completed([done, failed])
    assert isinstance(message, Message)
    assert message.connections == {"redmine"}
