"""Redmine projects, memberships and roles endpoints.

Projects list without archived ones, even for ``status=9`` (as Redmine 5.0.4
does); an archived project's own pages answer 403. A membership that exists
because of a group has its roles marked ``inherited``; deleting a membership
holding any inherited role is 422 with an empty body, and a group's membership
takes its users' inherited roles with it when it changes or goes.
"""

from __future__ import annotations

from typing import Any

from pmcockpit.sim.dialects.common import abort, iso, to_int
from pmcockpit.sim.dialects.redmine.core import (
    Call,
    errors,
    find_project,
    listing,
    ref,
    router,
)
from pmcockpit.sim.dialects.redmine.users import roles_json
from pmcockpit.sim.http import SimResponse, empty_response, json_response
from pmcockpit.sim.models import PROJECT_ARCHIVED, Member, Project
from pmcockpit.sim.state import ToolState


def _tree_order(state: ToolState) -> list[Project]:
    """Parents before children, siblings by name: Redmine's nested-set order."""

    def path(project: Project) -> tuple[str, ...]:
        names: list[str] = []
        current: Project | None = project
        while current is not None:
            names.append(current.name.lower())
            current = state.projects.get(current.parent_id or 0)
        return tuple(reversed(names))

    cached = state.read_cache.get(("projects",))
    if cached is None:
        cached = sorted(state.projects.values(), key=path)
        state.read_cache[("projects",)] = cached
    return cached


def project_json(project: Project, state: ToolState, *, one: bool = False) -> dict[str, Any]:
    """A project as listed; ``one``: as ``/projects/:id`` shows it, with ``homepage``
    (Redmine 5.0.4's index.api.rsb leaves it out, show.api.rsb has it)."""
    data: dict[str, Any] = {
        "id": project.id, "name": project.name, "identifier": project.identifier,
        "description": project.description, **({"homepage": ""} if one else {}),
    }
    parent = state.projects.get(project.parent_id or 0)
    if parent is not None:
        data["parent"] = ref(parent.id, parent.name)
    data.update({
        "status": project.status, "is_public": project.is_public, "inherit_members": False,
        "created_on": iso(project.created_on), "updated_on": iso(project.updated_on),
    })
    return data


@router.route("GET", "/projects.json")
def list_projects(call: Call, _: dict[str, str]) -> SimResponse:
    status = call.arg("status") or ""
    # Redmine 5.0 lists no archived project through the API, even for status=9.
    projects = [p for p in _tree_order(call.state) if p.status != PROJECT_ARCHIVED
                and (str(p.status) == status if status else True)]
    if not call.user.admin:
        projects = [p for p in projects if p.status != PROJECT_ARCHIVED and (
            p.is_public or call.state.member_of(p.id, call.user.id) is not None)]
    offset, limit = call.offset_and_limit()
    items = [project_json(p, call.state) for p in projects[offset:offset + limit]]
    return listing("projects", items, len(projects), offset, limit)


@router.route("GET", "/projects/{project}.json")
def show_project(call: Call, params: dict[str, str]) -> SimResponse:
    project = find_project(call, params["project"])
    return json_response(200, {"project": project_json(project, call.state, one=True)})


# Memberships --------------------------------------------------------------------------


def membership_json(state: ToolState, member: Member) -> dict[str, Any]:
    project = state.projects[member.project_id]
    data: dict[str, Any] = {"id": member.id, "project": ref(project.id, project.name)}
    user = state.users.get(member.principal_id)
    if user is not None:
        data["user"] = ref(user.id, user.name)
    else:
        group = state.groups[member.principal_id]
        data["group"] = ref(group.id, group.name)
    data["roles"] = roles_json(state, member)
    return data


def _find_member(call: Call, member_id: str, permission: str) -> Member:
    member = call.state.members.get(int(member_id))
    if member is None:
        raise abort(404)
    find_project(call, str(member.project_id), permission)
    return member


def _role_ids(call: Call, given: Any) -> list[int]:
    """The known roles among ``given``; unknown ids are dropped, as Redmine does."""
    values = given if isinstance(given, list) else [given]
    return [i for i in (to_int(v) for v in values) if i is not None and i in call.state.roles]


@router.route("GET", "/projects/{project}/memberships.json")
def list_memberships(call: Call, params: dict[str, str]) -> SimResponse:
    project = find_project(call, params["project"], "view_members")
    members = call.state.memberships_of_project(project.id)
    offset, limit = call.offset_and_limit()
    items = [membership_json(call.state, m) for m in members[offset:offset + limit]]
    return listing("memberships", items, len(members), offset, limit)


@router.route("POST", "/projects/{project}/memberships.json")
def create_membership(call: Call, params: dict[str, str]) -> SimResponse:
    project = find_project(call, params["project"], "manage_members")
    fields = call.section("membership")
    given = fields.get("user_ids", fields.get("user_id"))
    principal_ids = [to_int(v) for v in (given if isinstance(given, list) else [given])]
    role_ids = _role_ids(call, fields.get("role_ids"))
    state = call.state
    created: list[Member] = []
    for principal_id in principal_ids or [None]:
        if principal_id is None or (principal_id not in state.users
                                    and principal_id not in state.groups):
            raise errors("Principal cannot be blank")
        if state.member_of(project.id, principal_id) is not None:
            raise errors("User has already been taken")
        if not role_ids:
            raise errors("Role cannot be empty")
        created.append(state.add_membership(project.id, principal_id, role_ids))
    first = created[0]
    return json_response(201, {"membership": membership_json(state, first)},
                         {"Location": f"/memberships/{first.id}.json"})


@router.route("GET", "/memberships/{id:int}.json")
def show_membership(call: Call, params: dict[str, str]) -> SimResponse:
    member = _find_member(call, params["id"], "view_members")
    return json_response(200, {"membership": membership_json(call.state, member)})


@router.route("PUT", "/memberships/{id:int}.json")
def update_membership(call: Call, params: dict[str, str]) -> SimResponse:
    member = _find_member(call, params["id"], "manage_members")
    fields = call.section("membership")  # {} when not sent as JSON: nothing changes
    if "role_ids" in fields:
        role_ids = _role_ids(call, fields["role_ids"])
        if not role_ids and not member.has_inherited:
            raise errors("Role cannot be empty")
        call.state.set_member_roles(member.id, role_ids)
    return empty_response(204)


@router.route("DELETE", "/memberships/{id:int}.json")
def delete_membership(call: Call, params: dict[str, str]) -> SimResponse:
    member = _find_member(call, params["id"], "manage_members")
    if member.has_inherited:  # Member#deletable? is false with any inherited role
        raise abort(422)
    call.state.delete_member(member.id)
    return empty_response(204)


# Roles --------------------------------------------------------------------------------


@router.route("GET", "/roles.json")
def list_roles(call: Call, _: dict[str, str]) -> SimResponse:
    return json_response(200, {"roles": [ref(r.id, r.name) for r in call.state.roles.values()]})


@router.route("GET", "/roles/{id:int}.json")
def show_role(call: Call, params: dict[str, str]) -> SimResponse:
    role = call.state.roles.get(int(params["id"]))
    if role is None:
        raise abort(404)
    return json_response(200, {"role": {
        "id": role.id, "name": role.name, "assignable": role.assignable,
        "issues_visibility": "all", "time_entries_visibility": "all",
        "users_visibility": "all", "permissions": list(role.permissions),
    }})
