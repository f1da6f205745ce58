"""Reconcile reads back each kind of action a crash left in doubt, and records the truth."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from pmcockpit.core.actions import Action, ActionKind
from pmcockpit.services import audit_log
from pmcockpit.services.actions import ActionRunner
from pmcockpit.services.reconcile import CHANGED, STILL_IN_DOUBT, UNCHANGED, UNKNOWN, reconcile
from pmcockpit.sim.state import ToolState
from tests.killpoints import crash_at
from tests.services.checklist_sim import CONNECTION, sim_setup


def _ticket_status(state: ToolState) -> Action:
    issue = next(i for i in state.issues.values()
                 if not state.statuses[i.status_id].is_closed
                 and state.projects[i.project_id].status == 1)
    return Action(ActionKind.SET_TICKET_STATUS, CONNECTION, str(issue.id), f"#{issue.id}",
                  {"status": "Closed"})


def _remove_membership(state: ToolState) -> Action:
    member = next(m for m in state.members.values()
                  if m.principal_id in state.users and m.direct_role_ids
                  and not m.has_inherited and state.projects[m.project_id].status == 1)
    return Action(ActionKind.REMOVE_MEMBERSHIP, CONNECTION, str(member.id), "someone",
                  reason="moved team")


def _add_to_group(state: ToolState) -> Action:
    group = min((g for g in state.groups.values() if g.user_ids), key=lambda g: g.id)
    user = next(u for u in sorted(state.users.values(), key=lambda u: u.id)
                if u.id not in group.user_ids and u.status == 1 and not u.admin)
    return Action(ActionKind.ADD_GROUP_MEMBER, CONNECTION, str(group.id), group.name,
                  {"user_id": str(user.id)})


def _comment(state: ToolState) -> Action:
    issue = min(state.issues.values(), key=lambda i: i.id)
    return Action(ActionKind.ADD_COMMENT, CONNECTION, str(issue.id), f"#{issue.id}",
                  {"body": "On it"})


KINDS: dict[str, Callable[[ToolState], Action]] = {
    "set-ticket-status": _ticket_status, "remove-membership": _remove_membership,
    "add-group-member": _add_to_group, "add-comment": _comment,
}


@pytest.mark.parametrize("point", ["after-intent", "after-call"])
@pytest.mark.parametrize("kind", list(KINDS))
async def test_reconcile_records_what_the_tool_shows(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str, point: str) -> None:
    setup = sim_setup(tmp_path)
    await setup.sync()
    action = KINDS[kind](setup.tool.state)
    await crash_at(setup.workspace, action, point, monkeypatch)
    assert audit_log.verify(setup.workspace).in_doubt == [1]
    [done] = await reconcile(setup.workspace)
    expected = UNKNOWN if kind == "add-comment" else \
        CHANGED if point == "after-call" else UNCHANGED
    assert (done.intent_id, done.status) == (1, expected), done.note
    result = audit_log.verify(setup.workspace)
    assert result.intact and result.in_doubt == []
    assert await reconcile(setup.workspace) == []
    if expected == CHANGED:  # the change is there: it can be undone like any other
        async with ActionRunner(setup.workspace) as runner:
            undone = await runner.undo(1, confirmed=True)
        assert undone.ok, undone.error


async def test_a_tool_that_does_not_answer_leaves_it_in_doubt(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    setup = sim_setup(tmp_path)
    await setup.sync()
    await crash_at(setup.workspace, _ticket_status(setup.tool.state), "after-call", monkeypatch)
    setup.tool.faults.server_error(status=500, times=50)
    [done] = await reconcile(setup.workspace)
    assert (done.status, done.outcome_id) == (STILL_IN_DOUBT, None)
    assert "could not be asked" in done.note
    assert audit_log.verify(setup.workspace).in_doubt == [1]


async def test_a_call_left_unanswered_stays_in_doubt_until_read_back(tmp_path: Path) -> None:
    """The connection drops during the call: pmcockpit cannot know whether the tool
    changed, so it guesses no outcome; reconcile reads it back."""
    setup = sim_setup(tmp_path)
    await setup.sync()
    action = _ticket_status(setup.tool.state)
    setup.tool.faults.disconnect(times=20, method="PUT")
    async with ActionRunner(setup.workspace) as runner:
        [result] = await runner.run([action], confirmed=True)
    assert not result.ok and "stays in doubt" in (result.error or "")
    assert audit_log.verify(setup.workspace).in_doubt == [result.audit_id]
    setup.tool.faults.clear()
    [done] = await reconcile(setup.workspace)
    assert (done.intent_id, done.status) == (result.audit_id, UNCHANGED)
