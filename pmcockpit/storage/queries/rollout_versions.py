"""Versions the tools reported at their health checks, moves no upgrade planned, and
what the rollouts say of each connection's version (its drift), for the screens outside
the Rollout screen (Connections, home)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pmcockpit.core.rollout import Drift, RolloutKind
from pmcockpit.core.rollout.versions import VersionMove, version_moves
from pmcockpit.storage.models import Connection, HealthCheck
from pmcockpit.storage.models.rollout import Rollout, RolloutPhase
from pmcockpit.storage.queries.rollout import VersionView, version_view
from pmcockpit.storage.queries.rollout_targets import targets as chosen_targets


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
    for rollout_id, connection, target in session.execute(
            select(Rollout.id, Rollout.connection, Rollout.target_version).where(
                Rollout.kind == RolloutKind.UPGRADE.value, Rollout.target_version.is_not(None))):
        for name in chosen_targets(session, rollout_id) or (connection or "",):
            targets.setdefault(name, []).append(target or "")
    moves = [move for name, seen in history.items()
             for move in version_moves(name, seen, targets.get(name, []))]
    return sorted(moves, key=lambda move: move.at, reverse=True)


@dataclass(frozen=True, slots=True)
class VersionNote:
    """What the rollouts say about one connection's version, for the screens that list
    connections: the open upgrade planned for it, and a move no upgrade planned."""

    connection: str
    upgrade: str | None
    """The open upgrade rollout of the connection, by name; None for none."""
    version: VersionView | None
    move: VersionMove | None
    """The newest version change since ``since`` that no upgrade planned."""

    @property
    def drifted(self) -> bool:
        """The tool moved off its plan, or moved without one."""
        return self.move is not None or (
            self.version is not None and self.version.drift is Drift.OFF_PLAN)


def version_notes(session: Session, since: datetime) -> dict[str, VersionNote]:
    """Per connection with an open upgrade or an unplanned move since ``since``."""
    notes: dict[str, VersionNote] = {}
    for rollout in session.scalars(select(Rollout).where(
            Rollout.kind == RolloutKind.UPGRADE.value, Rollout.connection.is_not(None))
            .order_by(Rollout.created_at, Rollout.id)):
        phases = session.scalar(select(func.count(RolloutPhase.id)).where(
            RolloutPhase.rollout_id == rollout.id)) or 0
        if rollout.phase_index < phases and rollout.connection is not None:
            for name in chosen_targets(session, rollout.id) or (rollout.connection,):
                notes[name] = VersionNote(name, rollout.name,
                                          version_view(session, rollout, name), None)
    for move in unplanned_moves(session, since):
        known = notes.get(move.connection)
        if known is None:
            notes[move.connection] = VersionNote(move.connection, None, None, move)
        elif known.move is None:
            notes[move.connection] = replace(known, move=move)
    return notes
