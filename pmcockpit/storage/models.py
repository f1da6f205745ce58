"""The database model every screen shares.

Rows mirror what sync pulls from each connected tool (accounts, groups, roles,
projects, memberships, tickets) plus pmcockpit's own records (connections and the
append-only audit log). Each screen's own tables arrive with that screen as new
alembic migrations. Never a token here: secrets live in the keyring.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, ForeignKey, Index, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from pmcockpit.core.clock import utcnow

# Named constraints so alembic batch migrations on SQLite can find them again.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """All datetimes are naive UTC: SQLite keeps no zone, so we keep one convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON}


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


class AuditEntry(Base):
    """One action taken (or refused, or previewed). Append-only, hash-chained.

    ``entry_hash`` covers every other column and the previous entry's hash, so an
    edited or deleted row breaks the chain (``pmcockpit audit verify``).
    """

    __tablename__ = "audit_entry"
    # AUTOINCREMENT keeps ids from being reused, so deleting the newest entries shows too.
    __table_args__ = {"sqlite_autoincrement": True}  # noqa: RUF012 (SQLAlchemy reads it)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    operator: Mapped[str] = mapped_column(String(128))
    connection_name: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(255))
    """The target's label and remote id, as a person reads it."""
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    """The action's JSON form, plus the state captured before it ran (for undo)."""
    reason: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16))
    """intent (before the remote call), succeeded, failed, refused or unknown."""
    error: Mapped[str | None] = mapped_column(Text)
    undo_of: Mapped[int | None] = mapped_column(ForeignKey("audit_entry.id"))
    intent_id: Mapped[int | None] = mapped_column(ForeignKey("audit_entry.id"))
    """On an outcome: the intent entry (written before the remote call) it completes."""
    chain: Mapped[str] = mapped_column(String(16), default="hmac-sha256",
                                       server_default="sha256")
    """How ``entry_hash`` is made: keyed (hmac-sha256) or, for older entries, sha256."""
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64), unique=True)


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


from pmcockpit.storage import models_checklist  # noqa: F401,E402 (registers its tables on Base)
