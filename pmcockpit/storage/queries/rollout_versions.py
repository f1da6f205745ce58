"""Versions the tools reported at their health checks, and moves no upgrade planned."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from pmcockpit.core.rollout import RolloutKind
from pmcockpit.core.rollout.versions import VersionMove, version_moves
from pmcockpit.storage.models import Connection, HealthCheck
from pmcockpit.storage.models.rollout import Rollout


def unplanned_moves(session: Session, since: datetime) -> list[VersionMove]:
    """Each connection's version changes since ``since`` that no upgrade rollout of that
    connection targets, newest first."""
    history: dict[str, list[tuple[datetime, str]]] = {}
    for name, at, version in session.execute(
            select(Connection.name, HealthCheck.checked_at, HealthCheck.version)
            .join(HealthCheck, HealthCheck.connection_id == Connection.id)
            .where(HealthCheck.version.is_not(None), HealthCheck.checked_at >= since)
            .order_by(HealthCheck.checked_at, HealthCheck.id)):
        history.setdefault(name, []).append((at, version or ""))
    targets: dict[str, list[str]] = {}
    for connection, target in session.execute(
            select(Rollout.connection, Rollout.target_version).where(
                Rollout.kind == RolloutKind.UPGRADE.value, Rollout.target_version.is_not(None))):
        targets.setdefault(connection or "", []).append(target or "")
    moves = [move for name, seen in history.items()
             for move in version_moves(name, seen, targets.get(name, []))]
    return sorted(moves, key=lambda move: move.at, reverse=True)
