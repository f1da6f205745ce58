"""Read-only queries behind the cockpit's views: what needs the administrator today.

Counts and aggregates run in SQL so the home view stays fast at tens of thousands
of accounts; only short lists come back as rows. The review and service-level
rules live in :mod:`pmcockpit.core.risk` and :mod:`pmcockpit.core.sla`; the SQL
predicates here are their twins (tests check that both agree).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Generic, TypeVar

from sqlalchemy import ColumnElement, Subquery, and_, case, false, func, or_, select
from sqlalchemy.orm import Session

from pmcockpit.config import Settings
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
from pmcockpit.core.sla import SlaState, SlaStatus, sla_hours_for, sla_status, waiting_cutoffs
from pmcockpit.storage.connections import HealthFacts, latest_health
from pmcockpit.storage.models import Account, Connection, Ticket, TicketComment

HOME_LIST_LENGTH = 3
"""Rows per list on the home view: it must fit a 24-line terminal."""

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ToolHealth:
    name: str
    kind: str
    url: str
    accounts: int
    last_sync_at: datetime | None
    last_sync_error: str | None
    health: HealthFacts | None = None
    """The newest health check; None before the first."""

    @property
    def down(self) -> bool:
        """Unreachable or refusing the token at the last check."""
        return self.health is not None and not (self.health.reachable
                                                and self.health.authenticated)


@dataclass(frozen=True, slots=True)
class TicketRow:
    connection: str
    key: str
    subject: str
    priority: str
    status: str
    created_at: datetime
    sla: SlaStatus


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
class ChecklistRunDue:
    """A checklist run due today or overdue (filled when checklists arrive)."""

    name: str
    due_at: datetime
    overdue: bool


@dataclass(frozen=True, slots=True)
class RolloutMilestone:
    """A rollout milestone this week (filled when the rollout tracker arrives)."""

    rollout: str
    milestone: str
    due_on: date


@dataclass(frozen=True, slots=True)
class HomeSummary:
    now: datetime
    tools: tuple[ToolHealth, ...] = ()
    accounts_total: int = 0
    accounts_to_review: int = 0
    """Accounts breaking at least one review rule."""
    review_counts: tuple[tuple[Rule, int], ...] = ()
    """Accounts per rule, most severe rule first; only rules that some account breaks."""
    reviews: tuple[AccountReview, ...] = ()
    """The most severe few."""
    open_tickets: int = 0
    sla_breached: int = 0
    """Open tickets still waiting for a first response after it was due."""
    sla_at_risk: int = 0
    """Open tickets still waiting, with less than a quarter of their time left."""
    tickets_due: tuple[TicketRow, ...] = ()
    """The most overdue few of the waiting tickets."""
    checklist_runs: tuple[ChecklistRunDue, ...] | None = None
    """None until the checklist tables exist; then the runs due or overdue."""
    rollout_milestones: tuple[RolloutMilestone, ...] | None = None
    """None until the rollout tables exist; then this week's milestones."""


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """The first rows of a longer list, and how long the list is."""

    rows: tuple[T, ...]
    total: int


def home_summary(session: Session, now: datetime, settings: Settings) -> HomeSummary:
    """Everything the home view shows, in a handful of aggregate queries."""
    tools = tool_health(session)
    reporting = _connections_reporting_logins(session)
    predicates = _review_predicates(now, settings.inactive_days, reporting)
    accounts_total, to_review, review_counts = _review_counts(session, predicates)
    reviews = _worst_accounts(session, now, settings, reporting, predicates, HOME_LIST_LENGTH)
    open_tickets, breached, at_risk = _ticket_counts(session, now, settings)
    return HomeSummary(
        now=now,
        tools=tuple(tools),
        accounts_total=accounts_total,
        accounts_to_review=to_review,
        review_counts=tuple(review_counts),
        reviews=tuple(reviews),
        open_tickets=open_tickets,
        sla_breached=breached,
        sla_at_risk=at_risk,
        tickets_due=tuple(_most_overdue(session, now, settings, HOME_LIST_LENGTH)),
    )


def tool_health(session: Session) -> list[ToolHealth]:
    query = (
        select(Connection, func.count(Account.id))
        .outerjoin(Account, Account.connection_id == Connection.id)
        .group_by(Connection.id)
        .order_by(Connection.name)
    )
    health = latest_health(session)
    return [
        ToolHealth(c.name, c.kind, c.url, accounts, c.last_sync_at, c.last_sync_error,
                   HealthFacts.of(health[c.name]) if c.name in health else None)
        for c, accounts in session.execute(query)
    ]


# --- accounts -------------------------------------------------------------------------


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


def count_accounts(session: Session) -> int:
    return session.scalar(select(func.count(Account.id))) or 0


def count_connections(session: Session) -> int:
    return session.scalar(select(func.count(Connection.id))) or 0


def accounts_to_review(
    session: Session, now: datetime, settings: Settings, *, limit: int
) -> Page[AccountReview]:
    """Accounts breaking a review rule, most severe first: at most ``limit`` and the total."""
    reporting = _connections_reporting_logins(session)
    predicates = _review_predicates(now, settings.inactive_days, reporting)
    _accounts, to_review, _per_rule = _review_counts(session, predicates)
    rows = _worst_accounts(session, now, settings, reporting, predicates, limit)
    return Page(tuple(rows), to_review)


def _worst_accounts(
    session: Session,
    now: datetime,
    settings: Settings,
    reporting: Sequence[int],
    predicates: dict[Rule, ColumnElement[bool]],
    limit: int,
) -> list[AccountReview]:
    # Rank by the most severe rule broken, so the LIMIT keeps the worst accounts.
    ranking = [(predicates[rule], int(RULE_SEVERITY[rule])) for rule in _rules_by_severity(
        predicates)]
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
            inactive_days=settings.inactive_days,
            two_factor=account.two_factor,
            last_login_known=account.connection_id in reporting,
        )
        if findings:
            reviews.append(
                AccountReview(connection_name, account.login, account.name, tuple(findings))
            )
    return reviews


# --- tickets --------------------------------------------------------------------------


def _first_responses() -> Subquery:
    """Per open ticket, when someone other than its author first commented."""
    return (
        select(TicketComment.ticket_id, func.min(TicketComment.created_at).label("at"))
        .join(Ticket, Ticket.id == TicketComment.ticket_id)
        .where(
            Ticket.is_closed.is_(False),
            TicketComment.author_remote_id.is_distinct_from(Ticket.author_remote_id),
        )
        .group_by(TicketComment.ticket_id)
        .subquery("first_response")
    )


def _open_priorities(session: Session) -> list[str]:
    query = select(Ticket.priority).where(Ticket.is_closed.is_(False)).distinct()
    return list(session.scalars(query))


def _ticket_counts(session: Session, now: datetime, settings: Settings) -> tuple[int, int, int]:
    """(open tickets, waiting and breached, waiting and at risk), as :func:`sla_status` says."""
    breached: list[ColumnElement[bool]] = []
    late_soon: list[ColumnElement[bool]] = []
    for priority in _open_priorities(session):
        hours = sla_hours_for(priority, settings.sla_hours)
        if hours is None:
            continue
        breached_before, at_risk_before = waiting_cutoffs(now, hours)
        breached.append(and_(Ticket.priority == priority, Ticket.created_at < breached_before))
        late_soon.append(and_(Ticket.priority == priority, Ticket.created_at < at_risk_before))
    first = _first_responses()
    waiting = first.c.at.is_(None)
    is_breached = and_(waiting, or_(false(), *breached))
    is_at_risk = and_(waiting, or_(false(), *late_soon), ~or_(false(), *breached))
    query = (
        select(
            func.count(Ticket.id),
            func.count(Ticket.id).filter(is_breached),
            func.count(Ticket.id).filter(is_at_risk),
        )
        .outerjoin(first, first.c.ticket_id == Ticket.id)
        .where(Ticket.is_closed.is_(False))
    )
    open_count, breached_count, at_risk_count = session.execute(query).one()
    return open_count, breached_count, at_risk_count


def _ticket_rows(
    session: Session,
    now: datetime,
    settings: Settings,
    *,
    limit: int,
    priority: str | None = None,
    waiting_only: bool = False,
) -> list[TicketRow]:
    """The oldest open tickets (of one priority, or waiting only), with their SLA state."""
    first = _first_responses()
    query = (
        select(Ticket, Connection.name, first.c.at)
        .join(Connection, Connection.id == Ticket.connection_id)
        .outerjoin(first, first.c.ticket_id == Ticket.id)
        .where(Ticket.is_closed.is_(False))
        .order_by(Ticket.created_at, Ticket.id)
        .limit(limit)
    )
    if priority is not None:
        query = query.where(Ticket.priority == priority)
    if waiting_only:
        query = query.where(first.c.at.is_(None))
    rows = []
    for ticket, connection_name, first_response_at in session.execute(query):
        sla = sla_status(
            priority=ticket.priority,
            created_at=ticket.created_at,
            first_response_at=first_response_at,
            is_closed=ticket.is_closed,
            now=now,
            sla_hours=settings.sla_hours,
        )
        rows.append(TicketRow(connection_name, ticket.key, ticket.subject, ticket.priority,
                              ticket.status, ticket.created_at, sla))
    return rows


def _due_order(row: TicketRow) -> datetime:
    return row.sla.due_at or datetime.max


def _most_overdue(
    session: Session, now: datetime, settings: Settings, limit: int
) -> list[TicketRow]:
    """The waiting tickets that were due first, late or nearly late."""
    # Within one priority the oldest waiting tickets are the ones due first.
    candidates: list[TicketRow] = []
    for priority in _open_priorities(session):
        rows = _ticket_rows(session, now, settings, limit=limit, priority=priority,
                            waiting_only=True)
        candidates += [row for row in rows if row.sla.needs_attention]
    return sorted(candidates, key=_due_order)[:limit]


_URGENCY = {SlaState.BREACHED: 0, SlaState.AT_RISK: 1, SlaState.ON_TRACK: 2,
            SlaState.NO_SLA: 3, SlaState.MET: 4}


def _queue_order(row: TicketRow) -> tuple[bool, int, datetime]:
    """Waiting tickets first, late before at risk before on track; then answered ones."""
    return row.sla.remaining is None, _URGENCY[row.sla.state], _due_order(row)


def open_tickets(
    session: Session, now: datetime, settings: Settings, *, limit: int
) -> Page[TicketRow]:
    """The oldest ``limit`` open tickets, most urgent first, and how many are open."""
    total = session.scalar(select(func.count(Ticket.id)).where(Ticket.is_closed.is_(False)))
    rows = sorted(_ticket_rows(session, now, settings, limit=limit), key=_queue_order)
    return Page(tuple(rows), total or 0)
