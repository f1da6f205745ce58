"""Support tickets of the seeded organisation: users' problems with the tool.

A ticket's comments walk it through its statuses (New -> In Progress ->
Resolved -> Closed) up to where it is now, so its history is consistent.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from itertools import accumulate
from typing import Any

from pmcockpit.core.records import AccountKind, AccountStatus, ProjectStatus
from pmcockpit.sim import catalog
from pmcockpit.sim.org import (
    SUPPORT_PROJECT_KEY,
    TICKET_PRIORITIES,
    TICKET_STATUSES,
    Comment,
    Person,
    Project,
    Ticket,
)

TICKETS_PER_PERSON = 60 / 150
TICKET_TOOL_WEIGHTS = {"redmine": 5, "jira": 3, "gitlab": 2}
PRIORITY_CUMULATIVE = tuple(accumulate((20, 50, 22, 8)))
MAX_AGE_MINUTES = 60 * 24 * 120

# Chance of each status (New, In Progress, Resolved, Closed) by the ticket's age.
STATUS_WEIGHTS_BY_AGE: tuple[tuple[float, tuple[int, ...]], ...] = tuple(
    (days, tuple(accumulate(weights))) for days, weights in (
        (1, (70, 30, 0, 0)),
        (7, (25, 45, 20, 10)),
        (float("inf"), (8, 20, 20, 52)),  # some old ones were simply forgotten
    ))
STATUS_INDEXES = range(len(TICKET_STATUSES))


def _minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def _final_status(rng: random.Random, age_days: float) -> int:
    for limit, cumulative in STATUS_WEIGHTS_BY_AGE:
        if age_days < limit:  # cumulative weights: choices() need not sum them each time
            return rng.choices(STATUS_INDEXES, cum_weights=cumulative)[0]
    raise AssertionError("the last limit is infinite")


def _history(rng: random.Random, final: int, author: str,
             assignee: str | None) -> list[tuple[str, str, str | None]]:
    """(author login, note, new status) of each comment, oldest first."""
    events: list[tuple[str, str, str | None]] = []
    if assignee is None:
        return events
    if final >= 1:
        events.append((assignee, rng.choice(catalog.START_NOTES), "In Progress"))
    if rng.random() < 0.5:
        question, answer = rng.choice(catalog.FOLLOW_UPS)
        events += [(assignee, question, None), (author, answer, None)]
    if final >= 2:
        events.append((assignee, rng.choice(catalog.RESOLVE_NOTES), "Resolved"))
    if final >= 3:
        if rng.random() < 0.7:
            events.append((author, rng.choice(catalog.CLOSE_NOTES_AUTHOR), "Closed"))
        else:
            events.append((assignee, catalog.CLOSE_NOTE_ADMIN, "Closed"))
    return events


def generate_tickets(rng: random.Random, now: datetime, people: list[Person],
                     projects: list[Project], scale: int) -> list[Ticket]:
    count = max(10, round(scale * TICKETS_PER_PERSON))
    authors = [p for p in people if p.kind is AccountKind.PERSON and not p.has_left
               and p.account_status is AccountStatus.ACTIVE and p.last_login_at is not None]
    assignees = [p for p in people if p.is_admin and not p.has_left and p.title != "Intern"]
    assignees = assignees or [p for p in people if p.is_admin]
    former = [p for p in people if p.has_left]
    project_names = [p.name for p in projects
                     if p.key != SUPPORT_PROJECT_KEY and p.status is not ProjectStatus.ARCHIVED]
    drafts: list[dict[str, Any]] = []
    for _ in range(count):
        created = _minute(now - timedelta(minutes=30 + MAX_AGE_MINUTES * rng.random() ** 2.5))
        subject_template, description_template = rng.choice(catalog.TICKET_TOPICS)
        fill = {
            "project": rng.choice(project_names) if project_names else "our project",
            "person": rng.choice(former).name if former else "a former colleague",
        }
        author = rng.choice(authors)
        final = _final_status(rng, (now - created).total_seconds() / 86400)
        assignee = None
        if assignees and (final > 0 or rng.random() < 0.4):
            assignee = rng.choice(assignees).login
        events = _history(rng, final, author.login, assignee)
        span = (now - created).total_seconds()
        offsets = sorted(rng.uniform(0.05, 0.95) * span for _ in events)
        comments = tuple(
            Comment(login, note, _minute(created + timedelta(seconds=offset)), status)
            for (login, note, status), offset in zip(events, offsets, strict=True))
        closed_at = next((c.created_at for c in comments if c.new_status == "Closed"), None)
        drafts.append(dict(
            project_key=SUPPORT_PROJECT_KEY, subject=subject_template.format(**fill),
            description=description_template.format(**fill),
            author_login=author.login, assignee_login=assignee,
            priority=rng.choices(TICKET_PRIORITIES, cum_weights=PRIORITY_CUMULATIVE)[0],
            status=TICKET_STATUSES[final], created_at=created,
            updated_at=comments[-1].created_at if comments else created,
            closed_at=closed_at, comments=comments,
        ))
    drafts.sort(key=lambda draft: draft["created_at"])  # numbers follow creation, as ids do
    tools_of = {p.login: p.tools for p in people}
    return [Ticket(number=number, tool=_filed_in(number, tools_of[draft["author_login"]]),
                   **draft) for number, draft in enumerate(drafts, start=1)]


def _filed_in(number: int, author_tools: frozenset[str]) -> str:
    """One of the author's tools, most often Redmine (where the support desk began).

    Drawn from the ticket's own number, not the shared generator, so adding this
    left every other generated value as it was.
    """
    choices = [t for t in TICKET_TOOL_WEIGHTS if t in author_tools] or ["redmine"]
    weights = [TICKET_TOOL_WEIGHTS[t] for t in choices]
    return random.Random(number).choices(choices, weights=weights)[0]
