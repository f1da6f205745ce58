"""Remove admin: a downgrade of an administrator takes the rights away in Redmine and
GitLab through the audited path, undo gives them back; Jira (admin by group) says why
it cannot."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from pmcockpit.core.actions import Action, ActionKind
from pmcockpit.core.review import Decision
from pmcockpit.services import review
from pmcockpit.services.actions import ActionRunner
from pmcockpit.services.sync import sync_all
from pmcockpit.services.workspace import Workspace
from pmcockpit.storage.models import ReviewItem
from tests.services.review_sim import review_sim


def _admins(workspace: Workspace, review_id: int, connection: str) -> list[ReviewItem]:
    with workspace.db.session() as session:
        return list(session.scalars(select(ReviewItem).where(
            ReviewItem.review_id == review_id, ReviewItem.connection == connection,
            ReviewItem.is_admin.is_(True), ReviewItem.login != "admin")))


async def test_downgrade_removes_admin_rights_then_undo_restores_them(tmp_path: Path) -> None:
    sim = await review_sim(tmp_path, scale=60)
    for kind in ("redmine", "gitlab"):
        users = sim.tools[kind].state.users
        other = next(u for u in users.values() if not u.admin and u.login != "admin")
        other.admin = True  # one more administrator than the token's own
    await sync_all(sim.workspace)
    review_id = review.start_review(sim.workspace)
    chosen = {kind: _admins(sim.workspace, review_id, kind)[0] for kind in ("redmine", "gitlab")}
    for item in chosen.values():
        review.decide(sim.workspace, [item.id], Decision.DOWNGRADE, "no longer on the ops team",
                      target="admin")
    async with ActionRunner(sim.workspace) as runner:
        steps = await review.plan(runner, review_id)
        assert {s.action.kind for s in steps} == {ActionKind.REMOVE_ADMIN}
        results = await review.apply(runner, steps, confirmed=True)
        assert all(r.ok for r in results), [r.error for r in results]
        for kind, item in chosen.items():
            assert not sim.tools[kind].state.users[int(item.remote_id)].admin
        for result in results:
            assert result.audit_id is not None
            undone = await runner.undo(result.audit_id, reason="mistake", confirmed=True)
            assert undone.ok, undone.error
    for kind, item in chosen.items():
        assert sim.tools[kind].state.users[int(item.remote_id)].admin


async def test_removing_admin_from_a_non_admin_or_the_token_is_refused(tmp_path: Path) -> None:
    sim = await review_sim(tmp_path, scale=30)
    users = sim.tools["redmine"].state.users
    token = next(u for u in users.values() if u.login == "admin")
    plain = next(u for u in users.values() if not u.admin)
    async with ActionRunner(sim.workspace) as runner:
        own, not_admin = await runner.preview([
            Action(ActionKind.REMOVE_ADMIN, "redmine", str(token.id), token.login, reason="x"),
            Action(ActionKind.REMOVE_ADMIN, "redmine", str(plain.id), plain.login, reason="x")])
    assert own.refusal and "lose API access" in own.refusal
    assert not_admin.refusal and "not an administrator" in not_admin.refusal


async def test_jira_says_it_grants_admin_by_group(tmp_path: Path) -> None:
    sim = await review_sim(tmp_path, scale=30)
    async with ActionRunner(sim.workspace) as runner:
        [preview] = await runner.preview([
            Action(ActionKind.REMOVE_ADMIN, "jira", "abc", "someone", reason="x")])
    assert preview.refusal and "admin groups" in preview.refusal
