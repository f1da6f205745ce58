"""The action runner against the simulated Redmine: preview, refusals, per-item results,
audit entries and undo."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import httpx
from sqlalchemy import func, select

from pmcockpit.connectors.base import ConnectionConfig, Connector
from pmcockpit.connectors.registry import open_connector
from pmcockpit.core.actions import Action, ActionKind
from pmcockpit.core.capabilities import Capability
from pmcockpit.services import audit_log
from pmcockpit.services.actions import ActionRunner, Outcome
from pmcockpit.services.sync import sync_all
from pmcockpit.storage import audit
from pmcockpit.storage.models import Account, Ticket
from tests.services.checklist_sim import CONNECTION, SimSetup, sim_setup


async def _setup(tmp_path: Path) -> SimSetup:
    setup = sim_setup(tmp_path)
    await setup.sync()
    return setup


def _active_user(setup: SimSetup) -> tuple[int, str]:
    user = next(u for u in setup.tool.state.users.values()
                if u.status == 1 and not u.admin and u.login != "admin")
    return user.id, user.login


async def test_preview_shows_the_calls_and_changes_nothing(tmp_path: Path) -> None:
    setup = await _setup(tmp_path)
    user_id, login = _active_user(setup)
    lock = Action(ActionKind.LOCK_USER, CONNECTION, str(user_id), login, reason="left")
    async with ActionRunner(setup.workspace) as runner:
        [preview] = await runner.preview([lock])
    assert preview.refusal is None
    assert [str(c).split("  #")[0] for c in preview.calls] == [f"PUT /users/{user_id}.json"]
    assert setup.tool.state.users[user_id].status == 1
    with setup.db.session() as session:
        assert audit.entries(session) == []  # previews are not actions


async def test_refusals_name_their_reason_and_are_audited(tmp_path: Path) -> None:
    setup = await _setup(tmp_path)
    user_id, login = _active_user(setup)
    lock = Action(ActionKind.LOCK_USER, CONNECTION, str(user_id), login, reason="left")
    deactivate = Action(ActionKind.DEACTIVATE_USER, CONNECTION, str(user_id), login,
                        reason="left")
    async with ActionRunner(setup.workspace) as runner:
        unconfirmed, unsupported = await runner.run([lock, deactivate])
    assert unconfirmed.outcome is Outcome.REFUSED
    assert unconfirmed.error == "destructive action not confirmed"
    assert unsupported.outcome is Outcome.REFUSED
    assert "Redmine has no deactivation" in (unsupported.error or "")
    read_only = replace(setup.workspace,
                        settings=replace(setup.workspace.settings, read_only=True))
    async with ActionRunner(read_only) as runner:
        [refused] = await runner.run([lock], confirmed=True)
    assert refused.outcome is Outcome.REFUSED and "read-only" in (refused.error or "")
    assert setup.tool.state.users[user_id].status == 1
    with setup.db.session() as session:
        assert [e.status for e in audit.entries(session)] == ["refused"] * 3


async def test_one_failure_does_not_stop_the_rest(tmp_path: Path) -> None:
    setup = await _setup(tmp_path)
    user_id, login = _active_user(setup)
    actions = [
        Action(ActionKind.LOCK_USER, CONNECTION, "999999", "ghost", reason="left"),
        Action(ActionKind.LOCK_USER, CONNECTION, str(user_id), login, reason="left"),
    ]
    seen: list[tuple[int, int, Outcome]] = []
    async with ActionRunner(setup.workspace) as runner:
        results = await runner.run(actions, confirmed=True,
                                   on_result=lambda i, n, r: seen.append((i, n, r.outcome)))
    assert [r.outcome for r in results] == [Outcome.FAILED, Outcome.SUCCEEDED]
    assert seen == [(0, 2, Outcome.FAILED), (1, 2, Outcome.SUCCEEDED)]
    assert setup.tool.state.users[user_id].status == 3


async def test_undo_restores_a_ticket_status_and_assignee(tmp_path: Path) -> None:
    setup = await _setup(tmp_path)
    state = setup.tool.state
    issue = next(i for i in state.issues.values()
                 if not state.statuses[i.status_id].is_closed and i.assigned_to_id is not None
                 and state.projects[i.project_id].status == 1)
    before_status, before_assignee = issue.status_id, issue.assigned_to_id
    other = str(next(m.principal_id for m in state.memberships_of_project(issue.project_id)
                     if m.principal_id in state.users
                     and m.principal_id != issue.assigned_to_id))
    actions = [
        Action(ActionKind.SET_TICKET_STATUS, CONNECTION, str(issue.id), f"#{issue.id}",
               {"status": "Closed"}),
        Action(ActionKind.ASSIGN_TICKET, CONNECTION, str(issue.id), f"#{issue.id}",
               {"assignee_id": other}),
    ]
    async with ActionRunner(setup.workspace) as runner:
        done = await runner.run(actions, confirmed=True)
        assert all(r.ok for r in done), [r.error for r in done]
        assert setup.tool.state.statuses[issue.status_id].is_closed
        for result in reversed(done):
            assert result.audit_id is not None
            undone = await runner.undo(result.audit_id, confirmed=True)
            assert undone.ok, undone.error
    assert (issue.status_id, issue.assigned_to_id) == (before_status, before_assignee)
    with setup.db.session() as session:
        outcomes = [e for e in audit.entries(session) if e.status != audit.INTENT]
        assert [e.undo_of for e in outcomes[:2]] == [done[0].audit_id, done[1].audit_id]
    assert audit_log.verify(setup.workspace).intact


async def test_undo_of_a_removed_membership_brings_it_back(tmp_path: Path) -> None:
    setup = await _setup(tmp_path)
    state = setup.tool.state
    member = next(m for m in state.members.values()
                  if m.principal_id in state.users and m.direct_role_ids
                  and not m.has_inherited and state.projects[m.project_id].status == 1)
    roles = sorted(member.direct_role_ids)
    remove = Action(ActionKind.REMOVE_MEMBERSHIP, CONNECTION, str(member.id), "someone",
                    reason="moved team")
    async with ActionRunner(setup.workspace) as runner:
        [removed] = await runner.run([remove], confirmed=True)
        assert removed.ok, removed.error
        assert state.member_of(member.project_id, member.principal_id) is None
        assert removed.audit_id is not None
        restored = await runner.undo(removed.audit_id, confirmed=True)
    assert restored.ok, restored.error
    back = state.member_of(member.project_id, member.principal_id)
    assert back is not None and sorted(back.direct_role_ids) == roles


async def test_a_connection_can_leave_its_tickets_out_of_sync(tmp_path: Path) -> None:
    setup = sim_setup(tmp_path)

    def without_tickets(name: str) -> Connector:
        config = ConnectionConfig(name, "redmine", setup.tool.url, setup.tool.token,
                                  {"sync_tickets": "false"})
        return open_connector(config, transport=setup.tool.transport())

    workspace = replace(setup.workspace, open_connector=without_tickets)
    [report] = await sync_all(workspace)
    assert report.ok and report.counts["tickets"] == 0
    with setup.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Ticket)) == 0
        assert session.scalar(select(func.count()).select_from(Account))


async def test_an_action_reads_its_target_once(tmp_path: Path) -> None:
    """The state recorded before and the calls made come from one read of the target."""
    setup = await _setup(tmp_path)
    user_id, login = _active_user(setup)
    seen: list[str] = []
    inner = setup.tool.transport()

    class Counting(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            seen.append(f"{request.method} {request.url.path}")
            return await inner.handle_async_request(request)

    def counting(name: str) -> Connector:
        config = ConnectionConfig(name, "redmine", setup.tool.url, setup.tool.token)
        return open_connector(config, transport=Counting())

    workspace = replace(setup.workspace, open_connector=counting)
    lock = Action(ActionKind.LOCK_USER, CONNECTION, str(user_id), login, reason="left")
    async with ActionRunner(workspace) as runner:
        [done] = await runner.run([lock], confirmed=True)
    assert done.ok, done.error
    assert seen == ["GET /users/current.json", f"GET /users/{user_id}.json",
                    f"PUT /users/{user_id}.json"]
    with setup.db.session() as session:
        outcome, intent = audit.entries(session, limit=2)
    assert intent.status == audit.INTENT and intent.detail["before"]["status"] == "active"
    assert outcome.intent_id == intent.id and outcome.detail["before"] == intent.detail["before"]


async def test_a_previewed_action_is_checked_and_read_once(tmp_path: Path) -> None:
    """A dialog's dry run then run: one capability check, one read of the target."""
    setup = await _setup(tmp_path)
    user_id, login = _active_user(setup)
    checks: list[str] = []
    opened: list[Connector] = []

    def counting(name: str) -> Connector:
        connector = setup.workspace.open_connector(name)
        capabilities = connector.capabilities

        def counted() -> frozenset[Capability]:
            checks.append(name)
            return capabilities()

        connector.capabilities = counted  # type: ignore[method-assign]
        opened.append(connector)
        return connector

    workspace = replace(setup.workspace, open_connector=counting)
    lock = Action(ActionKind.LOCK_USER, CONNECTION, str(user_id), login, reason="")
    async with ActionRunner(workspace) as runner:
        [preview] = await runner.preview([replace(lock, reason="stand-in")])
        assert preview.refusal is None
        [done] = await runner.run([replace(lock, reason="left")], confirmed=True)
    assert done.ok, done.error
    assert checks == [CONNECTION] and len(opened) == 1
