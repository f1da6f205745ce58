"""Ticket KPIs per team measured from a synced simulated organisation, week by week."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from pmcockpit.core.rollout import RolloutKind
from pmcockpit.services import rollout as service
from pmcockpit.services import rollout_adoption
from pmcockpit.services.rollout_report import rollout_report
from pmcockpit.services.sync import sync_connection
from pmcockpit.sim.models import Issue
from pmcockpit.storage.models import RosterImport, RosterPerson
from pmcockpit.storage.models.rollout import AdoptionSnapshot, Team
from tests.services.rollout_sim import SimSetup, sim_setup

ROLLOUT = "Redmine for Finance"


@pytest.fixture
def sim(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SimSetup]:
    setup = sim_setup(tmp_path)
    # Snapshots are taken at the simulated time, as they would be each week.
    monkeypatch.setattr(rollout_adoption, "utcnow", lambda: setup.clock.naive)
    yield setup
    setup.workspace.db.dispose()


def _stage(sim: SimSetup) -> tuple[list[Issue], int, int]:
    """Finance's tickets as the test wants them; every other ticket leaves Finance out.

    Returns Finance's five tickets and the ids of a closed and an open status."""
    state = sim.tools["redmine"].state
    finance = {state.user_by_login(login).id  # type: ignore[union-attr]
               for login in sim.group_logins("redmine", "Finance")}
    other = next(user.id for user in state.users.values() if user.id not in finance)
    closed = next(s.id for s in state.statuses.values() if s.is_closed)
    opened = next(s.id for s in state.statuses.values() if not s.is_closed)
    issues = sorted(state.issues.values(), key=lambda issue: issue.id)
    for issue in issues:
        issue.author_id, issue.assigned_to_id = other, None
    member, now = min(finance), sim.clock.now
    # (author in Finance, assigned to Finance, days since created, closed, days since update)
    plan = [(True, True, 3, False, 3), (True, True, 10, True, 2), (True, False, 45, False, 45),
            (False, True, 60, False, 50), (False, True, 90, True, 40)]
    staged = issues[:len(plan)]
    for issue, (wrote, assigned, created, done, updated) in zip(staged, plan, strict=True):
        issue.author_id = member if wrote else other
        issue.assigned_to_id = member if assigned else None
        issue.created_on = now - timedelta(days=created)
        issue.updated_on = now - timedelta(days=updated)
        issue.status_id = closed if done else opened
    return staged, closed, opened


async def test_ticket_kpis_follow_the_team_over_simulated_weeks(sim: SimSetup) -> None:
    ws, today = sim.workspace, sim.clock.naive.date()
    service.create_rollout(ws, ROLLOUT, RolloutKind.ADOPTION, today, connection="redmine")
    service.add_wave(ws, ROLLOUT, "Pilot", teams=(("Finance", "Finance", None),))
    staged, closed, _opened = _stage(sim)
    assert (await sync_connection(ws, "redmine")).ok

    kpis = service.detail(ws, ROLLOUT, today).kpis
    assert [(k.team, k.created, k.closed, k.open, k.late) for k in kpis] == [
        ("Finance", 2, 1, 2, 1)]
    assert kpis[0].completion == pytest.approx(1 / 3)
    assert kpis[0].late_share == 0.5

    # A week on, the team closes the ticket open for 60 days.
    sim.next_week()
    staged[3].status_id, staged[3].updated_on = closed, sim.clock.now
    assert (await sync_connection(ws, "redmine")).ok
    later = service.detail(ws, ROLLOUT, sim.clock.naive.date()).kpis[0]
    assert (later.created, later.closed, later.open, later.late) == (2, 2, 1, 0)
    assert later.completion == pytest.approx(2 / 3)
    # Each sync kept the KPIs with the adoption snapshot: the trend survives an outage.
    assert later.trend == pytest.approx((1 / 3, 2 / 3))

    markdown, data = rollout_report(ws, ROLLOUT, sim.clock.naive)
    assert "| Finance | 2 | 2 | 1 | 67% | 0% | ▃▆ |" in markdown
    assert data["ticket_kpis"][0]["closed"] == 2


async def test_a_rollout_of_every_tool_stores_the_counts_the_screen_shows(
        sim: SimSetup) -> None:
    """Not tied to one tool: the snapshot a sync stores counts the team's tickets in
    every tool, as the screen does, not only in the tool just synced."""
    ws, today = sim.workspace, sim.clock.naive.date()
    service.create_rollout(ws, "Everyone", RolloutKind.ADOPTION, today)
    service.add_wave(ws, "Everyone", "Pilot", teams=(("Finance", "Finance", None),))
    _stage(sim)
    assert (await sync_connection(ws, "redmine")).ok
    assert (await sync_connection(ws, "gitlab")).ok
    shown = service.detail(ws, "Everyone", today).kpis[0]
    with ws.db.session() as session:
        latest = session.scalars(select(AdoptionSnapshot).order_by(
            AdoptionSnapshot.id.desc()).limit(1)).one()
        stored = (latest.tickets_created, latest.tickets_closed, latest.tickets_open,
                  latest.tickets_late)
    assert stored == (shown.created, shown.closed, shown.open, shown.late)
    # The last sync was GitLab's, yet Redmine's staged tickets are in the stored counts.
    assert stored[0] >= 2 and stored[2] >= 2


async def test_people_expected_come_from_the_roster_department(sim: SimSetup) -> None:
    """A team without a set number expects the roster department's people still employed
    (not those who left, not an older import's); without a roster, its accounts."""
    ws, today = sim.workspace, sim.clock.naive.date()
    service.create_rollout(ws, "Roster", RolloutKind.ADOPTION, today, connection="redmine")
    service.add_wave(ws, "Roster", "Pilot", teams=(("Finance", "Finance", None),
                                                   ("PMO", "PMO", 4)))
    with ws.db.session() as session:
        imports = [RosterImport(operator="admin", filename=f"hr{n}.csv", sha256=str(n) * 64,
                                encoding="utf-8", imported=1, rejected=0) for n in (1, 2)]
        session.add_all(imports)
        session.flush()
        people = [(imports[0].id, "Finance", "active")] * 3 + [
            (imports[1].id, "Finance", "active")] * 7 + [(imports[1].id, "Finance", "left"),
                                                         (imports[1].id, "PMO", "active")]
        session.add_all(RosterPerson(import_id=import_id, email="", login=f"p{n}", name="P",
                                     department=department, status=status, left_on=None)
                        for n, (import_id, department, status) in enumerate(people))
    assert (await sync_connection(ws, "redmine")).ok
    with ws.db.session() as session:
        expected = dict(session.execute(
            select(Team.name, AdoptionSnapshot.expected)
            .join(Team, Team.id == AdoptionSnapshot.team_id)).all())
    assert expected == {"Finance": 7, "PMO": 4}  # PMO's number was set by hand
