"""Adoption snapshots, taken after each successful sync so trends survive outages.

For every rollout team drawn from a synced group of the connection just synced,
the team's figures (people expected: as set, else the roster department's headcount,
else the accounts found; accounts, active in the last 7 and 30
days, and its ticket KPIs counted as the screen counts them) are stored with the time;
each account's month of last activity is kept too, which over the syncs gives the
monthly cohorts (from the first rollout on).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from pmcockpit.core.clock import utcnow
from pmcockpit.core.rollout import AccountActivity, team_figures
from pmcockpit.core.rollout.adoption import month_of
from pmcockpit.services.workspace import Workspace
from pmcockpit.storage import connections
from pmcockpit.storage.models import Account, Group, GroupMember
from pmcockpit.storage.models.rollout import AccountMonth, AdoptionSnapshot, Rollout, Team
from pmcockpit.storage.queries.rollout_groups import roster_headcount
from pmcockpit.storage.queries.rollout_kpis import team_ticket_counts
from pmcockpit.storage.queries.rollout_targets import targets_connection


def record_adoption(workspace: Workspace, connection: str, now: datetime | None = None) -> int:
    """Snapshot the adoption of every team on ``connection``; returns the teams measured.

    Nothing is kept while no rollout is tracked: a large tool's sync pays nothing for it."""
    moment = now or utcnow()
    with workspace.db.session() as session:
        if session.scalars(select(Rollout.id).limit(1)).first() is None:
            return 0
        connection_id = connections.get(session, connection).id
        _record_months(session, connection_id)
        return _record_teams(session, connection, connection_id, moment)


def _record_months(session: Session, connection_id: int) -> None:
    seen = {(remote_id, month) for remote_id, month in session.execute(
        select(AccountMonth.remote_id, AccountMonth.month).where(
            AccountMonth.connection_id == connection_id))}
    for remote_id, last in session.execute(select(Account.remote_id, Account.last_login_at).where(
            Account.connection_id == connection_id, Account.last_login_at.is_not(None))):
        key = (remote_id, month_of(last)) if last is not None else None
        if key is not None and key not in seen:
            seen.add(key)
            session.add(AccountMonth(connection_id=connection_id, remote_id=key[0],
                                     month=key[1]))


def _record_teams(session: Session, connection: str, connection_id: int,
                  now: datetime) -> int:
    teams = session.execute(
        select(Team, Group.id).join(Rollout, Rollout.id == Team.rollout_id)
        .join(Group, Group.name == Team.group_name)
        .where(Group.connection_id == connection_id,
               targets_connection(connection))).all()
    for team, group_id in teams:
        accounts = [AccountActivity(created, last) for created, last in session.execute(
            select(Account.created_at, Account.last_login_at)
            .join(GroupMember, GroupMember.account_id == Account.id)
            .where(GroupMember.group_id == group_id))]
        expected = team.expected if team.expected is not None else roster_headcount(
            session, team.group_name or "")
        figures = team_figures(team.name, expected, accounts, now)
        created, closed, still, late = team_ticket_counts(session, team, now)
        session.add(AdoptionSnapshot(team_id=team.id, taken_at=now, expected=figures.expected,
                                     accounts=figures.accounts, active_7=figures.active_7,
                                     active_30=figures.active_30, tickets_created=created,
                                     tickets_closed=closed, tickets_open=still,
                                     tickets_late=late))
    return len(teams)
