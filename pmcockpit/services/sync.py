"""Sync: pull each connection's users, groups, projects, memberships and tickets.

Everything is fetched first, checked, and written in one transaction afterwards, so a
sync that fails, is interrupted halfway or reads something it cannot trust leaves the
previous state whole (see :mod:`.sync_guard`). Tickets are read whole only in a full sync;
in between, only those the tool says changed since the last stored sync (see
:mod:`.sync_marks`), and the watermark moves in the same transaction as the data.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from pmcockpit.connectors.base import Connector
from pmcockpit.connectors.errors import ConnectorError
from pmcockpit.connectors.http import request_limits
from pmcockpit.connectors.paging import together
from pmcockpit.core.capabilities import Capability
from pmcockpit.core.i18n import _
from pmcockpit.core.records import (
    RemoteAccount,
    RemoteGroup,
    RemoteMembership,
    RemoteProject,
    RemoteRole,
    RemoteTicket,
    Snapshot,
)
from pmcockpit.services.health import run_limits
from pmcockpit.services.rollout_adoption import record_adoption
from pmcockpit.services.sync_guard import SnapshotRefused, account_drop, check_drop, check_snapshot
from pmcockpit.services.sync_marks import (
    BadOption,
    TicketPlan,
    plan_tickets,
    record_marks,
    watermark,
)
from pmcockpit.services.workspace import Workspace
from pmcockpit.storage import connections
from pmcockpit.storage.snapshots import account_ids, write_snapshot

Progress = Callable[[str, str], None]
"""Called with (connection name, what is being fetched now)."""


@dataclass(frozen=True, slots=True)
class SyncReport:
    connection: str
    seconds: float
    counts: dict[str, int] = field(default_factory=dict)
    error: str | None = None
    refused_drop: bool = False
    """Refused because it would remove too many accounts: ``accept_drop`` forces it."""
    full: bool = True
    """Every ticket read (deletions found); False: only the changed ones."""
    memberships: bool = True
    """Every project's members read; False: the stored ones kept (no change marker)."""
    memberships_as_of: datetime | None = None
    """When the stored memberships were read (the tool's time, UTC)."""

    @property
    def ok(self) -> bool:
        return self.error is None

    def as_dict(self) -> dict[str, object]:
        return {"connection": self.connection, "ok": self.ok, "seconds": round(self.seconds, 3),
                "counts": self.counts, "error": self.error, "refused_drop": self.refused_drop,
                "full": self.full, "memberships": self.memberships,
                "memberships_as_of": (self.memberships_as_of.isoformat()
                                      if self.memberships_as_of else None)}


@dataclass(frozen=True, slots=True)
class Fetched:
    snapshot: Snapshot
    mark: datetime
    """The tool's time before the tickets were read, less the overlap."""


async def fetch_snapshot(
    connector: Connector, *, tickets: bool = True, progress: Callable[[str], None] | None = None,
    updated_since: datetime | None = None,
) -> Snapshot:
    """Everything one connection holds (tickets changed since ``updated_since`` when given)."""
    fetched = await _fetch(connector, tickets=tickets, progress=progress,
                           updated_since=updated_since)
    return fetched.snapshot


async def _fetch(
    connector: Connector, *, tickets: bool, progress: Callable[[str], None] | None,
    updated_since: datetime | None, memberships: bool = True,
) -> Fetched:
    reading = _Reading(connector, progress, memberships=memberships)
    reading.step(_("server"))
    server = await connector.server_info()
    mark = watermark(connector)  # the tool's clock is known from its first answer
    # The lists are read side by side (the connection's in-flight limit still holds), so
    # the tool is never idle between them; what needs another list waits for that one only.
    groups = asyncio.ensure_future(reading.groups())
    projects = asyncio.ensure_future(connector.list_projects())
    accounts, _groups, roles, _projects, members, remote_tickets = await together(
        reading.accounts(), groups, reading.roles(), projects,
        reading.memberships(projects, groups),
        reading.tickets(projects, updated_since) if tickets else _nothing())
    return Fetched(Snapshot(tuple(accounts), tuple(groups.result()), tuple(roles),
                            tuple(projects.result()), tuple(members),
                            tuple(remote_tickets), server), mark)


class _Reading:
    """The lists of one sync, each a coroutine of its own."""

    def __init__(self, connector: Connector, progress: Callable[[str], None] | None, *,
                 memberships: bool = True) -> None:
        self.connector = connector
        self.capabilities = connector.capabilities()
        self.progress = progress
        self.read_memberships = memberships

    def step(self, what: str) -> None:
        if self.progress:
            self.progress(what)

    async def accounts(self) -> list[RemoteAccount]:
        self.step(_("accounts"))
        return await self.connector.list_accounts()

    async def groups(self) -> list[RemoteGroup]:
        if Capability.HAS_GROUPS not in self.capabilities:
            return []
        self.step(_("groups"))
        # Who is in a group has no change marker either: kept with the memberships.
        return await self.connector.list_groups(members=self.read_memberships)

    async def roles(self) -> list[RemoteRole]:
        if Capability.HAS_ROLES not in self.capabilities:
            return []
        self.step(_("roles"))
        return await self.connector.list_roles()

    async def memberships(self, projects: Awaitable[list[RemoteProject]],
                          groups: Awaitable[list[RemoteGroup]]) -> list[RemoteMembership]:
        ids = [p.remote_id for p in await projects]
        await groups  # memberships name the groups' members
        if not self.read_memberships:
            return []
        self.step(_("memberships"))
        return await self.connector.list_memberships(ids)

    async def tickets(self, projects: Awaitable[list[RemoteProject]],
                      updated_since: datetime | None) -> list[RemoteTicket]:
        if Capability.HAS_TICKETS not in self.capabilities:
            return []
        await projects  # some tools file tickets by project
        self.step(_("tickets") if updated_since is None else _("changed tickets"))
        return await self.connector.list_tickets(updated_since=updated_since)


async def _nothing() -> list[RemoteTicket]:
    return []


async def sync_connection(
    workspace: Workspace, name: str, *, progress: Progress | None = None,
    accept_drop: bool = False, full: bool = False, memberships: bool = False,
) -> SyncReport:
    """Fetch, check and store one connection; ``accept_drop`` lifts the account-drop guard,
    ``full`` reads every ticket even when an incremental sync would do, ``memberships``
    reads every project's members even when the stored ones are recent enough."""
    started = time.perf_counter()
    try:
        connector = await asyncio.to_thread(workspace.open_connector, name)
    except (ConnectorError, LookupError) as error:
        return SyncReport(name, 0.0, error=str(error))
    try:
        plan = await asyncio.to_thread(_plan, workspace, name, connector, full, memberships)
    except BadOption as error:
        await connector.aclose()
        return await _failed(workspace, name, started, str(error))
    tickets = syncs_tickets(connector.config.options)
    tell = _teller(name, progress)
    try:
        with request_limits(run_limits(workspace, tell)):
            fetched = await _fetch(connector, tickets=tickets, progress=tell,
                                   updated_since=plan.since, memberships=plan.memberships)
        check_snapshot(name, fetched.snapshot)
    except (ConnectorError, SnapshotRefused) as error:
        return await _failed(workspace, name, started, str(error))
    finally:
        await connector.aclose()
    if progress:
        progress(name, _("saving"))
    max_drop = 1.0 if accept_drop else workspace.settings.max_account_drop
    try:
        counts = await asyncio.to_thread(_save, workspace, name, fetched, started,
                                         Saving(tickets, plan, max_drop))
    except SnapshotRefused as error:
        return await _failed(workspace, name, started, str(error), refused_drop=True)
    await asyncio.to_thread(record_adoption, workspace, name)  # rollout trends, kept per sync
    as_of = (await asyncio.to_thread(memberships_as_of, workspace, [name]))[name]
    return SyncReport(name, time.perf_counter() - started, counts, full=plan.full,
                      memberships=plan.memberships, memberships_as_of=as_of)


def _plan(workspace: Workspace, name: str, connector: Connector, full: bool,
          memberships: bool) -> TicketPlan:
    with workspace.db.session() as session:
        return plan_tickets(connections.get(session, name), connector.config.options,
                            full=full, memberships=memberships)


def _teller(name: str, progress: Progress | None) -> Callable[[str], None] | None:
    if progress is None:
        return None
    prefix = f"{name}: "
    # Messages from the connector start with the name the progress line already shows.
    return lambda what: progress(name, what.removeprefix(prefix))


async def _failed(workspace: Workspace, name: str, started: float, error: str, *,
                  refused_drop: bool = False) -> SyncReport:
    seconds = time.perf_counter() - started
    await asyncio.to_thread(_record_failure, workspace, name, seconds, error)
    return SyncReport(name, seconds, error=error, refused_drop=refused_drop)


def syncs_tickets(options: Mapping[str, str]) -> bool:
    """The ``sync_tickets`` option: "false" leaves a tool's tickets out of sync."""
    return options.get("sync_tickets", "true").strip().lower() not in {"false", "no", "0", "off"}


@dataclass(frozen=True, slots=True)
class Saving:
    tickets: bool
    plan: TicketPlan
    max_drop: float


def _save(workspace: Workspace, name: str, fetched: Fetched, started: float,
          saving: Saving) -> dict[str, int]:
    snapshot = fetched.snapshot
    with workspace.db.session() as session:
        connection = connections.get(session, name)
        check_drop(name, account_drop(account_ids(session, connection.id), snapshot),
                   saving.max_drop)
        counts = write_snapshot(session, connection.id, snapshot, tickets=saving.tickets,
                                changed_tickets=not saving.plan.full,
                                memberships=saving.plan.memberships)
        record_marks(connection, saving.plan, fetched.mark)
        connections.record_sync(session, name, seconds=time.perf_counter() - started, error=None)
    result = counts.as_dict()
    if not saving.plan.full:
        result["changed_tickets"] = len(snapshot.tickets)
    return result


def _record_failure(workspace: Workspace, name: str, seconds: float, error: str) -> None:
    with workspace.db.session() as session:
        connections.record_sync(session, name, seconds=seconds, error=error)


async def sync_all(
    workspace: Workspace, names: list[str] | None = None, *, progress: Progress | None = None,
    accept_drop: bool = False, full: bool = False, memberships: bool = False,
) -> list[SyncReport]:
    """Sync the named connections (all when None), one after the other."""
    if names is None:
        names = await asyncio.to_thread(connection_names, workspace)
    return [await sync_connection(workspace, name, progress=progress, accept_drop=accept_drop,
                                  full=full, memberships=memberships)
            for name in names]


def connection_names(workspace: Workspace) -> list[str]:
    """Every connection's name, in the order syncs take them."""
    with workspace.db.session() as session:
        return connections.names(session)


def memberships_as_of(workspace: Workspace, names: list[str] | None = None
                      ) -> dict[str, datetime | None]:
    """When each connection's stored memberships were read (UTC; None: never)."""
    with workspace.db.session() as session:
        wanted = names if names is not None else connections.names(session)
        return {name: _utc(connections.get(session, name).memberships_at) for name in wanted}


def _utc(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value
