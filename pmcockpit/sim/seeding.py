"""Fill a :class:`~pmcockpit.sim.state.ToolState` from an organisation.

Ids come out the way a real Redmine that lived through the organisation's
history would have them: the ``admin`` account is 1, the built-in groups follow,
then people in the order their accounts were created, then groups; roles start
at 3 because 1 and 2 are the built-in "Non member" and "Anonymous" roles.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from pmcockpit.core.records import AccountKind, AccountStatus, ProjectStatus
from pmcockpit.sim.models import (
    PROJECT_ACTIVE,
    PROJECT_ARCHIVED,
    PROJECT_CLOSED,
    USER_ACTIVE,
    USER_LOCKED,
    USER_REGISTERED,
    Issue,
    IssueStatus,
    Journal,
    JournalDetail,
    Priority,
    Project,
    Role,
    Tracker,
)
from pmcockpit.sim.org import Organisation, Person, Ticket
from pmcockpit.sim.state import ADMIN_LOGIN, ToolState

ACCOUNT_STATUS = {
    AccountStatus.ACTIVE: USER_ACTIVE,
    AccountStatus.PENDING: USER_REGISTERED,
    AccountStatus.LOCKED: USER_LOCKED,
    AccountStatus.DEACTIVATED: USER_LOCKED,
}
PROJECT_STATUS = {
    ProjectStatus.ACTIVE: PROJECT_ACTIVE,
    ProjectStatus.CLOSED: PROJECT_CLOSED,
    ProjectStatus.ARCHIVED: PROJECT_ARCHIVED,
}
# Redmine's default configuration data.
STATUSES = (("New", False), ("In Progress", False), ("Resolved", False), ("Feedback", False),
            ("Closed", True), ("Rejected", True))
TRACKERS = ("Bug", "Feature", "Support")
PRIORITIES = ("Low", "Normal", "High", "Urgent", "Immediate")
DEFAULT_PRIORITY = "Normal"
SUPPORT_TRACKER = "Support"
ADMIN_FIRST_NAMES = {"redmine": "Redmine", "jira": "Jira", "gitlab": "GitLab",
                     "zentao": "ZenTao", "feishu": "Feishu"}
TICKETS_OF = {"zentao": "redmine"}
"""Tools whose tickets are another's: ZenTao's bugs are the support desk's Redmine issues."""


def populate(state: ToolState, org: Organisation) -> None:
    _reference_data(state)
    _builtin_principals(state, org)
    people = sorted(org.people_on(state.tool), key=lambda p: p.created_at)
    user_ids = {p.login: _add_person(state, p) for p in people}
    group_ids = _add_groups(state, org, user_ids)
    role_ids = _add_roles(state, org)
    project_ids = _add_projects(state, org)
    for membership in org.memberships:
        principals = group_ids if membership.is_group else user_ids
        principal_id = principals.get(membership.principal)
        if principal_id is not None:
            state.add_membership(project_ids[membership.project_key], principal_id,
                                 [role_ids[r] for r in membership.roles])
    filed_in = TICKETS_OF.get(state.tool, state.tool)
    for ticket in org.tickets:
        if ticket.tool == filed_in:
            _add_ticket(state, ticket, project_ids[ticket.project_key], user_ids)


def _builtin_principals(state: ToolState, org: Organisation) -> None:
    """The administrator account and, in Redmine, the built-in groups and anonymous user."""
    admin_since = min(p.created_at for p in org.people) - timedelta(days=30)
    # Each product names its first administrator after itself ("Redmine Admin" in Redmine).
    product = ADMIN_FIRST_NAMES.get(state.tool, state.tool.capitalize())
    state.add_user(login=ADMIN_LOGIN, firstname=product, lastname="Admin",
                   mail="admin@example.org", admin=True, created_on=admin_since,
                   last_login_on=org.now - timedelta(hours=1), kind=AccountKind.SERVICE)
    if state.tool == "redmine":
        state.add_group("Anonymous users", builtin="anonymous")
        state.add_group("Non member users", builtin="non_member")
        state.skip_ids("principal", 1)  # the anonymous user, never listed


def _add_groups(state: ToolState, org: Organisation, user_ids: dict[str, int]) -> dict[str, int]:
    group_ids = {}
    for group in org.groups:
        created = state.add_group(group.name)
        group_ids[group.key] = created.id
        for login in group.member_logins:
            if login in user_ids:
                state.add_group_user(created.id, user_ids[login])
    return group_ids


def _add_roles(state: ToolState, org: Organisation) -> dict[str, int]:
    state.skip_ids("role", 2)
    role_ids = {}
    for role in org.roles:
        role_id = state.next_id("role")
        state.roles[role_id] = Role(role_id, role.name, role.permissions, role.is_admin_like)
        role_ids[role.name] = role_id
    return role_ids


def _add_projects(state: ToolState, org: Organisation) -> dict[str, int]:
    project_ids: dict[str, int] = {}
    for project in org.projects:
        project_id = state.next_id("project")
        project_ids[project.key] = project_id
        state.add_project(Project(
            id=project_id, name=project.name, identifier=project.key,
            description=project.description, status=PROJECT_STATUS[project.status],
            parent_id=project_ids.get(project.parent_key or ""), is_public=project.is_public,
            created_on=project.created_at, updated_on=project.updated_at,
        ))
    return project_ids


def _reference_data(state: ToolState) -> None:
    for name, is_closed in STATUSES:
        status_id = state.next_id("status")
        state.statuses[status_id] = IssueStatus(status_id, name, is_closed)
    for name in TRACKERS:
        tracker_id = state.next_id("tracker")
        state.trackers[tracker_id] = Tracker(tracker_id, name, default_status_id=1)
    for name in PRIORITIES:
        priority_id = state.next_id("enumeration")
        state.priorities[priority_id] = Priority(priority_id, name, name == DEFAULT_PRIORITY)


def _add_person(state: ToolState, person: Person) -> int:
    user = state.add_user(
        login=person.login, firstname=person.first_name, lastname=person.last_name,
        mail=person.email, admin=person.is_admin,
        status=ACCOUNT_STATUS[person.account_status], created_on=person.created_at,
        last_login_on=person.last_login_at, kind=person.kind,
    )
    if user.status == USER_LOCKED:  # the lock was the account's last change
        locked_on = person.last_login_at or person.created_at
        if person.left_on is not None:
            locked_on = datetime.combine(person.left_on, time(17, 0), person.created_at.tzinfo)
        user.updated_on = max(locked_on, person.created_at)
    return user.id


def _by_name(items: dict[int, IssueStatus] | dict[int, Priority] | dict[int, Tracker],
             name: str) -> int:
    return next(item.id for item in items.values() if item.name == name)


def _add_ticket(state: ToolState, ticket: Ticket, project_id: int,
                user_ids: dict[str, int]) -> None:
    """The issue with journals that replay its comments: status moves, first assignment."""
    assignee = user_ids.get(ticket.assignee_login or "")
    assignee_comments = any(c.author_login == ticket.assignee_login for c in ticket.comments)
    status_id = _by_name(state.statuses, "New")
    issue = state.add_issue(Issue(
        id=ticket.number, project_id=project_id,
        tracker_id=_by_name(state.trackers, SUPPORT_TRACKER), status_id=status_id,
        priority_id=_by_name(state.priorities, ticket.priority),
        author_id=user_ids.get(ticket.author_login, 0),
        assigned_to_id=None if assignee_comments else assignee,
        subject=ticket.subject, description=ticket.description,
        created_on=ticket.created_at, updated_on=ticket.updated_at, closed_on=ticket.closed_at,
    ))
    for comment in ticket.comments:
        details = []
        if comment.author_login == ticket.assignee_login and issue.assigned_to_id != assignee:
            details.append(JournalDetail("attr", "assigned_to_id", None, str(assignee)))
            issue.assigned_to_id = assignee
        if comment.new_status is not None:
            new_status = _by_name(state.statuses, comment.new_status)
            details.append(JournalDetail("attr", "status_id", str(status_id), str(new_status)))
            status_id = new_status
        issue.journals.append(Journal(
            state.next_id("journal"), user_ids.get(comment.author_login, 0), comment.body,
            comment.created_at, details,
        ))
    issue.status_id = status_id
    issue.assigned_to_id = assignee
