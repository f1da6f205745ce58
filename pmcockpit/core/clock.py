"""Time as pmcockpit keeps it: naive UTC in the database, local wall-clock time on screen."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Now, as the database keeps times: naive UTC (SQLite keeps no zone)."""
    return datetime.now(UTC).replace(tzinfo=None)


def to_utc(moment: datetime) -> datetime:
    """Local wall-clock time (naive) or an aware time, as the database's naive UTC."""
    return moment.astimezone(UTC).replace(tzinfo=None)


def to_local(moment: datetime) -> datetime:
    """The database's naive UTC as local wall-clock time (naive)."""
    return moment.replace(tzinfo=UTC).astimezone().replace(tzinfo=None)
