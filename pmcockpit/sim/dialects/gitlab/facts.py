"""What GitLab knows beyond the shared, Redmine-shaped records, kept in ``state.extras``.

The shared state has one user status (active, registered, locked), project
memberships with roles and groups with members. GitLab needs more, derived once
from the state and its organisation and then kept across writes:

* a user is blocked *or* deactivated (both "locked" in the shared state); sign-in
  dates follow Devise (``current_sign_in_at`` is the latest, ``last_sign_in_at``
  the one before), and ``last_activity_on`` is a day, moved by any API call;
* projects live in the namespace of their department's group, whose members get
  their group access level in every project of it; a group membership of a project
  in the shared state is a *share* of the project with that group;
* access levels are numbers; the organisation's roles map to Maintainer (Manager),
  Developer and Reporter, and Guest and Owner are added as roles;
* issues are numbered per project (``iid``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from pmcockpit.core.records import AccountKind
from pmcockpit.sim import catalog
from pmcockpit.sim.models import USER_ACTIVE, USER_REGISTERED, Issue, Member, Project, Role, User
from pmcockpit.sim.orggen import slugify
from pmcockpit.sim.state import ADMIN_LOGIN, ToolState

ACCESS_LEVELS = {10: "Guest", 20: "Reporter", 30: "Developer", 40: "Maintainer", 50: "Owner"}
"""GitLab 17.5's levels for members (Planner, 15, came in 17.7; Minimal Access is groups-only
and Premium)."""
ROLE_LEVELS = {"Guest": 10, "Reporter": 20, "Developer": 30, "Manager": 40, "Owner": 50}
"""The organisation's role names (and the two added ones) as access levels."""
DEPARTMENT_GROUP_LEVEL = 20
"""A department's people are Reporters in its group, so in all its projects."""
TEAM_GROUP_LEVEL = 30
DORMANT_DAYS = 90
"""GitLab deactivates only users without activity for this long (its default setting)."""


@dataclass
class Throttle:
    """GitLab's own rate limit (Rack::Attack): the next ``remaining`` requests answer 429."""

    remaining: int = 0
    retry_after: int = 60
    limit: int = 600

    def take(self) -> bool:
        if self.remaining <= 0:
            return False
        self.remaining -= 1
        return True


@dataclass(frozen=True)
class AuditEvent:
    """One instance audit event (GitLab EE): who did what to which user, group or project."""

    id: int
    author_id: int
    entity_id: int
    entity_type: str
    """"User", "Group" or "Project"."""
    message: str
    target: str
    created_at: datetime


@dataclass(frozen=True)
class LabelEvent:
    """A label added to or removed from an issue (GitLab's resource label event)."""

    issue_id: int
    user_id: int
    label: str
    action: str
    """"add" or "remove"."""
    created_at: datetime


@dataclass
class GitLabFacts:
    deactivated: set[int] = field(default_factory=set)
    activity: dict[int, date] = field(default_factory=dict)
    """``last_activity_on`` per user."""
    previous_sign_in: dict[int, datetime] = field(default_factory=dict)
    """``last_sign_in_at``: the sign-in before the latest (``User.last_login_on``)."""
    never_signs_in: set[int] = field(default_factory=set)
    """Bots: they use tokens, never the sign-in page."""
    two_factor: set[int] = field(default_factory=set)
    public_email: set[int] = field(default_factory=set)
    group_paths: dict[int, str] = field(default_factory=dict)
    """A group's own path (its last segment); :meth:`full_path` adds its parents'."""
    parents: dict[int, int] = field(default_factory=dict)
    """Subgroup id -> its parent group's id (the seeded groups are top-level)."""
    threads: dict[int, str] = field(default_factory=dict)
    """Note id -> the discussion (thread) it belongs to; a note absent is its own,
    individual discussion."""
    namespaces: dict[int, int] = field(default_factory=dict)
    """Project id -> the group it lives in; absent: the admin's personal namespace."""
    group_levels: dict[tuple[int, int], int] = field(default_factory=dict)
    """(group id, user id) -> the member's access level, when not the group's default."""
    group_default: dict[int, int] = field(default_factory=dict)
    role_levels: dict[int, int] = field(default_factory=dict)
    level_roles: dict[int, int] = field(default_factory=dict)
    iids: dict[int, int] = field(default_factory=dict)
    by_iid: dict[tuple[int, int], int] = field(default_factory=dict)
    last_iid: dict[int, int] = field(default_factory=dict)
    throttle: Throttle = field(default_factory=Throttle)
    banned: set[int] = field(default_factory=set)
    """Banned users (blocked, their contributions hidden); "locked" in the shared state."""
    revoked_tokens: set[int] = field(default_factory=set)
    """Personal access tokens revoked, by id (a user's token has the user's id)."""
    audit: list[AuditEvent] = field(default_factory=list)
    label_events: list[LabelEvent] = field(default_factory=list)

    # Users ------------------------------------------------------------------------------

    def user_state(self, user: User) -> str:
        if user.status == USER_ACTIVE:
            return "active"
        if user.status == USER_REGISTERED:
            return "blocked_pending_approval"
        if user.id in self.banned:
            return "banned"
        return "deactivated" if user.id in self.deactivated else "blocked"

    def record(self, author: User, entity_type: str, entity_id: int, message: str,
               target: str, when: datetime) -> None:
        self.audit.append(AuditEvent(len(self.audit) + 1, author.id, entity_id, entity_type,
                                     message, target, when))

    def is_bot(self, user: User) -> bool:
        return user.kind is AccountKind.SERVICE and user.login != ADMIN_LOGIN

    def dormant(self, user: User, today: date) -> bool:
        last = self.activity.get(user.id)
        return last is None or (today - last).days >= DORMANT_DAYS

    # Groups and access levels -----------------------------------------------------------

    def group_level(self, group_id: int, user_id: int) -> int:
        return self.group_levels.get((group_id, user_id),
                                     self.group_default.get(group_id, TEAM_GROUP_LEVEL))

    def ancestors(self, group_id: int) -> list[int]:
        """The group's parent, its parent's parent..., nearest first."""
        found: list[int] = []
        while (parent := self.parents.get(group_id)) is not None and parent not in found:
            found.append(parent)
            group_id = parent
        return found

    def full_path(self, group_id: int) -> str:
        chain = [group_id, *self.ancestors(group_id)]
        return "/".join(self.group_paths[g] for g in reversed(chain))

    def member_level(self, member: Member) -> int:
        """The access level of a membership's direct roles (the highest), 0 if none."""
        return max((self.role_levels.get(r, 0) for r in member.direct_role_ids), default=0)

    # Issues -----------------------------------------------------------------------------

    def iid(self, issue: Issue) -> int:
        """The issue's number in its project, given in creation order on first sight."""
        if issue.id not in self.iids:
            iid = self.last_iid.get(issue.project_id, 0) + 1
            self.last_iid[issue.project_id] = iid
            self.iids[issue.id] = iid
            self.by_iid[(issue.project_id, iid)] = issue.id
        return self.iids[issue.id]


def gitlab_facts(state: ToolState) -> GitLabFacts:
    """The GitLab facts of ``state``, derived on first use and kept in ``state.extras``."""
    found = state.extras.get("gitlab")
    if isinstance(found, GitLabFacts):
        return found
    with state.lock:
        found = state.extras.get("gitlab")
        if not isinstance(found, GitLabFacts):
            found = _derive(state)
            state.extras["gitlab"] = found
        return found


def _stable(text: str) -> int:
    """A number from ``text`` that is the same on every run (``hash`` is salted)."""
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=4).digest(), "big")


def _derive(state: ToolState) -> GitLabFacts:
    facts = GitLabFacts()
    today = (state.org.now if state.org else state.clock()).date()
    for user in state.users.values():
        _derive_user(facts, user, today)
    for name in ("Guest", "Owner"):
        if not any(r.name == name for r in state.roles.values()):
            role_id = state.next_id("role")
            state.roles[role_id] = Role(role_id, name, (), is_admin_like=name == "Owner")
    for role in state.roles.values():
        if role.name in ROLE_LEVELS:
            facts.role_levels[role.id] = ROLE_LEVELS[role.name]
            facts.level_roles[ROLE_LEVELS[role.name]] = role.id
    groups_by_name = {g.name: g.id for g in state.groups.values()}
    for group in state.groups.values():
        facts.group_paths[group.id] = slugify(group.name) or f"group-{group.id}"
        facts.group_default[group.id] = (DEPARTMENT_GROUP_LEVEL if group.name in
                                         catalog.DEPARTMENTS else TEAM_GROUP_LEVEL)
    departments = {p.key: p.department for p in state.org.projects} if state.org else {}
    for project in state.projects.values():
        group_id = groups_by_name.get(departments.get(project.identifier) or "")
        if group_id is not None:
            facts.namespaces[project.id] = group_id
    for issue in sorted(state.issues.values(), key=lambda i: i.id):
        facts.iid(issue)
    return facts


def _derive_user(facts: GitLabFacts, user: User, today: date) -> None:
    seed = _stable(user.login)
    if user.admin:
        facts.two_factor.add(user.id)
    if facts.is_bot(user):
        facts.never_signs_in.add(user.id)
        if user.last_login_on is not None:
            facts.activity[user.id] = user.last_login_on.date()
        return
    if seed % 3:
        facts.two_factor.add(user.id)
    if seed % 2 == 0:
        facts.public_email.add(user.id)
    if user.last_login_on is None:
        return
    facts.previous_sign_in[user.id] = user.last_login_on - timedelta(days=1 + seed % 20,
                                                                     hours=seed % 7)
    active_on = user.last_login_on.date()
    if seed % 4 == 0:  # pushed over SSH after signing in: activity without a sign-in
        active_on = min(today, active_on + timedelta(days=1 + seed % 5))
    facts.activity[user.id] = active_on


def project_path(facts: GitLabFacts, project: Project) -> str:
    group_id = facts.namespaces.get(project.id)
    namespace = facts.full_path(group_id) if group_id is not None else ADMIN_LOGIN
    return f"{namespace}/{project.identifier}"
