"""Connections to tools: the rows, their sync records and their health history."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from pmcockpit.core.clock import utcnow
from pmcockpit.storage.models import Connection, HealthCheck


class UnknownConnection(LookupError):
    def __init__(self, name: str, known: Sequence[str]) -> None:
        listing = ", ".join(known) if known else "none yet"
        super().__init__(f"no connection named {name!r} (connections: {listing}); "
                         "add one with `pmcockpit connect add`")
        self.name = name


def get(session: Session, name: str) -> Connection:
    connection = session.scalars(select(Connection).where(Connection.name == name)).first()
    if connection is None:
        raise UnknownConnection(name, names(session))
    return connection


def names(session: Session) -> list[str]:
    return list(session.scalars(select(Connection.name).order_by(Connection.name)))


def all_connections(session: Session) -> Sequence[Connection]:
    return session.scalars(select(Connection).order_by(Connection.name)).all()


def add(
    session: Session, name: str, kind: str, url: str, options: Mapping[str, str] | None = None
) -> Connection:
    """Create or update the connection called ``name``."""
    connection = session.scalars(select(Connection).where(Connection.name == name)).first()
    if connection is None:
        connection = Connection(name=name, kind=kind, url=url, options=dict(options or {}))
        session.add(connection)
    else:
        connection.kind, connection.url = kind, url
        connection.options = dict(options or {})
    session.flush()
    return connection


def remove(session: Session, name: str) -> None:
    session.delete(get(session, name))


def record_sync(
    session: Session, name: str, *, seconds: float, error: str | None,
    at: datetime | None = None,
) -> None:
    """A failed sync keeps the previous ``last_sync_at``: the data is still that old."""
    connection = get(session, name)
    if error is None:
        connection.last_sync_at = at or utcnow()
        connection.last_sync_seconds = seconds
    connection.last_sync_error = error


@dataclass(frozen=True, slots=True)
class HealthFacts:
    reachable: bool
    authenticated: bool
    is_admin: bool | None = None
    latency_ms: float | None = None
    version: str | None = None
    tls_expires_at: datetime | None = None
    error: str | None = None
    checked_at: datetime | None = None

    @classmethod
    def of(cls, check: HealthCheck) -> HealthFacts:
        return cls(check.reachable, check.authenticated, check.is_admin, check.latency_ms,
                   check.version, check.tls_expires_at, check.error, check.checked_at)


def record_health(session: Session, name: str, facts: HealthFacts) -> HealthCheck:
    check = HealthCheck(
        connection_id=get(session, name).id, checked_at=facts.checked_at or utcnow(),
        reachable=facts.reachable, authenticated=facts.authenticated, is_admin=facts.is_admin,
        latency_ms=facts.latency_ms, version=facts.version,
        tls_expires_at=facts.tls_expires_at, error=facts.error,
    )
    session.add(check)
    session.flush()
    return check


def latest_health(session: Session) -> dict[str, HealthCheck]:
    """The newest health check of every connection, by connection name."""
    newest = (
        select(HealthCheck.connection_id, func.max(HealthCheck.id).label("id"))
        .group_by(HealthCheck.connection_id).subquery()
    )
    rows = session.execute(
        select(Connection.name, HealthCheck)
        .join(HealthCheck, HealthCheck.connection_id == Connection.id)
        .join(newest, newest.c.id == HealthCheck.id)
    ).all()
    return dict(rows)


def availability(
    session: Session, name: str, since: datetime, until: datetime | None = None
) -> float | None:
    """Share of health checks in the window that found the tool up; None without checks."""
    connection = get(session, name)
    up = case((HealthCheck.reachable & HealthCheck.authenticated, 1), else_=0)
    query = select(func.count(), func.sum(up)).where(
        HealthCheck.connection_id == connection.id, HealthCheck.checked_at >= since
    )
    if until is not None:
        query = query.where(HealthCheck.checked_at < until)
    total, up = session.execute(query).one()
    return (up or 0) / total if total else None
