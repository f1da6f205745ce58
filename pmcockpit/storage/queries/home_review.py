"""The home view's "Accounts to review" while a review is open: the same people, in the
same order and with the same severities as the Permissions screen shows them (the
review's per-person sums, roster rules included: a leaver still active is critical and
comes before an admin to confirm). Without an open review both read today's accounts
(:func:`pmcockpit.storage.queries.permissions.review_summary`)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pmcockpit.core.risk import RULE_SEVERITY, RiskFinding, Rule, Severity
from pmcockpit.storage.models import ReviewItem, ReviewPerson
from pmcockpit.storage.queries.permissions import AccountReview
from pmcockpit.storage.queries.review import ReviewFilter, open_review, people


@dataclass(frozen=True, slots=True)
class ReviewGlance:
    review_id: int
    accounts_total: int
    accounts_to_review: int
    review_counts: tuple[tuple[Rule, int], ...]
    """Accounts per rule, most severe rule first."""
    worst: tuple[AccountReview, ...]
    """The first people of the Permissions screen's list (with findings), one line each:
    their tools as ``connection``, their name as ``login``, their rules worst first."""


def review_glance(session: Session, limit: int) -> ReviewGlance | None:
    """The open review at a glance; None when no review is open."""
    review_id = open_review(session)
    if review_id is None:
        return None
    line = ReviewPerson
    total, flagged = session.execute(
        select(func.coalesce(func.sum(line.accounts), 0),
               func.coalesce(func.sum(line.findings), 0))
        .where(line.review_id == review_id)).one()
    counts: Counter[Rule] = Counter()
    for findings in session.scalars(select(ReviewItem.findings).where(
            ReviewItem.review_id == review_id, ReviewItem.severity > 0)):
        counts.update({Rule(f["rule"]) for f in findings.get("found", [])
                       if f.get("rule") in Rule._value2member_map_})
    ordered = sorted(counts.items(), key=lambda item: (-RULE_SEVERITY[item[0]], item[0]))
    page = people(session, review_id, ReviewFilter(), limit=limit)
    worst = tuple(
        AccountReview(", ".join(person.tools), person.name or person.person, person.person,
                      tuple(_finding(rule) for rule in person.rules
                            if rule in Rule._value2member_map_))
        for person in page.rows if person.severity > 0 and person.rules)
    return ReviewGlance(review_id, int(total), int(flagged), tuple(ordered), worst)


def _finding(rule: str) -> RiskFinding:
    known = Rule(rule)
    return RiskFinding(known, Severity(RULE_SEVERITY[known]), "")
