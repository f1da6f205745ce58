"""A deterministic, seeded organisation: people, groups, projects and support tickets.

Tool-neutral: each simulated tool (:mod:`pmcockpit.sim.state`) builds its own
accounts from it, so one person can be joined across tools by e-mail. All dates
are relative to ``now`` so the demo always looks current; the same seed, scale
and ``now`` give the same organisation.
"""

from __future__ import annotations

import csv
import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from pmcockpit.core.records import AccountKind, AccountStatus, ProjectStatus

TICKET_STATUSES = ("New", "In Progress", "Resolved", "Closed")
TICKET_PRIORITIES = ("Low", "Normal", "High", "Urgent")
ROSTER_HEADER = ("employee_id", "login", "name", "email", "department", "team", "status",
                 "left_on")
SUPPORT_PROJECT_KEY = "pm-support"
INACTIVE_DAYS = 90


@dataclass(frozen=True, slots=True)
class Department:
    name: str
    teams: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Person:
    """Someone with accounts in the tools: an employee (current or former) or a service."""

    employee_id: str | None
    """HR's id; None for service accounts, which are not on the roster."""
    login: str
    first_name: str
    last_name: str
    email: str
    department: str
    team: str
    title: str
    kind: AccountKind
    created_at: datetime
    last_login_at: datetime | None
    """None: never logged in."""
    left_on: date | None
    account_status: AccountStatus
    is_admin: bool
    tools: frozenset[str]

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def has_left(self) -> bool:
        return self.left_on is not None

    def inactive_since(self, now: datetime, days: int = INACTIVE_DAYS) -> bool:
        """Logged in once, but not in the last ``days`` days."""
        return self.last_login_at is not None and (now - self.last_login_at).days >= days


@dataclass(frozen=True, slots=True)
class Group:
    key: str
    name: str
    member_logins: tuple[str, ...]
    department: str | None = None
    """Set for the one group per department; None for cross-cutting groups."""


@dataclass(frozen=True, slots=True)
class Role:
    name: str
    is_admin_like: bool
    permissions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Project:
    key: str
    """Short identifier, unique: a Redmine identifier, a Jira key stem, a GitLab path."""
    name: str
    description: str
    status: ProjectStatus
    parent_key: str | None
    created_at: datetime
    updated_at: datetime
    is_public: bool
    department: str | None


@dataclass(frozen=True, slots=True)
class Membership:
    """Direct access of a person or a group to a project. Inheritance is the tool's job."""

    project_key: str
    principal: str
    """A person's login, or a group's key when ``is_group``."""
    is_group: bool
    roles: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Comment:
    author_login: str
    body: str
    created_at: datetime
    new_status: str | None = None
    """The status the ticket moved to with this comment, if it moved."""


@dataclass(frozen=True, slots=True)
class Ticket:
    number: int
    project_key: str
    subject: str
    description: str
    author_login: str
    assignee_login: str | None
    priority: str
    status: str
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    comments: tuple[Comment, ...]
    tool: str = "redmine"
    """The tool the ticket was filed in: each tool's support project has its own queue."""


@dataclass(frozen=True, slots=True)
class Organisation:
    seed: int
    scale: int
    now: datetime
    departments: tuple[Department, ...]
    people: tuple[Person, ...]
    """Employees first (in hiring order of generation), then service accounts."""
    groups: tuple[Group, ...]
    roles: tuple[Role, ...]
    projects: tuple[Project, ...]
    """In creation order; a parent always comes before its children."""
    memberships: tuple[Membership, ...]
    tickets: tuple[Ticket, ...]
    support_project_key: str = SUPPORT_PROJECT_KEY

    def person(self, login: str) -> Person:
        for person in self.people:
            if person.login == login:
                return person
        raise KeyError(login)

    def people_on(self, tool: str) -> Iterator[Person]:
        return (p for p in self.people if tool in p.tools)

    @property
    def employees(self) -> tuple[Person, ...]:
        """Everyone HR knows about, including those who left: the roster's rows."""
        return tuple(p for p in self.people if p.kind is AccountKind.PERSON)

    @property
    def admins(self) -> tuple[Person, ...]:
        return tuple(p for p in self.people if p.is_admin)


@contextmanager
def bulk_build() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many objects.

    The records form no cycles, but the collector would rescan the growing heap
    again and again: at 50k people it triples the build time.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def default_now() -> datetime:
    return datetime.now(UTC).replace(second=0, microsecond=0)


def build_org(seed: int = 7, scale: int = 150, now: datetime | None = None) -> Organisation:
    """The organisation for ``seed`` with ``scale`` employees, dated relative to ``now``."""
    from pmcockpit.sim.orggen import generate  # the generator imports this module's classes

    if scale < 10:
        raise ValueError("scale must be at least 10 people")
    moment = default_now() if now is None else now
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    with bulk_build():
        return generate(seed, scale, moment)


def write_roster(org: Organisation, path: str | Path) -> Path:
    """Write HR's roster CSV: one row per employee, current or former."""
    target = Path(path)
    with target.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(ROSTER_HEADER)
        for person in org.employees:
            writer.writerow((
                person.employee_id, person.login, person.name, person.email,
                person.department, person.team,
                "left" if person.has_left else "employed",
                person.left_on.isoformat() if person.left_on else "",
            ))
    return target
