"""The Feishu (Lark) connector: the organisation's directory as a connected tool.

It signs in as a custom app (``app_id`` option, the app secret as the connection's
secret in the keyring), reads people and departments from contact v3 and last
activity from the admin data report, and can freeze, unfreeze and resign people.
Feishu has no projects, roles or tickets: those capabilities are absent, with
reasons. :meth:`FeishuConnector.roster` gives HR's view (who left, department, join
date) for the permission review.

Connection options: ``app_id`` (required) and ``ca_bundle``. The URL is
``https://open.feishu.cn`` (or ``https://open.larksuite.com``).
"""

from __future__ import annotations

from datetime import datetime

import httpx

from pmcockpit.connectors.base import ConnectionConfig, ProbeResult
from pmcockpit.connectors.errors import NotSupported
from pmcockpit.connectors.feishu_api import FeishuApi
from pmcockpit.connectors.feishu_read import PARSE_HINT, FeishuReader, RosterRow
from pmcockpit.connectors.feishu_write import FeishuWriter
from pmcockpit.connectors.http import ToolClient
from pmcockpit.connectors.layered import LayeredConnector
from pmcockpit.core.capabilities import Capability
from pmcockpit.core.i18n import _
from pmcockpit.core.records import (
    RemoteAccount,
    RemoteMembership,
    RemoteProject,
    RemoteRole,
    RemoteTicket,
    ServerInfo,
)

API_PATH = "/open-apis"
DIRECTORY_ONLY = _("Feishu is connected as the directory: it has no projects, roles or "
                   "tickets here")
GAPS = {
    Capability.HAS_ROLES: DIRECTORY_ONLY,
    Capability.HAS_TICKETS: DIRECTORY_ONLY,
    Capability.MANAGE_MEMBERSHIPS: DIRECTORY_ONLY,
    Capability.CREATE_TICKETS: DIRECTORY_ONLY,
    Capability.COMMENT_TICKETS: DIRECTORY_ONLY,
    Capability.CHANGE_TICKETS: DIRECTORY_ONLY,
    Capability.MANAGE_GROUPS: _("pmcockpit does not move people between Feishu departments"),
    Capability.MANAGE_ADMINS: _("Feishu's API cannot change who administers the tenant: use "
                                "the admin console (Admin → Roles)"),
}
CAPABILITIES = frozenset(Capability) - set(GAPS)


def api_url(url: str) -> str:
    url = url.rstrip("/")
    return url if url.endswith(API_PATH) else url + API_PATH


class _Directory(FeishuReader):
    """The reader with the empty lists a directory has (no projects, roles or tickets)."""

    async def list_roles(self) -> list[RemoteRole]:
        return []

    async def list_projects(self) -> list[RemoteProject]:
        return []

    async def list_memberships(self, project_ids: list[str]) -> list[RemoteMembership]:
        return []

    async def list_tickets(self, *, open_only: bool = False,
                           updated_since: datetime | None = None) -> list[RemoteTicket]:
        return []


class FeishuConnector(LayeredConnector[_Directory, FeishuWriter]):
    kind = "feishu"
    parse_hint = PARSE_HINT

    def __init__(self, config: ConnectionConfig, *,
                 transport: httpx.AsyncBaseTransport | None = None,
                 client: ToolClient | None = None) -> None:
        app_id = config.options.get("app_id", "").strip()
        if not app_id:
            raise NotSupported(
                _("{name}: a Feishu connection needs the app id").format(name=config.name),
                hint=_("add it: `pmcockpit connect add {name} --kind feishu --url "
                       "https://open.feishu.cn --option app_id=cli_… --token-stdin` (the app "
                       "secret on stdin)").format(name=config.name))
        self.config = config
        self.client = client or ToolClient(
            config.name, api_url(config.url), secrets=[config.token],
            ca_bundle=config.options.get("ca_bundle") or None, transport=transport)
        self.api = FeishuApi(self.client, app_id, config.token)
        self.reader = _Directory(self.api)
        self.writer = FeishuWriter(self.reader)

    def capabilities(self) -> frozenset[Capability]:
        return CAPABILITIES

    def unsupported_reason(self, capability: Capability) -> str | None:
        return GAPS.get(capability)

    async def server_info(self) -> ServerInfo:
        account = await self.current_account()
        return ServerInfo("Feishu", None, {"app": account.login})

    async def current_account(self) -> RemoteAccount:
        with self._parsing("the app's directory"):
            return await self.reader.app_account()

    async def probe(self) -> ProbeResult:
        account = await self.current_account()  # gets the token first
        http_probe = await self.client.probe(
            "/contact/v3/departments/0/children?page_size=1")
        self.client.raise_for_status(http_probe.response)
        return ProbeResult(account, http_probe.latency_ms, http_probe.tls_expires_at)

    async def roster(self) -> list[RosterRow]:
        """HR's view of everyone in the app's contact scope, including who left."""
        with self._parsing("the directory"):
            return await self.reader.roster()
