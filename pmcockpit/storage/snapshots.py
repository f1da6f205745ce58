"""Write one connection's snapshot into the database, replacing what sync saw last time.

Rows are matched on (connection, remote_id) and updated in place, so local ids
stay stable across syncs (other tables may point at them); rows the tool no
longer has are deleted. Bulk statements keep this fast at tens of thousands of
accounts. The caller wraps it in one transaction: a failed sync changes nothing.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, func, insert, select, update
from sqlalchemy.orm import Session

from pmcockpit.core.records import (
    RemoteAccount,
    RemoteGroup,
    RemoteMembership,
    RemoteProject,
    RemoteTicket,
    Snapshot,
)
from pmcockpit.storage.models import (
    Account,
    Base,
    Group,
    GroupMember,
    Membership,
    MembershipRole,
    Project,
    Role,
    Ticket,
    TicketComment,
)

CHUNK = 500  # stay below SQLite's bound-parameter limit in IN (...) lists
BATCH = 2000  # rows per executemany


@dataclass(frozen=True, slots=True)
class SnapshotCounts:
    accounts: int
    groups: int
    roles: int
    projects: int
    memberships: int
    tickets: int

    def as_dict(self) -> dict[str, int]:
        return {
            "accounts": self.accounts, "groups": self.groups, "roles": self.roles,
            "projects": self.projects, "memberships": self.memberships, "tickets": self.tickets,
        }


def _naive(value: datetime | None) -> datetime | None:
    """Store UTC without a zone (the database's convention)."""
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


def _chunks(values: list[Any], size: int = CHUNK) -> Iterable[list[Any]]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _upsert(
    session: Session, model: type[Base], connection_id: int,
    rows: Mapping[str, dict[str, Any]] | Iterable[tuple[str, dict[str, Any]]],
    *, prune: bool = True,
) -> dict[str, int]:
    """Insert or update ``rows`` (by remote id), delete the rest unless ``prune`` is off;
    return remote id -> local id of every row the connection has.

    ``rows`` may be (remote id, values) pairs made as they are consumed: at most ``BATCH``
    rows to write are held at once, so tens of thousands are never all copied."""
    table = model.__table__
    pairs = iter(rows.items() if isinstance(rows, Mapping) else rows)
    first = next(pairs, None)
    names = list(first[1]) if first is not None else []
    existing: dict[str, int] = {}
    stored: dict[str, tuple[Any, ...]] = {}
    for rid, local, *values in session.execute(
        select(table.c.remote_id, table.c.id, *(table.c[n] for n in names))
        .where(table.c.connection_id == connection_id)
    ):
        existing[rid], stored[rid] = local, tuple(values)
    seen: set[str] = set()
    updates: list[dict[str, Any]] = []
    inserts: list[dict[str, Any]] = []
    inserted = False
    for rid, row in itertools.chain([first] if first is not None else [], pairs):
        seen.add(rid)
        # Only rows that differ are written: a re-sync of an unchanged tool writes little.
        if rid not in existing:
            inserts.append({"connection_id": connection_id, "remote_id": rid, **row})
        elif tuple(row[n] for n in names) != stored[rid]:
            updates.append({"id": existing[rid], **row})
        inserted |= _flush(session, model, updates, inserts, BATCH)
    stale = [local for rid, local in existing.items() if rid not in seen] if prune else []
    for chunk in _chunks(stale):
        session.execute(delete(model).where(table.c.id.in_(chunk)))
    inserted |= _flush(session, model, updates, inserts, 1)
    if not inserted:
        return {rid: existing[rid] for rid in seen} if prune else existing
    return dict(session.execute(
        select(table.c.remote_id, table.c.id).where(table.c.connection_id == connection_id)
    ).all())


def _flush(session: Session, model: type[Base], updates: list[dict[str, Any]],
           inserts: list[dict[str, Any]], at: int) -> bool:
    """Write (and empty) the pending updates and inserts once ``at`` are waiting; True when
    rows were inserted."""
    if updates and len(updates) >= at:
        session.execute(update(model), updates)
        updates.clear()
    if inserts and len(inserts) >= at:
        session.execute(insert(cast(Table, model.__table__)), inserts)  # Core: no ORM step
        inserts.clear()
        return True
    return False


def _account_row(account: RemoteAccount) -> dict[str, Any]:
    return {
        "login": account.login, "name": account.name, "email": account.email,
        "status": account.status.value, "kind": account.kind.value, "is_admin": account.is_admin,
        "two_factor": account.two_factor, "created_at": _naive(account.created_at),
        "last_login_at": _naive(account.last_login_at),
    }


def _project_row(project: RemoteProject) -> dict[str, Any]:
    return {
        "key": project.key, "name": project.name, "status": project.status.value,
        "parent_remote_id": project.parent_id, "updated_at": _naive(project.updated_at),
    }


def _ticket_row(ticket: RemoteTicket, project_ids: Mapping[str, int]) -> dict[str, Any]:
    return {
        "project_id": project_ids.get(ticket.project_id), "key": ticket.key,
        "subject": ticket.subject, "description": ticket.description, "status": ticket.status,
        "is_closed": ticket.is_closed, "priority": ticket.priority,
        "author_remote_id": ticket.author_id, "assignee_remote_id": ticket.assignee_id,
        "created_at": _naive(ticket.created_at), "updated_at": _naive(ticket.updated_at),
        "first_response_at": _naive(min(
            (c.created_at for c in ticket.comments if c.author_id != ticket.author_id),
            default=None)),
    }


def write_snapshot(
    session: Session, connection_id: int, snapshot: Snapshot, *, tickets: bool = True,
    changed_tickets: bool = False, memberships: bool = True,
) -> SnapshotCounts:
    """Make the database's view of one connection equal to ``snapshot``.

    With ``changed_tickets`` the snapshot's tickets are only those changed since the last
    sync: they are updated or added with their comments, and no other ticket is touched
    (an incremental sync cannot see deletions; the next full sync does). Without
    ``memberships`` the stored memberships and group members are kept as they are (the
    snapshot did not read them), less those of accounts, groups or projects now gone.
    """
    accounts = _upsert(session, Account, connection_id,
                       ((a.remote_id, _account_row(a)) for a in snapshot.accounts))
    groups = _upsert(session, Group, connection_id,
                     {g.remote_id: {"name": g.name, "path": g.path} for g in snapshot.groups})
    roles = _upsert(session, Role, connection_id, {
        r.remote_id: {"name": r.name, "is_admin_like": r.is_admin_like} for r in snapshot.roles
    })
    projects = _upsert(session, Project, connection_id,
                       {p.remote_id: _project_row(p) for p in snapshot.projects})
    held = len(snapshot.memberships)
    if memberships:
        _write_group_members(session, groups, accounts, snapshot.groups)
        _write_memberships(session, connection_id, snapshot.memberships,
                           accounts=accounts, groups=groups, roles=roles, projects=projects)
    else:
        held = session.scalar(select(func.count(Membership.id))
                              .where(Membership.connection_id == connection_id)) or 0
    stored = 0
    if tickets:
        stored = _write_tickets(session, connection_id, snapshot.tickets, projects,
                                prune=not changed_tickets)
    return SnapshotCounts(len(accounts), len(groups), len(roles), len(projects),
                          held, stored)


def _write_group_members(
    session: Session, groups: Mapping[str, int], accounts: Mapping[str, int],
    remote_groups: Iterable[RemoteGroup],
) -> None:
    wanted: dict[tuple[Any, Any], tuple[Any, ...]] = {
        (groups[g.remote_id], accounts[m]): () for g in remote_groups
        for m in g.member_ids if m in accounts}
    _replace_children(session, cast(Table, GroupMember.__table__), ("group_id", "account_id"),
                      (), list(groups.values()), wanted)


def _write_memberships(
    session: Session, connection_id: int, memberships: Iterable[RemoteMembership], *,
    accounts: Mapping[str, int], groups: Mapping[str, int], roles: Mapping[str, int],
    projects: Mapping[str, int],
) -> None:
    # Memberships whose project or principal is unknown (e.g. a hidden built-in
    # group) are skipped: they cannot be shown or acted on anyway.
    kept = [m for m in memberships if m.project_id in projects
            and ((m.account_id in accounts) if m.account_id else (m.group_id in groups))]
    local = _upsert(session, Membership, connection_id, ((
        m.remote_id, {
            "project_id": projects[m.project_id],
            "account_id": accounts.get(m.account_id) if m.account_id else None,
            "group_id": groups.get(m.group_id) if m.group_id else None,
        }) for m in kept
    ))
    wanted: dict[tuple[int, int], int | None] = {}
    for membership in kept:
        for grant in membership.roles:
            if grant.role_id not in roles:
                continue
            key = (local[membership.remote_id], roles[grant.role_id])
            inherited = groups.get(grant.inherited_from_group_id or "")
            # A role granted both directly and through a group counts as direct.
            if key not in wanted or inherited is None:
                wanted[key] = inherited
    _replace_grants(session, list(local.values()), wanted)


def _replace_grants(session: Session, memberships: list[int],
                    wanted: Mapping[tuple[int, int], int | None]) -> None:
    """Make the role grants of ``memberships`` equal to ``wanted``, writing only changes."""
    _replace_children(session, cast(Table, MembershipRole.__table__),
                      ("membership_id", "role_id"), ("inherited_from_group_id",),
                      memberships, {key: (inherited,) for key, inherited in wanted.items()})


def _replace_children(
    session: Session, table: Table, keys: tuple[str, str], values: tuple[str, ...],
    parents: list[int], wanted: Mapping[tuple[Any, Any], tuple[Any, ...]],
) -> None:
    """Make the rows of ``table`` under ``parents`` (its first key column) equal to
    ``wanted`` (key -> values); rows already right are not written."""
    parent, child = table.c[keys[0]], table.c[keys[1]]
    held: dict[tuple[Any, Any], tuple[Any, ...]] = {}
    for chunk in _chunks(parents):
        for first, second, *rest in session.execute(select(
                parent, child, *(table.c[v] for v in values)).where(parent.in_(chunk))):
            held[(first, second)] = tuple(rest)
    gone = {key for key, row in held.items() if wanted.get(key) != row}
    if gone:
        session.execute(delete(table).where(parent == bindparam("p"), child == bindparam("c")),
                        [{"p": p, "c": c} for p, c in gone])
    rows = ({keys[0]: key[0], keys[1]: key[1], **dict(zip(values, row, strict=True))}
            for key, row in wanted.items() if key not in held or key in gone)
    while batch := list(itertools.islice(rows, BATCH)):  # never all the rows at once
        session.execute(insert(table), batch)


def _write_tickets(
    session: Session, connection_id: int, tickets: Iterable[RemoteTicket],
    projects: Mapping[str, int], *, prune: bool = True,
) -> int:
    """Store ``tickets`` and their comments; return how many tickets the connection has."""
    tickets = list(tickets)
    local = _upsert(session, Ticket, connection_id,
                    ((t.remote_id, _ticket_row(t, projects)) for t in tickets), prune=prune)
    wanted: dict[tuple[Any, Any], tuple[Any, ...]] = {
        (local[t.remote_id], c.remote_id): (c.author_id, c.author_name, c.body,
                                            _naive(c.created_at))
        for t in tickets for c in t.comments}
    _replace_children(session, cast(Table, TicketComment.__table__), ("ticket_id", "remote_id"),
                      ("author_remote_id", "author_name", "body", "created_at"),
                      [local[t.remote_id] for t in tickets], wanted)
    return len(local)


def account_ids(session: Session, connection_id: int) -> set[str]:
    """The remote ids of the accounts the last sync of a connection stored."""
    return set(session.scalars(
        select(Account.remote_id).where(Account.connection_id == connection_id)))
