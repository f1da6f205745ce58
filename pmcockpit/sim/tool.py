"""One simulated tool: organisation, state, dialect and fault plan together."""

from __future__ import annotations

import email.utils
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import httpx

from pmcockpit.sim.dialects import get_dialect
from pmcockpit.sim.faults import Fault, FaultPlan, apply_fault
from pmcockpit.sim.http import SimRequest, SimResponse
from pmcockpit.sim.org import Organisation, build_org
from pmcockpit.sim.state import DEFAULT_TOKEN, ToolState, utc_now

if TYPE_CHECKING:
    from pmcockpit.sim.transport import SimSyncTransport, SimTransport


@dataclass(frozen=True)
class Outcome:
    """What to send back for one request."""

    response: SimResponse | None
    """None: no answer at all (a timeout or a dropped connection, see ``fault``)."""
    fault: Fault | None = None


class SimTool:
    """A simulated tool speaking ``dialect``, seeded from an organisation.

    ``SimTool().client()`` is an ``httpx.AsyncClient`` already pointed at it and
    authenticated as the ``admin`` account; ``.transport()`` plugs it into a
    client of your own; :func:`pmcockpit.sim.server.serve` puts it on loopback.
    """

    def __init__(self, dialect: str = "redmine", seed: int = 7, scale: int = 150,
                 token: str = DEFAULT_TOKEN, *, now: datetime | None = None,
                 org: Organisation | None = None, latency_ms: float = 0.0,
                 clock: Callable[[], datetime] = utc_now) -> None:
        self.dialect = get_dialect(dialect)
        self.org = org if org is not None else build_org(seed, scale, now)
        self.state = ToolState.from_org(self.org, tool=dialect, token=token, clock=clock)
        self.faults = FaultPlan(latency_ms=latency_ms)
        self.url = f"http://{dialect}.sim"
        """The base URL the in-process transport answers on."""

    @property
    def token(self) -> str:
        """The API token of the ``admin`` account."""
        return self.state.token

    def auth_headers(self, token: str | None = None) -> dict[str, str]:
        return self.dialect.auth_headers(token or self.token)

    @property
    def connector_options(self) -> dict[str, str]:
        """Options a connector needs besides ``url`` and ``token`` (Jira: e-mail, admin API)."""
        options = self.dialect.connector_options
        return options(self.state, self.url) if options else {}

    def respond(self, request: SimRequest) -> Outcome:
        """Answer ``request`` through the fault plan (latency is the caller's to add)."""
        fault = self.faults.take(request)
        handle = self.dialect.handle
        response = apply_fault(fault, request, lambda r: handle(self.state, r))
        if response is not None and "Date" not in response.headers:
            # The tool's own clock, as a real server's: updated-since filters are measured
            # against it, and a simulated organisation's time may not be ours.
            now = email.utils.format_datetime(self.state.clock().astimezone(UTC), usegmt=True)
            response = replace(response, headers={"Date": now, **response.headers})
        return Outcome(response, fault)

    def transport(self) -> SimTransport:
        from pmcockpit.sim.transport import SimTransport

        return SimTransport(self)

    def sync_transport(self) -> SimSyncTransport:
        from pmcockpit.sim.transport import SimSyncTransport

        return SimSyncTransport(self)

    def client(self, token: str | None = None, **options: Any) -> httpx.AsyncClient:
        """An async client on the in-process transport, sending ``token`` (admin's)."""
        return httpx.AsyncClient(base_url=self.url, transport=self.transport(),
                                 headers=self.auth_headers(token), **options)

    def sync_client(self, token: str | None = None, **options: Any) -> httpx.Client:
        return httpx.Client(base_url=self.url, transport=self.sync_transport(),
                            headers=self.auth_headers(token), **options)
