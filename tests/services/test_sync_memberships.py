"""Memberships have no change marker (Redmine lists each project's members whole), so a
re-sync keeps the stored ones until the connection's ``membership_hours`` pass, and reads
them again then, on ``memberships=True`` and with every full sync. Requests are counted at
the simulated Redmine over loopback."""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from pmcockpit.storage import connections
from pmcockpit.storage.models import Membership
from tests.services.test_sync_incremental import NAME, Served, served

__all__ = ["served"]  # the fixture, shared with the ticket tests

MEMBER_LISTING = r"GET /projects/\d+/memberships\.json"


def _stored_memberships(served: Served) -> int:
    with served.workspace.db.session() as session:
        return session.scalar(select(func.count(Membership.id))) or 0


def _age_memberships(served: Served, hours: float) -> None:
    with served.workspace.db.session() as session:
        connection = connections.get(session, NAME)
        assert connection.memberships_at is not None
        connection.memberships_at = datetime.now(UTC).replace(tzinfo=None) - timedelta(
            hours=hours)


def _listings(log: list[str]) -> Counter[str]:
    """Requests per listing: the path and its filters, without the page's offset."""
    return Counter(re.sub(r"[?&](offset|limit|page)=\d+", "", line.split(" -> ")[0])
                   for line in log)


def test_a_resync_with_nothing_changed_reads_no_member_list(served: Served) -> None:
    first = served.sync()
    assert first.ok and first.memberships and served.requests(MEMBER_LISTING)
    again = served.sync()
    assert again.ok and not again.full and not again.memberships, again.error
    assert served.requests(MEMBER_LISTING) == []
    assert served.requests(r"GET /issues/\d+\.json") == []
    assert max(_listings(served.log).values()) == 1, _listings(served.log)
    assert again.counts["memberships"] == first.counts["memberships"] == _stored_memberships(
        served)


def test_member_lists_are_read_again_once_membership_hours_pass(served: Served) -> None:
    served.options["membership_hours"] = "6"
    assert served.sync().ok
    state = served.tool.state
    member = next(m for m in state.members.values()
                  if m.principal_id not in state.groups and state.projects[m.project_id].status == 1
                  and all(g.inherited_from is None for g in m.grants))
    state.delete_member(member.id)
    served.tool.state.changed()
    before = _stored_memberships(served)
    assert not served.sync().memberships
    assert _stored_memberships(served) == before, "kept as they were read"
    _age_memberships(served, 5)
    assert not served.sync().memberships
    _age_memberships(served, 7)
    report = served.sync()
    assert report.ok and not report.full and report.memberships
    assert served.requests(MEMBER_LISTING)
    assert _stored_memberships(served) == before - 1


def test_memberships_true_reads_them_and_a_full_sync_always_does(served: Served) -> None:
    assert served.sync().ok
    forced = served.sync(memberships=True)
    assert forced.ok and not forced.full and forced.memberships
    assert served.requests(MEMBER_LISTING)
    full = served.sync(full=True)
    assert full.full and full.memberships and served.requests(MEMBER_LISTING)


def test_membership_hours_zero_reads_them_every_time_and_nonsense_is_refused(
        served: Served) -> None:
    served.options["membership_hours"] = "0"
    assert served.sync().ok
    again = served.sync()
    assert not again.full and again.memberships and served.requests(MEMBER_LISTING)
    served.options["membership_hours"] = "often"
    report = served.sync()
    assert report.error == ("the membership_hours option must be a number of hours "
                            "(0 or more), not 'often'")


def test_a_review_says_how_old_its_memberships_are_until_they_are_read_again(
        served: Served) -> None:
    from pmcockpit.services.review import start_review
    from pmcockpit.services.sync_review import refresh_for_review
    from pmcockpit.storage.models import Review

    assert served.sync().ok
    _age_memberships(served, 3)
    assert not served.sync().memberships

    def scope(review_id: int) -> str:
        with served.workspace.db.session() as session:
            review = session.get(Review, review_id)
            assert review is not None
            return review.scope

    stale = scope(start_review(served.workspace))
    assert stale.startswith(f"all connected tools; memberships as of: {NAME} ")
    served.log.clear()
    [report] = asyncio.run(refresh_for_review(served.workspace))
    assert report.ok and report.memberships and served.requests(MEMBER_LISTING)
    assert scope(start_review(served.workspace)) == "all connected tools"


GROUP_DETAIL = r"GET /groups/\d+\.json"


def _stored_group_members(served: Served) -> set[tuple[str, str]]:
    from pmcockpit.storage.models import Account, Group, GroupMember

    with served.workspace.db.session() as session:
        return set(session.execute(
            select(Group.remote_id, Account.remote_id)
            .join(GroupMember, GroupMember.group_id == Group.id)
            .join(Account, Account.id == GroupMember.account_id)).all())


def test_group_members_are_kept_with_the_memberships(served: Served) -> None:
    assert served.sync().ok and served.requests(GROUP_DETAIL)
    held = _stored_group_members(served)
    state = served.tool.state
    group = next(g for g in state.groups.values() if g.builtin is None and g.user_ids)
    user_id = group.user_ids[0]
    state.remove_group_user(group.id, user_id)
    state.changed()
    again = served.sync()
    assert again.ok and not again.memberships
    assert served.requests(GROUP_DETAIL) == [], "a group's members have no change marker"
    assert served.requests(r"GET /groups\.json"), "the groups themselves are listed"
    assert _stored_group_members(served) == held
    forced = served.sync(memberships=True)
    assert forced.memberships and served.requests(GROUP_DETAIL)
    assert _stored_group_members(served) == held - {(str(group.id), str(user_id))}


def _membership_of(served: Served) -> tuple[int, str]:
    """A direct user membership of an active project: (remote id, its label)."""
    state = served.tool.state
    member = next(m for m in state.members.values()
                  if m.principal_id not in state.groups and state.projects[m.project_id].status == 1
                  and all(g.inherited_from is None for g in m.grants))
    return member.id, f"membership {member.id}"


def test_an_action_on_members_makes_them_due_at_the_next_sync(served: Served) -> None:
    from pmcockpit.core.actions import Action, ActionKind
    from pmcockpit.services.actions import ActionRunner, Outcome

    assert served.sync().ok
    before = _stored_memberships(served)
    member_id, label = _membership_of(served)
    revoke = Action(ActionKind.REMOVE_MEMBERSHIP, NAME, str(member_id), label, reason="left")

    async def run() -> None:
        async with ActionRunner(served.workspace) as runner:
            [result] = await runner.run([revoke], confirmed=True)
        assert result.outcome is Outcome.SUCCEEDED, result.error

    asyncio.run(run())
    report = served.sync()
    assert report.ok and not report.full and report.memberships, "read, not kept"
    assert served.requests(MEMBER_LISTING) and served.requests(GROUP_DETAIL)
    assert _stored_memberships(served) == before - 1
    assert not served.sync().memberships, "kept again once read"


def test_an_action_during_a_sync_leaves_the_members_due() -> None:
    from pmcockpit.services.sync_marks import TicketPlan, members_changed, record_marks
    from pmcockpit.storage.models import Connection

    read_at = datetime(2026, 12, 1, 8, 0)
    connection = Connection(name=NAME, kind="redmine", url="http://x",
                            memberships_at=read_at)
    plan = TicketPlan(None, "basis", memberships=True, members_seen=read_at)
    members_changed(connection)  # a revoke while the sync read the member lists
    record_marks(connection, plan, datetime(2026, 12, 2, 8, 0, tzinfo=UTC))
    assert connection.memberships_at is None, "the sync may have read them before the revoke"
    quiet = Connection(name=NAME, kind="redmine", url="http://x", memberships_at=read_at)
    record_marks(quiet, plan, datetime(2026, 12, 2, 8, 0, tzinfo=UTC))
    assert quiet.memberships_at == datetime(2026, 12, 2, 8, 0)
