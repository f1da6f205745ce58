"""Two reviewers on one review: their decisions merge, each keeps who made it, and a
change to what the other decided is refused, naming them. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from sqlalchemy import select

from pmcockpit.core.review import Decision
from pmcockpit.services import review
from pmcockpit.services.workspace import Workspace
from pmcockpit.storage.db import open_database
from pmcockpit.storage.models import ReviewItem
from pmcockpit.storage.reviews import DecisionConflict
from tests.services.review_sim import review_sim


def _as(workspace: Workspace, operator: str) -> Workspace:
    """The same database opened by another operator's process."""
    db = open_database(str(workspace.db.engine.url.render_as_string(hide_password=False)))
    settings = dataclasses.replace(workspace.settings, operator=operator)
    return Workspace(settings, db, workspace.open_connector)


async def test_two_reviewers_merge_and_a_conflict_names_who(tmp_path: Path) -> None:
    sim = await review_sim(tmp_path)
    review.import_roster(sim.workspace, sim.roster_path)
    review_id = review.start_review(sim.workspace)
    alice, bob = _as(sim.workspace, "alice"), _as(sim.workspace, "bob")
    with alice.db.session() as session:
        first, second = session.scalars(select(ReviewItem.id).where(
            ReviewItem.review_id == review_id).order_by(ReviewItem.id).limit(2)).all()
    assert review.decide(alice, [first], Decision.REVOKE, "left in March") == 1
    assert review.decide(bob, [second], Decision.KEEP, "still on the project") == 1
    with pytest.raises(DecisionConflict, match=r"by alice at .*nothing was changed"):
        review.decide(bob, [first], Decision.KEEP, "I think she is back")
    assert review.decide(alice, [first], Decision.KEEP, "she is back after all") == 1
    with bob.db.session() as session:
        decided = {i.id: (i.decision, i.decided_by) for i in session.scalars(
            select(ReviewItem).where(ReviewItem.id.in_([first, second])))}
    assert decided == {first: ("keep", "alice"), second: ("keep", "bob")}
    alice.db.dispose()
    bob.db.dispose()
