"""The database model: one module per family of tables, every one imported here.

Importing this package registers every table on :class:`Base`, which alembic's
autogenerate and ``Base.metadata`` rely on. All datetimes are naive UTC. Each
screen's own tables arrive with that screen as a new module here and a migration.
"""

from pmcockpit.storage.models.alert import AlertNotifier, AlertSent
from pmcockpit.storage.models.audit import AuditChainHead, AuditEntry
from pmcockpit.storage.models.base import NAMING_CONVENTION, Base
from pmcockpit.storage.models.checklist import ChecklistRun, ChecklistStep
from pmcockpit.storage.models.queue import LocalTicket, OutboxItem, TicketPause
from pmcockpit.storage.models.review import (
    AccountExemption,
    AccountLink,
    Review,
    ReviewItem,
    ReviewPerson,
    RosterImport,
    RosterPerson,
)
from pmcockpit.storage.models.rollout import Rollout  # noqa: F401  (registers the rollout tables)
from pmcockpit.storage.models.synced import (
    Account,
    Connection,
    Group,
    GroupMember,
    HealthCheck,
    Membership,
    MembershipRole,
    Project,
    Role,
    Ticket,
    TicketComment,
)

__all__ = [
    "NAMING_CONVENTION",
    "Account",
    "AccountExemption",
    "AccountLink",
    "AlertNotifier",
    "AlertSent",
    "AuditChainHead",
    "AuditEntry",
    "Base",
    "ChecklistRun",
    "ChecklistStep",
    "Connection",
    "Group",
    "GroupMember",
    "HealthCheck",
    "LocalTicket",
    "Membership",
    "MembershipRole",
    "OutboxItem",
    "Project",
    "Review",
    "ReviewItem",
    "ReviewPerson",
    "Role",
    "RosterImport",
    "RosterPerson",
    "Ticket",
    "TicketComment",
    "TicketPause",
]
