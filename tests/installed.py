"""Tests that need an installation older than today: the checklist counts a never-run
checklist due from the day of install (a fresh database is not overdue on anything)."""

from __future__ import annotations

from datetime import date, datetime, time

from pmcockpit.storage.db import Database
from pmcockpit.storage.models import ChecklistRun


def installed_on(db: Database, day: date = date(2023, 1, 2)) -> None:
    """Record ``day`` as the installation's first: one old run of no current checklist."""
    with db.session() as session:
        session.add(ChecklistRun(
            template_key="(installed)", template_name="-", recurrence="daily",
            period_key=day.isoformat(), period_start=day, period_end=day, period_due=day,
            due_time=None, started_at=datetime.combine(day, time()), operator="tests"))
