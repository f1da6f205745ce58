"""GitLab projects, their members (direct and all) and their shares with groups.

Administrators see every project, others the public ones and those they have
access to. Redmine's "closed" projects are archived here (GitLab's read-only
state). Removing a member who only has access through a group is 404: there is
no direct membership to remove.
"""

from __future__ import annotations

from typing import Any

from pmcockpit.sim.dialects.gitlab.access import (
    access_level,
    can_see,
    direct_levels,
    find_group,
    find_project,
    inherited_levels,
    is_archived,
    may_manage,
    member_json,
    member_user,
    project_levels,
    role_for,
    set_direct_level,
    shares,
)
from pmcockpit.sim.dialects.gitlab.core import Call, iso, message, not_found, paged, router
from pmcockpit.sim.dialects.gitlab.facts import ACCESS_LEVELS, project_path
from pmcockpit.sim.http import SimResponse, empty_response, json_response
from pmcockpit.sim.models import Project
from pmcockpit.sim.state import ADMIN_LOGIN

ORDER_KEYS = ("id", "name", "path", "created_at", "updated_at", "last_activity_at")


def namespace_json(call: Call, project: Project) -> dict[str, Any]:
    group_id = call.facts.namespaces.get(project.id)
    if group_id is None:
        admin = call.state.user_by_login(ADMIN_LOGIN)
        return {"id": admin.id if admin else 1, "name": "Administrator", "path": ADMIN_LOGIN,
                "kind": "user", "full_path": ADMIN_LOGIN, "parent_id": None,
                "avatar_url": None, "web_url": f"{call.base_url}/{ADMIN_LOGIN}"}
    group = call.state.groups[group_id]
    full_path = call.facts.full_path(group_id)
    return {"id": group.id, "name": group.name, "path": call.facts.group_paths[group_id],
            "kind": "group", "full_path": full_path,
            "parent_id": call.facts.parents.get(group_id), "avatar_url": None,
            "web_url": f"{call.base_url}/groups/{full_path}"}


def project_json(call: Call, project: Project) -> dict[str, Any]:
    state, facts = call.state, call.facts
    namespace = namespace_json(call, project)
    path = project_path(facts, project)
    open_issues = sum(1 for i in state.issues.values() if i.project_id == project.id
                      and not state.statuses[i.status_id].is_closed)
    return {
        "id": project.id, "description": project.description, "name": project.name,
        "name_with_namespace": f"{namespace['name']} / {project.name}",
        "path": project.identifier, "path_with_namespace": path,
        "created_at": iso(project.created_on), "updated_at": iso(project.updated_on),
        "default_branch": "main", "tag_list": [], "topics": [],
        "ssh_url_to_repo": f"git@gitlab.sim:{path}.git",
        "http_url_to_repo": f"{call.base_url}/{path}.git", "web_url": f"{call.base_url}/{path}",
        "readme_url": None, "forks_count": 0, "avatar_url": None, "star_count": 0,
        "last_activity_at": iso(project.updated_on), "namespace": namespace,
        "archived": is_archived(project),
        "visibility": "public" if project.is_public else "private",
        "issues_enabled": True, "open_issues_count": open_issues, "creator_id": 1,
        "shared_with_groups": [
            {"group_id": group.id, "group_name": group.name,
             "group_full_path": facts.full_path(group.id), "group_access_level": level,
             "expires_at": None} for group, level in shares(state, facts, project)],
        "request_access_enabled": True,
    }


def _listed(call: Call, project: Project) -> bool:
    if call.flag("membership"):
        return call.user.id in project_levels(call.state, call.facts, project)
    return can_see(call, project)


@router.route("GET", "/projects")
def list_projects(call: Call, _: dict[str, str]) -> SimResponse:
    archived = call.flag("archived")
    search = str(call.arg("search") or "").lower()
    projects = [p for p in call.state.projects.values()
                if (archived is None or is_archived(p) == archived)
                and (not search or search in p.name.lower() or search in p.identifier)
                and _listed(call, p)]
    order = str(call.arg("order_by") or "created_at")
    field = {"path": "identifier", "created_at": "created_on", "updated_at": "updated_on",
             "last_activity_at": "updated_on"}.get(order, order if order in ORDER_KEYS else "id")
    projects.sort(key=lambda p: getattr(p, field), reverse=call.arg("sort") != "asc")
    return paged(call, projects, lambda p: project_json(call, p))


@router.route("GET", "/projects/{id:int}")
def show_project(call: Call, params: dict[str, str]) -> SimResponse:
    return json_response(200, project_json(call, find_project(call, params["id"])))


# Members ------------------------------------------------------------------------------


def _levels(call: Call, project: Project, inherited: bool) -> dict[int, int]:
    state, facts = call.state, call.facts
    return project_levels(state, facts, project) if inherited else direct_levels(
        state, facts, project)


@router.route("GET", "/projects/{id:int}/members")
@router.route("GET", "/projects/{id:int}/members/all")
def list_members(call: Call, params: dict[str, str]) -> SimResponse:
    project = find_project(call, params["id"])
    levels = _levels(call, project, call.request.path.endswith("/all"))
    users = sorted((call.state.users[u] for u in levels), key=lambda u: u.id)
    return paged(call, users, lambda u: member_json(call, u, levels[u.id], project.created_on))


@router.route("GET", "/projects/{id:int}/members/{user_id:int}")
@router.route("GET", "/projects/{id:int}/members/all/{user_id:int}")
def show_member(call: Call, params: dict[str, str]) -> SimResponse:
    project = find_project(call, params["id"])
    levels = _levels(call, project, "/members/all/" in call.request.path)
    user_id = int(params["user_id"])
    if user_id not in levels:
        raise not_found()
    return json_response(200, member_json(call, call.state.users[user_id], levels[user_id],
                                          project.created_on))


def _check_not_below_group(call: Call, project: Project, user_id: int, level: int) -> None:
    namespace = call.facts.namespaces.get(project.id)
    inherited = inherited_levels(call.state, call.facts, project).get(user_id)
    if inherited is None or inherited[1].id != namespace or level >= inherited[0]:
        return
    name = ACCESS_LEVELS[inherited[0]]
    raise message(400, {"access_level": [
        f"should be greater than or equal to {name} inherited membership from group "
        f"{inherited[1].name}"]})


@router.route("POST", "/projects/{id:int}/members")
def add_member(call: Call, params: dict[str, str]) -> SimResponse:
    project = find_project(call, params["id"])
    may_manage(call, project)
    user = member_user(call)
    level = access_level(call)
    if user.id in direct_levels(call.state, call.facts, project):
        raise message(409, "Member already exists")
    _check_not_below_group(call, project, user.id, level)
    member = call.state.member_of(project.id, user.id)
    set_direct_level(call.state, call.facts, member, project, user.id, level)
    return json_response(201, member_json(call, user, level, call.state.clock()))


@router.route("PUT", "/projects/{id:int}/members/{user_id:int}")
def update_member(call: Call, params: dict[str, str]) -> SimResponse:
    project = find_project(call, params["id"])
    may_manage(call, project)
    user_id = int(params["user_id"])
    if user_id not in direct_levels(call.state, call.facts, project):
        raise not_found()
    call.require("access_level")
    level = access_level(call)
    _check_not_below_group(call, project, user_id, level)
    set_direct_level(call.state, call.facts, call.state.member_of(project.id, user_id),
                     project, user_id, level)
    return json_response(200, member_json(call, call.state.users[user_id], level,
                                          project.created_on))


@router.route("DELETE", "/projects/{id:int}/members/{user_id:int}")
def remove_member(call: Call, params: dict[str, str]) -> SimResponse:
    project = find_project(call, params["id"])
    may_manage(call, project)
    member = call.state.member_of(project.id, int(params["user_id"]))
    if member is None or not member.direct_role_ids:
        raise not_found()
    if member.has_inherited:  # keep what the shared state's group memberships gave
        call.state.set_member_roles(member.id, [])
    else:
        call.state.delete_member(member.id)
    return empty_response(204)


# Sharing with groups --------------------------------------------------------------------


@router.route("POST", "/projects/{id:int}/share")
def share(call: Call, params: dict[str, str]) -> SimResponse:
    project = find_project(call, params["id"])
    may_manage(call, project)
    call.require("group_id", "group_access")
    group = find_group(call, str(call.arg("group_id")))
    level = access_level(call, "group_access")
    if group.id == call.facts.namespaces.get(project.id):
        raise message(400, {"group_id": ["is the project's own group"]})
    if any(g.id == group.id for g, _ in shares(call.state, call.facts, project)):
        raise message(409, "The project is already shared with this group")
    member = call.state.add_membership(project.id, group.id, [role_for(call.facts, level)])
    return json_response(201, {"id": member.id, "project_id": project.id,
                               "group_id": group.id, "group_access": level,
                               "expires_at": None})


@router.route("DELETE", "/projects/{id:int}/share/{group_id:int}")
def unshare(call: Call, params: dict[str, str]) -> SimResponse:
    project = find_project(call, params["id"])
    may_manage(call, project)
    member = call.state.member_of(project.id, int(params["group_id"]))
    if (member is None or member.principal_id not in call.state.groups
            or member.principal_id == call.facts.namespaces.get(project.id)):
        raise not_found("Group Link Not Found")
    call.state.delete_member(member.id)
    return empty_response(204)
