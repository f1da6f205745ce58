"""What a connection can do: every kind of action, offered or not and why.

Asked of the tool itself, because some capabilities depend on whose token it is
(only a GitLab administrator can block users). One answer for ``connect test``, the
Connections screen and ``act`` without arguments.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from pmcockpit.connectors.errors import ConnectorError
from pmcockpit.connectors.http import request_limits
from pmcockpit.core.actions import SPECS, ActionKind
from pmcockpit.core.i18n import _
from pmcockpit.services.health import run_limits
from pmcockpit.services.workspace import Workspace


@dataclass(frozen=True, slots=True)
class Offer:
    kind: ActionKind
    title: str
    target: str
    refusal: str | None = None
    """Why it is not offered; None when it is."""

    @property
    def offered(self) -> bool:
        return self.refusal is None


@dataclass(frozen=True, slots=True)
class Offers:
    name: str
    offers: tuple[Offer, ...] = ()
    problem: str | None = None
    """Why the list is empty (the connection did not open) or may offer too much (the
    tool could not be asked whose token it is)."""

    @property
    def offered(self) -> tuple[Offer, ...]:
        return tuple(offer for offer in self.offers if offer.offered)

    @property
    def refused(self) -> tuple[Offer, ...]:
        return tuple(offer for offer in self.offers if not offer.offered)


async def connection_offers(workspace: Workspace, name: str) -> Offers:
    try:
        connector = await asyncio.to_thread(workspace.open_connector, name)
    except (ConnectorError, LookupError) as error:
        return Offers(name, problem=_("cannot open it: {error}").format(error=error))
    problem = None
    try:
        with request_limits(run_limits(workspace)):
            await connector.current_account()
    except ConnectorError as error:
        problem = _("cannot reach it, so this list may offer too much: {error}").format(
            error=error)
    finally:
        await connector.aclose()
    capabilities = connector.capabilities()
    offers = tuple(
        Offer(kind, spec.title, spec.target,
              None if spec.capability in capabilities else
              connector.unsupported_reason(spec.capability) or _("not supported"))
        for kind, spec in SPECS.items())
    return Offers(name, offers, problem)
