"""A small organisation in the database, at fixed times, for the cockpit's tests."""

from __future__ import annotations

from datetime import datetime, timedelta

from pmcockpit.storage.db import Database
from pmcockpit.storage.models import Account, Connection, Ticket, TicketComment

FIXED_NOW = datetime(2025, 3, 10, 9, 0)
"""Monday morning, naive UTC: every test and snapshot sees the same "now"."""


def days_ago(days: float) -> datetime:
    return FIXED_NOW - timedelta(days=days)


def hours_ago(hours: float) -> datetime:
    return FIXED_NOW - timedelta(hours=hours)


def populate(db: Database) -> None:
    """Two tools; accounts breaking review rules; tickets in every SLA state."""
    with db.session() as session:
        redmine = Connection(name="redmine-prod", kind="redmine", url="https://pm.example.org",
                             last_sync_at=hours_ago(3), last_sync_seconds=4.2)
        gitlab = Connection(name="gitlab", kind="gitlab", url="https://git.example.org",
                            last_sync_at=days_ago(2), last_sync_seconds=9.0,
                            last_sync_error="401 Unauthorized: the token has expired")
        session.add_all([redmine, gitlab])
        session.flush()
        account_rows = [
            ("r1", "alice", "Alice Admin", "active", "person", True, days_ago(200), days_ago(120)),
            ("r2", "bob", "Bob Never", "active", "person", False, days_ago(40), None),
            ("r3", "carol", "Carol Current", "active", "person", False, days_ago(300),
             days_ago(1)),
            ("r4", "ci-bot", "CI Bot", "active", "service", True, days_ago(500), None),
            ("r5", "dave", "Dave Pending", "pending", "person", False, days_ago(30), None),
            ("r6", "erin", "Erin Locked", "locked", "person", True, days_ago(400), days_ago(380)),
        ]
        for remote_id, login, name, status, kind, admin, created, last_login in account_rows:
            session.add(Account(
                connection_id=redmine.id, remote_id=remote_id, login=login, name=name,
                email=f"{login}@example.org", status=status, kind=kind, is_admin=admin,
                created_at=created, last_login_at=last_login,
            ))
        session.add(Account(connection_id=gitlab.id, remote_id="g1", login="frank",
                            name="Frank Fine", email=None, status="active", kind="person",
                            created_at=days_ago(100), last_login_at=days_ago(2)))
        tickets = [
            # key, priority, created, closed, reply hours after creation
            ("#101", "Urgent", hours_ago(9), False, None, "Cannot log in since the upgrade"),
            ("#102", "High", hours_ago(7), False, None, "Notification e-mails are not sent"),
            ("#103", "Normal", hours_ago(2), False, None, "Please add me to project [CRM]"),
            ("#104", "Normal", hours_ago(30), False, 1.0, "Export to Excel is slow"),
            ("#105", "Low", days_ago(5), True, None, "Typo on the start page"),
        ]
        for number, (key, priority, created, closed, reply_after, subject) in enumerate(tickets):
            ticket = Ticket(
                connection_id=redmine.id, remote_id=str(number), key=key, subject=subject,
                status="Closed" if closed else "New", is_closed=closed, priority=priority,
                author_remote_id="r3", created_at=created, updated_at=created,
                first_response_at=None if reply_after is None else created + timedelta(
                    hours=reply_after),  # the reply below, as a sync keeps it
            )
            session.add(ticket)
            session.flush()
            session.add(TicketComment(ticket_id=ticket.id, remote_id=f"c{number}a",
                                      author_remote_id="r3", author_name="Carol Current",
                                      body="Any news?", created_at=created + timedelta(
                                          minutes=10)))
            if reply_after is not None:
                session.add(TicketComment(
                    ticket_id=ticket.id, remote_id=f"c{number}", author_remote_id="r1",
                    author_name="Alice Admin", body="Looking into it.",
                    created_at=created + timedelta(hours=reply_after),
                ))
