"""The connections a rollout targets: a chosen set, or (none chosen) every connected tool.

Adoption, the teams' ticket KPIs and the cohorts count the accounts of the targeted
connections only.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.orm import Session

from pmcockpit.storage.models.rollout import Rollout, RolloutConnection


def targets(session: Session, rollout_id: int) -> tuple[str, ...]:
    """The rollout's connections by name, sorted; empty: every tool."""
    return tuple(session.scalars(select(RolloutConnection.name).where(
        RolloutConnection.rollout_id == rollout_id).order_by(RolloutConnection.name)))


def targets_connection(connection: str) -> ColumnElement[bool]:
    """A clause on :class:`Rollout`: the rollout counts ``connection`` (it targets it, or
    every tool)."""
    chosen = select(RolloutConnection.name).where(RolloutConnection.rollout_id == Rollout.id)
    return ~exists(chosen) | exists(chosen.where(RolloutConnection.name == connection))
