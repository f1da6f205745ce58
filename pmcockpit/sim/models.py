"""Mutable records of one simulated tool, shaped after Redmine's tables.

The numbers (user status 1/2/3, project status 1/5/9) are Redmine's; other
dialects translate them when they serialise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from pmcockpit.core.records import AccountKind

USER_ACTIVE = 1
USER_REGISTERED = 2
USER_LOCKED = 3
USER_STATUSES = (USER_ACTIVE, USER_REGISTERED, USER_LOCKED)

PROJECT_ACTIVE = 1
PROJECT_CLOSED = 5
PROJECT_ARCHIVED = 9


@dataclass
class User:
    id: int
    login: str
    firstname: str
    lastname: str
    mail: str
    admin: bool
    status: int
    created_on: datetime
    updated_on: datetime
    last_login_on: datetime | None
    passwd_changed_on: datetime | None
    api_key: str
    kind: AccountKind = AccountKind.PERSON

    @property
    def name(self) -> str:
        return f"{self.firstname} {self.lastname}"


@dataclass
class Group:
    id: int
    name: str
    user_ids: list[int] = field(default_factory=list)
    builtin: str | None = None
    """"anonymous" or "non_member" for Redmine's built-in groups."""


@dataclass
class Role:
    id: int
    name: str
    permissions: tuple[str, ...]
    is_admin_like: bool = False
    assignable: bool = True


@dataclass
class Project:
    id: int
    name: str
    identifier: str
    description: str
    status: int
    parent_id: int | None
    is_public: bool
    created_on: datetime
    updated_on: datetime


@dataclass
class Grant:
    """One role of a membership; ``inherited_from`` is the group membership it comes from."""

    role_id: int
    inherited_from: int | None = None


@dataclass
class Member:
    """A principal's (user's or group's) membership of a project."""

    id: int
    project_id: int
    principal_id: int
    grants: list[Grant] = field(default_factory=list)

    @property
    def direct_role_ids(self) -> list[int]:
        return [g.role_id for g in self.grants if g.inherited_from is None]

    @property
    def has_inherited(self) -> bool:
        return any(g.inherited_from is not None for g in self.grants)


@dataclass
class JournalDetail:
    property: str
    name: str
    old_value: str | None
    new_value: str | None


@dataclass
class Journal:
    id: int
    user_id: int
    notes: str
    created_on: datetime
    details: list[JournalDetail] = field(default_factory=list)
    private: bool = False
    """An internal note (GitLab), a private note (Redmine): seen by members only."""


@dataclass
class Issue:
    id: int
    project_id: int
    tracker_id: int
    status_id: int
    priority_id: int
    author_id: int
    assigned_to_id: int | None
    subject: str
    description: str | None
    """None: never given (Redmine answers null)."""
    created_on: datetime
    updated_on: datetime
    closed_on: datetime | None = None
    journals: list[Journal] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class IssueStatus:
    id: int
    name: str
    is_closed: bool


@dataclass(frozen=True)
class Tracker:
    id: int
    name: str
    default_status_id: int


@dataclass(frozen=True)
class Priority:
    id: int
    name: str
    is_default: bool = False
