"""Feishu end to end against its simulator: sync, health, freeze, unfreeze and resign
through the audited action path, the roster, and the gaps refused with reasons."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from pmcockpit.core.actions import Action, ActionKind
from pmcockpit.services.actions import ActionRunner, Outcome
from pmcockpit.services.feishu_roster import feishu_roster
from pmcockpit.services.health import check_health
from pmcockpit.services.sync import sync_all
from pmcockpit.sim.dialects.feishu import feishu_facts
from pmcockpit.sim.models import User
from pmcockpit.storage.models import Account
from tests.services.tool_sim import ToolSetup, tool_setup


async def _synced(tmp_path: Path) -> ToolSetup:
    setup = tool_setup(tmp_path, "feishu")
    [report] = await sync_all(setup.workspace)
    assert report.ok, report.error
    return setup


def _employed(setup: ToolSetup) -> User:
    facts = feishu_facts(setup.tool.state)
    return next(u for u in setup.tool.state.users.values() if u.login != "admin"
                and u.id not in facts.resigned and u.id not in facts.frozen)


async def test_sync_and_health(tmp_path: Path) -> None:
    setup = await _synced(tmp_path)
    with setup.workspace.db.session() as session:
        logins = set(session.scalars(select(Account.login)))
    assert logins == {u.login for u in setup.tool.state.users.values() if u.login != "admin"}
    facts = await check_health(setup.workspace, "feishu")
    assert (facts.reachable, facts.authenticated) == (True, True)


async def test_freeze_then_undo_unfreezes(tmp_path: Path) -> None:
    setup = await _synced(tmp_path)
    user = _employed(setup)
    freeze = Action(ActionKind.LOCK_USER, "feishu", user.login, user.login, reason="on leave")
    async with ActionRunner(setup.workspace) as runner:
        [done] = await runner.run([freeze], confirmed=True)
        assert done.outcome is Outcome.SUCCEEDED, done.error
        assert user.id in feishu_facts(setup.tool.state).frozen
        assert done.audit_id is not None
        undone = await runner.undo(done.audit_id, confirmed=True)  # paced a second later
    assert undone.ok, undone.error
    assert user.id not in feishu_facts(setup.tool.state).frozen


async def test_resign_previews_the_receiver_and_cannot_be_undone(tmp_path: Path) -> None:
    setup = await _synced(tmp_path)
    facts = feishu_facts(setup.tool.state)
    roster = {r.login: r for r in await feishu_roster(setup.workspace, "feishu")}
    user = next(u for u in setup.tool.state.users.values() if u.login in roster
                and not roster[u.login].has_left and u.id not in facts.frozen
                and _leader(setup, u.login))
    resign = Action(ActionKind.DEACTIVATE_USER, "feishu", user.login, user.login,
                    reason="left the company")
    async with ActionRunner(setup.workspace) as runner:
        [preview] = await runner.preview([resign])
        leader = _leader(setup, user.login)
        assert preview.refusal is None
        assert "cannot be undone" in preview.calls[0].note and leader in preview.calls[0].note
        [done] = await runner.run([resign], confirmed=True)
        assert done.outcome is Outcome.SUCCEEDED, done.error
        assert done.audit_id is not None
        undone = await runner.undo(done.audit_id, confirmed=True)
    assert user.id in facts.resigned
    assert facts.transfers[-1]["docs_acceptor_user_id"] == leader
    assert facts.transfers[-1]["email_acceptor"] == {"processing_type": "1",
                                                     "acceptor_user_id": leader}
    assert not undone.ok and "cannot take a resignation back" in (undone.error or "")
    assert {r.login for r in await feishu_roster(setup.workspace, "feishu")
            if r.has_left} >= {user.login}


def _leader(setup: ToolSetup, login: str) -> str:
    from pmcockpit.sim.dialects.feishu.contact import departments, leaders
    from pmcockpit.sim.dialects.feishu.core import Call

    admin = setup.tool.state.user_by_login("admin")
    assert admin is not None
    call = Call(setup.tool.state, None, admin, {})  # type: ignore[arg-type]
    heads = leaders(call)
    team = next(d for d in departments(setup.tool.state) if login in d["members"])
    leader = heads[team["department_id"]]
    return "" if leader == login else leader


async def test_what_feishu_cannot_do_is_refused_with_its_reason(tmp_path: Path) -> None:
    setup = await _synced(tmp_path)
    user = _employed(setup)
    actions = [Action(ActionKind.ADD_COMMENT, "feishu", "1", "#1", {"body": "hi"}),
               Action(ActionKind.ACTIVATE_USER, "feishu", user.login, user.login)]
    async with ActionRunner(setup.workspace) as runner:
        results = await runner.run(actions, confirmed=True)
    assert [r.outcome for r in results] == [Outcome.REFUSED, Outcome.REFUSED]
    assert "directory" in (results[0].error or "")
