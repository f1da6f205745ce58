"""The home view's "past SLA" and "near SLA" counts are exact over the whole queue, in
business hours with pauses, however many tickets there are (no cap at the rows read)."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import insert

from pmcockpit.config import Settings
from pmcockpit.core.queue_filter import QueueFilter
from pmcockpit.core.sla_clock import ClockState
from pmcockpit.core.sla_policy import SlaPolicy
from pmcockpit.core.workcal import WorkCalendar
from pmcockpit.storage.db import Database
from pmcockpit.storage.models import Connection, LocalTicket, Ticket, TicketComment, TicketPause
from pmcockpit.storage.queries.home import home_summary
from pmcockpit.storage.queries.queue_list import GLANCE_ROWS, queue_rows
from pmcockpit.storage.queries.sla_counts import sla_counts

NOW = datetime(2025, 10, 9, 7, 30)  # a Thursday after China's National Day week
HOURS = {"Urgent": 4, "High": 8, "Normal": 24, "Low": 72}
CHINA = WorkCalendar(time_zone="Asia/Shanghai", country="CN",
                     extra_holidays=frozenset({date(2025, 10, 9)}),
                     extra_workdays=frozenset({date(2025, 10, 12)}))


def policy(*, business: bool) -> SlaPolicy:
    return SlaPolicy(response_hours=HOURS, resolution_hours={k: v * 5 for k, v in HOURS.items()},
                     business_hours=business, calendar=CHINA)


def fill(db: Database, count: int, *, seed: int = 3, days: int = 30) -> None:
    """Open and closed tickets over the last month, some answered, some paused."""
    pick = random.Random(seed)
    with db.session() as session:
        conn = Connection(name="rm", kind="redmine", url="https://rm.example")
        session.add(conn)
        session.flush()
        tickets = []
        for number in range(count):
            created = NOW - timedelta(minutes=pick.randrange(1, 60 * 24 * days))
            tickets.append({"connection_id": conn.id, "remote_id": str(number),
                            "key": f"#{number}", "subject": "s", "description": "",
                            "status": "New", "is_closed": pick.random() < 0.1,
                            "priority": pick.choice([*HOURS, "Unknown"]),
                            "author_remote_id": "u1", "assignee_remote_id": None,
                            "created_at": created, "updated_at": created})
        session.execute(insert(Ticket), tickets)
        rows = session.query(Ticket.id, Ticket.created_at).all()
        comments, pauses = [], []
        for ticket_id, created in rows:
            if pick.random() < 0.3:
                comments.append({"ticket_id": ticket_id, "remote_id": f"c{ticket_id}",
                                 "author_remote_id": pick.choice(["u1", "admin"]),
                                 "author_name": "x", "body": "b",
                                 "created_at": created + timedelta(hours=pick.randrange(1, 30))})
            if pick.random() < 0.15:
                start = created + timedelta(hours=pick.randrange(1, 40))
                pauses.append({"ticket_id": ticket_id, "started_at": start,
                               "ended_at": None if pick.random() < 0.5
                               else start + timedelta(hours=pick.randrange(1, 50))})
        if comments:
            session.execute(insert(TicketComment), comments)
        if pauses:
            session.execute(insert(TicketPause), pauses)
        session.add(LocalTicket(subject="phone", requester="Li", priority="Urgent",
                                description="", created_at=NOW - timedelta(days=2)))


def counted_one_by_one(db: Database, sla: SlaPolicy) -> tuple[int, int]:
    """Every ticket's clocks as the Queue screen computes them."""
    with db.session() as session:
        rows, _total = queue_rows(session, NOW, sla, QueueFilter(), limit=1_000_000)
    late = soon = 0
    for row in rows:
        states = {c.state for c in (row.clocks.response, row.clocks.resolution)
                  if not c.stopped}
        late += ClockState.BREACHED in states
        soon += ClockState.AT_RISK in states and ClockState.BREACHED not in states
    return late, soon


@pytest.mark.parametrize("business", [True, False])
def test_the_counts_agree_with_every_clock(db: Database, business: bool) -> None:
    fill(db, 900)
    sla = policy(business=business)
    with db.session() as session:
        exact = sla_counts(session, NOW, sla)
    assert exact == counted_one_by_one(db, sla)
    assert exact[0] and exact[1]  # both kinds are there to count


def test_more_past_sla_than_the_glance_reads_are_all_counted(db: Database,
                                                             settings: Settings) -> None:
    fill(db, GLANCE_ROWS + 800, seed=5, days=120)
    sla = policy(business=True)
    late, soon = counted_one_by_one(db, sla)
    assert late > GLANCE_ROWS  # the old count stopped here
    with db.session() as session:
        summary = home_summary(session, NOW, inactive_days=90, policy=sla)
    assert (summary.sla_breached, summary.sla_at_risk) == (late, soon)
    assert summary.tickets_due and all(
        ClockState.BREACHED in {row.clocks.response.state, row.clocks.resolution.state}
        for row in summary.tickets_due)


def test_a_ticket_just_past_its_business_hours_is_late_and_not_a_minute_before(
        db: Database) -> None:
    sla = policy(business=True)
    created = datetime(2025, 10, 10, 1, 0)  # Friday 09:00 in Shanghai
    due = CHINA.add(created, timedelta(hours=4))  # Urgent: the lunch hour does not count
    assert due.time() == time(6, 0)
    with db.session() as session:
        conn = Connection(name="rm", kind="redmine", url="https://rm.example")
        session.add(conn)
        session.flush()
        session.add(Ticket(connection_id=conn.id, remote_id="1", key="#1", subject="s",
                           description="", status="New", is_closed=False, priority="Urgent",
                           author_remote_id="u1", assignee_remote_id=None,
                           created_at=created, updated_at=created))
    with db.session() as session:
        assert sla_counts(session, due - timedelta(minutes=1), sla) == (0, 1)
        assert sla_counts(session, due + timedelta(minutes=1), sla) == (1, 0)
