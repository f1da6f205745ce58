"""ZenTao end to end against its simulator: sync, health, and every offered action
through the audited action path (preview, run, audit, undo), with the gaps refused."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from pmcockpit.core.actions import Action, ActionKind
from pmcockpit.services.actions import ActionRunner, Outcome
from pmcockpit.services.health import check_health
from pmcockpit.services.sync import sync_all
from pmcockpit.sim.dialects.zentao import bugs, zentao_facts
from pmcockpit.storage import audit
from pmcockpit.storage.models import Account, Ticket
from tests.services.tool_sim import ToolSetup, tool_setup


async def _synced(tmp_path: Path) -> ToolSetup:
    setup = tool_setup(tmp_path, "zentao")
    [report] = await sync_all(setup.workspace)
    assert report.ok, report.error
    return setup


async def test_sync_stores_the_people_departments_and_bugs(tmp_path: Path) -> None:
    setup = await _synced(tmp_path)
    state = setup.tool.state
    listed = {u.login for u in state.users.values()
              if u.id not in zentao_facts(state).deleted}
    with setup.workspace.db.session() as session:
        logins = set(session.scalars(select(Account.login)))
        tickets = session.scalars(select(Ticket)).all()
    assert logins == listed
    assert len(tickets) == len(state.issues)
    closed = {str(i.id) for i in state.issues.values() if bugs.bug_status(state, i) == "closed"}
    assert {t.remote_id for t in tickets if t.is_closed} == closed


async def test_health_signs_in_and_says_who(tmp_path: Path) -> None:
    setup = tool_setup(tmp_path, "zentao")
    facts = await check_health(setup.workspace, "zentao")
    assert (facts.reachable, facts.authenticated, facts.is_admin) == (True, True, True)


async def test_a_wrong_password_is_tried_once_and_named(tmp_path: Path) -> None:
    setup = tool_setup(tmp_path, "zentao", password="wrong")
    [report] = await sync_all(setup.workspace)
    facts = await check_health(setup.workspace, "zentao")
    assert report.error is not None and "will not try again" in report.error
    assert not facts.authenticated
    # One connector per run: one refused login each, never a retry within a run.
    assert zentao_facts(setup.tool.state).fails["admin"] == 2


async def test_delete_user_previews_runs_and_is_audited(tmp_path: Path) -> None:
    setup = await _synced(tmp_path)
    state = setup.tool.state
    user = next(u for u in state.users.values() if not u.admin and u.status == 1)
    delete = Action(ActionKind.DEACTIVATE_USER, "zentao", str(user.id), user.login,
                    reason="left the company")
    async with ActionRunner(setup.workspace) as runner:
        [preview] = await runner.preview([delete])
        assert preview.refusal is None
        assert [f"{c.method} {c.path}" for c in preview.calls] == [f"DELETE /users/{user.id}"]
        assert "recycle bin" in preview.calls[0].note
        assert user.id not in zentao_facts(state).deleted
        [done] = await runner.run([delete], confirmed=True)
        assert done.outcome is Outcome.SUCCEEDED, done.error
        assert user.id in zentao_facts(state).deleted
        assert done.audit_id is not None
        undone = await runner.undo(done.audit_id, confirmed=True)
    assert not undone.ok and "recycle bin" in (undone.error or "")


async def test_bug_status_and_assignee_change_and_undo(tmp_path: Path) -> None:
    setup = await _synced(tmp_path)
    state = setup.tool.state
    issue = next(i for i in state.issues.values() if bugs.bug_status(state, i) == "active"
                 and i.assigned_to_id is not None)
    other = next(u for u in state.users.values()
                 if u.id not in (issue.assigned_to_id, 1) and u.status == 1)
    before = (bugs.bug_status(state, issue), issue.assigned_to_id)
    actions = [
        Action(ActionKind.SET_TICKET_STATUS, "zentao", str(issue.id), f"BUG-{issue.id}",
               {"status": "closed"}),
        Action(ActionKind.ASSIGN_TICKET, "zentao", str(issue.id), f"BUG-{issue.id}",
               {"assignee_id": str(other.id)}),
    ]
    async with ActionRunner(setup.workspace) as runner:
        [preview, _] = await runner.preview(actions)
        assert [c.path for c in preview.calls] == [f"/bugs/{issue.id}/resolve",
                                                   f"/bugs/{issue.id}/close"]
        done = await runner.run(actions, confirmed=True)
        assert all(r.ok for r in done), [r.error for r in done]
        assert (bugs.bug_status(state, issue), issue.assigned_to_id) == ("closed", other.id)
        for result in reversed(done):
            assert result.audit_id is not None
            undone = await runner.undo(result.audit_id, confirmed=True)
            assert undone.ok, undone.error
    assert (bugs.bug_status(state, issue), issue.assigned_to_id) == before


async def test_what_zentao_cannot_do_is_refused_with_its_reason(tmp_path: Path) -> None:
    setup = await _synced(tmp_path)
    user = next(u for u in setup.tool.state.users.values() if not u.admin)
    lock = Action(ActionKind.LOCK_USER, "zentao", str(user.id), user.login, reason="left")
    comment = Action(ActionKind.ADD_COMMENT, "zentao", "1", "BUG-1", {"body": "hi"})
    me = Action(ActionKind.DEACTIVATE_USER, "zentao", "1", "admin", reason="oops")
    async with ActionRunner(setup.workspace) as runner:
        results = await runner.run([lock, comment, me], confirmed=True)
    # Gaps are refused before any call; the own account is refused by ZenTao's writer.
    assert [r.outcome for r in results] == [Outcome.REFUSED, Outcome.REFUSED, Outcome.FAILED]
    assert "cannot lock an account" in (results[0].error or "")
    assert "only with an assignment" in (results[1].error or "")
    assert "signs in with" in (results[2].error or "")
    assert 1 not in zentao_facts(setup.tool.state).deleted
    with setup.workspace.db.session() as session:
        assert [e.status for e in audit.entries(session)].count("refused") == 2
