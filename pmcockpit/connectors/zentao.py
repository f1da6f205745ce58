"""The ZenTao connector (RESTful API v1 of the open-source edition 16.0 and later).

ZenTao has no API tokens: the connector signs in with an account and its password
(``POST /api.php/v1/tokens``) and sends the session it gets in the ``Token`` header.
The password is the connection's secret, kept in the keyring like any token.

Connection options: ``account`` (who signs in, required), ``timezone`` (the server's,
for the times it writes without a zone; ``Asia/Shanghai`` by default) and
``ca_bundle``; ``queue.kinds`` says which of bugs, stories and tasks are the queue's
tickets (bugs alone by default; see :mod:`.zentao_work`). Reading lives in
:mod:`.zentao_read`, changing in :mod:`.zentao_write`.
"""

from __future__ import annotations

import contextlib
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import httpx

from pmcockpit.connectors.base import ConnectionConfig, ProbeResult
from pmcockpit.connectors.errors import NotFound, NotSupported, Rejected
from pmcockpit.connectors.http import ToolClient
from pmcockpit.connectors.layered import LayeredConnector
from pmcockpit.connectors.zentao_read import PARSE_HINT, ZenTaoReader, ZenTaoSession
from pmcockpit.connectors.zentao_work import list_work
from pmcockpit.connectors.zentao_write import (
    NO_COMMENT,
    NO_CREATE,
    NO_LOCK,
    NO_MEMBERS,
    ZenTaoWriter,
)
from pmcockpit.core.capabilities import Capability
from pmcockpit.core.i18n import _
from pmcockpit.core.queue_definition import (
    queue_definition,
    zentao_kinds,
    zentao_kinds_problem,
)
from pmcockpit.core.records import RemoteAccount, RemoteTicket, ServerInfo

API_PATH = "/api.php/v1"
DEFAULT_ZONE = "Asia/Shanghai"
GAPS = {
    Capability.LOCK_USERS: NO_LOCK,
    Capability.MANAGE_MEMBERSHIPS: NO_MEMBERS,
    Capability.MANAGE_GROUPS: _("ZenTao's API cannot move people between departments"),
    Capability.CREATE_TICKETS: NO_CREATE,
    Capability.COMMENT_TICKETS: NO_COMMENT,
    Capability.MANAGE_ADMINS: _("ZenTao's API cannot change a user's privileges: use Company → "
                                "Privilege"),
}
CAPABILITIES = frozenset(Capability) - set(GAPS)
FORBIDDEN_ADVICE = _("the account's permission group lacks the privilege for this call "
                     "(Company → Privilege)")


def api_url(url: str) -> str:
    """The API's base: the install's URL with ``/api.php/v1`` unless already there."""
    url = url.rstrip("/")
    return url if url.endswith(API_PATH) else url + API_PATH


class ZenTaoConnector(LayeredConnector[ZenTaoReader, ZenTaoWriter]):
    kind = "zentao"
    parse_hint = PARSE_HINT

    def __init__(self, config: ConnectionConfig, *,
                 transport: httpx.AsyncBaseTransport | None = None,
                 client: ToolClient | None = None) -> None:
        account = config.options.get("account", "").strip()
        if not account:
            raise NotSupported(
                _("{name}: a ZenTao connection needs the account to sign in with").format(
                    name=config.name),
                hint=_("add it: `pmcockpit connect add {name} --kind zentao --option "
                       "account=<account> --token-stdin` (the password on stdin)").format(
                    name=config.name))
        try:
            zone = ZoneInfo(config.options.get("timezone") or DEFAULT_ZONE)
        except (ZoneInfoNotFoundError, ValueError):
            raise NotSupported(_("{name}: unknown time zone {zone!r}").format(
                name=config.name, zone=config.options.get("timezone"))) from None
        queue = queue_definition(config.options)
        problem = zentao_kinds_problem(queue.get("kinds", ""))
        if problem:
            raise NotSupported(_("{name}: {problem}").format(name=config.name, problem=problem))
        self.kinds = zentao_kinds(queue)
        self.config = config
        self.client = client or ToolClient(
            config.name, api_url(config.url), secrets=[config.token],
            ca_bundle=config.options.get("ca_bundle") or None, transport=transport,
            forbidden_advice=FORBIDDEN_ADVICE)
        self.session = ZenTaoSession(self.client, account, config.token)
        self.reader = ZenTaoReader(self.session, zone)
        self.writer = ZenTaoWriter(self.reader)

    def capabilities(self) -> frozenset[Capability]:
        return CAPABILITIES

    def unsupported_reason(self, capability: Capability) -> str | None:
        return GAPS.get(capability)

    async def list_tickets(self, *, open_only: bool = False,
                           **more: Any) -> list[RemoteTicket]:
        """The bugs (by the reader) and the stories and tasks ``queue.kinds`` asks for."""
        found: list[RemoteTicket] = []
        if "bugs" in self.kinds:
            found += await super().list_tickets(open_only=open_only, **more)
        with self._parsing("stories and tasks"):
            found += await list_work(self.reader, self.kinds, open_only)
        return found

    async def server_info(self) -> ServerInfo:
        """The version from ``GET /configurations/version`` (config.php; an install
        without it, or refusing it, reports none) and the signed-in account."""
        account = await self.current_account()
        version = None
        with contextlib.suppress(NotFound, Rejected):
            answer = await self.session.get("/configurations/version")
            value = answer.get("value") if isinstance(answer, dict) else None
            version = str(value) if value else None
        return ServerInfo("ZenTao", version, {"account": account.login})

    async def current_account(self) -> RemoteAccount:
        with self._parsing("the signed-in account"):
            return await self.reader.current_account()

    async def probe(self) -> ProbeResult:
        await self.session.sign_in()
        http_probe = await self.client.probe("/user")
        self.client.raise_for_status(http_probe.response)
        with self._parsing("the signed-in account"):
            account = await self.reader.current_account()
        return ProbeResult(account, http_probe.latency_ms, http_probe.tls_expires_at)
