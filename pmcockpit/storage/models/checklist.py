"""Checklist runs and their steps: the evidence that each routine was carried out.

A run is one template's pass through one period (unique per template key and
period key). Its steps copy the template's titles, so an old run reads the same
after the template changes, and keep each step's evidence: the state, the note,
the check's result and who recorded it when. The rules live in
:mod:`pmcockpit.core.checklist.runs`; :mod:`pmcockpit.storage.checklist_runs`
maps these rows to and from its values.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pmcockpit.core.clock import utcnow
from pmcockpit.storage.models.base import Base


class ChecklistRun(Base):
    __tablename__ = "checklist_run"
    __table_args__ = (
        UniqueConstraint("template_key", "period_key"),
        Index(None, "period_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    template_key: Mapped[str] = mapped_column(String(128))
    template_name: Mapped[str] = mapped_column(String(255))
    """The template's name when the run was opened."""
    recurrence: Mapped[str] = mapped_column(String(16))
    """A :class:`pmcockpit.core.checklist.RecurrenceKind` value."""
    period_key: Mapped[str] = mapped_column(String(32))
    period_start: Mapped[date]
    period_end: Mapped[date]
    period_due: Mapped[date]
    due_time: Mapped[time | None]
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None]
    operator: Mapped[str] = mapped_column(String(128))
    """Who opened the run."""

    steps: Mapped[list[ChecklistStep]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="ChecklistStep.position",
        lazy="selectin",
    )


class ChecklistStep(Base):
    __tablename__ = "checklist_step"
    __table_args__ = (UniqueConstraint("run_id", "step_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("checklist_run.id", ondelete="CASCADE"))
    position: Mapped[int]
    step_id: Mapped[str] = mapped_column(String(128))
    title: Mapped[str] = mapped_column(String(500))
    check_name: Mapped[str | None] = mapped_column(String(64))
    """The automated check; None for a manual step."""
    state: Mapped[str] = mapped_column(String(16), default="pending")
    """A :class:`pmcockpit.core.checklist.StepState` value."""
    note: Mapped[str] = mapped_column(Text, default="")
    result_status: Mapped[str | None] = mapped_column(String(16))
    """A :class:`pmcockpit.core.checklist.CheckStatus` value, once the check ran."""
    result_value: Mapped[str | None] = mapped_column(String(255))
    result_message: Mapped[str | None] = mapped_column(Text)
    check_params: Mapped[dict[str, Any] | None]
    """The parameters the check was measured with."""
    measured_at: Mapped[datetime | None]
    updated_at: Mapped[datetime | None]
    operator: Mapped[str | None] = mapped_column(String(128))
    """Who last changed the step: ran its check, marked it, or wrote its note."""
