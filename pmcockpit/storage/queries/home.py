"""Reads for the home view: what needs the administrator today, in a handful of queries.

The numbers come from the review and queue reads (:mod:`.permissions`, :mod:`.queue`);
this module adds the connected tools and keeps every list short enough for 24 lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pmcockpit.core.risk import Rule
from pmcockpit.core.sla_policy import SlaPolicy
from pmcockpit.storage.connections import HealthFacts, latest_health
from pmcockpit.storage.models import Account, Connection
from pmcockpit.storage.queries.home_review import ReviewGlance, review_glance
from pmcockpit.storage.queries.permissions import AccountReview, ReviewSummary, review_summary
from pmcockpit.storage.queries.queue_list import QueueRow, queue_glance
from pmcockpit.storage.queries.rollout_due import RolloutDue, due_this_week
from pmcockpit.storage.queries.sla_counts import sla_counts

HOME_LIST_LENGTH = 3
"""Rows per list on the home view: it must fit a 24-line terminal."""


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
class ChecklistRunDue:
    """A checklist run due today or overdue."""

    name: str
    due_at: datetime
    overdue: bool
    failures: int = 0
    """Failed steps of a run done today: it stays on the home view for the day."""


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
    """Open tickets with a running clock (first response or resolution) past its time."""
    sla_at_risk: int = 0
    """Open tickets with a running clock near its time (and none past it)."""
    tickets_due: tuple[QueueRow, ...] = ()
    """The most urgent few of those, as the Queue screen shows them."""
    checklist_runs: tuple[ChecklistRunDue, ...] | None = None
    """None until the checklist service has added the runs due or overdue."""
    rollouts: tuple[RolloutDue, ...] = ()
    """Struggling waves, then milestones and gates due within a week or overdue."""


def home_summary(
    session: Session, now: datetime, *, inactive_days: int, policy: SlaPolicy,
    list_length: int = HOME_LIST_LENGTH,
) -> HomeSummary:
    """Everything the home view shows but the checklist runs (a view service reads those)."""
    review: ReviewSummary | ReviewGlance | None = review_glance(session, list_length)
    if review is None:  # no open review: today's accounts, as the Permissions screen
        review = review_summary(session, now, inactive_days=inactive_days, limit=list_length)
    queue = queue_glance(session, now, policy, limit=list_length)
    breached, at_risk = sla_counts(session, now, policy)  # exact: the glance reads a page
    return HomeSummary(
        now=now,
        tools=tuple(tool_health(session)),
        accounts_total=review.accounts_total,
        accounts_to_review=review.accounts_to_review,
        review_counts=review.review_counts,
        reviews=review.worst,
        open_tickets=queue.open_tickets,
        sla_breached=breached,
        sla_at_risk=at_risk,
        tickets_due=queue.due,
        rollouts=tuple(due_this_week(session, now.date(), list_length + 1)),
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
