"""The action dialog names the action as the tool does (Feishu's "Freeze user" for a
lock) once the dry run has learnt the connection's kind."""

from __future__ import annotations

from pathlib import Path

from textual.containers import Vertical

from pmcockpit.core.actions import Action, ActionKind
from pmcockpit.services.sync import sync_all
from pmcockpit.sim.dialects.feishu import feishu_facts
from tests.app.helpers import settle
from tests.app.test_action_dialog import SIZE, DialogHost, dialog_of, text_of
from tests.services.tool_sim import tool_setup


async def test_the_dialog_says_freeze_for_feishu(tmp_path: Path) -> None:
    setup = tool_setup(tmp_path, "feishu")
    [report] = await sync_all(setup.workspace)
    assert report.ok, report.error
    facts = feishu_facts(setup.tool.state)
    user = next(u for u in setup.tool.state.users.values() if u.login != "admin"
                and u.id not in facts.resigned and u.id not in facts.frozen)
    freeze = Action(ActionKind.LOCK_USER, "feishu", user.login, user.login)
    app = DialogHost(setup.workspace, [freeze])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        dialog = dialog_of(app)
        assert dialog.query_one("#action-dialog", Vertical).border_title == "Freeze user"
        assert f"Freeze user: {user.login} on feishu" in text_of(app, "#action-list")
