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
