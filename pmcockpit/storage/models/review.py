"""The permission review's tables: HR roster imports, exemptions, links, and reviews.

A review freezes the inventory when it starts (one ``review_item`` per account, with
its groups, memberships and findings copied), so it judges a fixed set and an old
review reads the same after later syncs. Decisions and their applied outcome live on
the item: that is the evidence an auditor asks for.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from pmcockpit.core.clock import utcnow
from pmcockpit.storage.models.base import Base


class RosterImport(Base):
    __tablename__ = "roster_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
    operator: Mapped[str] = mapped_column(String(128))
    filename: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64))
    encoding: Mapped[str] = mapped_column(String(32))
    imported: Mapped[int]
    rejected: Mapped[int]


class RosterPerson(Base):
    __tablename__ = "roster_person"
    __table_args__ = (Index("ix_roster_person_email", "import_id", "email"),
                      Index("ix_roster_person_login", "import_id", "login"))

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("roster_import.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(255))
    """Lower-cased; empty when HR gave none."""
    login: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(255))
    department: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16))
    left_on: Mapped[date | None]
    employee_id: Mapped[str] = mapped_column(String(64), default="")


class AccountExemption(Base):
    """A service or bot account that is known and owned: shown as exempt, not flagged."""

    __tablename__ = "account_exemption"
    __table_args__ = (Index(None, "connection", "login", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    connection: Mapped[str] = mapped_column(String(64))
    login: Mapped[str] = mapped_column(String(255))
    owner: Mapped[str] = mapped_column(String(255))
    reason: Mapped[str] = mapped_column(Text)
    expires_on: Mapped[date | None]


class AccountLink(Base):
    """The administrator's own word that an account belongs to a person (by e-mail)."""

    __tablename__ = "account_link"
    __table_args__ = (Index(None, "connection", "login", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    connection: Mapped[str] = mapped_column(String(64))
    login: Mapped[str] = mapped_column(String(255))
    person: Mapped[str] = mapped_column(String(255))
    """The person's e-mail, lower-cased."""


class Review(Base):
    __tablename__ = "review"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    operator: Mapped[str] = mapped_column(String(128))
    scope: Mapped[str] = mapped_column(String(500))
    roster_import_id: Mapped[int | None] = mapped_column(
        ForeignKey("roster_import.id", ondelete="SET NULL"))
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("review.id", ondelete="SET NULL"))
    """The last signed-off review when this one started: drift is measured against it."""
    signed_off_at: Mapped[datetime | None]
    signed_off_by: Mapped[str | None] = mapped_column(String(128))
    audit_head: Mapped[str | None] = mapped_column(Text)
    """The audit chain's head at sign-off."""
    drift: Mapped[dict[str, Any] | None]
    """What changed since ``previous_id``, worked out once when the review started."""


class ReviewItem(Base):
    """One account as it was when the review started, with its decision and outcome."""

    __tablename__ = "review_item"
    __table_args__ = (Index("ix_review_item_severity", "review_id", "severity"),
                      Index("ix_review_item_person", "review_id", "person"),
                      Index("ix_review_item_account", "review_id", "connection", "login",
                            unique=True))

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id", ondelete="CASCADE"))
    connection: Mapped[str] = mapped_column(String(64))
    remote_id: Mapped[str] = mapped_column(String(128))
    login: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(255))
    person: Mapped[str] = mapped_column(String(255))
    """Who the account belongs to: an e-mail, or ``connection:login`` when nobody knows."""
    department: Mapped[str] = mapped_column(String(255), default="")
    status: Mapped[str] = mapped_column(String(16))
    is_admin: Mapped[bool] = mapped_column(default=False)
    two_factor: Mapped[bool | None]
    created_at: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]
    access: Mapped[dict[str, Any]] = mapped_column(default=dict)
    """``{"groups": [{id, name}], "memberships": [{id, project, roles, inherited}]}``."""
    findings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    """``{"found": [{rule, severity, message}]}``."""
    severity: Mapped[int] = mapped_column(default=0)
    """The worst finding's severity (0: none), for sorting in SQL."""
    exempt: Mapped[str | None] = mapped_column(Text)
    decision: Mapped[str | None] = mapped_column(String(16))
    target: Mapped[str | None] = mapped_column(String(128))
    """What a downgrade removes: ``membership:ID`` or ``group:ID``."""
    justification: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[str | None] = mapped_column(String(128))
    applied: Mapped[str | None] = mapped_column(String(16))
    applied_error: Mapped[str | None] = mapped_column(Text)
    audit_id: Mapped[int | None]


class ReviewPerson(Base):
    """One person's line in a review, summed from their items: what the people list
    pages and sorts on without grouping every account of a large review again."""

    __tablename__ = "review_person"
    __table_args__ = (Index("ix_review_person_person", "review_id", "person", unique=True),
                      Index("ix_review_person_severity", "review_id", "severity", "name"))

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id", ondelete="CASCADE"))
    person: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(255))
    department: Mapped[str] = mapped_column(String(255), default="")
    severity: Mapped[int] = mapped_column(default=0)
    accounts: Mapped[int] = mapped_column(default=0)
    decided: Mapped[int] = mapped_column(default=0)
    findings: Mapped[int] = mapped_column(default=0)
    """Accounts with at least one finding."""
    settled: Mapped[int] = mapped_column(default=0)
    """Accounts with a finding and a decision."""
    tools: Mapped[int] = mapped_column(default=0)
    search: Mapped[str] = mapped_column(Text, default="")
    """The person's key, names and logins, lower-cased, for the text filter."""
