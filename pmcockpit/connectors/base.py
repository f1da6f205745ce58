"""The interface every connector implements.

A connector speaks one tool's REST dialect and translates it to the records of
:mod:`pmcockpit.core.records`. It is async (one ``httpx.AsyncClient`` per
connection) and stateless beyond that client. Screens and services ask it for
capabilities; an action it cannot do is not offered, and
:meth:`Connector.unsupported_reason` says why.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from pmcockpit.core.actions import Action
from pmcockpit.core.capabilities import Capability
from pmcockpit.core.records import (
    RemoteAccount,
    RemoteGroup,
    RemoteMembership,
    RemoteProject,
    RemoteRole,
    RemoteTicket,
    ServerInfo,
)


@dataclass(frozen=True, slots=True)
class ConnectionConfig:
    """What a connector needs to reach its tool. The token never lives here on disk."""

    name: str
    kind: str
    url: str
    token: str
    options: Mapping[str, str] = field(default_factory=dict)
    """Tool-specific settings: Jira ``email`` and ``admin_org_id``, ``ca_bundle``, ..."""


@dataclass(frozen=True, slots=True)
class PlannedCall:
    """One HTTP call an action would make: what a dry run shows."""

    method: str
    path: str
    body: Mapping[str, Any] | None = None
    note: str = ""

    def __str__(self) -> str:
        text = f"{self.method} {self.path}"
        return f"{text}  # {self.note}" if self.note else text


@dataclass
class Prepared:
    """What an action will do, decided from the tool's state read just now."""

    calls: list[PlannedCall]
    before: dict[str, Any] = field(default_factory=dict)
    """The state the action changes, for undo."""
    facts: dict[str, Any] = field(default_factory=dict)
    """What ``execute`` reports. Never keys of ``before``: undo reads both, ``before`` wins."""
    empty_rejection: str | None = None
    """What a refusal with an empty body means here (Redmine's inherited memberships)."""
    expect: dict[str, Any] = field(default_factory=dict)
    """What to check after running (an assignee GitLab may have dropped silently)."""


@dataclass(frozen=True, slots=True)
class ProbeResult:
    """One timed, authenticated request: who the token is, how fast, how long TLS lasts."""

    account: RemoteAccount
    latency_ms: float
    tls_expires_at: datetime | None = None


@runtime_checkable
class Connector(Protocol):
    kind: str
    config: ConnectionConfig

    def capabilities(self) -> frozenset[Capability]:
        """What this connection can do. Exact once ``current_account`` has been awaited:
        some depend on whose token it is (only a GitLab administrator can block users)."""
        ...

    def unsupported_reason(self, capability: Capability) -> str | None:
        """Why this connection lacks ``capability``; None when it has it."""
        ...

    async def server_info(self) -> ServerInfo: ...

    async def current_account(self) -> RemoteAccount:
        """The account the token belongs to (the tool's "me")."""
        ...

    async def probe(self) -> ProbeResult:
        """``current_account`` timed, with the TLS certificate's expiry when https."""
        ...

    async def list_accounts(self) -> list[RemoteAccount]: ...

    async def list_groups(self, *, members: bool = True) -> list[RemoteGroup]:
        """The groups; without ``members`` their member lists may be left empty (they cost
        a request per group on most tools)."""
        ...

    async def list_roles(self) -> list[RemoteRole]: ...

    async def list_projects(self) -> list[RemoteProject]: ...

    async def list_memberships(self, project_ids: list[str]) -> list[RemoteMembership]: ...

    async def list_tickets(self, *, open_only: bool = False,
                           updated_since: datetime | None = None) -> list[RemoteTicket]:
        """The tickets (with comments); only those changed at or after ``updated_since``
        when given (an incremental sync; a tool that cannot filter returns them all)."""
        ...

    async def prepare(self, action: Action) -> Prepared:
        """Read the target once: the calls the action would make and the state it changes
        (for the audit log and undo). Changes nothing; raises Rejected or NotSupported."""
        ...

    async def execute(self, action: Action, prepared: Prepared | None = None
                      ) -> dict[str, Any]:
        """Make the calls ``prepared`` decided (prepared now when not given); returns facts
        about the result (such as a new object's id)."""
        ...

    async def aclose(self) -> None: ...
