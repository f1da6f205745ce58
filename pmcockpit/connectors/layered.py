"""What every connector shares: a reader, a writer, one HTTP client, and the guard that
turns an answer the API did not promise into :class:`BadResponse`.

A tool's connector subclasses :class:`LayeredConnector`, builds its client, reader and
writer, and says what it can do; reading and changing go through here, so every
answer is parsed under the same guard and every change checks its capability first.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, Generic, Protocol, TypeVar

from pmcockpit.connectors.base import ConnectionConfig, PlannedCall, Prepared
from pmcockpit.connectors.errors import BadResponse, NotSupported, Rejected
from pmcockpit.connectors.http import ToolClient
from pmcockpit.core.actions import Action, ActionKind
from pmcockpit.core.capabilities import Capability
from pmcockpit.core.i18n import N_, _
from pmcockpit.core.records import (
    RemoteAccount,
    RemoteGroup,
    RemoteMembership,
    RemoteProject,
    RemoteRole,
    RemoteTicket,
)

_COULD_NOT_READ = {
    "users": N_("{name}: could not read users ({detail})"),
    "groups": N_("{name}: could not read groups ({detail})"),
    "roles": N_("{name}: could not read roles ({detail})"),
    "projects": N_("{name}: could not read projects ({detail})"),
    "memberships": N_("{name}: could not read memberships ({detail})"),
    "issues": N_("{name}: could not read issues ({detail})"),
    "the version": N_("{name}: could not read the version ({detail})"),
    "the server info": N_("{name}: could not read the server info ({detail})"),
    "the token's account": N_("{name}: could not read the token's account ({detail})"),
    "the state": N_("{name}: could not read the state for {action} ({detail})"),
    "the result": N_("{name}: could not read the result of {action} ({detail})"),
}
"""What :func:`parsing` may be reading, each with its whole sentence (translated when
raised); a key not here gets the general sentence naming it."""


@contextmanager
def parsing(name: str, what: str, hint: str, action: str = "") -> Iterator[None]:
    """Turns an answer missing what the API promises into BadResponse naming ``what`` (a
    key of ``_COULD_NOT_READ``; ``action`` is the kind of action for "the state"...)."""
    try:
        yield
    except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
        detail = _("missing {key}").format(key=exc) if isinstance(exc, KeyError) else str(exc)
        message = (_(_COULD_NOT_READ[what]) if what in _COULD_NOT_READ
                   else _("{name}: could not read {what} ({detail})"))
        raise BadResponse(message.format(name=name, what=what, action=action, detail=detail),
                          hint=hint) from None


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 timestamp (``Z``, ``+00:00`` or ``+0000``), UTC when it names no zone."""
    if not isinstance(value, str) or not value:
        return None
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def utc_text(moment: datetime) -> str:
    """``2026-03-01T08:12:32Z``: the form the tools' updated-since filters take."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


_NOT_AN_ID = {
    "the user": N_("the user must be a {tool} id (a number), not {value!r}"),
    "the group": N_("the group must be a {tool} id (a number), not {value!r}"),
    "the project": N_("the project must be a {tool} id (a number), not {value!r}"),
    "the membership": N_("the membership must be a {tool} id (a number), not {value!r}"),
    "the ticket": N_("the ticket must be a {tool} id (a number), not {value!r}"),
    "each role id": N_("each role id must be a {tool} id (a number), not {value!r}"),
}
"""The targets :func:`as_id` reads, each with its whole refusal (translated when raised)."""


def as_id(value: Any, what: str, tool: str) -> int:
    """A numeric id typed by a person, or Rejected saying what was expected; ``what`` is
    a key of ``_NOT_AN_ID`` or the name of the action's parameter ("user_id")."""
    try:
        return int(str(value))
    except (TypeError, ValueError):
        message = (_(_NOT_AN_ID[what]) if what in _NOT_AN_ID
                   else _("{param} must be a {tool} id (a number), not {value!r}"))
        raise Rejected(message.format(param=what, tool=tool, value=value)) from None


Handler = Callable[[Action], Awaitable[Prepared]]
"""Prepares one kind of action: a writer's dispatch table maps each kind to one."""


class DispatchingWriter:
    """A writer whose ``prepare`` looks the action's kind up in :attr:`handlers`."""

    tool: str
    client: ToolClient
    handlers: Mapping[ActionKind, Handler]
    refusals: Mapping[ActionKind, str]
    """Kinds the tool cannot do at all, with why (raised as NotSupported)."""

    async def prepare(self, action: Action) -> Prepared:
        if action.kind in self.refusals:
            raise NotSupported(_("{name}: {reason}").format(
                name=self.client.name, reason=self.refusals[action.kind]))
        handler = self.handlers.get(action.kind)
        if handler is None:
            raise NotSupported(_("{name}: {tool} cannot {kind}").format(
                name=self.client.name, tool=self.tool, kind=action.kind.value))
        return await handler(action)


class Reader(Protocol):
    async def list_accounts(self) -> list[RemoteAccount]: ...

    async def list_groups(self, *, members: bool = True) -> list[RemoteGroup]: ...

    async def list_roles(self) -> list[RemoteRole]: ...

    async def list_projects(self) -> list[RemoteProject]: ...

    async def list_memberships(self, project_ids: list[str]) -> list[RemoteMembership]: ...

    async def list_tickets(self, *, open_only: bool = False,
                           updated_since: datetime | None = None) -> list[RemoteTicket]: ...


class Writer(Protocol):
    async def prepare(self, action: Action) -> Prepared: ...

    async def execute(self, action: Action, prepared: Prepared) -> dict[str, Any]: ...


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

    def _parsing(self, what: str, action: str = "") -> Any:
        return parsing(self.config.name, what, self.parse_hint, action)

    async def list_accounts(self) -> list[RemoteAccount]:
        with self._parsing("users"):
            return await self.reader.list_accounts()

    async def list_groups(self, *, members: bool = True) -> list[RemoteGroup]:
        with self._parsing("groups"):
            return await self.reader.list_groups(members=members)

    async def list_roles(self) -> list[RemoteRole]:
        with self._parsing("roles"):
            return await self.reader.list_roles()

    async def list_projects(self) -> list[RemoteProject]:
        with self._parsing("projects"):
            return await self.reader.list_projects()

    async def list_memberships(self, project_ids: list[str]) -> list[RemoteMembership]:
        with self._parsing("memberships"):
            return await self.reader.list_memberships(project_ids)

    async def list_tickets(self, *, open_only: bool = False,
                           updated_since: datetime | None = None) -> list[RemoteTicket]:
        with self._parsing("issues"):
            return await self.reader.list_tickets(open_only=open_only,
                                                  updated_since=updated_since)

    async def _check_supported(self, action: Action) -> None:
        capability = action.spec.capability
        if capability not in self.capabilities():
            raise NotSupported(_("{name}: {reason}").format(
                name=self.config.name, reason=self.unsupported_reason(capability)))

    async def prepare(self, action: Action) -> Prepared:
        """One read of the target. The action runner checks the capability before."""
        with self._parsing("the state", action.kind.value):
            return await self.writer.prepare(action)

    async def execute(self, action: Action, prepared: Prepared | None = None
                      ) -> dict[str, Any]:
        if prepared is None:
            await self._check_supported(action)
            prepared = await self.prepare(action)
        with self._parsing("the result", action.kind.value):
            return await self.writer.execute(action, prepared)

    async def plan(self, action: Action) -> list[PlannedCall]:
        """The calls ``action`` would make, capability checked (a dry run on its own)."""
        await self._check_supported(action)
        return (await self.prepare(action)).calls

    async def capture(self, action: Action) -> dict[str, Any]:
        """The state ``action`` would change, capability checked."""
        await self._check_supported(action)
        return (await self.prepare(action)).before

    async def aclose(self) -> None:
        await self.client.aclose()
