"""The queue's text filter, on SQLite and PostgreSQL alike: any case, in the subject, key
or description, a typed % or _ taken literally, and phone requests filtered the same way."""

from __future__ import annotations

from datetime import timedelta

from pmcockpit.core.clock import utcnow
from pmcockpit.core.queue_filter import parse_filter
from pmcockpit.core.sla_policy import SlaPolicy
from pmcockpit.storage import connections
from pmcockpit.storage.db import Database
from pmcockpit.storage.models import LocalTicket, Ticket
from pmcockpit.storage.queries.queue_list import queue_rows

SUBJECTS = {"1": ("VPN drops every hour", ""), "2": ("Login fails", "after the vpn update"),
            "3": ("CPU at 100% on the wiki", ""), "4": ("mail_relay bounces", ""),
            "5": ("Mail-relay quota", ""), "6": ("项目权限申请", "需要 Apollo 项目的开发者角色")}


def _fill(database: Database) -> None:
    created = utcnow() - timedelta(hours=2)
    with database.session() as session:
        conn = connections.add(session, "rm", "redmine", "http://rm.invalid")
        for remote_id, (subject, description) in SUBJECTS.items():
            session.add(Ticket(connection_id=conn.id, remote_id=remote_id, key=f"#{remote_id}",
                               subject=subject, description=description, status="New",
                               is_closed=False, priority="Normal", author_remote_id="1",
                               created_at=created, updated_at=created))
        session.add(LocalTicket(subject="Need VPN access", requester="Wang Fang",
                                priority="High", description="", created_at=created))


def _keys(database: Database, typed: str) -> list[str]:
    with database.session() as session:
        rows, total = queue_rows(session, utcnow(), SlaPolicy({}, {}), parse_filter(typed))
    assert total == len(rows)
    return sorted(row.key for row in rows)


def test_text_matches_any_case_in_subject_key_or_description(database: Database) -> None:
    _fill(database)
    assert _keys(database, "vpn") == ["local#1", "rm#1", "rm#2"]
    assert _keys(database, "LOGIN") == ["rm#2"]
    assert _keys(database, "#3") == ["rm#3"]
    assert _keys(database, "apollo") == ["rm#6"]
    assert _keys(database, "权限") == ["rm#6"]


def test_percent_and_underscore_are_taken_literally(database: Database) -> None:
    _fill(database)
    assert _keys(database, "100%") == ["rm#3"]
    assert _keys(database, "l_r") == ["rm#4"], "not Mail-relay: _ is not a wildcard"
    assert _keys(database, "%") == ["rm#3"]
