"""Jira projects, project roles and their actors.

``/project/search`` lists live projects unless ``status`` asks for ``archived``;
an archived project's own pages are 404 ("No project could be found"). Jira has
no closed state: the organisation's closed projects are live here. A role's
actors are the users and groups holding it directly; users who hold it through
a group are not actors (Jira shows the group), but the group's members inherit
it in the state, as Redmine's groups do.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from pmcockpit.sim.dialects.jira.core import (
    JiraCall,
    account_id,
    error,
    find_account,
    find_group_number,
    find_project,
    find_role,
    group_id,
    is_archived,
    jira_time,
    page_bean,
    project_keys,
    project_ref_id,
    role_identity,
    router,
)
from pmcockpit.sim.http import SimResponse, empty_response, json_response
from pmcockpit.sim.models import USER_ACTIVE, Member, Project, Role
from pmcockpit.sim.state import ToolState

PROJECTS_PAGE_CAP = 50


def project_json(call: JiraCall, project: Project) -> dict[str, Any]:
    state = call.state
    key = project_keys(state)[project.id]
    data: dict[str, Any] = {
        "self": f"{call.base_url}/rest/api/3/project/{project_ref_id(project)}",
        "id": project_ref_id(project), "key": key, "name": project.name,
        "avatarUrls": {"48x48": f"{call.base_url}/secure/projectavatar?pid={project.id}"},
        "projectTypeKey": "software", "simplified": False, "style": "classic",
        "isPrivate": not project.is_public,
    }
    if is_archived(project):
        data["archived"] = True
    expand = set(call.args("expand"))
    if "description" in expand:
        data["description"] = project.description
    if "insight" in expand:
        data["insight"] = {"totalIssueCount": _issue_counts(state).get(project.id, 0),
                           "lastIssueUpdateTime": jira_time(project.updated_on)}
    return data


def _issue_counts(state: ToolState) -> Counter[int]:
    cached = state.read_cache.get(("jira-issue-counts",))
    if cached is None:
        cached = [Counter(i.project_id for i in state.issues.values())]
        state.read_cache[("jira-issue-counts",)] = cached
    counts: Counter[int] = cached[0]
    return counts


@router.route("GET", "/rest/api/3/project/search")
def search_projects(call: JiraCall, _: dict[str, str]) -> SimResponse:
    wanted = set(call.args("status")) or {"live"}
    projects = [p for p in sorted(call.state.projects.values(), key=lambda p: p.id)
                if ("archived" if is_archived(p) else "live") in wanted]
    start, size = call.page(default=50, cap=PROJECTS_PAGE_CAP)
    return page_bean(call, [project_json(call, p) for p in projects], start, size)


@router.route("GET", "/rest/api/3/project")
def all_projects(call: JiraCall, _: dict[str, str]) -> SimResponse:
    """Every live project, unpaged (deprecated in favour of ``/project/search``, answered)."""
    projects = sorted(call.state.projects.values(), key=lambda p: p.id)
    return json_response(200, [project_json(call, p) for p in projects if not is_archived(p)])


@router.route("GET", "/rest/api/3/project/{project}")
def show_project(call: JiraCall, params: dict[str, str]) -> SimResponse:
    project = find_project(call, params["project"])
    return json_response(200, project_json(call, project))


# Roles ----------------------------------------------------------------------------------


def _role_url(call: JiraCall, project: Project, role: Role) -> str:
    return (f"{call.base_url}/rest/api/3/project/{project_ref_id(project)}/role/"
            f"{role_identity(role)[1]}")


def _actors(state: ToolState, project: Project, role: Role) -> list[dict[str, Any]]:
    actors = []
    for member in state.memberships_of_project(project.id):
        if role.id not in member.direct_role_ids:
            continue
        actor_id = member.id * 100 + role.id
        user = state.users.get(member.principal_id)
        if user is not None:
            actors.append({"id": actor_id, "displayName": user.name,
                           "type": "atlassian-user-role-actor",
                           "actorUser": {"accountId": account_id(user)}})
        else:
            group = state.groups[member.principal_id]
            actors.append({"id": actor_id, "displayName": group.name, "name": group.name,
                           "type": "atlassian-group-role-actor",
                           "actorGroup": {"name": group.name, "displayName": group.name,
                                          "groupId": group_id(group.id)}})
    return actors


def role_json(call: JiraCall, role: Role, project: Project | None = None) -> dict[str, Any]:
    name, number = role_identity(role)
    data: dict[str, Any] = {
        "self": f"{call.base_url}/rest/api/3/role/{number}", "name": name, "id": number,
        "description": f"A project role that represents {name.lower()} in a project",
    }
    if project is not None:
        data["self"] = _role_url(call, project, role)
        data["actors"] = _actors(call.state, project, role)
    return data


@router.route("GET", "/rest/api/3/role")
def all_roles(call: JiraCall, _: dict[str, str]) -> SimResponse:
    roles = sorted(call.state.roles.values(), key=lambda r: role_identity(r)[1])
    return json_response(200, [role_json(call, r) for r in roles])


@router.route("GET", "/rest/api/3/project/{project}/role")
def project_roles(call: JiraCall, params: dict[str, str]) -> SimResponse:
    project = find_project(call, params["project"])
    return json_response(200, {role_identity(r)[0]: _role_url(call, project, r)
                               for r in call.state.roles.values()})


def _project_role(call: JiraCall, params: dict[str, str]) -> tuple[Project, Role]:
    project = find_project(call, params["project"])
    role = find_role(call.state, params["role"])
    if role is None:
        raise error(404, f"Can not retrieve a role actor for a null project role "
                         f"({params['role']}).")
    return project, role


@router.route("GET", "/rest/api/3/project/{project}/role/{role}")
def show_project_role(call: JiraCall, params: dict[str, str]) -> SimResponse:
    project, role = _project_role(call, params)
    return json_response(200, role_json(call, role, project))


def _principals(call: JiraCall) -> list[int]:
    """The state ids of the users (``user``) or groups (``groupId``, ``group``) in the body."""
    state, body = call.state, call.body
    principals: list[int] = []
    for account in body.get("user") or []:
        user = find_account(state, str(account))
        if user is None or user.status != USER_ACTIVE:
            raise error(400, f"User '{account}' does not exist or is not active.")
        principals.append(user.id)
    for key, by_name in (("groupId", False), ("group", True)):
        for value in body.get(key) or []:
            number = find_group_number(state, None if by_name else str(value),
                                       str(value) if by_name else None)
            if not number:  # None, or the admin group, which cannot be an actor here
                raise error(400, f"Group '{value}' does not exist.")
            principals.append(number)
    if not principals:
        raise error(400, "You must specify a user or a group.")
    return principals


@router.route("POST", "/rest/api/3/project/{project}/role/{role}")
def add_actors(call: JiraCall, params: dict[str, str]) -> SimResponse:
    call.require_admin()
    project, role = _project_role(call, params)
    state = call.state
    principals = _principals(call)
    for principal in principals:
        member = state.member_of(project.id, principal)
        if member is not None and role.id in member.direct_role_ids:
            raise error(400, f"'{_name(state, principal)}' is already a member of the "
                             f"project role.")
    for principal in principals:
        state.add_membership(project.id, principal, [role.id])
    return json_response(200, role_json(call, role, project))


def _name(state: ToolState, principal: int) -> str:
    user = state.users.get(principal)
    return user.name if user is not None else state.groups[principal].name


@router.route("DELETE", "/rest/api/3/project/{project}/role/{role}")
def delete_actor(call: JiraCall, params: dict[str, str]) -> SimResponse:
    call.require_admin()
    project, role = _project_role(call, params)
    state = call.state
    principal: int | None = None
    if call.arg("user"):
        user = find_account(state, call.arg("user"))
        principal = user.id if user is not None else None
    elif call.arg("groupId") or call.arg("group"):
        principal = find_group_number(state, call.arg("groupId"), call.arg("group")) or None
    member = state.member_of(project.id, principal) if principal is not None else None
    if member is None or role.id not in member.direct_role_ids:
        raise error(404, "The actor is not in this project role.")
    _drop_role(state, member, role.id)
    return empty_response(204)


def _drop_role(state: ToolState, member: Member, role_id: int) -> None:
    """Remove one direct role; a membership left with no role at all goes."""
    remaining = [r for r in member.direct_role_ids if r != role_id]
    state.set_member_roles(member.id, remaining)
    if member.id in state.members and not member.grants:
        state.delete_member(member.id)
