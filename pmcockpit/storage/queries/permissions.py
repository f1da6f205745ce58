"""Reads for the permission review: the accounts breaking a review rule, and who is who.

Counts run in SQL so the review stays fast at tens of thousands of accounts; only the
most severe rows come back. The rules live in :mod:`pmcockpit.core.risk`; the SQL
predicates here are their twins (tests check that both agree).

Tools name people differently (a Redmine login, a Jira accountId, a GitLab username);
the e-mail address is what they share, where the tool shows it. :func:`identities`
joins one person's accounts by it; accounts without one stay on their own: a guess
would join the wrong people.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, case, false, func, or_, select
from sqlalchemy.orm import Session

from pmcockpit.core.records import AccountKind, AccountStatus
from pmcockpit.core.risk import (
    RULE_SEVERITY,
    RiskFinding,
    Rule,
    Severity,
    assess_account,
    inactive_before,
    unused_before,
    worst,
)
from pmcockpit.storage.models import (
    Account,
    Connection,
    Group,
    GroupMember,
    Membership,
    Project,
)
from pmcockpit.storage.queries.page import Page


@dataclass(frozen=True, slots=True)
class AccountReview:
    connection: str
    login: str
    name: str
    findings: tuple[RiskFinding, ...]

    @property
    def severity(self) -> Severity:
        return worst(self.findings) or Severity.LOW


@dataclass(frozen=True, slots=True)
class ReviewSummary:
    """The review in numbers, and its most severe few."""

    accounts_total: int
    accounts_to_review: int
    """Accounts breaking at least one review rule."""
    review_counts: tuple[tuple[Rule, int], ...]
    """Accounts per rule, most severe rule first; only rules that some account breaks."""
    worst: tuple[AccountReview, ...]


def count_accounts(session: Session) -> int:
    return session.scalar(select(func.count(Account.id))) or 0


def review_summary(
    session: Session, now: datetime, *, inactive_days: int, limit: int
) -> ReviewSummary:
    """The counts per rule and the ``limit`` most severe accounts, in three queries."""
    reporting = _connections_reporting_logins(session)
    predicates = _review_predicates(now, inactive_days, reporting)
    total, to_review, counts = _review_counts(session, predicates)
    worst_rows = _worst_accounts(session, now, inactive_days, reporting, predicates, limit)
    return ReviewSummary(total, to_review, tuple(counts), tuple(worst_rows))


def accounts_to_review(
    session: Session, now: datetime, *, inactive_days: int, limit: int
) -> Page[AccountReview]:
    """Accounts breaking a review rule, most severe first: at most ``limit`` and the total."""
    summary = review_summary(session, now, inactive_days=inactive_days, limit=limit)
    return Page(summary.worst, summary.accounts_to_review)


def _connections_reporting_logins(session: Session) -> list[int]:
    """Connections with at least one recorded login; the other tools do not report logins."""
    query = select(Account.connection_id).where(Account.last_login_at.is_not(None)).distinct()
    return list(session.scalars(query))


def _review_predicates(
    now: datetime, inactive_days: int, reporting: Sequence[int]
) -> dict[Rule, ColumnElement[bool]]:
    """SQL twins of :func:`assess_account`, less the roster rules (there is no roster yet)."""
    active = Account.status == AccountStatus.ACTIVE.value
    person = Account.kind != AccountKind.SERVICE.value
    admin = Account.is_admin.is_(True)
    logins_known = Account.connection_id.in_(reporting) if reporting else false()
    inactive = and_(
        active, person, logins_known, Account.last_login_at < inactive_before(now, inactive_days)
    )
    return {
        Rule.SERVICE_ADMIN: and_(active, admin, ~person),
        Rule.ADMIN_WITHOUT_2FA: and_(active, admin, Account.two_factor.is_(False)),
        Rule.INACTIVE_ADMIN: and_(inactive, admin),
        Rule.INACTIVE: and_(inactive, ~admin),
        Rule.NEVER_LOGGED_IN: and_(
            active, person, logins_known, Account.last_login_at.is_(None),
            Account.created_at < unused_before(now),
        ),
        Rule.NOT_ACTIVATED: and_(
            Account.status == AccountStatus.PENDING.value, Account.created_at < unused_before(now)
        ),
        Rule.ADMIN_REVIEW: and_(active, person, admin),
    }


def _rules_by_severity(predicates: dict[Rule, ColumnElement[bool]]) -> list[Rule]:
    return sorted(predicates, key=lambda rule: RULE_SEVERITY[rule], reverse=True)


def _review_counts(
    session: Session, predicates: dict[Rule, ColumnElement[bool]]
) -> tuple[int, int, list[tuple[Rule, int]]]:
    """(accounts, accounts to review, accounts per rule) in one pass over the table."""
    rules = _rules_by_severity(predicates)
    columns = [func.count(Account.id), func.count(Account.id).filter(or_(*predicates.values()))]
    columns += [func.count(Account.id).filter(predicates[rule]) for rule in rules]
    total, to_review, *per_rule = session.execute(select(*columns)).one()
    counts = [(rule, count) for rule, count in zip(rules, per_rule, strict=True) if count]
    return total, to_review, counts


def _worst_accounts(
    session: Session,
    now: datetime,
    inactive_days: int,
    reporting: Sequence[int],
    predicates: dict[Rule, ColumnElement[bool]],
    limit: int,
) -> list[AccountReview]:
    # Rank by the most severe rule broken, so the LIMIT keeps the worst accounts.
    ranking = [(predicates[rule], int(RULE_SEVERITY[rule]))
               for rule in _rules_by_severity(predicates)]
    query = (
        select(Account, Connection.name)
        .join(Connection, Connection.id == Account.connection_id)
        .where(or_(*predicates.values()))
        .order_by(
            case(*ranking, else_=0).desc(),
            Account.last_login_at.asc().nulls_first(),
            Account.login,
        )
        .limit(limit)
    )
    reviews = []
    for account, connection_name in session.execute(query):
        findings = assess_account(
            status=account.status,
            is_admin=account.is_admin,
            kind=account.kind,
            last_login_at=account.last_login_at,
            created_at=account.created_at,
            now=now,
            inactive_days=inactive_days,
            two_factor=account.two_factor,
            last_login_known=account.connection_id in reporting,
        )
        if findings:
            reviews.append(
                AccountReview(connection_name, account.login, account.name, tuple(findings))
            )
    return reviews


# --- who is who ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ToolAccount:
    connection: str
    login: str
    status: str
    is_admin: bool


@dataclass(frozen=True, slots=True)
class Identity:
    key: str
    """The lower-cased e-mail, or ``connection:login`` for an account without one."""
    name: str
    accounts: tuple[ToolAccount, ...]

    @property
    def connections(self) -> list[str]:
        return sorted({a.connection for a in self.accounts})


def identities(session: Session, *, email: str | None = None) -> list[Identity]:
    """Everyone, or the person with ``email``, with their accounts in every connection."""
    key = func.lower(Account.email)
    query = (select(key, Account.name, Connection.name, Account.login, Account.status,
                    Account.is_admin)
             .join(Connection, Account.connection_id == Connection.id)
             .order_by(key, Connection.name))
    if email is not None:
        query = query.where(key == email.strip().lower())
    grouped: dict[str, tuple[str, list[ToolAccount]]] = {}
    for mail, name, connection, login, status, is_admin in session.execute(query):
        identity = mail or f"{connection}:{login}"
        grouped.setdefault(identity, (name, []))[1].append(
            ToolAccount(connection, login, status, is_admin))
    return [Identity(k, name, tuple(accounts)) for k, (name, accounts) in grouped.items()]


def in_several_tools(people: Sequence[Identity]) -> list[Identity]:
    return [p for p in people if len(p.connections) > 1]


# --- one account, for the single actions ------------------------------------------------


@dataclass(frozen=True, slots=True)
class LiveAccount:
    """One synced account with what a single action can take away."""

    connection: str
    remote_id: str
    login: str
    name: str
    email: str | None
    status: str
    is_admin: bool
    memberships: tuple[tuple[str, str], ...]
    """(membership id, project name)."""
    groups: tuple[tuple[str, str], ...]
    """(group id, group name)."""


def live_account(session: Session, connection: str, login: str) -> LiveAccount | None:
    """The account ``login`` of ``connection`` as last synced; None when there is none."""
    found = session.execute(
        select(Account, Connection.name).join(Connection, Connection.id == Account.connection_id)
        .where(Connection.name == connection, Account.login == login)).first()
    if found is None:
        return None
    account = found[0]
    memberships = session.execute(
        select(Membership.remote_id, Project.name)
        .join(Project, Project.id == Membership.project_id)
        .where(Membership.account_id == account.id).order_by(Project.name)).all()
    groups = session.execute(
        select(Group.remote_id, Group.name).join(GroupMember, GroupMember.group_id == Group.id)
        .where(GroupMember.account_id == account.id).order_by(Group.name)).all()
    return LiveAccount(connection, account.remote_id, account.login, account.name,
                       account.email, account.status, account.is_admin,
                       tuple((str(i), str(n)) for i, n in memberships),
                       tuple((str(i), str(n)) for i, n in groups))


def feishu_connections(session: Session) -> list[str]:
    """The connections that can serve as the HR roster (Feishu's directory)."""
    return list(session.scalars(select(Connection.name).where(Connection.kind == "feishu")
                                .order_by(Connection.name)))
