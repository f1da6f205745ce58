"""Open connectors for the user's real connections: the row from the database, the token
from the environment or the keyring."""

from __future__ import annotations

from pmcockpit.config import Settings
from pmcockpit.connectors.base import ConnectionConfig, Connector
from pmcockpit.connectors.registry import open_connector
from pmcockpit.connectors.tokens import TokenStore
from pmcockpit.services.workspace import ConnectorOpener, Workspace
from pmcockpit.storage import connections
from pmcockpit.storage.db import Database

ADMIN_KEY_OPTION = "admin_api_key"


def connection_config(db: Database, tokens: TokenStore, name: str) -> ConnectionConfig:
    with db.session() as session:
        row = connections.get(session, name)
        kind, url, options = row.kind, row.url, dict(row.options)
    options.pop(ADMIN_KEY_OPTION, None)  # a secret never comes from the database
    if options.get("admin_org_id") and tokens.source(admin_token_name(name)):
        # Jira's organisation admin API takes a second secret, kept like the token.
        options[ADMIN_KEY_OPTION] = tokens.get(admin_token_name(name))
    return ConnectionConfig(name=name, kind=kind, url=url, token=tokens.get(name), options=options)


def admin_token_name(name: str) -> str:
    """Where a connection's second secret (Jira's admin API key) is kept."""
    return f"{name}-admin"


def keyring_opener(db: Database, tokens: TokenStore | None = None) -> ConnectorOpener:
    store = tokens or TokenStore()

    def open_named(name: str) -> Connector:
        return open_connector(connection_config(db, store, name))

    return open_named


def real_workspace(settings: Settings, db: Database) -> Workspace:
    return Workspace(settings, db, keyring_opener(db))
