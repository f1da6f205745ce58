"""What every connector shares: a reader, a writer, one HTTP client, and the guard that
turns an answer the API did not promise into :class:`BadResponse`.

A tool's connector subclasses :class:`LayeredConnector`, builds its client, reader and
writer, and says what it can do; reading and changing go through here, so every
answer is parsed under the same guard and every change checks its capability first.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Generic, Protocol, TypeVar

from pmcockpit.connectors.base import ConnectionConfig, PlannedCall
from pmcockpit.connectors.errors import BadResponse, NotSupported, Rejected
from pmcockpit.connectors.http import ToolClient
from pmcockpit.core.actions import Action
from pmcockpit.core.capabilities import Capability
from pmcockpit.core.records import (
    RemoteAccount,
    RemoteGroup,
    RemoteMembership,
    RemoteProject,
    RemoteRole,
    RemoteTicket,
)


@contextmanager
def parsing(name: str, what: str, hint: str) -> Iterator[None]:
    """Turns an answer missing what the API promises into BadResponse naming ``what``."""
    try:
        yield
    except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
        detail = f"missing {exc}" if isinstance(exc, KeyError) else str(exc)
        raise BadResponse(f"{name}: could not read {what} ({detail})", hint=hint) from None


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 timestamp (``Z``, ``+00:00`` or ``+0000``), UTC when it names no zone."""
    if not isinstance(value, str) or not value:
        return None
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def as_id(value: Any, what: str, tool: str) -> int:
    """A numeric id typed by a person, or Rejected saying what was expected."""
    try:
        return int(str(value))
    except (TypeError, ValueError):
        raise Rejected(f"{what} must be a {tool} id (a number), not {value!r}") from None


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


class PreparingWriter:
    """A writer whose dry run and capture both come from :meth:`prepare`."""

    async def prepare(self, action: Action) -> Prepared:
        raise NotImplementedError

    async def plan(self, action: Action) -> list[PlannedCall]:
        return (await self.prepare(action)).calls

    async def capture(self, action: Action) -> dict[str, Any]:
        return (await self.prepare(action)).before


class Reader(Protocol):
    async def list_accounts(self) -> list[RemoteAccount]: ...

    async def list_groups(self) -> list[RemoteGroup]: ...

    async def list_roles(self) -> list[RemoteRole]: ...

    async def list_projects(self) -> list[RemoteProject]: ...

    async def list_memberships(self, project_ids: list[str]) -> list[RemoteMembership]: ...

    async def list_tickets(self, *, open_only: bool = False) -> list[RemoteTicket]: ...


class Writer(Protocol):
    async def plan(self, action: Action) -> list[PlannedCall]: ...

    async def capture(self, action: Action) -> dict[str, Any]: ...

    async def execute(self, action: Action) -> dict[str, Any]: ...


ReaderT = TypeVar("ReaderT", bound=Reader)
WriterT = TypeVar("WriterT", bound=Writer)


class LayeredConnector(Generic[ReaderT, WriterT]):
    kind: str
    parse_hint: str
    """What to check when an answer cannot be read (usually the tool's version)."""

    config: ConnectionConfig
    client: ToolClient
    reader: ReaderT
    writer: WriterT

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.config.name!r}, url={self.client.base_url!r})"

    def capabilities(self) -> frozenset[Capability]:
        raise NotImplementedError

    def unsupported_reason(self, capability: Capability) -> str | None:
        raise NotImplementedError

    def _parsing(self, what: str) -> Any:
        return parsing(self.config.name, what, self.parse_hint)

    async def list_accounts(self) -> list[RemoteAccount]:
        with self._parsing("users"):
            return await self.reader.list_accounts()

    async def list_groups(self) -> list[RemoteGroup]:
        with self._parsing("groups"):
            return await self.reader.list_groups()

    async def list_roles(self) -> list[RemoteRole]:
        with self._parsing("roles"):
            return await self.reader.list_roles()

    async def list_projects(self) -> list[RemoteProject]:
        with self._parsing("projects"):
            return await self.reader.list_projects()

    async def list_memberships(self, project_ids: list[str]) -> list[RemoteMembership]:
        with self._parsing("memberships"):
            return await self.reader.list_memberships(project_ids)

    async def list_tickets(self, *, open_only: bool = False) -> list[RemoteTicket]:
        with self._parsing("issues"):
            return await self.reader.list_tickets(open_only=open_only)

    async def _check_supported(self, action: Action) -> None:
        capability = action.spec.capability
        if capability not in self.capabilities():
            raise NotSupported(f"{self.config.name}: {self.unsupported_reason(capability)}")

    async def plan(self, action: Action) -> list[PlannedCall]:
        await self._check_supported(action)
        with self._parsing(f"the state for {action.kind.value}"):
            return await self.writer.plan(action)

    async def capture(self, action: Action) -> dict[str, Any]:
        await self._check_supported(action)
        with self._parsing(f"the state for {action.kind.value}"):
            return await self.writer.capture(action)

    async def execute(self, action: Action) -> dict[str, Any]:
        await self._check_supported(action)
        with self._parsing(f"the result of {action.kind.value}"):
            return await self.writer.execute(action)

    async def aclose(self) -> None:
        await self.client.aclose()
