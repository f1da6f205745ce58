"""The GitLab connector (REST API v4, a personal or group access token in ``PRIVATE-TOKEN``).

Reading lives in :mod:`.gitlab_read` (parsing in :mod:`.gitlab_parse`), changing in
:mod:`.gitlab_write`; this class ties them to one
:class:`~pmcockpit.connectors.http.ToolClient` and says what this connection can do.
The connection URL is the instance (``https://gitlab.example.org``); the API is under
``/api/v4``.

What it can do depends on the token: only an administrator sees sign-in dates and
can block or deactivate users. Whether the token's user is one is known once
``current_account`` (``/user``) has been read, which the action runner does before
it asks for capabilities; ``plan``/``capture``/``execute`` also ask ``/user`` first
and raise NotSupported.

Connection options: ``ca_bundle`` (PEM file of a private CA), ``notes_days`` (notes
are read for open issues and issues updated within that many days, 14 by default)
and ``group_access_level`` (the level "add to group" gives, 30 = Developer).
"""

from __future__ import annotations

import httpx

from pmcockpit.connectors.base import ConnectionConfig, ProbeResult
from pmcockpit.connectors.errors import NotSupported
from pmcockpit.connectors.gitlab_parse import NOTES_DAYS, PARSE_HINT, parse_account
from pmcockpit.connectors.gitlab_read import GitLabReader
from pmcockpit.connectors.gitlab_write import DEFAULT_GROUP_ACCESS, GitLabWriter
from pmcockpit.connectors.http import ToolClient
from pmcockpit.connectors.layered import LayeredConnector
from pmcockpit.core.actions import Action
from pmcockpit.core.capabilities import Capability
from pmcockpit.core.i18n import _
from pmcockpit.core.queue_definition import queue_definition
from pmcockpit.core.records import (
    RemoteAccount,
    ServerInfo,
)

TOKEN_HEADER = "PRIVATE-TOKEN"
API_PATH = "/api/v4"
ADMIN_ONLY = frozenset({Capability.KNOWS_LAST_LOGIN, Capability.LOCK_USERS,
                        Capability.DEACTIVATE_USERS, Capability.MANAGE_ADMINS})
FORBIDDEN_ADVICE = _("the token's user lacks the rights for this (an administrator, or a "
                     "project or group Maintainer/Owner), or the token lacks the api scope")


def api_url(url: str) -> str:
    """The API base for an instance URL; a URL already ending in ``/api/v4`` is kept."""
    base = url.rstrip("/")
    return base if base.endswith(API_PATH) else base + API_PATH


def _not_admin(login: str | None) -> str:
    """Why a token that is not an administrator's cannot do admin-only things."""
    if login:
        return _("the token's user {login} is not a GitLab administrator: only administrators "
                 "see sign-in dates and can block or deactivate users (use an administrator's "
                 "personal access token with the api scope)").format(login=login)
    return _("the token's user is not a GitLab administrator: only administrators "
             "see sign-in dates and can block or deactivate users (use an administrator's "
             "personal access token with the api scope)")

class GitLabConnector(LayeredConnector[GitLabReader, GitLabWriter]):
    kind = "gitlab"
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
            config.name, api_url(config.url),
            auth_headers={TOKEN_HEADER: config.token},
            ca_bundle=config.options.get("ca_bundle") or None,
            transport=transport,
            forbidden_advice=FORBIDDEN_ADVICE,
        )
        days = config.options.get("notes_days")
        self.reader = GitLabReader(self.client, notes_days=int(days) if days else NOTES_DAYS)
        self.reader.queue = queue_definition(config.options)
        level = config.options.get("group_access_level")
        self.writer = GitLabWriter(self.reader, group_access=int(level) if level
                                   else DEFAULT_GROUP_ACCESS)

    # -- what this connection can do -----------------------------------------------------

    def _token_user(self) -> tuple[bool, str | None] | None:
        """(administrator?, login) of the token's user, if known; None before ``/user``."""
        known = self.reader.known_admin
        return None if known is None else (known, self.reader.known_login)

    def _is_admin(self) -> bool | None:
        user = self._token_user()
        return None if user is None else user[0]

    def capabilities(self) -> frozenset[Capability]:
        full = frozenset(Capability)
        return full - ADMIN_ONLY if self._is_admin() is False else full

    def unsupported_reason(self, capability: Capability) -> str | None:
        user = self._token_user()
        if capability in ADMIN_ONLY and user is not None and not user[0]:
            return _not_admin(user[1])
        return None

    async def _check_supported(self, action: Action) -> None:
        await self.reader.me()  # learn whether the token's user is an administrator
        capability = action.spec.capability
        if capability not in self.capabilities():
            raise NotSupported(_("{name}: {reason}").format(
                name=self.config.name, reason=self.unsupported_reason(capability)))

    # -- reading -------------------------------------------------------------------------

    async def server_info(self) -> ServerInfo:
        with self._parsing("the version"):
            version = await self.reader.version()
            account = await self.current_account()
        edition = "EE" if str(version.get("version", "")).endswith("-ee") else "CE"
        return ServerInfo("GitLab", version.get("version"), {
            "revision": str(version.get("revision", "")), "edition": edition,
            "account": account.login, "admin": "yes" if account.is_admin else "no"})

    async def current_account(self) -> RemoteAccount:
        with self._parsing("the token's account"):
            account = parse_account(await self.reader.me(refresh=True))
        return account

    async def probe(self) -> ProbeResult:
        http_probe = await self.client.probe("/user")
        self.client.raise_for_status(http_probe.response)
        with self._parsing("the token's account"):
            account = parse_account(self.client.json(http_probe.response))
        return ProbeResult(account, http_probe.latency_ms, http_probe.tls_expires_at)
