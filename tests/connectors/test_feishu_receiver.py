"""Resigning in Feishu with a named receiver (``act … deactivate-user --param
receiver_id=…``), and actions named as each tool names them in the preview, the
dialog and the audit log."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from pmcockpit.core.actions import Action, ActionKind, title_for
from pmcockpit.services.actions import ActionRunner, Outcome
from pmcockpit.services.sync import sync_all
from pmcockpit.services.targets import TargetError, resolve_action
from pmcockpit.sim.dialects.feishu import feishu_facts
from pmcockpit.storage.models import AuditEntry
from tests.services.tool_sim import ToolSetup, tool_setup


async def _synced(tmp_path: Path) -> ToolSetup:
    setup = tool_setup(tmp_path, "feishu")
    [report] = await sync_all(setup.workspace)
    assert report.ok, report.error
    return setup


async def test_resign_hands_everything_to_the_named_receiver(tmp_path: Path) -> None:
    setup = await _synced(tmp_path)
    facts = feishu_facts(setup.tool.state)
    leaver, receiver = [u for u in sorted(setup.tool.state.users.values(), key=lambda u: u.id)
                        if u.login != "admin" and u.id not in facts.resigned
                        and u.id not in facts.frozen][:2]
    resign = resolve_action(setup.workspace.db, "feishu", ActionKind.DEACTIVATE_USER,
                            leaver.login, {"receiver_id": receiver.login}, "left the company")
    assert resign.tool == "feishu" and resign.validate() == []
    assert resign.describe().startswith("Resign user: ")
    async with ActionRunner(setup.workspace) as runner:
        [preview] = await runner.preview([resign])
        assert preview.refusal is None, preview.refusal
        assert receiver.login in preview.calls[0].note
        assert "cannot be undone" in preview.calls[0].note
        [done] = await runner.run([resign], confirmed=True)
    assert done.outcome is Outcome.SUCCEEDED, done.error
    assert facts.transfers[-1]["docs_acceptor_user_id"] == receiver.login
    assert facts.transfers[-1]["email_acceptor"]["acceptor_user_id"] == receiver.login
    with setup.workspace.db.session() as session:
        entry = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        assert entry is not None
        assert entry.detail["action"]["tool"] == "feishu"
        assert entry.detail["action"]["params"] == {"receiver_id": receiver.login}
        assert entry.detail["result"]["receiver_id"] == receiver.login


async def test_resign_refuses_an_unknown_receiver_before_any_change(tmp_path: Path) -> None:
    setup = await _synced(tmp_path)
    leaver = next(u for u in setup.tool.state.users.values() if u.login != "admin")
    resign = Action(ActionKind.DEACTIVATE_USER, "feishu", leaver.login, leaver.login,
                    {"receiver_id": "nobody-here"}, reason="left")
    async with ActionRunner(setup.workspace) as runner:
        [done] = await runner.run([resign], confirmed=True)
    assert done.outcome is not Outcome.SUCCEEDED
    assert leaver.id not in feishu_facts(setup.tool.state).resigned


async def test_another_tool_takes_no_receiver(tmp_path: Path) -> None:
    setup = await _synced(tmp_path)
    with pytest.raises(TargetError, match="takes no parameter colour"):
        resolve_action(setup.workspace.db, "feishu", ActionKind.DEACTIVATE_USER, "x",
                       {"colour": "red"}, "left")
    elsewhere = Action(ActionKind.DEACTIVATE_USER, "gl", "7", "jdoe", {"receiver_id": "9"},
                       reason="left", tool="gitlab")
    assert elsewhere.validate() == ["Deactivate user takes no parameter 'receiver_id' here"]


def test_each_tool_names_its_actions() -> None:
    assert title_for(ActionKind.LOCK_USER, "feishu") == "Freeze user"
    assert title_for(ActionKind.DEACTIVATE_USER, "feishu") == "Resign user"
    assert title_for(ActionKind.LOCK_USER, "gitlab") == "Block user"
    assert title_for(ActionKind.LOCK_USER, "jira") == "Suspend access"
    assert title_for(ActionKind.DEACTIVATE_USER, "zentao") == "Delete user"
    assert title_for(ActionKind.LOCK_USER, "redmine") == "Lock user"
    assert title_for(ActionKind.LOCK_USER) == "Lock user"
    freeze = Action(ActionKind.LOCK_USER, "feishu", "u1", "alice", tool="feishu")
    assert Action.from_json(freeze.to_json()) == freeze
    assert freeze.describe() == "Freeze user: alice on feishu"
