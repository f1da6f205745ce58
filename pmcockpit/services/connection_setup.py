"""Adding and removing a connection: the one procedure behind `connect add/remove` and the
Connections screen.

A new connection's name and URL are checked first (:mod:`.connection_rules`): a URL
carrying a credential is refused before anything is asked or stored. Its token is
then tried against the tool; only a token that works
is kept (in the keyring, or not at all when it comes from PMCOCKPIT_TOKEN_<NAME>),
and only then is the connection recorded. A refusal stores nothing.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field, replace
from typing import Literal

from pmcockpit.connectors.base import ConnectionConfig
from pmcockpit.connectors.errors import ConnectorError
from pmcockpit.connectors.registry import open_connector
from pmcockpit.connectors.tokens import KeyringUnavailable, TokenStore, env_token_name
from pmcockpit.core.capabilities import TOOL_KINDS as TOOL_KINDS  # re-exported for the faces
from pmcockpit.core.i18n import _
from pmcockpit.core.queue_definition import check_option
from pmcockpit.core.records import RemoteAccount
from pmcockpit.services.connection_rules import RuleBroken, check_name, check_url
from pmcockpit.services.opener import ADMIN_KEY_OPTION, admin_token_name
from pmcockpit.storage import connections
from pmcockpit.storage.db import Database
from pmcockpit.storage.queries import connections as connection_queries
from pmcockpit.storage.queries.connections import ConnectionOverview, TokenWhere


class SetupRefused(Exception):
    """The connection was not added; the message says why and what to do."""

    def __init__(self, message: str, *, usage: bool = False) -> None:
        super().__init__(message)
        self.usage = usage
        """True when what was given was wrong, rather than the tool or the keyring."""


@dataclass(frozen=True, slots=True)
class NewConnection:
    name: str
    kind: str
    url: str
    token: str = ""
    """Ignored when PMCOCKPIT_TOKEN_<NAME> is set: that one is used and never stored."""
    options: dict[str, str] = field(default_factory=dict)
    admin_key: str = ""
    """Jira's organisation admin API key: a second secret, kept like the token."""


@dataclass(frozen=True, slots=True)
class AddedConnection:
    name: str
    token_source: Literal["environment", "keyring"]
    account: RemoteAccount | None
    """Whose token it is; None when it was not tried."""

    def summary(self) -> str:
        where = (_("from {variable}, not stored").format(variable=env_token_name(self.name))
                 if self.token_source == "environment" else _("in the keyring"))
        if self.account is None:
            return _("{name} saved without trying its token ({where}).").format(
                name=self.name, where=where)
        text = (_("{name}: the token ({where}) belongs to {login}, an administrator.")
                if self.account.is_admin else
                _("{name}: the token ({where}) belongs to {login}, NOT an administrator: "
                  "reviews and actions need one."))
        return text.format(name=self.name, where=where, login=self.account.login)


def token_from_environment(name: str, tokens: TokenStore | None = None) -> bool:
    return (tokens or TokenStore()).source(name) == "environment"


def token_variable(name: str) -> str:
    """The environment variable that gives connection ``name`` its token."""
    return env_token_name(name)


def overview(db: Database, *, simulated: bool = False,
             tokens: TokenStore | None = None) -> list[ConnectionOverview]:
    """Every connection with its last sync, latest health and where its token comes from.

    Blocking (database and keyring, which may be slow or locked): call it in a thread.
    ``simulated`` (the demo) never touches the keyring."""
    with db.session() as session:
        rows = connection_queries.overview(session)
    if simulated:
        return [replace(row, token="simulated") for row in rows]
    store = tokens or TokenStore()
    unreadable = False
    located = []
    for row in rows:
        where: TokenWhere = "unreadable"
        if not unreadable:
            try:
                where = store.locate(row.name) or "missing"
            except KeyringUnavailable:
                unreadable = True  # one refusal (a wrong password costs seconds) is enough
        elif store.from_environment(row.name):
            where = "environment"
        located.append(replace(row, token=where))
    return located


async def try_token(config: ConnectionConfig) -> RemoteAccount:
    """The account the token belongs to; raises ConnectorError when the tool refuses."""
    # Building the client may read a CA bundle from disk: not on the event loop.
    connector = await asyncio.to_thread(open_connector, config)
    try:
        return await connector.current_account()
    finally:
        await connector.aclose()


def check_new_connection(db: Database, name: str, url: str) -> None:
    """SetupRefused (usage) when the name or the URL breaks a rule. Blocking (reads names)."""
    try:
        check_url(url)
        with db.session() as session:
            existing = connections.names(session)
        check_name(name, existing)
    except RuleBroken as error:
        raise SetupRefused(str(error), usage=True) from None


async def add_connection(
    db: Database, new: NewConnection, *, tokens: TokenStore | None = None, test: bool = True
) -> AddedConnection:
    await asyncio.to_thread(check_new_connection, db, new.name, new.url)
    store = tokens or TokenStore()
    if ADMIN_KEY_OPTION in new.options:
        raise SetupRefused(_("secrets are not options (options are stored in the database): "
                             "give the admin API key as the admin key"), usage=True)
    from_env = await asyncio.to_thread(token_from_environment, new.name, store)
    token = await asyncio.to_thread(store.get, new.name) if from_env else new.token.strip()
    if not token:
        raise SetupRefused(_("the API token is empty: give it, or set {variable}").format(
            variable=env_token_name(new.name)), usage=True)
    options = {**new.options, ADMIN_KEY_OPTION: new.admin_key} if new.admin_key else new.options
    config = ConnectionConfig(new.name, new.kind, new.url.rstrip("/"), token, options)
    account = None
    if test:
        try:
            account = await try_token(config)
        except ConnectorError as error:
            raise SetupRefused(_("The tool refused: {error}. Nothing was stored.").format(
                error=error)) from error
    if not from_env:
        try:
            await asyncio.to_thread(store.set, new.name, token)
            if new.admin_key:
                await asyncio.to_thread(store.set, admin_token_name(new.name), new.admin_key)
        except KeyringUnavailable as error:
            raise SetupRefused(_("{error}. Nothing was stored.").format(error=error)) from error
    await asyncio.to_thread(_save_row, db, new.name, new.kind, config.url, new.options)
    return AddedConnection(new.name, "environment" if from_env else "keyring", account)


def _save_row(db: Database, name: str, kind: str, url: str, options: dict[str, str]) -> None:
    with db.session() as session:
        connections.add(session, name, kind, url, options)


def remove_connection(db: Database, name: str, tokens: TokenStore | None = None) -> str | None:
    """Remove the connection, its synced data and its secrets. Blocking: call it in a thread.

    Returns why the keyring could not forget the secrets, or None when all went.
    """
    with db.session() as session:
        connections.remove(session, name)
    store = tokens or TokenStore()
    try:
        for secret in (name, admin_token_name(name)):
            store.delete(secret)
    except KeyringUnavailable as error:
        return str(error)
    return None


def queue_options(db: Database, name: str) -> tuple[str, dict[str, str]]:
    """(kind, the ``queue.…`` options) of connection ``name``."""
    with db.session() as session:
        connection = connections.get(session, name)
        return connection.kind, {k: str(v) for k, v in connection.options.items()
                                 if k.startswith("queue.")}


def set_queue_options(db: Database, name: str, values: dict[str, str]) -> None:
    """Set several ``queue.…`` options at once: all of them, or none (SetupRefused)."""
    kind, _current = queue_options(db, name)
    for key, value in values.items():
        problem = check_option(kind, key, value.strip())
        if problem:
            raise SetupRefused(problem, usage=True)
    for key, value in values.items():
        set_queue_option(db, name, key, value)


def set_queue_option(db: Database, name: str, key: str, value: str) -> None:
    """Set (or, with an empty value, clear) one ``queue.…`` option of connection ``name``."""
    with db.session() as session:
        connection = connections.get(session, name)
        problem = check_option(connection.kind, key, value.strip())
        if problem:
            raise SetupRefused(problem, usage=True)
        options = {k: v for k, v in connection.options.items() if k != key}
        if value.strip():
            options[key] = value.strip()
        connection.options = options
