"""The connection overview: each connection with its last sync and latest health.

One read model for the Connections screen and ``pmcockpit connect list``. Where the
token comes from needs the keyring, so :func:`pmcockpit.services.connection_setup.overview`
adds it; this module stays a plain database read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy.orm import Session

from pmcockpit.storage import connections
from pmcockpit.storage.connections import HealthFacts

__all__ = ["ConnectionOverview", "HealthFacts", "TokenWhere", "overview", "shown_url"]

TokenWhere = Literal["environment", "keyring", "missing", "unreadable", "simulated", "unknown"]
"""``unreadable``: the keyring is locked, has no backend, or refused its password."""


@dataclass(frozen=True, slots=True)
class ConnectionOverview:
    name: str
    kind: str
    url: str
    """Without any user name, password or query: safe to show."""
    last_sync_at: datetime | None
    last_sync_seconds: float | None
    last_sync_error: str | None
    health: HealthFacts | None
    token: TokenWhere = "unknown"
    """Where the token comes from (filled in by the service that may read the keyring)."""
    memberships_kept_from: datetime | None = None
    """When the project memberships a re-sync kept were read (None: the last sync read
    them, or never)."""


def shown_url(url: str) -> str:
    """``url`` without credentials or query, for rows stored before URLs were checked."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        netloc = f"{host}:{parts.port}" if parts.port else host
    except ValueError:
        return "(unreadable URL)"
    if ":" in host:
        netloc = f"[{host}]" + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def overview(session: Session) -> list[ConnectionOverview]:
    """Every connection, by name, with its newest health check."""
    health = connections.latest_health(session)
    return [
        ConnectionOverview(c.name, c.kind, shown_url(c.url), c.last_sync_at,
                           c.last_sync_seconds, c.last_sync_error,
                           HealthFacts.of(health[c.name]) if c.name in health else None,
                           memberships_kept_from=_kept(c.memberships_at, c.tickets_since))
        for c in connections.all_connections(session)
    ]


def _kept(memberships_at: datetime | None, last_mark: datetime | None) -> datetime | None:
    """Both are the tool's time at a sync (its watermark): older memberships were kept."""
    if memberships_at is None or last_mark is None or memberships_at >= last_mark:
        return None
    return memberships_at
