"""What sync mirrors from each connected tool, and the connections themselves.

Rows mirror what sync pulls from each connected tool (accounts, groups, roles,
projects, memberships, tickets) plus the connections and their health checks.
Never a token here: secrets live in the keyring.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pmcockpit.core.clock import utcnow
from pmcockpit.storage.models.base import Base


class Connection(Base):
    __tablename__ = "connection"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    url: Mapped[str] = mapped_column(String(500))
    options: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_sync_at: Mapped[datetime | None]
    last_sync_seconds: Mapped[float | None]
    last_sync_error: Mapped[str | None] = mapped_column(Text)
    tickets_since: Mapped[datetime | None]
    """Watermark: the tool's time the last good sync began reading tickets (less an overlap);
    the next incremental sync asks only for tickets updated since."""
    full_sync_at: Mapped[datetime | None]
    """When the last good full sync (every ticket read, deletions found) began."""
    tickets_basis: Mapped[str | None] = mapped_column(String(500))
    """What the ticket rows were read under (the ticket and queue options); another basis
    makes the next sync a full one."""
    memberships_at: Mapped[datetime | None]
    """The tool's time when the stored memberships were last read (they have no change
    marker, so an incremental sync may keep them: "memberships as of")."""

    accounts: Mapped[list[Account]] = relationship(
        back_populates="connection", cascade="all, delete-orphan", passive_deletes=True
    )


class _Synced:
    """Columns of every row that mirrors an object of a connected tool."""

    id: Mapped[int] = mapped_column(primary_key=True)
    remote_id: Mapped[str] = mapped_column(String(128))


class Account(_Synced, Base):
    __tablename__ = "account"
    __table_args__ = (UniqueConstraint("connection_id", "remote_id"), Index(None, "email"))

    connection_id: Mapped[int] = mapped_column(ForeignKey("connection.id", ondelete="CASCADE"))
    login: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16))
    """An :class:`pmcockpit.core.records.AccountStatus` value."""
    kind: Mapped[str] = mapped_column(String(16), default="person")
    is_admin: Mapped[bool] = mapped_column(default=False)
    two_factor: Mapped[bool | None]
    created_at: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]

    connection: Mapped[Connection] = relationship(back_populates="accounts")


class Group(_Synced, Base):
    __tablename__ = "group"
    __table_args__ = (UniqueConstraint("connection_id", "remote_id"),)

    connection_id: Mapped[int] = mapped_column(ForeignKey("connection.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))
    path: Mapped[str] = mapped_column(String(255), default="", server_default="")
    """What the tool also calls it by, when not its name (GitLab's full path)."""


class GroupMember(Base):
    __tablename__ = "group_member"

    group_id: Mapped[int] = mapped_column(
        ForeignKey("group.id", ondelete="CASCADE"), primary_key=True
    )
    account_id: Mapped[int] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), primary_key=True
    )


class Role(_Synced, Base):
    __tablename__ = "role"
    __table_args__ = (UniqueConstraint("connection_id", "remote_id"),)

    connection_id: Mapped[int] = mapped_column(ForeignKey("connection.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))
    is_admin_like: Mapped[bool] = mapped_column(default=False)


class Project(_Synced, Base):
    __tablename__ = "project"
    __table_args__ = (UniqueConstraint("connection_id", "remote_id"),)

    connection_id: Mapped[int] = mapped_column(ForeignKey("connection.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16))
    """A :class:`pmcockpit.core.records.ProjectStatus` value."""
    parent_remote_id: Mapped[str | None] = mapped_column(String(128))
    updated_at: Mapped[datetime | None]


class Membership(_Synced, Base):
    """An account's or a group's access to a project."""

    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("connection_id", "remote_id"),)

    connection_id: Mapped[int] = mapped_column(ForeignKey("connection.id", ondelete="CASCADE"))
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("group.id", ondelete="CASCADE"))

    roles: Mapped[list[MembershipRole]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, lazy="selectin"
    )


class MembershipRole(Base):
    __tablename__ = "membership_role"

    membership_id: Mapped[int] = mapped_column(
        ForeignKey("membership.id", ondelete="CASCADE"), primary_key=True
    )
    role_id: Mapped[int] = mapped_column(
        ForeignKey("role.id", ondelete="CASCADE"), primary_key=True
    )
    inherited_from_group_id: Mapped[int | None] = mapped_column(
        ForeignKey("group.id", ondelete="CASCADE")
    )


class Ticket(_Synced, Base):
    __tablename__ = "ticket"
    __table_args__ = (UniqueConstraint("connection_id", "remote_id"),)

    connection_id: Mapped[int] = mapped_column(ForeignKey("connection.id", ondelete="CASCADE"))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("project.id", ondelete="SET NULL"))
    key: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(64))
    is_closed: Mapped[bool] = mapped_column(default=False)
    priority: Mapped[str] = mapped_column(String(32))
    author_remote_id: Mapped[str | None] = mapped_column(String(128))
    assignee_remote_id: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    first_response_at: Mapped[datetime | None]
    """When someone other than the author first commented (kept from its comments by the
    sync: the queue sorts by it on every keystroke)."""

    comments: Mapped[list[TicketComment]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="TicketComment.created_at"
    )


class TicketComment(_Synced, Base):
    __tablename__ = "ticket_comment"

    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"))
    author_remote_id: Mapped[str | None] = mapped_column(String(128))
    author_name: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class HealthCheck(Base):
    """One measurement of a connection's health; the history gives availability."""

    __tablename__ = "health_check"
    __table_args__ = (Index(None, "connection_id", "checked_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("connection.id", ondelete="CASCADE"))
    checked_at: Mapped[datetime] = mapped_column(default=utcnow)
    reachable: Mapped[bool]
    authenticated: Mapped[bool]
    is_admin: Mapped[bool | None]
    latency_ms: Mapped[float | None]
    version: Mapped[str | None] = mapped_column(String(64))
    tls_expires_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)
