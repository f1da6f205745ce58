"""Explicit links: the administrator's word that accounts belong to a person the tools
could not place (no e-mail, another e-mail, an unknown login). Kept for every later
review; the open review's lines for those accounts move to that person at once, with
what the roster says of them judged again (left, or still unknown)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, tuple_

from pmcockpit.core.clock import utcnow
from pmcockpit.core.i18n import _
from pmcockpit.core.review import ROSTER_RULES, Roster, roster_findings
from pmcockpit.services.workspace import Workspace
from pmcockpit.storage import reviews, roster
from pmcockpit.storage.models import ReviewItem
from pmcockpit.storage.queries.review import open_review
from pmcockpit.storage.review_people import refresh_people


class NoSuchPerson(LookupError):
    """Neither on the roster nor an e-mail address; the message says so."""


def link_accounts(workspace: Workspace, accounts: Sequence[tuple[str, str]], person: str, *,
                  now: datetime | None = None) -> str:
    """Link each (connection, login) to ``person``: a roster login, e-mail or name, or an
    e-mail address. Returns the person's key (their e-mail)."""
    text = person.strip()
    if not accounts:
        raise ValueError(_("no account to link"))
    with workspace.db.session() as session:
        staff = Roster(roster.staff(session))
        entry = staff.find(text) if text else None
        if entry is not None and entry.email:
            key = entry.email.lower()
        elif "@" in text and " " not in text:
            key, entry = text.lower(), staff.by_email.get(text.lower())
        else:
            raise NoSuchPerson(_("{person!r} is neither on the roster (login, e-mail or name) "
                                 "nor an e-mail address").format(person=text))
        for connection, login in accounts:
            reviews.link(session, connection, login, key)
        review_id = open_review(session)
        if review_id is None:
            return key
        items = list(session.scalars(select(ReviewItem).where(
            ReviewItem.review_id == review_id,
            tuple_(ReviewItem.connection, ReviewItem.login).in_(list(accounts)))))
        moved = {item.person for item in items} | {key}
        for item in items:
            item.person = key
            if entry is None:
                continue  # still nobody on the roster: what it said stands
            kept = [f for f in item.findings.get("found", []) if f["rule"] not in ROSTER_RULES]
            kept += [{"rule": f.rule.value, "severity": int(f.severity), "message": f.message}
                     for f in roster_findings(entry, status=item.status, now=now or utcnow())]
            kept.sort(key=lambda f: -int(f["severity"]))
            item.findings, item.department = {"found": kept}, entry.department
            item.severity = 0 if item.exempt else max((int(f["severity"]) for f in kept),
                                                      default=0)
        session.flush()
        refresh_people(session, review_id, moved)
    return key
