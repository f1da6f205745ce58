"""The people of a review, summed from its items into ``review_person``: kept in step
when a review starts, a decision is recorded and an account is linked to a person, so
the people list pages, sorts and filters by text without grouping every account."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from pmcockpit.storage.models import ReviewItem, ReviewPerson


def refresh_people(session: Session, review_id: int,
                   persons: Collection[str] | None = None) -> None:
    """Sum ``persons`` (everyone when None) of the review again from its items."""
    where = [ReviewItem.review_id == review_id]
    gone = delete(ReviewPerson).where(ReviewPerson.review_id == review_id)
    if persons is not None:
        if not persons:
            return
        where.append(ReviewItem.person.in_(list(persons)))
        gone = gone.where(ReviewPerson.person.in_(list(persons)))
    session.execute(gone)
    lines: dict[str, dict[str, object]] = {}
    tools: dict[str, set[str]] = {}
    words: dict[str, set[str]] = {}
    for person, name, department, severity, decision, connection, login in session.execute(
            select(ReviewItem.person, ReviewItem.name, ReviewItem.department,
                   ReviewItem.severity, ReviewItem.decision, ReviewItem.connection,
                   ReviewItem.login).where(*where)):
        line = lines.setdefault(person, {
            "review_id": review_id, "person": person, "name": name, "department": "",
            "severity": 0, "accounts": 0, "decided": 0, "findings": 0, "settled": 0})
        line["name"] = min(str(line["name"]), name)
        line["department"] = max(str(line["department"]), department or "")
        line["severity"] = max(int(str(line["severity"])), severity)
        line["accounts"] = int(str(line["accounts"])) + 1
        line["decided"] = int(str(line["decided"])) + (decision is not None)
        line["findings"] = int(str(line["findings"])) + (severity > 0)
        line["settled"] = int(str(line["settled"])) + (severity > 0 and decision is not None)
        tools.setdefault(person, set()).add(connection)
        words.setdefault(person, {person.lower()}).update({name.lower(), login.lower()})
    rows = [{**line, "tools": len(tools[person]), "search": " ".join(sorted(words[person]))}
            for person, line in lines.items()]
    for start in range(0, len(rows), 5000):
        session.execute(insert(ReviewPerson), rows[start:start + 5000])
    session.flush()


def persons_of(session: Session, item_ids: Collection[int]) -> set[str]:
    return set(session.scalars(select(ReviewItem.person).where(
        ReviewItem.id.in_(list(item_ids))).distinct()))
