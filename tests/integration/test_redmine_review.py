"""The permission review's apply path against a real Redmine 5: a revoke locks carol, a
downgrade removes bob's Manager membership; both are checked in Redmine, then undone,
bob's membership coming back with its roles."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from pmcockpit.core.actions import ActionKind
from pmcockpit.core.review import Decision
from pmcockpit.services import review
from pmcockpit.services.actions import ActionRunner
from pmcockpit.services.sync import sync_all
from pmcockpit.storage.models import ReviewItem
from tests.integration.conftest import RedmineServer, World, ok
from tests.integration.test_redmine_sync import _workspace

pytestmark = pytest.mark.redmine


async def _roles_of(api: httpx.AsyncClient, project: str, user_id: str) -> list[str]:
    found = ok(await api.get(f"/projects/{project}/memberships.json?limit=100"), 200)
    for item in found["memberships"]:
        if str(item.get("user", {}).get("id")) == user_id:
            return sorted(r["name"] for r in item["roles"] if not r.get("inherited"))
    return []


async def test_review_apply_locks_and_downgrades_then_undo_restores(
    tmp_path: Path, redmine_server: RedmineServer, world: World, api: httpx.AsyncClient
) -> None:
    workspace = _workspace(tmp_path, redmine_server)
    [report] = await sync_all(workspace)
    assert report.ok, report.error
    review_id = review.start_review(workspace)
    carol, bob = f"carol-{world.suffix}", f"bob-{world.suffix}"
    with workspace.db.session() as session:
        ids = dict(session.execute(select(ReviewItem.login, ReviewItem.id).where(
            ReviewItem.review_id == review_id, ReviewItem.login.in_([carol, bob]))).all())
    review.decide(workspace, [ids[carol]], Decision.REVOKE, "left the company")
    review.decide(workspace, [ids[bob]], Decision.DOWNGRADE, "no longer manages Apollo",
                  target=f"membership:{world.memberships['bob']}")
    assert await _roles_of(api, world.project, world.users["bob"]) == ["Manager"]

    async with ActionRunner(workspace) as runner:
        steps = await review.plan(runner, review_id)
        assert sorted(s.action.kind for s in steps) == sorted(
            [ActionKind.LOCK_USER, ActionKind.REMOVE_MEMBERSHIP])
        results = await review.apply(runner, steps, confirmed=True)
    assert all(r.ok for r in results), [r.error for r in results]
    user = ok(await api.get(f"/users/{world.users['carol']}.json"), 200)["user"]
    assert user["status"] == 3
    assert await _roles_of(api, world.project, world.users["bob"]) == []  # Developer stays

    async with ActionRunner(workspace) as runner:
        for result in results:
            assert result.audit_id is not None
            undone = await runner.undo(result.audit_id, confirmed=True)
            assert undone.ok, undone.error
    user = ok(await api.get(f"/users/{world.users['carol']}.json"), 200)["user"]
    assert user["status"] == 1
    assert await _roles_of(api, world.project, world.users["bob"]) == ["Manager"]
