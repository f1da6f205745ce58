"""The review against Redmine, Jira and GitLab simulated from one organisation: start,
decide, apply a revoke and a downgrade, undo with the membership's roles restored,
and a leaver sweep across the three tools in one plan."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from pmcockpit.core.actions import ActionKind
from pmcockpit.core.review import Decision
from pmcockpit.services import review
from pmcockpit.services.actions import ActionRunner
from pmcockpit.storage.models import ReviewItem
from tests.services.review_sim import ReviewSim, review_sim


def _items(sim: ReviewSim, review_id: int) -> list[ReviewItem]:
    with sim.workspace.db.session() as session:
        return list(session.scalars(select(ReviewItem)
                                    .where(ReviewItem.review_id == review_id)))


def _rules(item: ReviewItem) -> set[str]:
    return {f["rule"] for f in item.findings["found"]}


async def _started(tmp_path: Path) -> tuple[ReviewSim, int]:
    sim = await review_sim(tmp_path, scale=60)
    review.import_roster(sim.workspace, sim.roster_path)
    return sim, review.start_review(sim.workspace)


async def test_departed_staff_with_open_accounts_are_critical_in_every_tool(
        tmp_path: Path) -> None:
    sim, review_id = await _started(tmp_path)
    shill = next(p for p in sim.org.people if p.login == "shill")
    assert shill.left_on is not None
    tools = {i.connection for i in _items(sim, review_id)
             if i.person == shill.email.lower() and "departed-active" in _rules(i)}
    assert tools == {"gitlab", "jira", "redmine"}
    assert all(i.severity == 4 for i in _items(sim, review_id) if "departed-active" in _rules(i))


async def test_a_decision_needs_a_justification(tmp_path: Path) -> None:
    sim, review_id = await _started(tmp_path)
    item = _items(sim, review_id)[0]
    with pytest.raises(ValueError, match="justification"):
        review.decide(sim.workspace, [item.id], Decision.KEEP, "  ")


async def test_revoke_and_downgrade_applied_then_undone_exactly(tmp_path: Path) -> None:
    sim, review_id = await _started(tmp_path)
    redmine = sim.tools["redmine"].state
    items = [i for i in _items(sim, review_id) if i.connection == "redmine"
             and i.status == "active" and i.access["memberships"] and i.login != "admin"]
    revoked, downgraded = items[0], items[1]
    membership = downgraded.access["memberships"][0]
    member_before = redmine.members[int(membership["id"])]
    roles_before = sorted(member_before.direct_role_ids)
    review.decide(sim.workspace, [revoked.id], Decision.REVOKE, "left in March")
    review.decide(sim.workspace, [downgraded.id], Decision.DOWNGRADE, "moved team",
                  target=f"membership:{membership['id']}")
    async with ActionRunner(sim.workspace) as runner:
        steps = await review.plan(runner, review_id)
        assert sorted(s.action.kind for s in steps) == sorted(
            [ActionKind.LOCK_USER, ActionKind.REMOVE_MEMBERSHIP])
        results = await review.apply(runner, steps, confirmed=True)
    assert all(r.ok for r in results), [r.error for r in results]
    assert redmine.users[int(revoked.remote_id)].status == 3  # locked
    # Redmine keeps a membership that still has roles through a group: only direct ones go.
    left = redmine.members.get(int(membership["id"]))
    assert left is None or not left.direct_role_ids
    outcome = {i.id: (i.applied, i.audit_id) for i in _items(sim, review_id)}
    assert outcome[revoked.id][0] == "succeeded" and outcome[revoked.id][1]
    async with ActionRunner(sim.workspace) as runner:
        steps_again = await review.plan(runner, review_id)
        assert steps_again == []  # applied items leave the plan
        removal = next(r for r in results if r.action.kind is ActionKind.REMOVE_MEMBERSHIP)
        assert removal.audit_id is not None
        undone = await runner.undo(removal.audit_id, confirmed=True)
        assert undone.ok, undone.error
        lock = next(r for r in results if r.action.kind is ActionKind.LOCK_USER)
        assert lock.audit_id is not None
        assert (await runner.undo(lock.audit_id, confirmed=True)).ok
    restored = [m for m in redmine.members.values()
                if m.principal_id == member_before.principal_id
                and m.project_id == member_before.project_id]
    assert [sorted(m.direct_role_ids) for m in restored] == [roles_before]
    assert redmine.users[int(revoked.remote_id)].status == 1


async def test_a_failed_step_stays_in_the_plan_for_retry(tmp_path: Path) -> None:
    sim, review_id = await _started(tmp_path)
    item = next(i for i in _items(sim, review_id) if i.connection == "redmine")
    review.decide(sim.workspace, [item.id], Decision.DOWNGRADE, "wrong project",
                  target="membership:999999")
    async with ActionRunner(sim.workspace) as runner:
        [step] = await review.plan(runner, review_id)
        [result] = await review.apply(runner, [step], confirmed=True)
        assert not result.ok
        assert [s.item_id for s in await review.plan(runner, review_id)] == [item.id]
    [kept] = [i for i in _items(sim, review_id) if i.id == item.id]
    assert kept.applied in ("failed", "refused") and kept.applied_error


async def test_leaver_sweep_covers_jira_gitlab_and_redmine_in_one_plan(tmp_path: Path) -> None:
    sim, _review_id = await _started(tmp_path)
    async with ActionRunner(sim.workspace) as runner:
        actions = await review.sweep_plan(runner, "shill", all_departed=False,
                                          reason="left (HR roster)")
        assert sorted(a.connection for a in actions) == ["gitlab", "jira", "redmine"]
        results = await runner.run(actions, confirmed=True)
    assert all(r.ok for r in results), [r.error for r in results]
    redmine = sim.tools["redmine"].state
    user = next(u for u in redmine.users.values() if u.login == "shill")
    assert user.status == 3


async def test_sweep_of_someone_unknown_says_so(tmp_path: Path) -> None:
    sim, _review_id = await _started(tmp_path)
    async with ActionRunner(sim.workspace) as runner:
        with pytest.raises(review.UnknownPerson, match="nobody-here"):
            await review.sweep_plan(runner, "nobody-here", all_departed=False, reason="x")


async def test_sign_off_keeps_the_audit_head_and_the_next_review_shows_drift(
        tmp_path: Path) -> None:
    sim, first = await _started(tmp_path)
    head = review.sign_off(sim.workspace, first)
    assert head
    redmine = sim.tools["redmine"].state
    promoted = next(u for u in redmine.users.values()
                    if u.status == 1 and not u.admin and u.login != "admin")
    promoted.admin = True
    from pmcockpit.services.sync import sync_all
    await sync_all(sim.workspace)
    second = review.start_review(sim.workspace)
    drift = review.review_drift(sim.workspace, second)
    assert drift is not None and ("redmine", promoted.login) in drift.new_admins
    [item] = [i for i in _items(sim, second) if i.login == promoted.login
              and i.connection == "redmine"]
    assert "admin-granted" in _rules(item)
    with pytest.raises(ValueError, match="signed off"):
        async with ActionRunner(sim.workspace) as runner:
            await review.plan(runner, first)
