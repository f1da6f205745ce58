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


def connection_config(db: Database, tokens: TokenStore, name: str) -> ConnectionConfig:
    with db.session() as session:
        row = connections.get(session, name)
        kind, url, options = row.kind, row.url, dict(row.options)
    return ConnectionConfig(name=name, kind=kind, url=url, token=tokens.get(name), options=options)


def keyring_opener(db: Database, tokens: TokenStore | None = None) -> ConnectorOpener:
    store = tokens or TokenStore()

    def open_named(name: str) -> Connector:
        return open_connector(connection_config(db, store, name))

    return open_named


def real_workspace(settings: Settings, db: Database) -> Workspace:
    return Workspace(settings, db, keyring_opener(db))
