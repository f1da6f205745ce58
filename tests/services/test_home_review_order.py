"""The home view's "Accounts to review" agrees with the Permissions screen: while a review
is open, the same people in the same order, leavers still active (critical) before
admins to confirm; without one, today's accounts as both show them."""

from __future__ import annotations

from pathlib import Path

from pmcockpit.core.clock import utcnow
from pmcockpit.core.risk import Rule, Severity
from pmcockpit.screens.home_text import review_text
from pmcockpit.services import review
from pmcockpit.services.queue import sla_policy
from pmcockpit.storage.queries.home import HomeSummary, home_summary
from pmcockpit.storage.queries.permissions import review_summary
from pmcockpit.storage.queries.review import ReviewFilter, people
from tests.services.review_sim import ReviewSim, review_sim


def _home(sim: ReviewSim) -> HomeSummary:
    settings = sim.workspace.settings
    with sim.workspace.db.session() as session:
        return home_summary(session, utcnow(), inactive_days=settings.inactive_days,
                            policy=sla_policy(settings))


async def test_home_lists_the_review_people_as_the_permissions_screen(tmp_path: Path) -> None:
    sim = await review_sim(tmp_path, scale=40)
    before = _home(sim)  # no review open: today's accounts, as the screen's live table
    with sim.workspace.db.session() as session:
        live = review_summary(session, utcnow(), inactive_days=90, limit=3)
    assert [r.login for r in before.reviews] == [r.login for r in live.worst]

    review.import_roster(sim.workspace, sim.roster_path)
    review_id = review.start_review(sim.workspace)
    summary = _home(sim)
    with sim.workspace.db.session() as session:
        screen = people(session, review_id, ReviewFilter(), limit=3).rows
    assert [r.connection for r in summary.reviews] == [", ".join(p.tools) for p in screen]
    assert [r.name for r in summary.reviews] == [p.person for p in screen]
    severities = [r.severity for r in summary.reviews]
    assert severities[0] == Severity.CRITICAL and severities == sorted(severities, reverse=True)
    assert summary.reviews[0].findings[0].rule is Rule.DEPARTED_ACTIVE
    counts = dict(summary.review_counts)
    assert counts[Rule.DEPARTED_ACTIVE] and next(iter(counts)) is Rule.DEPARTED_ACTIVE
    assert 0 < summary.accounts_to_review <= summary.accounts_total
    _lead, rows = review_text(summary)  # the panel draws a critical line (it has a mark)
    assert "left but active" in rows[1].plain
