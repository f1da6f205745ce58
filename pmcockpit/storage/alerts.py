"""Reads and writes of the alerts' tables: notifiers, and what was sent about each problem."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pmcockpit.core.alerts import Alert
from pmcockpit.core.i18n import _
from pmcockpit.storage.models import AlertNotifier, AlertSent


class UnknownNotifier(LookupError):
    pass


class NotifierExists(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Notifier:
    name: str
    kind: str
    options: dict[str, Any]


@dataclass(frozen=True, slots=True)
class LastSent:
    state: str
    sent_at: datetime
    since: datetime


@dataclass(frozen=True, slots=True)
class SentRow:
    notifier: str
    problem: str
    what: str
    sent_at: datetime
    ok: bool
    attempts: int
    error: str | None


def add_notifier(session: Session, name: str, kind: str, options: dict[str, Any]) -> None:
    if session.scalar(select(AlertNotifier).where(AlertNotifier.name == name)) is not None:
        raise NotifierExists(_("there is already a notifier called {name}; remove it first")
                             .format(name=name))
    session.add(AlertNotifier(name=name, kind=kind, options=options))
    session.flush()


def remove_notifier(session: Session, name: str) -> None:
    row = session.scalar(select(AlertNotifier).where(AlertNotifier.name == name))
    if row is None:
        raise UnknownNotifier(name)
    session.delete(row)


def notifiers(session: Session) -> list[Notifier]:
    rows = session.scalars(select(AlertNotifier).order_by(AlertNotifier.name))
    return [Notifier(row.name, row.kind, dict(row.options)) for row in rows]


def notifier(session: Session, name: str) -> Notifier:
    for found in notifiers(session):
        if found.name == name:
            return found
    raise UnknownNotifier(name)


def last_sent(session: Session, notifier_name: str, problem: str) -> LastSent | None:
    """What was last sent (successfully) or resolved about ``problem`` to the notifier."""
    row = session.scalar(
        select(AlertSent).where(AlertSent.notifier == notifier_name,
                                AlertSent.problem == problem, AlertSent.ok.is_(True))
        .order_by(AlertSent.id.desc()).limit(1))
    return LastSent(row.state, row.sent_at, row.since) if row else None


def record(session: Session, notifier_name: str, alert: Alert, *, at: datetime, ok: bool,
           attempts: int, error: str | None = None) -> None:
    session.add(AlertSent(notifier=notifier_name, problem=alert.key, state=alert.state,
                          what=alert.what, where=alert.where, since=alert.since,
                          fix=alert.fix, sent_at=at, ok=ok, attempts=attempts, error=error))


def open_problems(session: Session, prefix: str) -> dict[tuple[str, str], str]:
    """(notifier, problem) -> last state, for problems under ``prefix`` last sent ok."""
    newest = (select(func.max(AlertSent.id)).where(AlertSent.problem.startswith(prefix),
                                                   AlertSent.ok.is_(True))
              .group_by(AlertSent.notifier, AlertSent.problem))
    rows = session.scalars(select(AlertSent).where(AlertSent.id.in_(newest)))
    return {(row.notifier, row.problem): row.state for row in rows}


def history(session: Session, limit: int = 20) -> list[SentRow]:
    rows = session.scalars(select(AlertSent).order_by(AlertSent.id.desc()).limit(limit))
    return [SentRow(r.notifier, r.problem, r.what, r.sent_at, r.ok, r.attempts, r.error)
            for r in rows]
