"""What the review screen shows, read in one go: the open review, its lead line, the
page of people under the filter, the drift since the last review, and the choices for
the filters."""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy.orm import Session
from textual.message import Message

from pmcockpit.core.i18n import N_, _, ngettext
from pmcockpit.core.review import DECISION_LABELS, Decision, Drift
from pmcockpit.core.risk import RULE_LABELS, Rule, Severity
from pmcockpit.storage.queries.page import Page
from pmcockpit.storage.queries.review import (
    PersonLine,
    ReviewFilter,
    ReviewRow,
    choices,
    drift_since_previous,
    get_review,
    kept_drift,
    open_review,
    people,
    progress,
)


@dataclass(frozen=True, slots=True)
class ReviewView:
    review: ReviewRow
    page: Page[PersonLine]
    decided: int
    to_decide: int
    drift: Drift | None
    tools: tuple[str, ...]
    departments: tuple[str, ...]
    drift_known: bool = True
    """False until the drift, read apart (it compares two whole snapshots), is in."""

    def lead(self) -> str:
        lead = _("Review {id} of {when}: {decided}/{total} decided, {shown}").format(
            id=self.review.id, when=f"{self.review.started_at:%Y-%m-%d %H:%M}",
            decided=self.decided, total=self.to_decide,
            shown=ngettext("{count} person shown", "{count} people shown",
                           self.page.total).format(count=self.page.total))
        drift = self.drift
        if drift is not None and not drift.empty:
            lead += _("; since review {previous}: {changes}").format(
                previous=self.review.previous_id, changes=drift_words(drift))
        return lead


def drift_words(drift: Drift) -> str:
    """"3 new accounts, 1 new admin, +4/-2 access": the drift in one phrase."""
    new, admins = len(drift.new_accounts), len(drift.new_admins)
    return ", ".join([
        ngettext("{count} new account", "{count} new accounts", new).format(count=new),
        ngettext("{count} new admin", "{count} new admins", admins).format(count=admins),
        _("+{added}/-{removed} access").format(added=len(drift.access_added),
                                               removed=len(drift.access_removed))])


class ReviewLoaded(Message):
    def __init__(self, view: ReviewView, wanted: ReviewFilter,
                 people_only: bool = False) -> None:
        super().__init__()
        self.view, self.wanted, self.people_only = view, wanted, people_only
        """The filter it was read for; ``people_only``: only the people were read, the
        accounts already shown are still current."""


class DriftRead(Message):
    def __init__(self, review_id: int, drift: Drift | None) -> None:
        super().__init__()
        self.review_id, self.drift = review_id, drift


def read_review(session: Session, wanted: ReviewFilter, *, limit: int,
                known: ReviewView | None = None, people_only: bool = False
                ) -> ReviewView | None:
    """The open review as the screen shows it; None when no review is open. What does
    not change while a review is open (its tools, departments, drift) comes from
    ``known`` when it is the same review; ``people_only`` reads just the people."""
    review_id = open_review(session)
    if review_id is None:
        return None
    page = people(session, review_id, wanted, limit=limit)
    if known is not None and known.review.id == review_id:
        if people_only:
            return replace(known, page=page)
        decided, total = progress(session, review_id)
        return replace(known, page=page, decided=decided, to_decide=total)
    review = get_review(session, review_id)
    assert review is not None
    decided, total = progress(session, review_id)
    tools, departments = choices(session, review_id)
    kept = kept_drift(session, review_id)
    return ReviewView(review, page, decided, total, kept, tuple(tools), tuple(departments),
                      drift_known=review.previous_id is None or kept is not None)


def read_drift(session: Session, review_id: int) -> DriftRead:
    return DriftRead(review_id, drift_since_previous(session, review_id))


def filter_words(wanted: ReviewFilter) -> list[str]:
    """The filters in force, in words, for the line above the table."""
    words = []
    if wanted.text:
        words.append(_("text “{text}”").format(text=wanted.text))
    if wanted.min_severity:
        words.append(_("severity {level} or worse").format(
            level=Severity(wanted.min_severity).label))
    if wanted.tool:
        words.append(_("tool {tool}").format(tool=wanted.tool))
    if wanted.rule:
        words.append(_("rule {rule}").format(rule=_(RULE_LABELS[Rule(wanted.rule)])))
    if wanted.department:
        words.append(_("department {department}").format(department=wanted.department))
    if wanted.decision in ("undecided", "decided"):
        words.append(_("undecided") if wanted.decision == "undecided" else _("decided"))
    elif wanted.decision:
        words.append(_("decision {decision}").format(
            decision=_(DECISION_LABELS[Decision(wanted.decision)])))
    if wanted.sort != "severity" or wanted.reverse:
        column = _(SORT_WORDS.get(wanted.sort, wanted.sort))
        words.append(_("sorted by {column}, reversed").format(column=column) if wanted.reverse
                     else _("sorted by {column}").format(column=column))
    return words


SORT_WORDS = {"severity": N_("severity"), "person": N_("person"),
              "decided": N_("most undecided"), "findings": N_("most findings"),
              "tools": N_("most tools")}
