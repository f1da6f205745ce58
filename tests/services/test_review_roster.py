"""The roster from Feishu's directory, explicit links made after a review started, and
the people sorted by a column in SQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from pmcockpit.core.clock import utcnow
from pmcockpit.services import review
from pmcockpit.services.actions import ConnectorError
from pmcockpit.services.feishu_roster import import_feishu_roster
from pmcockpit.services.review_links import NoSuchPerson, link_accounts
from pmcockpit.services.sync import sync_all
from pmcockpit.sim.dialects.feishu import feishu_facts
from pmcockpit.storage import reviews, roster
from pmcockpit.storage.models import ReviewItem
from pmcockpit.storage.queries.review import ReviewFilter, people
from tests.services.review_sim import ReviewSim, review_sim
from tests.services.tool_sim import tool_setup


async def test_feishu_directory_becomes_the_roster_with_who_left(tmp_path: Path) -> None:
    setup = tool_setup(tmp_path, "feishu")
    facts, parsed = await import_feishu_roster(setup.workspace, "feishu")
    resigned = {u.login for u in setup.tool.state.users.values()
                if u.id in feishu_facts(setup.tool.state).resigned}
    assert resigned and facts.filename == "feishu:feishu" and not parsed.problems
    with setup.workspace.db.session() as session:
        staff = roster.staff(session)
        latest = roster.latest_import(session)
    assert latest is not None and latest.id == facts.id and latest.imported == len(staff)
    left = {e.login for e in staff if e.has_left}
    assert left == resigned
    assert all(e.left_on == utcnow().date() for e in staff if e.has_left)


async def test_a_non_feishu_connection_is_no_roster(tmp_path: Path) -> None:
    sim = await review_sim(tmp_path, scale=20)
    with pytest.raises(ConnectorError, match="not a Feishu connection"):
        await import_feishu_roster(sim.workspace, "redmine")


async def _with_stranger(tmp_path: Path) -> tuple[ReviewSim, int]:
    sim = await review_sim(tmp_path, scale=60)
    sim.tools["redmine"].state.add_user(login="zz-ext", firstname="Z", lastname="Z",
                                        mail="zz@elsewhere.example")
    await sync_all(sim.workspace)
    review.import_roster(sim.workspace, sim.roster_path)
    return sim, review.start_review(sim.workspace)


def _item(sim: ReviewSim, review_id: int) -> ReviewItem:
    with sim.workspace.db.session() as session:
        return session.scalars(select(ReviewItem).where(
            ReviewItem.review_id == review_id, ReviewItem.login == "zz-ext")).one()


async def test_linking_an_unknown_account_to_a_leaver_judges_it_again(tmp_path: Path) -> None:
    sim, review_id = await _with_stranger(tmp_path)
    before = _item(sim, review_id)
    assert {f["rule"] for f in before.findings["found"]} >= {"no-roster-match"}
    shill = next(p for p in sim.org.people if p.login == "shill")
    key = link_accounts(sim.workspace, [("redmine", "zz-ext")], "shill")
    assert key == shill.email.lower()
    after = _item(sim, review_id)
    rules = {f["rule"] for f in after.findings["found"]}
    assert after.person == key and "departed-active" in rules and "no-roster-match" not in rules
    assert after.severity == 4
    with sim.workspace.db.session() as session:
        assert reviews.links(session)[("redmine", "zz-ext")] == key


async def test_a_link_to_nobody_is_refused(tmp_path: Path) -> None:
    sim, review_id = await _with_stranger(tmp_path)
    with pytest.raises(NoSuchPerson, match="neither on the roster"):
        link_accounts(sim.workspace, [("redmine", "zz-ext")], "nobody we know")
    assert _item(sim, review_id).person == "zz@elsewhere.example"


async def test_people_sort_by_a_column_either_way(tmp_path: Path) -> None:
    sim, review_id = await _with_stranger(tmp_path)
    with sim.workspace.db.session() as session:
        default = people(session, review_id, ReviewFilter(), limit=500).rows
        by_name = people(session, review_id, ReviewFilter(sort="person"), limit=500).rows
        reverse = people(session, review_id, ReviewFilter(sort="person", reverse=True),
                         limit=500).rows
        by_tools = people(session, review_id, ReviewFilter(sort="tools"), limit=500).rows
    assert [p.severity for p in default] == sorted((p.severity for p in default), reverse=True)
    assert [p.name for p in by_name] == sorted(p.name for p in by_name)
    assert [p.name for p in reverse] == sorted((p.name for p in reverse), reverse=True)
    assert [len(p.tools) for p in by_tools] == sorted((len(p.tools) for p in by_tools),
                                                      reverse=True)
