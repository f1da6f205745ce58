"""Health of a connection: reachable, authenticated, admin rights, latency, version, TLS."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from pmcockpit.connectors.errors import AuthenticationFailed, ConnectorError, PermissionDenied
from pmcockpit.connectors.http import RequestLimits, request_limits
from pmcockpit.core.i18n import _
from pmcockpit.services.workspace import Workspace
from pmcockpit.storage import connections
from pmcockpit.storage.connections import HealthFacts


async def check_health(workspace: Workspace, name: str, *, record: bool = True) -> HealthFacts:
    """Measure one connection's health and (by default) keep it in the history."""
    facts = await _measure(workspace, name)
    if record:
        await asyncio.to_thread(_record, workspace, name, facts)
    return facts


def run_limits(workspace: Workspace,
               on_wait: Callable[[str], None] | None = None) -> RequestLimits:
    """The request limits the settings ask for, telling ``on_wait`` about each retry."""
    settings = workspace.settings
    return RequestLimits(settings.request_timeout, settings.request_deadline, on_wait=on_wait)


async def _measure(workspace: Workspace, name: str) -> HealthFacts:
    try:
        connector = await asyncio.to_thread(workspace.open_connector, name)
    except (ConnectorError, LookupError) as error:
        return HealthFacts(reachable=False, authenticated=False, error=str(error))
    try:
        with request_limits(run_limits(workspace)):
            probe = await connector.probe()
            version = (await connector.server_info()).version
    except (AuthenticationFailed, PermissionDenied) as error:
        return HealthFacts(reachable=True, authenticated=False, error=str(error))
    except ConnectorError as error:
        # Unreachable, TLS, 5xx, rate limits, answers not understood: not usable now.
        return HealthFacts(reachable=False, authenticated=False, error=str(error))
    finally:
        await connector.aclose()
    return HealthFacts(
        reachable=True, authenticated=True, is_admin=probe.account.is_admin,
        latency_ms=round(probe.latency_ms, 1), version=version,
        tls_expires_at=probe.tls_expires_at,
        error=None if probe.account.is_admin else
        _("the token's user {login} has no admin rights: reviews and actions need an "
          "administrator's token").format(login=probe.account.login),
    )


def _record(workspace: Workspace, name: str, facts: HealthFacts) -> None:
    with workspace.db.session() as session:
        connections.record_health(session, name, facts)


async def check_all(workspace: Workspace) -> dict[str, HealthFacts]:
    names = await asyncio.to_thread(_names, workspace)
    results = await asyncio.gather(*(check_health(workspace, name) for name in names))
    return dict(zip(names, results, strict=True))


def _names(workspace: Workspace) -> list[str]:
    with workspace.db.session() as session:
        return connections.names(session)
