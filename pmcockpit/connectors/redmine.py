"""The Redmine connector (REST API of Redmine 5.x, authenticated by an admin's API key).

Reading lives in :mod:`.redmine_read`, changing in :mod:`.redmine_write`; this
class ties them to one :class:`~pmcockpit.connectors.http.ToolClient` and says
what Redmine can do.

Connection options: ``ca_bundle`` (PEM file of a private CA) and ``journal_days``
(comments are read for open tickets and for tickets updated within that many days,
14 by default).
"""

from __future__ import annotations

import httpx

from pmcockpit.connectors.base import ConnectionConfig, ProbeResult
from pmcockpit.connectors.http import ToolClient
from pmcockpit.connectors.layered import LayeredConnector
from pmcockpit.connectors.redmine_read import (
    JOURNAL_DAYS,
    PARSE_HINT,
    RedmineReader,
    parse_account,
)
from pmcockpit.connectors.redmine_write import NO_DEACTIVATION, RedmineWriter
from pmcockpit.core.capabilities import Capability
from pmcockpit.core.i18n import _
from pmcockpit.core.queue_definition import queue_definition
from pmcockpit.core.records import (
    RemoteAccount,
    ServerInfo,
)

API_KEY_HEADER = "X-Redmine-API-Key"
CAPABILITIES = frozenset(Capability) - {Capability.DEACTIVATE_USERS}
FORBIDDEN_ADVICE = _(
    "the token's user lacks admin rights for this, or the REST API is off "
    "(Administration → Settings → API → Enable REST web service)"
)


class RedmineConnector(LayeredConnector[RedmineReader, RedmineWriter]):
    kind = "redmine"
    parse_hint = PARSE_HINT

    def __init__(
        self,
        config: ConnectionConfig,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        client: ToolClient | None = None,
    ) -> None:
        """``client`` replaces the HTTP client built from ``config`` (tests inject sleeps)."""
        self.config = config
        self.client = client or ToolClient(
            config.name, config.url,
            auth_headers={API_KEY_HEADER: config.token},
            ca_bundle=config.options.get("ca_bundle") or None,
            transport=transport,
            forbidden_advice=FORBIDDEN_ADVICE,
        )
        days = config.options.get("journal_days")
        self.reader = RedmineReader(self.client,
                                    journal_days=int(days) if days else JOURNAL_DAYS)
        self.reader.queue = queue_definition(config.options)
        self.writer = RedmineWriter(self.reader)

    def capabilities(self) -> frozenset[Capability]:
        return CAPABILITIES

    def unsupported_reason(self, capability: Capability) -> str | None:
        if capability is Capability.DEACTIVATE_USERS:
            return NO_DEACTIVATION
        return None

    async def server_info(self) -> ServerInfo:
        """Redmine's REST API does not tell its version; the call proves the token works."""
        account = await self.current_account()
        return ServerInfo("Redmine", None, {"account": account.login})

    async def current_account(self) -> RemoteAccount:
        with self._parsing("the token's account"):
            return await self.reader.current_account()

    async def probe(self) -> ProbeResult:
        http_probe = await self.client.probe("/users/current.json")
        self.client.raise_for_status(http_probe.response)
        with self._parsing("the token's account"):
            account = parse_account(self.client.json(http_probe.response)["user"])
        return ProbeResult(account, http_probe.latency_ms, http_probe.tls_expires_at)
