"""Redmine users and groups endpoints.

``/users.json`` lists active users only unless ``status`` says otherwise
(``status=`` lists all) and its items carry no ``status``; the single-user
answer has it. ``/groups.json`` hides the built-in groups unless ``builtin=1``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from pmcockpit.sim.dialects.common import abort, iso, to_int
from pmcockpit.sim.dialects.redmine.core import (
    Call,
    errors,
    find_user,
    listing,
    ref,
    router,
)
from pmcockpit.sim.http import SimResponse, empty_response, json_response
from pmcockpit.sim.models import PROJECT_ARCHIVED, USER_ACTIVE, USER_STATUSES, Group, Member, User
from pmcockpit.sim.state import ToolState

LOGIN_PATTERN = re.compile(r"^[a-z0-9_\-@.]{1,60}$", re.IGNORECASE)
MAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 8
SORT_KEYS: dict[str, Callable[[User], Any]] = {
    "login": lambda u: u.login.lower(),
    "firstname": lambda u: u.firstname.lower(),
    "lastname": lambda u: u.lastname.lower(),
    "admin": lambda u: u.admin,
    "created_on": lambda u: u.created_on,
    "last_login_on": lambda u: (u.last_login_on is not None, u.last_login_on),
}


def roles_json(state: ToolState, member: Member) -> list[dict[str, Any]]:
    result = []
    for grant in member.grants:
        role = state.roles.get(grant.role_id)
        if role is None:
            continue
        item: dict[str, Any] = ref(role.id, role.name)
        if grant.inherited_from is not None:
            item["inherited"] = True
        result.append(item)
    return result


def principal_memberships(call: Call, principal_id: int) -> list[dict[str, Any]]:
    """A user's or group's memberships of projects the caller can see (not archived)."""
    result = []
    for member in call.state.memberships_of_principal(principal_id):
        project = call.state.projects[member.project_id]
        if project.status == PROJECT_ARCHIVED:
            continue
        result.append({"id": member.id, "project": ref(project.id, project.name),
                       "roles": roles_json(call.state, member)})
    return result


def user_json(call: Call, user: User, detail: bool = False) -> dict[str, Any]:
    privileged = call.user.admin or call.user.id == user.id
    data: dict[str, Any] = {"id": user.id, "login": user.login}
    if privileged:
        data["admin"] = user.admin
    data.update({
        "firstname": user.firstname, "lastname": user.lastname, "mail": user.mail,
        "created_on": iso(user.created_on), "updated_on": iso(user.updated_on),
        "last_login_on": iso(user.last_login_on),
        "passwd_changed_on": iso(user.passwd_changed_on), "twofa_scheme": None,
    })
    if detail and privileged:
        data["api_key"] = user.api_key
    if detail and call.user.admin:
        data["status"] = user.status
    if detail:
        includes = call.includes()
        if "groups" in includes and call.user.admin:
            data["groups"] = [ref(g.id, g.name) for g in call.state.groups_of(user.id)]
        if "memberships" in includes:
            data["memberships"] = principal_memberships(call, user.id)
    return data


def _sorted_users(state: ToolState, status: str, sort: str) -> list[User]:
    """Users with ``status`` ("" for all) in ``sort`` order, cached until the next write."""
    key = ("users", status, sort)
    cached: list[User] | None = state.read_cache.get(key)
    if cached is not None:
        return cached
    field, _, direction = sort.partition(":")
    users = [u for u in state.users.values() if status == "" or str(u.status) == status]
    users.sort(key=SORT_KEYS.get(field, SORT_KEYS["login"]), reverse=direction == "desc")
    state.read_cache[key] = users
    return users


@router.route("GET", "/users.json")
def list_users(call: Call, _: dict[str, str]) -> SimResponse:
    call.require_admin()
    status = call.arg("status")
    users = _sorted_users(call.state, str(USER_ACTIVE) if status is None else status,
                          call.arg("sort") or "login")
    name = (call.arg("name") or "").strip().lower()
    if name:
        users = [u for u in users if any(name in text.lower() for text in (
            u.login, u.firstname, u.lastname, u.mail, u.name, f"{u.lastname} {u.firstname}"))]
    group_id = to_int(call.arg("group_id"))
    if group_id is not None:
        members = set(call.state.groups[group_id].user_ids) if group_id in call.state.groups \
            else set()
        users = [u for u in users if u.id in members]
    offset, limit = call.offset_and_limit()
    items = [user_json(call, u) for u in users[offset:offset + limit]]
    return listing("users", items, len(users), offset, limit)


@router.route("GET", "/users/current.json")
@router.route("GET", "/my/account.json")
def current_user(call: Call, _: dict[str, str]) -> SimResponse:
    return json_response(200, {"user": user_json(call, call.user, detail=True)})


@router.route("GET", "/users/{id:int}.json")
def show_user(call: Call, params: dict[str, str]) -> SimResponse:
    user = find_user(call, params["id"])
    if not call.user.admin and user.id != call.user.id and user.status != USER_ACTIVE:
        raise abort(404)
    return json_response(200, {"user": user_json(call, user, detail=True)})


def _check_user(call: Call, fields: dict[str, Any], user: User | None) -> list[str]:
    """Redmine's validation messages for the user attributes given."""
    creating = user is None
    problems = []
    if creating or "login" in fields:
        problems += _check_login(call, fields.get("login"), user)
    for name, label in (("firstname", "First name"), ("lastname", "Last name")):
        if (creating or name in fields) and not fields.get(name):
            problems.append(f"{label} cannot be blank")
    if creating or "mail" in fields:
        problems += _check_mail(call, str(fields.get("mail") or ""), user)
    if "status" in fields and to_int(fields["status"]) not in USER_STATUSES:
        problems.append("Status is not included in the list")
    password = fields.get("password")
    if creating and not password and not fields.get("generate_password"):
        problems.append("Password cannot be blank")
    elif password is not None and len(str(password)) < MIN_PASSWORD:
        problems.append(f"Password is too short (minimum is {MIN_PASSWORD} characters)")
    return problems


def _check_login(call: Call, login: Any, user: User | None) -> list[str]:
    if not login:
        return ["Login cannot be blank"]
    if not LOGIN_PATTERN.match(str(login)):
        return ["Login is invalid"]
    other = call.state.user_by_login(str(login))
    if other is not None and other is not user:
        return ["Login has already been taken"]
    return []


def _check_mail(call: Call, mail: str, user: User | None) -> list[str]:
    if not mail:
        return ["Email cannot be blank"]
    if not MAIL_PATTERN.match(mail):
        return ["Email is invalid"]
    if any(u.mail.lower() == mail.lower() and u is not user for u in call.state.users.values()):
        return ["Email has already been taken"]
    return []


@router.route("POST", "/users.json")
def create_user(call: Call, _: dict[str, str]) -> SimResponse:
    call.require_admin()
    fields = call.section("user")
    problems = _check_user(call, fields, None)
    if problems:
        raise errors(*problems)
    user = call.state.add_user(
        login=str(fields["login"]), firstname=str(fields["firstname"]),
        lastname=str(fields["lastname"]), mail=str(fields["mail"]),
        admin=bool(fields.get("admin", False)),
        status=to_int(fields.get("status")) or USER_ACTIVE,
    )
    return json_response(201, {"user": user_json(call, user, detail=True)})


@router.route("PUT", "/users/{id:int}.json")
def update_user(call: Call, params: dict[str, str]) -> SimResponse:
    call.require_admin()
    user = find_user(call, params["id"])
    fields = call.section("user")  # {} when the body was not sent as JSON: nothing changes
    problems = _check_user(call, fields, user)
    if problems:
        raise errors(*problems)
    state = call.state
    if "login" in fields:
        state.rename_login(user, str(fields["login"]))
    for name in ("firstname", "lastname", "mail"):
        if name in fields:
            setattr(user, name, str(fields[name]))
    if "admin" in fields:
        user.admin = bool(fields["admin"])
    if "status" in fields:
        state.set_user_status(user, int(fields["status"]))
    if fields:
        user.updated_on = state.clock()
    return empty_response(204)


@router.route("DELETE", "/users/{id:int}.json")
def delete_user(call: Call, params: dict[str, str]) -> SimResponse:
    call.require_admin()
    user = find_user(call, params["id"])
    call.state.delete_user(user.id)
    return empty_response(204)


# Groups -------------------------------------------------------------------------------


def _find_group(call: Call, group_id: str) -> Group:
    group = call.state.groups.get(int(group_id))
    if group is None:
        raise abort(404)
    return group


def group_json(call: Call, group: Group, detail: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = ref(group.id, group.name)
    if group.builtin:
        data["builtin"] = group.builtin
    if detail:
        includes = call.includes()
        if "users" in includes:
            users = (call.state.users[u] for u in group.user_ids if u in call.state.users)
            data["users"] = [ref(u.id, u.name) for u in sorted(users, key=lambda u: u.login)]
        if "memberships" in includes:
            data["memberships"] = principal_memberships(call, group.id)
    return data


@router.route("GET", "/groups.json")
def list_groups(call: Call, _: dict[str, str]) -> SimResponse:
    call.require_admin()
    with_builtin = call.arg("builtin") in ("1", "true")
    groups = [g for g in call.state.groups.values() if with_builtin or not g.builtin]
    groups.sort(key=lambda g: (g.builtin is not None, g.name.lower()))
    return json_response(200, {"groups": [group_json(call, g) for g in groups]})


@router.route("POST", "/groups.json")
def create_group(call: Call, _: dict[str, str]) -> SimResponse:
    call.require_admin()
    fields = call.section("group")
    name = str(fields.get("name") or "").strip()
    if not name:
        raise errors("Name cannot be blank")
    if any(g.name.lower() == name.lower() for g in call.state.groups.values()):
        raise errors("Name has already been taken")
    group = call.state.add_group(name)
    for user_id in fields.get("user_ids") or []:
        if to_int(user_id) in call.state.users:
            call.state.add_group_user(group.id, int(user_id))
    return json_response(201, {"group": group_json(call, group)})


@router.route("GET", "/groups/{id:int}.json")
def show_group(call: Call, params: dict[str, str]) -> SimResponse:
    call.require_admin()
    return json_response(200, {"group": group_json(call, _find_group(call, params["id"]),
                                                   detail=True)})


@router.route("PUT", "/groups/{id:int}.json")
def update_group(call: Call, params: dict[str, str]) -> SimResponse:
    call.require_admin()
    group = _find_group(call, params["id"])
    fields = call.section("group")
    if "name" in fields:
        name = str(fields["name"] or "").strip()
        if not name:
            raise errors("Name cannot be blank")
        group.name = name
    if "user_ids" in fields:
        wanted = [i for i in (to_int(u) for u in fields["user_ids"] or [])
                  if i in call.state.users]
        for user_id in [u for u in group.user_ids if u not in wanted]:
            call.state.remove_group_user(group.id, user_id)
        for user_id in wanted:
            call.state.add_group_user(group.id, user_id)
    return empty_response(204)


@router.route("DELETE", "/groups/{id:int}.json")
def delete_group(call: Call, params: dict[str, str]) -> SimResponse:
    call.require_admin()
    group = _find_group(call, params["id"])
    if group.builtin:
        raise abort(403)
    call.state.delete_group(group.id)
    return empty_response(204)


@router.route("POST", "/groups/{id:int}/users.json")
def add_group_users(call: Call, params: dict[str, str]) -> SimResponse:
    call.require_admin()
    group = _find_group(call, params["id"])
    given = call.body.get("user_id", call.body.get("user_ids"))
    candidates = given if isinstance(given, list) else [given]
    user_ids = [i for i in (to_int(c) for c in candidates)
                if i in call.state.users and i not in group.user_ids]
    if group.builtin or not user_ids:
        raise errors("User is invalid")
    for user_id in user_ids:
        call.state.add_group_user(group.id, user_id)
    return empty_response(204)


@router.route("DELETE", "/groups/{id:int}/users/{user_id:int}.json")
def remove_group_user(call: Call, params: dict[str, str]) -> SimResponse:
    call.require_admin()
    group = _find_group(call, params["id"])
    user = find_user(call, params["user_id"])
    call.state.remove_group_user(group.id, user.id)
    return empty_response(204)
