"""Rollouts: phases with their gates, milestones, waves and teams, change requests,
risks, training, the history of every change, and adoption snapshots.

A phase copies its plan's gate items (as JSON), so an old rollout reads the same
after its template changes. The rules live in :mod:`pmcockpit.core.rollout`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pmcockpit.core.clock import utcnow
from pmcockpit.storage.models.base import Base

_ROLLOUT_FK = "rollout.id"


class Rollout(Base):
    __tablename__ = "rollout"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    """A :class:`pmcockpit.core.rollout.RolloutKind` value."""
    plan_key: Mapped[str] = mapped_column(String(128))
    plan_name: Mapped[str] = mapped_column(String(255))
    owner: Mapped[str] = mapped_column(String(128))
    connection: Mapped[str | None] = mapped_column(String(64))
    """The first target connection's name (an upgrade's tool); None for every tool. The
    whole set is in :class:`RolloutConnection`."""
    current_version: Mapped[str | None] = mapped_column(String(64))
    """The version the upgrade starts from, as planned."""
    target_version: Mapped[str | None] = mapped_column(String(64))
    manual_version: Mapped[str | None] = mapped_column(String(64))
    """The version the administrator entered, for a tool that does not report it."""
    rollback_plan: Mapped[str] = mapped_column(Text, default="")
    break_in_months: Mapped[int] = mapped_column(default=6)
    phase_index: Mapped[int] = mapped_column(default=0)
    """The current phase's position; the number of phases once all are done."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)



class RolloutConnection(Base):
    """One of the connections a rollout targets; none: every connected tool."""

    __tablename__ = "rollout_connection"

    rollout_id: Mapped[int] = mapped_column(ForeignKey(_ROLLOUT_FK, ondelete="CASCADE"),
                                            primary_key=True)
    name: Mapped[str] = mapped_column(String(64), primary_key=True)

class RolloutPhase(Base):
    __tablename__ = "rollout_phase"
    __table_args__ = (UniqueConstraint("rollout_id", "phase_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rollout_id: Mapped[int] = mapped_column(ForeignKey(_ROLLOUT_FK, ondelete="CASCADE"))
    position: Mapped[int]
    phase_id: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(255))
    guidance: Mapped[str] = mapped_column(Text, default="")
    needs_rollback_plan: Mapped[bool] = mapped_column(default=False)
    gates: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    """The plan's gate items: id, title, guidance, check, params."""
    planned_start: Mapped[date]
    planned_end: Mapped[date]
    actual_start: Mapped[date | None]
    actual_end: Mapped[date | None]


class GateTickRow(Base):
    __tablename__ = "rollout_gate_tick"
    __table_args__ = (UniqueConstraint("phase_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    phase_id: Mapped[int] = mapped_column(ForeignKey("rollout_phase.id", ondelete="CASCADE"))
    item_id: Mapped[str] = mapped_column(String(64))
    evidence: Mapped[str] = mapped_column(Text)
    checklist_run_id: Mapped[int | None]
    by: Mapped[str] = mapped_column(String(128))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class Milestone(Base):
    __tablename__ = "rollout_milestone"

    id: Mapped[int] = mapped_column(primary_key=True)
    rollout_id: Mapped[int] = mapped_column(ForeignKey(_ROLLOUT_FK, ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(255))
    due: Mapped[date]
    done_on: Mapped[date | None]


class Wave(Base):
    __tablename__ = "rollout_wave"

    id: Mapped[int] = mapped_column(primary_key=True)
    rollout_id: Mapped[int] = mapped_column(ForeignKey(_ROLLOUT_FK, ondelete="CASCADE"))
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(16), default="not-started")
    """A :class:`pmcockpit.core.rollout.WaveStatus` value."""
    go_live: Mapped[date | None]


class Team(Base):
    """People adopting the tool together: a synced group (a roster department) or a count."""

    __tablename__ = "rollout_team"

    id: Mapped[int] = mapped_column(primary_key=True)
    rollout_id: Mapped[int] = mapped_column(ForeignKey(_ROLLOUT_FK, ondelete="CASCADE"))
    wave_id: Mapped[int | None] = mapped_column(ForeignKey("rollout_wave.id",
                                                           ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(128))
    group_name: Mapped[str | None] = mapped_column(String(255))
    """The synced group whose members are the team; None for a team defined by hand."""
    expected: Mapped[int | None]
    """People expected; None: the group's members."""


class ChangeRequest(Base):
    __tablename__ = "rollout_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    rollout_id: Mapped[int] = mapped_column(ForeignKey(_ROLLOUT_FK, ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(500))
    impact: Mapped[str] = mapped_column(String(16))
    priority: Mapped[str] = mapped_column(String(16))
    decision: Mapped[str] = mapped_column(String(16), default="pending")
    decided_by: Mapped[str | None] = mapped_column(String(128))
    reason: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime | None]
    raised_by: Mapped[str] = mapped_column(String(128))
    raised_at: Mapped[datetime] = mapped_column(default=utcnow)


class Risk(Base):
    __tablename__ = "rollout_risk"

    id: Mapped[int] = mapped_column(primary_key=True)
    rollout_id: Mapped[int] = mapped_column(ForeignKey(_ROLLOUT_FK, ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(500))
    impact: Mapped[str] = mapped_column(String(16))
    mitigation: Mapped[str] = mapped_column(Text, default="")
    closed: Mapped[bool] = mapped_column(default=False)


class TrainingSession(Base):
    __tablename__ = "rollout_training"

    id: Mapped[int] = mapped_column(primary_key=True)
    rollout_id: Mapped[int] = mapped_column(ForeignKey(_ROLLOUT_FK, ondelete="CASCADE"))
    team: Mapped[str] = mapped_column(String(128))
    held_on: Mapped[date]
    invited: Mapped[int]
    attended: Mapped[int]


class RolloutEvent(Base):
    """Every change of a rollout's state: who, when, what, and the details."""

    __tablename__ = "rollout_event"
    __table_args__ = (Index(None, "rollout_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rollout_id: Mapped[int] = mapped_column(ForeignKey(_ROLLOUT_FK, ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    by: Mapped[str] = mapped_column(String(128))
    what: Mapped[str] = mapped_column(String(32))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class AdoptionSnapshot(Base):
    """One team's adoption figures and ticket KPIs at one sync, so trends survive tool
    outages."""

    __tablename__ = "rollout_adoption"
    __table_args__ = (Index(None, "team_id", "taken_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("rollout_team.id", ondelete="CASCADE"))
    taken_at: Mapped[datetime]
    expected: Mapped[int]
    accounts: Mapped[int]
    active_7: Mapped[int]
    active_30: Mapped[int]
    tickets_created: Mapped[int | None]
    """The team's ticket KPIs at the snapshot (see :mod:`pmcockpit.core.rollout.kpis`);
    None in snapshots taken before they were kept."""
    tickets_closed: Mapped[int | None]
    tickets_open: Mapped[int | None]
    tickets_late: Mapped[int | None]


class AccountMonth(Base):
    """A month an account was seen active, kept from each sync for the monthly cohorts."""

    __tablename__ = "rollout_account_month"
    __table_args__ = (UniqueConstraint("connection_id", "remote_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("connection.id", ondelete="CASCADE"))
    remote_id: Mapped[str] = mapped_column(String(128))
    month: Mapped[str] = mapped_column(String(7))
