"""Writing a sync snapshot: upsert by remote id, stable local ids, stale rows removed."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy import select

from pmcockpit.core.records import (
    AccountStatus,
    ProjectStatus,
    RemoteAccount,
    RemoteComment,
    RemoteGroup,
    RemoteMembership,
    RemoteProject,
    RemoteRole,
    RemoteTicket,
    RoleGrant,
    Snapshot,
)
from pmcockpit.storage import connections
from pmcockpit.storage.db import Database
from pmcockpit.storage.models import Account, GroupMember, Membership, MembershipRole, Ticket
from pmcockpit.storage.snapshots import write_snapshot

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def _snapshot() -> Snapshot:
    accounts = (
        RemoteAccount("1", "admin", "Admin", "admin@example.org", AccountStatus.ACTIVE, True),
        RemoteAccount("5", "alice", "Alice", "alice@example.org", AccountStatus.ACTIVE,
                      last_login_at=T0),
        RemoteAccount("6", "bob", "Bob", "bob@example.org", AccountStatus.ACTIVE),
    )
    project = RemoteProject("10", "apollo", "Apollo", ProjectStatus.ACTIVE)
    memberships = (
        RemoteMembership("100", "10", None, "20", (RoleGrant("3"),)),
        RemoteMembership("101", "10", "5", None, (RoleGrant("3", inherited_from_group_id="20"),)),
        RemoteMembership("102", "10", "6", None, (RoleGrant("4"),)),
    )
    ticket = RemoteTicket(
        "7", "10", "#7", "Cannot log in", "New", False, "High", "6", None, T0, T0,
        comments=(RemoteComment("70", "1", "Admin", "Looking into it", T0),),
    )
    return Snapshot(accounts, (RemoteGroup("20", "Developers", ("5",)),),
                    (RemoteRole("3", "Developer"), RemoteRole("4", "Manager", True)),
                    (project,), memberships, (ticket,))


def test_first_sync_writes_everything(database: Database) -> None:
    with database.session() as session:
        connection = connections.add(session, "rm", "redmine", "http://rm")
        counts = write_snapshot(session, connection.id, _snapshot())
    assert counts.as_dict() == {"accounts": 3, "groups": 1, "roles": 2, "projects": 1,
                                "memberships": 3, "tickets": 1}
    with database.session() as session:
        alice = session.scalars(select(Account).where(Account.login == "alice")).one()
        assert alice.last_login_at == T0.replace(tzinfo=None)  # stored as naive UTC
        assert session.scalars(select(GroupMember.account_id)).all() == [alice.id]
        inherited = session.scalars(select(MembershipRole).join(Membership).where(
            Membership.account_id == alice.id)).one()
        assert inherited.inherited_from_group_id is not None
        ticket = session.scalars(select(Ticket)).one()
        assert [c.body for c in ticket.comments] == ["Looking into it"]


def test_resync_updates_in_place_and_drops_what_is_gone(database: Database) -> None:
    first = _snapshot()
    with database.session() as session:
        connection_id = connections.add(session, "rm", "redmine", "http://rm").id
        write_snapshot(session, connection_id, first)
        alice_id = session.scalars(select(Account.id).where(Account.login == "alice")).one()
    locked_alice = replace(first.accounts[1], status=AccountStatus.LOCKED)
    second = replace(first, accounts=(first.accounts[0], locked_alice),
                     memberships=first.memberships[:2])
    with database.session() as session:
        write_snapshot(session, connection_id, second)
    with database.session() as session:
        accounts = {a.login: a for a in session.scalars(select(Account))}
        assert set(accounts) == {"admin", "alice"}
        assert accounts["alice"].id == alice_id  # local ids survive a resync
        assert accounts["alice"].status == "locked"
        assert session.scalars(select(Membership.remote_id).order_by(
            Membership.remote_id)).all() == ["100", "101"]


def test_two_connections_do_not_touch_each_other(database: Database) -> None:
    with database.session() as session:
        first = connections.add(session, "rm", "redmine", "http://rm").id
        second = connections.add(session, "rm2", "redmine", "http://rm2").id
        write_snapshot(session, first, _snapshot())
        write_snapshot(session, second, _snapshot())
        write_snapshot(session, second, replace(_snapshot(), accounts=()))
    with database.session() as session:
        logins = session.scalars(select(Account.login).where(Account.connection_id == first))
        assert sorted(logins) == ["admin", "alice", "bob"]
        assert session.scalars(select(Account).where(Account.connection_id == second)).all() == []


def test_a_tickets_first_response_is_the_first_comment_not_by_its_author(
        database: Database) -> None:
    later = T0.replace(hour=11)
    own = RemoteComment("71", "6", "Bob", "Any news?", T0.replace(hour=10))
    reply = RemoteComment("72", "1", "Admin", "On it", later)
    snapshot = _snapshot()
    [ticket] = snapshot.tickets
    with database.session() as session:
        connection = connections.add(session, "rm", "redmine", "http://rm")
        write_snapshot(session, connection.id, replace(snapshot, tickets=(
            replace(ticket, comments=(own, reply)),)))
        assert session.scalars(select(Ticket.first_response_at)).one() == \
            later.replace(tzinfo=None)
        write_snapshot(session, connection.id, replace(snapshot, tickets=(
            replace(ticket, comments=(own,)),)))
        assert session.scalars(select(Ticket.first_response_at)).one() is None
