"""The Jira Cloud connector (REST API v3, an account's e-mail and API token as basic auth).

Reading lives in :mod:`.jira_read` (parsing in :mod:`.jira_parse`), changing in
:mod:`.jira_write`; the organisation admin API, which alone knows last activity
and can suspend access, in :mod:`.jira_admin`. This class ties them to their HTTP
clients and says what this connection can do.

Connection options:

* ``email`` (required): the e-mail of the account the API token belongs to.
* ``admin_org_id``: the Atlassian organisation's id. With the admin API key it
  enables last activity and locking (suspend/restore access).
* ``admin_api_key``: that key. It is a secret: it is never stored with the
  options but put there at run time by whoever opens the connector (from the
  token store entry ``<connection>-admin``).
* ``admin_url``: where the admin API answers (``https://api.atlassian.com``).
* ``admin_groups``: comma-separated groups whose members count as administrators.
* ``issue_type``: the issue type of tickets pmcockpit creates ("Task").
* ``ca_bundle``: PEM file of a private CA for the Jira site (not the admin API).
"""

from __future__ import annotations

import base64

import httpx

from pmcockpit.connectors.base import ConnectionConfig, ProbeResult
from pmcockpit.connectors.errors import ConnectorError
from pmcockpit.connectors.http import ToolClient
from pmcockpit.connectors.jira_admin import DEFAULT_ADMIN_URL, JiraAdminApi
from pmcockpit.connectors.jira_parse import (
    DEFAULT_ADMIN_GROUPS,
    PARSE_HINT,
    account_groups,
    parse_account,
)
from pmcockpit.connectors.jira_read import API, JiraReader
from pmcockpit.connectors.jira_write import (
    DEFAULT_ISSUE_TYPE,
    NO_ADMIN_API,
    NO_DEACTIVATION,
    JiraWriter,
)
from pmcockpit.connectors.layered import LayeredConnector
from pmcockpit.core.capabilities import Capability
from pmcockpit.core.i18n import _
from pmcockpit.core.queue_definition import queue_definition
from pmcockpit.core.records import (
    RemoteAccount,
    ServerInfo,
)

WITHOUT_ADMIN_API = frozenset(Capability) - {
    Capability.DEACTIVATE_USERS, Capability.LOCK_USERS, Capability.KNOWS_LAST_LOGIN,
    Capability.MANAGE_ADMINS}
WITH_ADMIN_API = WITHOUT_ADMIN_API | {Capability.LOCK_USERS, Capability.KNOWS_LAST_LOGIN}
ADMIN_BY_GROUP = _("Jira has no admin flag: administrators are the members of the admin "
                   "groups; remove the account from that group instead")
NO_LAST_ACTIVITY = _("Jira's REST API does not expose last activity; configure the "
                     "organisation admin API (admin_org_id + admin key) to see it")
FORBIDDEN_ADVICE = _("the token's account lacks the permission (Administer Jira, or Browse "
                     "users and groups) for this")
ADMIN_FORBIDDEN_ADVICE = _("the admin API key has no access to this organisation")


class JiraSettingMissing(ConnectorError):
    title = "Setting missing"


def basic_auth(email: str, token: str) -> str:
    return "Basic " + base64.b64encode(f"{email}:{token}".encode()).decode()


class JiraConnector(LayeredConnector[JiraReader, JiraWriter]):
    kind = "jira"
    parse_hint = PARSE_HINT

    def __init__(
        self,
        config: ConnectionConfig,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        client: ToolClient | None = None,
        admin_client: ToolClient | None = None,
    ) -> None:
        """``client``/``admin_client`` replace the clients built from ``config`` (tests)."""
        self.config = config
        options = config.options
        email = (options.get("email") or "").strip()
        if client is None and not email:
            raise JiraSettingMissing(
                _("{name}: Jira needs the e-mail address of the account the API token "
                  "belongs to").format(name=config.name),
                hint=_("add it: `pmcockpit connect add {name} --kind jira --url {url} "
                       "--option email=you@example.org`").format(name=config.name,
                                                                 url=config.url))
        self.org_id = (options.get("admin_org_id") or "").strip()
        admin_key = (options.get("admin_api_key") or "").strip()
        secrets = [config.token, admin_key]
        self.client = client or ToolClient(
            config.name, config.url, auth_headers={"Authorization": basic_auth(email,
                                                                                config.token)},
            secrets=secrets, ca_bundle=options.get("ca_bundle") or None, transport=transport,
            forbidden_advice=FORBIDDEN_ADVICE)
        if admin_client is None and self.org_id and admin_key:
            admin_client = ToolClient(
                f"{config.name} (admin API)", options.get("admin_url") or DEFAULT_ADMIN_URL,
                auth_headers={"Authorization": f"Bearer {admin_key}"}, secrets=secrets,
                transport=transport, forbidden_advice=ADMIN_FORBIDDEN_ADVICE)
        self.admin_client = admin_client
        admin = JiraAdminApi(admin_client, self.org_id) if admin_client else None
        groups = options.get("admin_groups")
        self.reader = JiraReader(self.client, admin, admin_groups=frozenset(
            g.strip() for g in groups.split(",") if g.strip()) if groups
            else DEFAULT_ADMIN_GROUPS)
        self.reader.queue = queue_definition(config.options)
        self.writer = JiraWriter(self.reader, admin_client,
                                 issue_type=options.get("issue_type") or DEFAULT_ISSUE_TYPE)

    @property
    def has_admin_api(self) -> bool:
        return self.admin_client is not None

    def capabilities(self) -> frozenset[Capability]:
        return WITH_ADMIN_API if self.has_admin_api else WITHOUT_ADMIN_API

    def unsupported_reason(self, capability: Capability) -> str | None:
        if capability in self.capabilities():
            return None
        if capability is Capability.DEACTIVATE_USERS:
            return NO_DEACTIVATION
        if capability is Capability.MANAGE_ADMINS:
            return ADMIN_BY_GROUP
        if self.org_id:  # configured, but the key did not come with it
            return _("the organisation admin API needs its API key: store it as the token "
                     "of {name}-admin").format(name=self.config.name)
        if capability is Capability.KNOWS_LAST_LOGIN:
            return NO_LAST_ACTIVITY
        return NO_ADMIN_API

    async def server_info(self) -> ServerInfo:
        with self._parsing("the server info"):
            data = await self.client.get_json(f"{API}/serverInfo")
            cloud = data.get("deploymentType") == "Cloud"
            return ServerInfo("Jira Cloud" if cloud else "Jira", data.get("version"), {
                "title": str(data.get("serverTitle", "")),
                "admin_api": "configured" if self.has_admin_api else "not configured"})

    async def current_account(self) -> RemoteAccount:
        with self._parsing("the token's account"):
            return await self.reader.current_account()

    async def probe(self) -> ProbeResult:
        http_probe = await self.client.probe(f"{API}/myself?expand=groups")
        self.client.raise_for_status(http_probe.response)
        with self._parsing("the token's account"):
            me = self.client.json(http_probe.response)
            account = parse_account(me, is_admin=self.reader.has_admin_group(
                account_groups(me)))
        return ProbeResult(account, http_probe.latency_ms, http_probe.tls_expires_at)

    async def aclose(self) -> None:
        await self.client.aclose()
        if self.admin_client is not None:
            await self.admin_client.aclose()
