"""Migration 0018 keeps each ticket's first response on the ticket: tickets synced before it
get theirs from the comments already stored, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, text

from pmcockpit.storage import connections
from pmcockpit.storage.db import Database
from pmcockpit.storage.models import Ticket
from tests.storage.migrating import migrate


def test_tickets_synced_before_get_their_first_response_from_their_comments(
        database: Database) -> None:
    with database.session() as session:
        connection_id = connections.add(session, "rm", "redmine", "http://rm").id
    migrate(database, "0017")
    created = datetime(2026, 11, 2, 9, 0)
    with database.engine.begin() as connection:
        for ticket_id, author in ((1, "6"), (2, "6"), (3, None)):
            connection.execute(text(
                "INSERT INTO ticket (id, connection_id, remote_id, key, subject, description, "
                "status, is_closed, priority, author_remote_id, created_at, updated_at) "
                "VALUES (:id, :conn, :rid, :key, 's', '', 'New', false, 'High', :author, "
                ":at, :at)"), {"id": ticket_id, "conn": connection_id, "rid": str(ticket_id),
                               "key": f"#{ticket_id}", "author": author, "at": created})
        comments = [(1, "6", 10), (1, "1", 11), (1, "2", 12), (2, "6", 10), (3, "1", 13)]
        for number, (ticket_id, author, hour) in enumerate(comments):
            connection.execute(text(
                "INSERT INTO ticket_comment (ticket_id, remote_id, author_remote_id, "
                "author_name, body, created_at) VALUES (:t, :rid, :author, 'n', 'b', :at)"),
                {"t": ticket_id, "rid": f"c{number}", "author": author,
                 "at": created.replace(hour=hour)})
    migrate(database, "head")
    with database.session() as session:
        found = {ticket_id: first for ticket_id, first in session.execute(
            select(Ticket.id, Ticket.first_response_at))}
    assert found == {1: created.replace(hour=11), 2: None, 3: created.replace(hour=13)}
