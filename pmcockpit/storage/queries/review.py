"""Reads for the permission review: reviews, their people (filtered and paged in SQL),
one person's accounts, and the evidence rows for export.

Both the Permissions screen and ``pmcockpit review`` read through here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, String, and_, cast, distinct, func, or_, select
from sqlalchemy.orm import Session

from pmcockpit.core.review import Drift, drift
from pmcockpit.storage.models import Review, ReviewItem, ReviewPerson, RosterPerson
from pmcockpit.storage.queries.page import Page


@dataclass(frozen=True, slots=True)
class ReviewRow:
    id: int
    started_at: datetime
    operator: str
    scope: str
    signed_off_at: datetime | None
    signed_off_by: str | None
    audit_head: str | None
    previous_id: int | None
    accounts: int
    with_findings: int
    decided: int


def _summary(session: Session, reviews: list[Review]) -> list[ReviewRow]:
    ids = [r.id for r in reviews]
    line = ReviewPerson
    counts = {rid: (int(n or 0), int(f or 0), int(d or 0)) for rid, n, f, d in session.execute(
        select(line.review_id, func.sum(line.accounts), func.sum(line.findings),
               func.sum(line.decided))
        .where(line.review_id.in_(ids)).group_by(line.review_id))}
    return [ReviewRow(r.id, r.started_at, r.operator, r.scope, r.signed_off_at,
                      r.signed_off_by, r.audit_head, r.previous_id,
                      *counts.get(r.id, (0, 0, 0))) for r in reviews]


def list_reviews(session: Session) -> list[ReviewRow]:
    return _summary(session, list(session.scalars(select(Review).order_by(Review.id.desc()))))


def get_review(session: Session, review_id: int) -> ReviewRow | None:
    review = session.get(Review, review_id)
    return None if review is None else _summary(session, [review])[0]


def open_review(session: Session) -> int | None:
    """The newest review not signed off."""
    return session.scalar(select(Review.id).where(Review.signed_off_at.is_(None))
                          .order_by(Review.id.desc()).limit(1))


@dataclass(frozen=True, slots=True)
class ReviewFilter:
    text: str = ""
    min_severity: int = 0
    tool: str = ""
    rule: str = ""
    department: str = ""
    decision: str = ""
    """"" any; "undecided", "decided", or a decision ("keep", "revoke", "downgrade")."""
    sort: str = "severity"
    """One of :data:`SORTS`: each column's natural order (worst, A to Z, fewest decided...)."""
    reverse: bool = False


@dataclass(frozen=True, slots=True)
class PersonLine:
    person: str
    name: str
    department: str
    tools: tuple[str, ...]
    severity: int
    accounts: int
    decided: int
    rules: tuple[str, ...]


def _conditions(review_id: int, wanted: ReviewFilter) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [ReviewItem.review_id == review_id]
    if wanted.text:
        pattern = f"%{wanted.text.lower()}%"
        where.append(or_(func.lower(ReviewItem.person).like(pattern),
                         func.lower(ReviewItem.login).like(pattern),
                         func.lower(ReviewItem.name).like(pattern)))
    if wanted.min_severity:
        where.append(ReviewItem.severity >= wanted.min_severity)
    if wanted.tool:
        where.append(ReviewItem.connection == wanted.tool)
    if wanted.rule:
        where.append(cast(ReviewItem.findings, String).like(f'%"rule": "{wanted.rule}"%'))
    if wanted.department:
        where.append(ReviewItem.department == wanted.department)
    if wanted.decision == "undecided":
        where.append(and_(ReviewItem.decision.is_(None), ReviewItem.severity > 0))
    elif wanted.decision == "decided":
        where.append(ReviewItem.decision.is_not(None))
    elif wanted.decision:
        where.append(ReviewItem.decision == wanted.decision)
    return where


SORTS = ("severity", "person", "decided", "findings", "tools")
"""The people's columns one can sort by (the table's column keys)."""


def _order(wanted: ReviewFilter) -> list[ColumnElement[Any]]:
    worst = func.max(ReviewItem.severity)
    name = func.min(ReviewItem.name)
    # (what to sort on, whether its natural order is descending)
    keys: dict[str, tuple[ColumnElement[Any], bool]] = {
        "severity": (worst, True), "person": (name, False),
        "decided": (func.count(ReviewItem.id) - func.count(ReviewItem.decision), True),
        "findings": (func.count(ReviewItem.id).filter(ReviewItem.severity > 0), True),
        "tools": (func.count(distinct(ReviewItem.connection)), True),
    }
    column, descending = keys.get(wanted.sort, keys["severity"])
    key = column.desc() if descending != wanted.reverse else column.asc()
    return [key, worst.desc(), name, ReviewItem.person.asc()]


def _by_person(wanted: ReviewFilter) -> bool:
    """Whether the people's sums answer this filter (text, department and order only):
    filters on the accounts themselves group them again."""
    return not (wanted.min_severity or wanted.tool or wanted.rule or wanted.decision)


def _summed(session: Session, review_id: int, wanted: ReviewFilter, offset: int,
            limit: int) -> tuple[list[tuple[Any, ...]], int]:
    line = ReviewPerson
    where: list[ColumnElement[bool]] = [line.review_id == review_id]
    if wanted.text:
        where.append(line.search.like(f"%{wanted.text.lower()}%"))
    if wanted.department:
        where.append(line.department == wanted.department)
    keys: dict[str, tuple[ColumnElement[Any], bool]] = {
        "severity": (line.severity.expression, True), "person": (line.name.expression, False),
        "decided": (line.accounts - line.decided, True),
        "findings": (line.findings.expression, True), "tools": (line.tools.expression, True)}
    column, descending = keys.get(wanted.sort, keys["severity"])
    key = column.desc() if descending != wanted.reverse else column.asc()
    rows = session.execute(
        select(line.person, line.name, line.department, line.severity, line.accounts,
               line.decided).where(*where)
        .order_by(key, line.severity.desc(), line.name, line.person)
        .offset(offset).limit(limit)).all()
    total = session.scalar(select(func.count(line.id)).where(*where)) or 0
    return [tuple(row) for row in rows], total


def people(session: Session, review_id: int, wanted: ReviewFilter, *, offset: int = 0,
           limit: int = 200) -> Page[PersonLine]:
    """One line per person in the filter's order; ``limit`` lines from ``offset`` and the
    total."""
    if _by_person(wanted):
        rows, total = _summed(session, review_id, wanted, offset, limit)
        return _lines(session, review_id, rows, total)
    where = _conditions(review_id, wanted)
    worst = func.max(ReviewItem.severity)
    grouped = (select(ReviewItem.person, func.min(ReviewItem.name),
                      func.max(ReviewItem.department), worst,
                      func.count(ReviewItem.id), func.count(ReviewItem.decision))
               .where(*where).group_by(ReviewItem.person))
    total = session.scalar(select(func.count()).select_from(
        select(ReviewItem.person).where(*where).group_by(ReviewItem.person).subquery())) or 0
    found = session.execute(grouped.order_by(*_order(wanted)).offset(offset).limit(limit))
    return _lines(session, review_id, [tuple(row) for row in found], total)


def _lines(session: Session, review_id: int, rows: list[tuple[Any, ...]], total: int
           ) -> Page[PersonLine]:
    tools, rules = _tools_and_rules(session, review_id, [r[0] for r in rows])
    lines = [PersonLine(person, name, department or "", tools.get(person, ()),
                        severity, accounts, decided, rules.get(person, ()))
             for person, name, department, severity, accounts, decided in rows]
    return Page(tuple(lines), total)


def _tools_and_rules(session: Session, review_id: int, persons: list[str]
                     ) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """Per person on the page: their tools, and the rules they break, worst first."""
    tools: dict[str, set[str]] = {}
    found: dict[str, dict[str, int]] = {}
    for person, connection, findings in session.execute(
            select(ReviewItem.person, ReviewItem.connection, ReviewItem.findings)
            .where(ReviewItem.review_id == review_id, ReviewItem.person.in_(persons))):
        tools.setdefault(person, set()).add(connection)
        rules = found.setdefault(person, {})
        for finding in findings.get("found", []):
            rules[finding["rule"]] = max(rules.get(finding["rule"], 0), finding["severity"])
    return ({p: tuple(sorted(t)) for p, t in tools.items()},
            {p: tuple(sorted(r, key=lambda rule: -r[rule])) for p, r in found.items()})


def progress(session: Session, review_id: int) -> tuple[int, int]:
    """(accounts with findings decided, accounts with findings)."""
    decided, total = session.execute(
        select(func.sum(ReviewPerson.settled), func.sum(ReviewPerson.findings))
        .where(ReviewPerson.review_id == review_id)).one()
    return int(decided or 0), int(total or 0)


def choices(session: Session, review_id: int) -> tuple[list[str], list[str]]:
    """The tools and departments in a review, for the filters."""
    tools = session.scalars(select(ReviewItem.connection).distinct()
                            .where(ReviewItem.review_id == review_id)
                            .order_by(ReviewItem.connection))
    departments = session.scalars(select(ReviewPerson.department).distinct()
                                  .where(ReviewPerson.review_id == review_id,
                                         ReviewPerson.department != "")
                                  .order_by(ReviewPerson.department))
    return list(tools), list(departments)


@dataclass(frozen=True, slots=True)
class AccountLine:
    item_id: int
    connection: str
    remote_id: str
    login: str
    name: str
    person: str
    department: str
    status: str
    is_admin: bool
    two_factor: bool | None
    created_at: datetime | None
    last_login_at: datetime | None
    access: dict[str, Any]
    findings: tuple[dict[str, Any], ...]
    exempt: str | None
    decision: str | None
    target: str | None
    justification: str
    decided_by: str | None
    applied: str | None
    applied_error: str | None
    audit_id: int | None


def _line(item: ReviewItem) -> AccountLine:
    return AccountLine(item.id, item.connection, item.remote_id, item.login, item.name,
                       item.person, item.department, item.status, item.is_admin,
                       item.two_factor, item.created_at, item.last_login_at, item.access,
                       tuple(item.findings.get("found", [])), item.exempt, item.decision,
                       item.target, item.justification, item.decided_by, item.applied,
                       item.applied_error, item.audit_id)


def accounts_of(session: Session, review_id: int, persons: list[str]) -> list[AccountLine]:
    query = (select(ReviewItem).where(ReviewItem.review_id == review_id,
                                      ReviewItem.person.in_(persons))
             .order_by(ReviewItem.person, ReviewItem.connection, ReviewItem.login))
    return [_line(item) for item in session.scalars(query)]


def matching_accounts(session: Session, review_id: int, wanted: ReviewFilter
                      ) -> list[AccountLine]:
    """Every account the filter matches (for select-all-in-filter and the export)."""
    query = (select(ReviewItem).where(*_conditions(review_id, wanted))
             .order_by(ReviewItem.severity.desc(), ReviewItem.person, ReviewItem.connection))
    return [_line(item) for item in session.scalars(query)]


def find_account(session: Session, review_id: int, text: str) -> list[AccountLine]:
    """Accounts by ``connection:login``, login, e-mail/person or item id."""
    connection, sep, login = text.partition(":")
    if sep and "@" not in text:
        where = and_(ReviewItem.connection == connection, ReviewItem.login == login)
    elif text.isdigit():
        where = ReviewItem.id == int(text)
    else:
        where = or_(ReviewItem.login == text, ReviewItem.person == text.lower())
    return [_line(item) for item in session.scalars(
        select(ReviewItem).where(ReviewItem.review_id == review_id, where)
        .order_by(ReviewItem.connection, ReviewItem.login))]


def recent_reasons(session: Session, limit: int = 8) -> list[str]:
    rows = session.execute(select(ReviewItem.justification, func.max(ReviewItem.decided_at))
                           .where(ReviewItem.justification != "")
                           .group_by(ReviewItem.justification)
                           .order_by(func.max(ReviewItem.decided_at).desc()).limit(limit))
    return [reason for reason, _at in rows]


def roster_size(session: Session, import_id: int) -> tuple[int, int]:
    """(people, of whom left) in a roster import."""
    total, left = session.execute(
        select(func.count(RosterPerson.id),
               func.count(RosterPerson.id).filter(RosterPerson.status == "left"))
        .where(RosterPerson.import_id == import_id)).one()
    return int(total), int(left)


def access_map(session: Session, review_id: int
               ) -> dict[tuple[str, str], tuple[bool, frozenset[str]]]:
    """Per account of a review: (admin, the projects and groups it reached)."""
    found = {}
    for connection, login, admin, access in session.execute(
            select(ReviewItem.connection, ReviewItem.login, ReviewItem.is_admin,
                   ReviewItem.access).where(ReviewItem.review_id == review_id)):
        reach = {f"project {m['project']}" for m in access.get("memberships", [])}
        reach |= {f"group {g['name']}" for g in access.get("groups", [])}
        found[connection, login] = (admin, frozenset(reach))
    return found


def drift_since_previous(session: Session, review_id: int) -> Drift | None:
    """What changed since the review this one follows; None for a first review. Kept
    with the review when it started; worked out here for one kept before that."""
    previous, kept = session.execute(select(Review.previous_id, Review.drift)
                                     .where(Review.id == review_id)).one()
    if previous is None:
        return None
    if kept is not None:
        return Drift.from_json(kept)
    return drift(access_map(session, previous), access_map(session, review_id))


def kept_drift(session: Session, review_id: int) -> Drift | None:
    """The drift kept with the review when it started; None when none was kept."""
    kept = session.scalar(select(Review.drift).where(Review.id == review_id))
    return None if kept is None else Drift.from_json(kept)
