"""The alerts' tables: the notifiers (no URL or secret: those are in the keyring) and
every message sent or tried, which is also how repeats are grouped."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from pmcockpit.core.clock import utcnow
from pmcockpit.storage.models.base import Base


class AlertNotifier(Base):
    __tablename__ = "alert_notifier"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    options: Mapped[dict[str, Any]]
    """E-mail: ``to``, ``smtp_host``, ``smtp_port``, ``sender``, ``username``."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AlertSent(Base):
    __tablename__ = "alert_sent"
    __table_args__ = (Index(None, "notifier", "problem", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notifier: Mapped[str] = mapped_column(String(64))
    problem: Mapped[str] = mapped_column(String(255))
    """The alert's key: one problem keeps it while it lasts."""
    state: Mapped[str] = mapped_column(String(255))
    what: Mapped[str] = mapped_column(Text)
    where: Mapped[str] = mapped_column(Text)
    since: Mapped[datetime]
    fix: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    ok: Mapped[bool]
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text)
