"""Whether a sync reads every ticket or only the changed ones, and the marks that decide it.

A full sync reads every ticket, so it finds the ones deleted on the tool. An incremental
sync asks the tool only for tickets updated since the watermark, so a re-sync with nothing
changed reads the listings and no ticket. A full sync is due when there is no watermark yet,
when the connection's options changed since (another queue definition, say), or when the
last full sync is older than the connection's ``full_sync_hours`` option (default 24;
0 makes every sync full). The marks move only with a sync that was stored.

Some listings have no change marker at all: Redmine, GitLab and Jira say nothing about
when a project's or a group's members changed, so the only way to see a change is to read
every project's member list and every group's members again (at 10k accounts, three
requests in four of a re-sync). Those memberships are read by every full sync, by an
incremental sync once the connection's ``membership_hours`` option (default: its
``full_sync_hours``) has passed since they were last read, and on demand (``sync
--memberships``; a permission review refreshes them for the tools it covers). In between
they keep the time they were read, shown as "memberships as of". An action that changes
members through pmcockpit (:data:`CHANGES_MEMBERS`) makes them due at the next sync, so
what the cockpit shows after a revoke is read from the tool, not guessed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pmcockpit.connectors.base import Connector
from pmcockpit.core.actions import ActionKind
from pmcockpit.core.i18n import _
from pmcockpit.storage.models import Connection

FULL_SYNC_HOURS = 24.0
OVERLAP = timedelta(minutes=2)
"""How far before a sync began the next one asks from: covers a tool whose clock differs by
seconds, JQL's minutes, and tickets edited while the listing was read."""


@dataclass(frozen=True, slots=True)
class TicketPlan:
    since: datetime | None
    """Ask only for tickets updated at or after this (the tool's time); None: read all."""
    basis: str
    memberships: bool = True
    """Read every project's and group's members (no change marker): False keeps the stored
    ones."""
    members_seen: datetime | None = None
    """When the stored memberships had been read as the plan was made (see record_marks)."""

    @property
    def full(self) -> bool:
        return self.since is None


def basis_of(options: Mapping[str, str]) -> str:
    """A fingerprint of the options the ticket rows were read under."""
    text = json.dumps(sorted((str(k), str(v)) for k, v in options.items()))
    return hashlib.sha256(text.encode()).hexdigest()


class BadOption(ValueError):
    """A connection option the sync cannot use; the message says which and why."""


def full_sync_hours(options: Mapping[str, str]) -> float:
    """The ``full_sync_hours`` option (hours, 0 or more)."""
    return _hours(options, "full_sync_hours", FULL_SYNC_HOURS)


def _hours(options: Mapping[str, str], name: str, default: float) -> float:
    text = str(options.get(name, default))
    try:
        hours = float(text)
    except ValueError:
        hours = -1.0
    if not hours >= 0:  # also refuses nan
        raise BadOption(_("the {option} option must be a number of hours (0 or more), "
                          "not {value!r}").format(option=name, value=text))
    return hours


def membership_hours(options: Mapping[str, str]) -> float:
    """The ``membership_hours`` option: how old stored memberships may grow before an
    incremental sync reads them again (default: ``full_sync_hours``)."""
    if "membership_hours" not in options:
        return full_sync_hours(options)
    return _hours(options, "membership_hours", FULL_SYNC_HOURS)


def plan_tickets(connection: Connection, options: Mapping[str, str], *,
                 full: bool = False, now: datetime | None = None,
                 memberships: bool = False) -> TicketPlan:
    """Full or incremental for this sync of ``connection`` (``full`` forces a full one,
    ``memberships`` a read of every project's members)."""
    basis, hours = basis_of(options), full_sync_hours(options)
    member_hours = membership_hours(options)
    now = now or datetime.now(UTC)
    since = _aware(connection.tickets_since)
    last_full = _aware(connection.full_sync_at)
    seen = connection.memberships_at
    if (full or since is None or last_full is None or connection.tickets_basis != basis
            or now - last_full >= timedelta(hours=hours)):
        return TicketPlan(None, basis, members_seen=seen)
    read_at = _aware(connection.memberships_at)
    due = (memberships or read_at is None
           or now - read_at >= timedelta(hours=member_hours))
    return TicketPlan(since, basis, memberships=due, members_seen=seen)


def watermark(connector: Connector) -> datetime:
    """The tool's time now, less the overlap: where the next incremental sync starts."""
    client = getattr(connector, "client", None)
    server_now = getattr(client, "server_now", None)
    now = server_now() if callable(server_now) else datetime.now(UTC)
    assert isinstance(now, datetime)
    return now - OVERLAP


def record_marks(connection: Connection, plan: TicketPlan, mark: datetime) -> None:
    """After a stored sync: move the watermark, and date a full sync by it."""
    connection.tickets_since = _naive(mark)
    connection.tickets_basis = plan.basis
    if plan.full:
        connection.full_sync_at = _naive(mark)
    # Compare and set: an action that changed members while this sync read them left the
    # mark cleared, and the next sync must read them again.
    if plan.memberships and connection.memberships_at == plan.members_seen:
        connection.memberships_at = _naive(mark)


CHANGES_MEMBERS = frozenset({
    ActionKind.ADD_MEMBERSHIP, ActionKind.REMOVE_MEMBERSHIP, ActionKind.SET_MEMBERSHIP_ROLES,
    ActionKind.ADD_GROUP_MEMBER, ActionKind.REMOVE_GROUP_MEMBER,
})
"""Actions that change what an incremental sync keeps without reading."""


def members_changed(connection: Connection) -> None:
    """An action is changing members on the tool: the next sync reads them all again."""
    connection.memberships_at = None


def _aware(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def _naive(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(tzinfo=None)
