"""Tool-neutral records: what every connector reads from its tool.

Connectors translate each tool's dialect (Redmine, Jira, GitLab, ...) into these
frozen values; sync stores them and the screens reason about them. Nothing here
knows which tool a record came from beyond the ``remote_id`` strings.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime


class AccountStatus(enum.StrEnum):
    """Lifecycle state of an account, in the words the administrator uses."""

    ACTIVE = "active"
    LOCKED = "locked"  # Redmine locked, GitLab blocked, Jira suspended
    DEACTIVATED = "deactivated"  # GitLab "deactivated": reactivates on next sign-in
    PENDING = "pending"  # registered but not yet activated


class AccountKind(enum.StrEnum):
    PERSON = "person"
    SERVICE = "service"  # bots, integration and app accounts


class ProjectStatus(enum.StrEnum):
    ACTIVE = "active"
    CLOSED = "closed"  # finished, read-only, not yet archived
    ARCHIVED = "archived"


@dataclass(frozen=True, slots=True)
class RemoteAccount:
    remote_id: str
    login: str
    name: str
    email: str | None
    status: AccountStatus
    is_admin: bool = False
    kind: AccountKind = AccountKind.PERSON
    created_at: datetime | None = None
    last_login_at: datetime | None = None
    """None means never, or unknown when the connector lacks ``KNOWS_LAST_LOGIN``."""
    two_factor: bool | None = None


@dataclass(frozen=True, slots=True)
class RemoteGroup:
    remote_id: str
    name: str
    member_ids: tuple[str, ...] = ()
    """Remote ids of the accounts in the group."""
    path: str = ""
    """What the tool also calls it by, when not its name (GitLab's full path)."""


@dataclass(frozen=True, slots=True)
class RemoteRole:
    remote_id: str
    name: str
    is_admin_like: bool = False
    """A role that can manage the project (Redmine Manager, GitLab Owner/Maintainer)."""


@dataclass(frozen=True, slots=True)
class RemoteProject:
    remote_id: str
    key: str
    """Short identifier users type: Redmine identifier, Jira key, GitLab path."""
    name: str
    status: ProjectStatus
    parent_id: str | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class RoleGrant:
    role_id: str
    inherited_from_group_id: str | None = None
    """Set when the role reaches the account through a group's membership."""


@dataclass(frozen=True, slots=True)
class RemoteMembership:
    """A principal's access to a project: an account or a group, with its roles."""

    remote_id: str
    project_id: str
    account_id: str | None
    group_id: str | None
    roles: tuple[RoleGrant, ...]

    @property
    def inherited_only(self) -> bool:
        return bool(self.roles) and all(r.inherited_from_group_id for r in self.roles)


@dataclass(frozen=True, slots=True)
class RemoteComment:
    remote_id: str
    author_id: str | None
    author_name: str
    body: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class RemoteTicket:
    remote_id: str
    project_id: str
    key: str
    """What a person calls it: "#123" in Redmine, "OPS-12" in Jira, "group/proj#4" in GitLab."""
    subject: str
    status: str
    is_closed: bool
    priority: str
    author_id: str | None
    assignee_id: str | None
    created_at: datetime
    updated_at: datetime
    description: str = ""
    comments: tuple[RemoteComment, ...] = ()
    labels: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ServerInfo:
    product: str
    version: str | None
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Everything one sync pulls from a connection."""

    accounts: tuple[RemoteAccount, ...]
    groups: tuple[RemoteGroup, ...]
    roles: tuple[RemoteRole, ...]
    projects: tuple[RemoteProject, ...]
    memberships: tuple[RemoteMembership, ...]
    tickets: tuple[RemoteTicket, ...] = ()
    server: ServerInfo | None = None
