"""Reviews kept in the database: the frozen snapshot, decisions, outcomes, sign-off.

Also reads the synced inventory as :class:`pmcockpit.core.review.AccountFacts`, the
input of the review rules.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from pmcockpit.core.i18n import _
from pmcockpit.core.review import (
    AccountFacts,
    Decision,
    Drift,
    Exemption,
    Judged,
    Membership,
)
from pmcockpit.storage.models import (
    Account,
    AccountExemption,
    AccountLink,
    Connection,
    Group,
    GroupMember,
    Project,
    Review,
    ReviewItem,
    Role,
)
from pmcockpit.storage.models import Membership as MembershipRow
from pmcockpit.storage.models import MembershipRole as RoleRow
from pmcockpit.storage.review_people import persons_of, refresh_people


class ReviewNotFound(LookupError):
    pass


class DecisionConflict(ValueError):
    """Another reviewer already decided otherwise on an account: nothing was changed."""


def _groups(session: Session) -> dict[int, list[tuple[str, str]]]:
    found: dict[int, list[tuple[str, str]]] = defaultdict(list)
    rows = session.execute(select(GroupMember.account_id, Group.remote_id, Group.name)
                           .join(Group, Group.id == GroupMember.group_id))
    for account_id, remote_id, name in rows:
        found[account_id].append((remote_id, name))
    return found


def _memberships(session: Session) -> dict[int, list[Membership]]:
    roles: dict[int, tuple[list[str], list[str]]] = defaultdict(lambda: ([], []))
    for membership_id, role, inherited in session.execute(
            select(RoleRow.membership_id, Role.name, RoleRow.inherited_from_group_id)
            .join(Role, Role.id == RoleRow.role_id)):
        roles[membership_id][1 if inherited else 0].append(role)
    found: dict[int, list[Membership]] = defaultdict(list)
    for row_id, account_id, remote_id, project in session.execute(
            select(MembershipRow.id, MembershipRow.account_id, MembershipRow.remote_id,
                   Project.name).join(Project, Project.id == MembershipRow.project_id)
            .where(MembershipRow.account_id.is_not(None))):
        direct, via_group = roles[row_id]
        found[account_id or 0].append(Membership(remote_id, project, tuple(sorted(direct)),
                                            tuple(sorted(via_group))))
    return found


def inventory(session: Session, connections: list[str] | None = None) -> list[AccountFacts]:
    """Every synced account with its groups and project memberships."""
    reporting = set(session.scalars(select(Account.connection_id)
                                    .where(Account.last_login_at.is_not(None)).distinct()))
    groups, memberships = _groups(session), _memberships(session)
    query = (select(Account, Connection.name).join(Connection)
             .order_by(Connection.name, Account.login))
    if connections:
        query = query.where(Connection.name.in_(connections))
    return [AccountFacts(
        name, a.remote_id, a.login, a.name, a.email, a.status, a.is_admin, a.kind,
        a.two_factor, a.created_at, a.last_login_at, a.connection_id in reporting,
        tuple(sorted(groups.get(a.id, []), key=lambda g: g[1])),
        tuple(sorted(memberships.get(a.id, []), key=lambda m: m.project)),
    ) for a, name in session.execute(query)]


def links(session: Session) -> dict[tuple[str, str], str]:
    return {(r.connection, r.login): r.person for r in session.scalars(select(AccountLink))}


def link(session: Session, connection: str, login: str, person: str) -> None:
    row = session.scalar(select(AccountLink).where(AccountLink.connection == connection,
                                                   AccountLink.login == login))
    if row is None:
        session.add(AccountLink(connection=connection, login=login, person=person.lower()))
    else:
        row.person = person.lower()
    session.flush()  # the caller's transaction commits


def exemptions(session: Session) -> dict[tuple[str, str], Exemption]:
    return {(r.connection, r.login): Exemption(r.owner, r.reason, r.expires_on)
            for r in session.scalars(select(AccountExemption))}


def exempt(session: Session, connection: str, login: str, exemption: Exemption) -> None:
    row = session.scalar(select(AccountExemption).where(
        AccountExemption.connection == connection, AccountExemption.login == login))
    if row is None:
        row = AccountExemption(connection=connection, login=login)
        session.add(row)
    row.owner, row.reason, row.expires_on = (exemption.owner, exemption.reason,
                                             exemption.expires_on)
    session.commit()


def last_signed_off(session: Session) -> Review | None:
    return session.scalars(select(Review).where(Review.signed_off_at.is_not(None))
                           .order_by(Review.id.desc()).limit(1)).first()


def previous_admins(session: Session, review_id: int | None) -> dict[tuple[str, str], bool]:
    if review_id is None:
        return {}
    return {(c, login): admin for c, login, admin in session.execute(
        select(ReviewItem.connection, ReviewItem.login, ReviewItem.is_admin)
        .where(ReviewItem.review_id == review_id))}


def _access(facts: AccountFacts) -> dict[str, Any]:
    return {"groups": [{"id": gid, "name": name} for gid, name in facts.groups],
            "memberships": [{"id": m.remote_id, "project": m.project, "roles": list(m.roles),
                             "inherited": list(m.inherited)} for m in facts.memberships]}


def _when(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def create_review(session: Session, *, judged: list[Judged], operator: str, scope: str,
                  roster_import_id: int | None, previous_id: int | None,
                  at: datetime | None = None) -> int:
    review = Review(operator=operator, scope=scope, roster_import_id=roster_import_id,
                    previous_id=previous_id)
    if at is not None:
        review.started_at = at
    session.add(review)
    session.flush()
    session.add_all(ReviewItem(
        review_id=review.id, connection=j.facts.connection, remote_id=j.facts.remote_id,
        login=j.facts.login, name=j.facts.name, person=j.person,
        department=j.staff.department if j.staff else "", status=j.facts.status,
        is_admin=j.facts.is_admin, two_factor=j.facts.two_factor,
        created_at=j.facts.created_at, last_login_at=j.facts.last_login_at,
        access=_access(j.facts), severity=0 if j.exempt else j.severity,
        findings={"found": [{"rule": f.rule.value, "severity": int(f.severity),
                             "message": f.message} for f in j.findings]},
        exempt=None if j.exempt is None else
        f"{j.exempt.owner}: {j.exempt.reason}"
        + (f" (until {j.exempt.expires_on})" if j.exempt.expires_on else ""),
    ) for j in judged)
    session.flush()
    refresh_people(session, review.id)
    session.commit()
    return review.id


def get_review(session: Session, review_id: int) -> Review:
    review = session.get(Review, review_id)
    if review is None:
        raise ReviewNotFound(review_id)
    return review


def decide(session: Session, item_ids: list[int], decision: Decision, target: str | None,
           justification: str, operator: str, at: datetime) -> int:
    """Record a decision on items not yet applied; the number changed.

    Two reviewers' decisions merge: each keeps who made it. Changing what another
    reviewer decided is refused (:class:`DecisionConflict`, naming them); the rows are
    locked first, so two reviewers deciding at once cannot both win.
    """
    decided = session.scalars(select(ReviewItem).where(ReviewItem.id.in_(item_ids))
                              .order_by(ReviewItem.id).with_for_update())
    for item in decided:
        if item.decided_by not in (None, operator) and item.applied != "succeeded" and \
                (item.decision, item.target) != (decision.value, target):
            raise DecisionConflict(_(
                "{login} ({connection}) was decided \"{decision}\" by {reviewer} at {at}: "
                "nothing was changed. Ask {reviewer}, who can change it.").format(
                    login=item.login, connection=item.connection, decision=item.decision,
                    reviewer=item.decided_by,
                    at=item.decided_at.isoformat(sep=" ", timespec="minutes")
                    if item.decided_at else "?"))
    persons = persons_of(session, item_ids)
    result = session.execute(
        update(ReviewItem).where(ReviewItem.id.in_(item_ids),
                                 ReviewItem.applied.is_distinct_from("succeeded"))
        .values(decision=decision.value, target=target, justification=justification,
                decided_at=at, decided_by=operator, applied=None, applied_error=None))
    review_id = session.scalar(select(ReviewItem.review_id).where(ReviewItem.id.in_(item_ids)))
    if review_id is not None:
        refresh_people(session, review_id, persons)
    session.commit()
    return int(getattr(result, "rowcount", 0) or 0)


def record_outcome(session: Session, item_id: int, status: str, error: str | None,
                   audit_id: int | None) -> None:
    item = session.get(ReviewItem, item_id)
    if item is not None:
        item.applied, item.applied_error, item.audit_id = status, error, audit_id
        session.flush()  # the caller's session commits, once for a whole plan


def sign_off(session: Session, review_id: int, operator: str, head: str, at: datetime) -> None:
    review = get_review(session, review_id)
    review.signed_off_at, review.signed_off_by, review.audit_head = at, operator, head
    session.commit()


def keep_drift(session: Session, review_id: int, drift: Drift | None) -> None:
    """Keep what changed since the previous review with the review (read at every paint)."""
    if drift is not None:
        get_review(session, review_id).drift = drift.to_json()
