"""Each rollout team's ticket KPIs, counted from the synced tickets of its members.

A team drawn from a synced group is measured on the tickets of that group's members
in the rollout's tool, or in every tool for a rollout not tied to one (the same count
for the screen and for the snapshot each sync stores); a team defined by hand
has no members to count. The rule of each figure is in
:mod:`pmcockpit.core.rollout.kpis`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Subquery, and_, case, func, select
from sqlalchemy.orm import Session

from pmcockpit.core.rollout.kpis import KPI_WINDOW_DAYS, TicketKpis
from pmcockpit.storage.models import Account, Connection, Group, GroupMember, Ticket
from pmcockpit.storage.models.rollout import AdoptionSnapshot, Team
from pmcockpit.storage.queries.rollout_targets import targets

TREND_POINTS = 12
"""Snapshots in a team's completion trend."""


def _members(group: str, connections: tuple[str, ...]) -> Subquery:
    """(connection id, remote id) of the accounts in the groups called ``group``, in
    ``connections`` (empty: in every tool)."""
    query = (select(Account.connection_id, Account.remote_id)
             .join(GroupMember, GroupMember.account_id == Account.id)
             .join(Group, Group.id == GroupMember.group_id)
             .where(Group.name == group))
    if connections:
        query = query.join(Connection, Connection.id == Account.connection_id).where(
            Connection.name.in_(connections))
    return query.subquery()


def ticket_counts(session: Session, group: str, connections: tuple[str, ...], now: datetime,
                  days: int = KPI_WINDOW_DAYS) -> tuple[int, int, int, int]:
    """Created, closed, open and late tickets of ``group``'s members (the KPIs' rule)."""
    since = now - timedelta(days=days)
    members = _members(group, connections)
    created = session.scalar(select(func.count(Ticket.id)).join(members, and_(
        members.c.connection_id == Ticket.connection_id,
        members.c.remote_id == Ticket.author_remote_id)).where(
        Ticket.created_at > since, Ticket.created_at <= now)) or 0
    row = session.execute(select(
        func.count(case((and_(Ticket.is_closed, Ticket.updated_at > since,
                              Ticket.updated_at <= now), 1))),
        func.count(case((Ticket.is_closed.is_(False), 1))),
        func.count(case((and_(Ticket.is_closed.is_(False), Ticket.created_at <= since), 1))),
    ).join(members, and_(members.c.connection_id == Ticket.connection_id,
                         members.c.remote_id == Ticket.assignee_remote_id))).one()
    return created, row[0] or 0, row[1] or 0, row[2] or 0


def team_ticket_counts(session: Session, team: Team, now: datetime,
                       days: int = KPI_WINDOW_DAYS) -> tuple[int, int, int, int]:
    """A team's created, closed, open and late tickets: the one count behind both the
    snapshot a sync stores and the figures the screen shows. Counted in the rollout's
    tools, or across every tool when the rollout is not tied to some."""
    return ticket_counts(session, team.group_name or "", targets(session, team.rollout_id),
                         now, days)


def team_kpis(session: Session, rollout_id: int, now: datetime,
              days: int = KPI_WINDOW_DAYS) -> tuple[TicketKpis, ...]:
    """The KPIs of every team of the rollout drawn from a synced group, in team order."""
    rows = []
    for team in session.scalars(select(Team).where(Team.rollout_id == rollout_id,
                                                   Team.group_name.is_not(None))
                                .order_by(Team.id)):
        assert team.group_name is not None
        trend = tuple(reversed([
            TicketKpis(team.name, 0, closed, still, 0).completion
            for closed, still in session.execute(
                select(AdoptionSnapshot.tickets_closed, AdoptionSnapshot.tickets_open)
                .where(AdoptionSnapshot.team_id == team.id,
                       AdoptionSnapshot.tickets_closed.is_not(None))
                .order_by(AdoptionSnapshot.taken_at.desc()).limit(TREND_POINTS))
            if closed is not None and still is not None]))
        rows.append(TicketKpis(team.name, *team_ticket_counts(session, team, now, days),
                               trend=trend))
    return tuple(rows)
