"""The read queries of home, review and queue: right, the same as the pure rules, fast."""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from pmcockpit.config import Settings
from pmcockpit.core.risk import Rule, assess_account
from pmcockpit.core.sla import SlaState
from pmcockpit.core.sla_clock import ClockState
from pmcockpit.services.queue import sla_policy
from pmcockpit.storage.db import Database
from pmcockpit.storage.models import Account, Connection
from pmcockpit.storage.queries.home import HomeSummary, home_summary
from pmcockpit.storage.queries.permissions import accounts_to_review, count_accounts
from pmcockpit.storage.queries.queue import open_tickets
from tests.app.data import FIXED_NOW, days_ago


def _home(session: Session, now: datetime, settings: Settings) -> HomeSummary:
    return home_summary(session, now, inactive_days=settings.inactive_days,
                        policy=sla_policy(settings))


def test_empty_database_gives_an_empty_summary(db: Database, settings: Settings) -> None:
    with db.session() as session:
        summary = _home(session, FIXED_NOW, settings)
    assert summary.tools == ()
    assert (summary.accounts_total, summary.accounts_to_review, summary.open_tickets) == (0, 0, 0)
    assert summary.checklist_runs is None


def test_summary_of_a_small_organisation(filled_db: Database, settings: Settings) -> None:
    with filled_db.session() as session:
        summary = _home(session, FIXED_NOW, settings)
    assert [(t.name, t.accounts, t.last_sync_error is not None) for t in summary.tools] == [
        ("gitlab", 1, True), ("redmine-prod", 6, False),
    ]
    assert summary.accounts_total == 7
    assert summary.accounts_to_review == 4
    assert dict(summary.review_counts) == {
        Rule.SERVICE_ADMIN: 1, Rule.INACTIVE_ADMIN: 1, Rule.NEVER_LOGGED_IN: 1,
        Rule.NOT_ACTIVATED: 1, Rule.ADMIN_REVIEW: 1,
    }
    assert [r.login for r in summary.reviews] == ["ci-bot", "alice", "bob"]
    # #105 is closed; #104 was answered; the author's own comment is no answer. The
    # clocks are the Queue screen's: both of them, keys as the screen shows them.
    assert (summary.open_tickets, summary.sla_breached, summary.sla_at_risk) == (4, 1, 1)
    assert [(t.key, t.clocks.next.state) for t in summary.tickets_due] == [
        ("redmine-prod#101", ClockState.BREACHED), ("redmine-prod#102", ClockState.AT_RISK),
    ]


def test_open_tickets_come_most_urgent_first(filled_db: Database, settings: Settings) -> None:
    with filled_db.session() as session:
        page = open_tickets(session, FIXED_NOW, sla_hours=settings.sla_hours, limit=10)
    assert page.total == 4
    assert [(row.key, row.sla.state) for row in page.rows] == [
        ("#101", SlaState.BREACHED), ("#102", SlaState.AT_RISK), ("#103", SlaState.ON_TRACK),
        ("#104", SlaState.MET),
    ]


def _random_accounts(db: Database, count: int, seed: int) -> None:
    rng = random.Random(seed)
    with db.session() as session:
        connection = Connection(name="big", kind="redmine", url="https://big.example.org")
        silent = Connection(name="silent", kind="jira", url="https://silent.example.org")
        session.add_all([connection, silent])
        session.flush()
        rows = []
        for number in range(count):
            reports_logins = number % 10 != 0
            last_login = None
            if reports_logins and rng.random() < 0.8:
                last_login = days_ago(rng.uniform(0, 400))
            rows.append({
                "connection_id": connection.id if reports_logins else silent.id,
                "remote_id": str(number),
                "login": f"user{number}",
                "name": f"User {number}",
                "email": None,
                "status": rng.choice(["active"] * 6 + ["locked", "pending", "deactivated"]),
                "kind": "service" if rng.random() < 0.05 else "person",
                "is_admin": rng.random() < 0.03,
                "two_factor": rng.choice([None, True, False]),
                "created_at": rng.choice([None, days_ago(rng.uniform(0, 800))]),
                "last_login_at": last_login,
            })
        session.execute(insert(Account), rows)


def test_sql_counts_agree_with_the_pure_rules(db: Database, settings: Settings) -> None:
    _random_accounts(db, 3000, seed=11)
    expected: Counter[Rule] = Counter()
    flagged = 0
    with db.session() as session:
        silent_id = session.scalar(select(Connection.id).where(Connection.name == "silent"))
        for account in session.scalars(select(Account)):
            findings = assess_account(
                status=account.status, is_admin=account.is_admin, kind=account.kind,
                last_login_at=account.last_login_at, created_at=account.created_at,
                now=FIXED_NOW, inactive_days=settings.inactive_days,
                two_factor=account.two_factor,
                last_login_known=account.connection_id != silent_id,
            )
            expected.update(finding.rule for finding in findings)
            flagged += bool(findings)
        summary = _home(session, FIXED_NOW, settings)
        page = accounts_to_review(session, FIXED_NOW, inactive_days=settings.inactive_days,
                                  limit=50)
    assert dict(summary.review_counts) == dict(expected)
    assert summary.accounts_to_review == flagged == page.total
    severities = [review.severity for review in page.rows]
    assert severities == sorted(severities, reverse=True)


def test_home_summary_counts_fifty_thousand_accounts_in_sql(
    db: Database, settings: Settings
) -> None:
    """Counted by the database, not by loading rows (benchmarks/sync_scale.py times it)."""
    _random_accounts(db, 50_000, seed=3)
    with db.session() as session:
        assert count_accounts(session) == 50_000
        summary = _home(session, FIXED_NOW, settings)
    assert summary.accounts_total == 50_000
    assert 0 < summary.accounts_to_review < 50_000


def test_inactivity_limit_comes_from_the_settings(filled_db: Database) -> None:
    strict = Settings(operator="tester", inactive_days=1)
    with filled_db.session() as session:
        summary = _home(session, FIXED_NOW + timedelta(days=3), strict)
    counts = dict(summary.review_counts)
    assert counts[Rule.INACTIVE] == 2  # carol and frank last logged in days ago
