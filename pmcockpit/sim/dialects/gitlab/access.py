"""Who may do what where: direct, inherited and shared access, as GitLab computes it.

A user's access to a project is the highest of: their direct membership, their
membership of the project's group (inherited), and their membership of a group the
project is shared with (capped at the share's level). ``/members`` lists the
first, ``/members/all`` the result. A direct membership may not be lower than what
the project's group gives.
"""

from __future__ import annotations

from typing import Any

from pmcockpit.sim.dialects.common import to_int
from pmcockpit.sim.dialects.gitlab.core import (
    Call,
    find_user,
    forbidden,
    iso,
    message,
    not_found,
    user_basic,
)
from pmcockpit.sim.dialects.gitlab.facts import ACCESS_LEVELS, GitLabFacts
from pmcockpit.sim.models import PROJECT_ACTIVE, Group, Member, Project, User
from pmcockpit.sim.state import ToolState


def find_project(call: Call, project_id: str) -> Project:
    """A project the caller can see: 404 otherwise, as GitLab hides what you cannot see."""
    project = call.state.projects.get(to_int(project_id) or 0)
    if project is None or not can_see(call, project):
        raise not_found("Project Not Found")
    return project


def find_group(call: Call, group_id: str) -> Group:
    group = call.state.groups.get(to_int(group_id) or 0)
    if group is None:
        raise not_found("Group Not Found")
    return group


def can_see(call: Call, project: Project) -> bool:
    return call.user.admin or project.is_public or call.user.id in project_levels(
        call.state, call.facts, project)


def is_archived(project: Project) -> bool:
    """Redmine's "closed" (read-only) is GitLab's archived too."""
    return project.status != PROJECT_ACTIVE


def shares(state: ToolState, facts: GitLabFacts, project: Project) -> list[tuple[Group, int]]:
    """The groups ``project`` is shared with, and the highest level each share gives."""
    namespace = facts.namespaces.get(project.id)
    return [(state.groups[m.principal_id], facts.member_level(m))
            for m in state.memberships_of_project(project.id)
            if m.principal_id in state.groups and m.principal_id != namespace
            and m.direct_role_ids]


def direct_levels(state: ToolState, facts: GitLabFacts, project: Project) -> dict[int, int]:
    return {m.principal_id: facts.member_level(m) for m in state.memberships_of_project(project.id)
            if m.principal_id in state.users and m.direct_role_ids}


def inherited_levels(state: ToolState, facts: GitLabFacts,
                     project: Project) -> dict[int, tuple[int, Group]]:
    """User id -> (level, group) of the best access through the project's group or a share."""
    result: dict[int, tuple[int, Group]] = {}
    sources: list[tuple[Group, int | None]] = []
    namespace = facts.namespaces.get(project.id)
    if namespace is not None:
        sources.append((state.groups[namespace], None))
    sources += shares(state, facts, project)
    for group, cap in sources:
        for user_id in group.user_ids:
            level = facts.group_level(group.id, user_id)
            level = level if cap is None else min(level, cap)
            if level > result.get(user_id, (0, group))[0]:
                result[user_id] = (level, group)
    return result


def project_levels(state: ToolState, facts: GitLabFacts, project: Project) -> dict[int, int]:
    """Everyone with access to ``project`` and their effective access level."""
    levels = {user_id: level for user_id, (level, _) in
              inherited_levels(state, facts, project).items()}
    for user_id, level in direct_levels(state, facts, project).items():
        levels[user_id] = max(level, levels.get(user_id, 0))
    return levels


def may_manage(call: Call, project: Project, *, issues: bool = False) -> None:
    """Maintainers, owners and administrators manage members and issues. An archived
    project's issues are read-only; its members can still be managed."""
    if issues and is_archived(project):
        raise forbidden()
    if not call.user.admin and project_levels(call.state, call.facts, project).get(
            call.user.id, 0) < 40:
        raise forbidden()


def member_json(call: Call, user: User, level: int, since: Any) -> dict[str, Any]:
    return {**user_basic(call, user), "access_level": level,
            "created_at": iso(max(since, user.created_on)), "created_by": None,
            "expires_at": None, "membership_state": "active"}


def access_level(call: Call, name: str = "access_level") -> int:
    level = call.number(name)
    if level not in ACCESS_LEVELS:
        raise message(400, {name: ["does not have a valid value"]})
    return level


def member_user(call: Call) -> User:
    call.require("user_id", "access_level")
    return find_user(call, call.arg("user_id"))


def role_for(facts: GitLabFacts, level: int) -> int:
    return facts.level_roles[level]


def set_direct_level(state: ToolState, facts: GitLabFacts, member: Member | None,
                     project: Project, user_id: int, level: int) -> None:
    """Make ``user_id``'s direct access to ``project`` ``level`` (adding the membership)."""
    if member is None or not member.direct_role_ids:
        state.add_membership(project.id, user_id, [role_for(facts, level)])
    else:
        state.set_member_roles(member.id, [role_for(facts, level)])
