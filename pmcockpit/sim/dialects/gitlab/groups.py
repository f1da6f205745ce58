"""GitLab groups and their members.

The seeded groups are top-level; ``POST /groups`` with ``parent_id`` makes a subgroup
(by an administrator or a Maintainer of the parent, GitLab's default
``subgroup_creation_level``), whose ``full_path`` is its parents' paths and its own.
``/subgroups`` lists a group's children, ``/descendant_groups`` all groups below it,
and ``/members/all`` adds the members inherited from the groups above (the nearest
group's level counting); ``/groups/:id/projects`` lists the projects in its namespace
(and, with ``with_shared``, those shared with it).

Every member has an access level: a department's people are Reporters in its
group, other groups' members Developers, until changed. A group's members reach
every project in it (and in the projects shared with it): adding or removing one
changes ``/projects/:id/members/all`` at once.
"""

from __future__ import annotations

from typing import Any

from pmcockpit.sim.dialects.gitlab.access import (
    access_level,
    can_see,
    find_group,
    is_archived,
    member_json,
    member_user,
    shares,
)
from pmcockpit.sim.dialects.gitlab.core import (
    Call,
    forbidden,
    iso,
    message,
    not_found,
    paged,
    router,
)
from pmcockpit.sim.http import SimResponse, empty_response, json_response
from pmcockpit.sim.models import Group
from pmcockpit.sim.state import ADMIN_LOGIN

MAINTAINER = 40
OWNER = 50


def _created(call: Call) -> Any:
    admin = call.state.user_by_login(ADMIN_LOGIN)
    return admin.created_on if admin else call.state.clock()


def group_json(call: Call, group: Group) -> dict[str, Any]:
    path = call.facts.full_path(group.id)
    names = [call.state.groups[g].name for g in reversed(call.facts.ancestors(group.id))]
    return {
        "id": group.id, "web_url": f"{call.base_url}/groups/{path}", "name": group.name,
        "path": call.facts.group_paths[group.id], "description": "",
        "visibility": "internal",
        "share_with_group_lock": False, "require_two_factor_authentication": False,
        "two_factor_grace_period": 48, "project_creation_level": "developer",
        "subgroup_creation_level": "maintainer", "lfs_enabled": True,
        "request_access_enabled": True, "full_name": " / ".join([*names, group.name]),
        "full_path": path, "created_at": iso(_created(call)),
        "parent_id": call.facts.parents.get(group.id), "avatar_url": None,
    }


def _may_manage(call: Call, group: Group) -> None:
    if not call.user.admin and (call.user.id not in group.user_ids
                                or call.facts.group_level(group.id, call.user.id) < 50):
        raise forbidden()


@router.route("GET", "/groups")
def list_groups(call: Call, _: dict[str, str]) -> SimResponse:
    everything = call.user.admin or call.flag("all_available")
    groups = [g for g in call.state.groups.values()
              if everything or call.user.id in g.user_ids]
    search = str(call.arg("search") or "").lower()
    top_only = call.flag("top_level_only")
    groups = [g for g in groups if (not search or search in g.name.lower())
              and not (top_only and g.id in call.facts.parents)]
    groups.sort(key=lambda g: g.id if call.arg("order_by") == "id" else g.name.lower(),
                reverse=call.arg("sort") == "desc")
    return paged(call, groups, lambda g: group_json(call, g))


@router.route("GET", "/groups/{id:int}")
def show_group(call: Call, params: dict[str, str]) -> SimResponse:
    return json_response(200, group_json(call, find_group(call, params["id"])))


@router.route("POST", "/groups")
def create_group(call: Call, _: dict[str, str]) -> SimResponse:
    call.require("name", "path")
    parent_id = call.number("parent_id")
    if parent_id is not None:
        parent = find_group(call, str(parent_id))
        if not call.user.admin and (call.user.id not in parent.user_ids or call.facts.
                                    group_level(parent.id, call.user.id) < MAINTAINER):
            raise forbidden()
    path = str(call.arg("path"))
    siblings = [g for g, p in call.facts.group_paths.items()
                if call.facts.parents.get(g) == parent_id and p.lower() == path.lower()]
    if siblings:
        raise message(400, {"path": ["has already been taken"]})
    group = call.state.add_group(str(call.arg("name")))
    call.facts.group_paths[group.id] = path
    if parent_id is not None:
        call.facts.parents[group.id] = parent_id
    call.state.add_group_user(group.id, call.user.id)  # the creator owns it
    call.facts.group_levels[(group.id, call.user.id)] = OWNER
    call.facts.record(call.user, "Group", group.id, "Added group", path, call.state.clock())
    return json_response(201, group_json(call, group))


def _below(call: Call, group_id: int, *, deep: bool) -> list[Group]:
    found = [g for g in call.state.groups.values()
             if call.facts.parents.get(g.id) == group_id]
    if deep:
        found += [d for child in list(found) for d in _below(call, child.id, deep=True)]
    return found


@router.route("GET", "/groups/{id:int}/subgroups")
def list_subgroups(call: Call, params: dict[str, str]) -> SimResponse:
    group = find_group(call, params["id"])
    found = sorted(_below(call, group.id, deep=False), key=lambda g: g.name.lower())
    return paged(call, found, lambda g: group_json(call, g))


@router.route("GET", "/groups/{id:int}/descendant_groups")
def list_descendants(call: Call, params: dict[str, str]) -> SimResponse:
    group = find_group(call, params["id"])
    found = sorted(_below(call, group.id, deep=True), key=lambda g: g.name.lower())
    return paged(call, found, lambda g: group_json(call, g))


@router.route("GET", "/groups/{id:int}/projects")
def list_group_projects(call: Call, params: dict[str, str]) -> SimResponse:
    from pmcockpit.sim.dialects.gitlab.projects import project_json

    group = find_group(call, params["id"])
    shared = call.flag("with_shared") is not False
    archived = call.flag("archived")
    projects = [p for p in sorted(call.state.projects.values(), key=lambda p: p.id)
                if (call.facts.namespaces.get(p.id) == group.id
                    or (shared and any(g.id == group.id for g, _ in
                                       shares(call.state, call.facts, p))))
                and can_see(call, p) and archived in (None, is_archived(p))]
    return paged(call, projects, lambda p: project_json(call, p))


@router.route("GET", "/groups/{id:int}/members")
def list_members(call: Call, params: dict[str, str]) -> SimResponse:
    group = find_group(call, params["id"])
    return _members(call, {u: group.id for u in group.user_ids})


@router.route("GET", "/groups/{id:int}/members/all")
def list_all_members(call: Call, params: dict[str, str]) -> SimResponse:
    """Direct and inherited members: for each person, the nearest group they are in."""
    group = find_group(call, params["id"])
    where: dict[int, int] = {}
    for group_id in reversed([group.id, *call.facts.ancestors(group.id)]):
        where.update({u: group_id for u in call.state.groups[group_id].user_ids})
    return _members(call, where)


def _members(call: Call, where: dict[int, int]) -> SimResponse:
    users = sorted((call.state.users[u] for u in where if u in call.state.users),
                   key=lambda u: u.id)
    since = _created(call)
    return paged(call, users, lambda u: member_json(
        call, u, call.facts.group_level(where[u.id], u.id), since))


@router.route("GET", "/groups/{id:int}/members/{user_id:int}")
@router.route("GET", "/groups/{id:int}/members/all/{user_id:int}")
def show_member(call: Call, params: dict[str, str]) -> SimResponse:
    group = find_group(call, params["id"])
    return _member_answer(call, group, _member_id(group, params))


def _member_id(group: Group, params: dict[str, str], missing: str = "Not found") -> int:
    user_id = int(params["user_id"])
    if user_id not in group.user_ids:
        raise not_found(missing)
    return user_id


def _member_answer(call: Call, group: Group, user_id: int) -> SimResponse:
    return json_response(200, member_json(call, call.state.users[user_id],
                                          call.facts.group_level(group.id, user_id),
                                          _created(call)))


@router.route("POST", "/groups/{id:int}/members")
def add_member(call: Call, params: dict[str, str]) -> SimResponse:
    group = find_group(call, params["id"])
    _may_manage(call, group)
    user = member_user(call)
    level = access_level(call)
    if user.id in group.user_ids:
        raise message(409, "Member already exists")
    call.state.add_group_user(group.id, user.id)
    call.facts.group_levels[(group.id, user.id)] = level
    return json_response(201, member_json(call, user, level, call.state.clock()))


@router.route("PUT", "/groups/{id:int}/members/{user_id:int}")
def update_member(call: Call, params: dict[str, str]) -> SimResponse:
    group = find_group(call, params["id"])
    _may_manage(call, group)
    user_id = _member_id(group, params)
    call.require("access_level")
    call.facts.group_levels[(group.id, user_id)] = access_level(call)
    return _member_answer(call, group, user_id)


@router.route("DELETE", "/groups/{id:int}/members/{user_id:int}")
def remove_member(call: Call, params: dict[str, str]) -> SimResponse:
    group = find_group(call, params["id"])
    _may_manage(call, group)
    user_id = _member_id(group, params, "Member Not Found")
    call.state.remove_group_user(group.id, user_id)
    call.facts.group_levels.pop((group.id, user_id), None)
    return empty_response(204)
