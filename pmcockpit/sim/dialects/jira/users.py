"""Jira users and groups endpoints.

``/users/search`` pages with ``startAt``/``maxResults`` but answers a bare list
(no total, no ``isLast``): a client stops at an empty page. ``/group/member``
leaves inactive users out unless ``includeInactiveUsers=true``. Membership of
``site-admins`` (a group the state does not have) is the users' admin flag.
"""

from __future__ import annotations

import re
from typing import Any

from pmcockpit.sim.dialects.common import to_int
from pmcockpit.sim.dialects.jira.core import (
    ADMIN_GROUP_ID,
    JiraCall,
    account_id,
    error,
    find_account,
    find_group_number,
    find_issue,
    find_project,
    group_member_ids,
    group_name,
    group_ref,
    page_bean,
    router,
    user_json,
)
from pmcockpit.sim.http import SimResponse, empty_response, json_response
from pmcockpit.sim.models import USER_ACTIVE, User

USERS_PAGE_CAP = 100
GROUPS_PAGE_CAP = 50
NO_USER = "Specified user does not exist or you do not have required permissions"


def groups_of(call: JiraCall, user: User) -> list[int]:
    numbers = [g.id for g in call.state.groups_of(user.id)]
    return ([ADMIN_GROUP_ID] if user.admin else []) + numbers


def with_groups(call: JiraCall, user: User) -> dict[str, Any]:
    """A full ``User`` (``/myself``, ``/user``): ``locale`` is only in this shape, not in
    the ``UserDetails`` that group members, authors and assignees have."""
    data = {**user_json(call, user), "locale": "en_US"}
    if "groups" in {part.strip() for part in (call.arg("expand") or "").split(",")}:
        items = [group_ref(call, number) for number in groups_of(call, user)]
        data["groups"] = {"size": len(items), "items": items}
    return data


def _user(call: JiraCall) -> User:
    user = find_account(call.state, call.arg("accountId"))
    if user is None:
        raise error(404, NO_USER)
    return user


@router.route("GET", "/rest/api/3/myself")
def myself(call: JiraCall, _: dict[str, str]) -> SimResponse:
    return json_response(200, with_groups(call, call.user))


@router.route("GET", "/rest/api/3/user")
def show_user(call: JiraCall, _: dict[str, str]) -> SimResponse:
    return json_response(200, with_groups(call, _user(call)))


@router.route("GET", "/rest/api/3/user/groups")
def user_groups(call: JiraCall, _: dict[str, str]) -> SimResponse:
    user = _user(call)
    return json_response(200, [group_ref(call, number) for number in groups_of(call, user)])


@router.route("GET", "/rest/api/3/users/search")
def search_users(call: JiraCall, _: dict[str, str]) -> SimResponse:
    call.require_admin()
    users: list[User] | None = call.state.read_cache.get(("jira-users",))
    if users is None:  # kept until the next write: sorting 50k users per page is slow
        users = sorted(call.state.users.values(), key=lambda u: u.id)
        call.state.read_cache[("jira-users",)] = users
    start, size = call.page(default=50, cap=USERS_PAGE_CAP)
    return json_response(200, [user_json(call, u) for u in users[start:start + size]])


@router.route("GET", "/rest/api/3/group/bulk")
def bulk_groups(call: JiraCall, _: dict[str, str]) -> SimResponse:
    call.require_admin()
    state = call.state
    numbers = [ADMIN_GROUP_ID, *sorted(g.id for g in state.groups.values() if g.builtin is None)]
    wanted_ids, wanted_names = set(call.args("groupId")), set(call.args("groupName"))
    items = [{"name": group_name(state, n), "groupId": group_ref(call, n)["groupId"]}
             for n in numbers]
    if wanted_ids or wanted_names:
        items = [i for i in items if i["groupId"] in wanted_ids or i["name"] in wanted_names]
    start, size = call.page(default=50, cap=GROUPS_PAGE_CAP)
    return page_bean(call, items, start, size)


def _group(call: JiraCall) -> int:
    number = find_group_number(call.state, call.arg("groupId"), call.arg("groupname"))
    if number is None:
        raise error(404, "Specified group does not exist.")
    return number


@router.route("GET", "/rest/api/3/group/member")
def group_members(call: JiraCall, _: dict[str, str]) -> SimResponse:
    call.require_admin()
    number = _group(call)
    include_inactive = (call.arg("includeInactiveUsers") or "").lower() == "true"
    users = [call.state.users[i] for i in sorted(group_member_ids(call.state, number))
             if i in call.state.users]
    if not include_inactive:
        users = [u for u in users if u.status == USER_ACTIVE]
    start, size = call.page(default=50, cap=GROUPS_PAGE_CAP)
    return page_bean(call, [user_json(call, u) for u in users], start, size)


def _set_admin(call: JiraCall, user: User, admin: bool) -> None:
    user.admin = admin
    call.state.changed()


@router.route("POST", "/rest/api/3/group/user")
def add_group_user(call: JiraCall, _: dict[str, str]) -> SimResponse:
    call.require_admin()
    number = _group(call)
    user = find_account(call.state, str(call.body.get("accountId") or ""))
    if user is None:
        raise error(400, NO_USER)
    name = group_name(call.state, number)
    if user.id in group_member_ids(call.state, number):
        raise error(400, f"Cannot add user. User is already a member of '{name}'")
    if number == ADMIN_GROUP_ID:
        _set_admin(call, user, True)
    else:
        call.state.add_group_user(number, user.id)
    members = [u for i in group_member_ids(call.state, number)
               if (u := call.state.users.get(i)) is not None]
    return json_response(201, {
        **group_ref(call, number), "expand": "users",
        "users": {"size": len(members), "items": [
            {"accountId": account_id(u), "displayName": u.name} for u in members[:50]],
            "max-results": 50, "start-index": 0, "end-index": min(len(members), 50) - 1},
    })


@router.route("DELETE", "/rest/api/3/group/user")
def remove_group_user(call: JiraCall, _: dict[str, str]) -> SimResponse:
    call.require_admin()
    number = _group(call)
    user = find_account(call.state, call.arg("accountId"))
    if user is None:
        raise error(404, NO_USER)
    if user.id not in group_member_ids(call.state, number):
        raise error(400, f"Cannot remove user. User is not a member of "
                         f"'{group_name(call.state, number)}'")
    if number == ADMIN_GROUP_ID:
        _set_admin(call, user, False)
    else:
        call.state.remove_group_user(number, user.id)
    return empty_response(200)


def _found_by(users: list[User], query: str | None) -> list[User]:
    """Users whose display name or e-mail starts with ``query`` (any word of the name)."""
    wanted = (query or "").strip().lower()
    if not wanted:
        return users
    return [u for u in users if u.mail.lower().startswith(wanted)
            or any(word.startswith(wanted) for word in u.name.lower().split())
            or u.name.lower().startswith(wanted)]


@router.route("GET", "/rest/api/3/user/search")
def find_users(call: JiraCall, _: dict[str, str]) -> SimResponse:
    """Active and inactive users by name or e-mail prefix (or one by ``accountId``)."""
    query, wanted = call.arg("query"), call.arg("accountId")
    if not query and not wanted:
        raise error(400, "One of 'query' or 'accountId' query parameters must be provided.")
    users = sorted(call.state.users.values(), key=lambda u: u.id)
    users = [u for u in users if account_id(u) == wanted] if wanted else _found_by(users, query)
    start, size = call.page(default=50, cap=USERS_PAGE_CAP)
    return json_response(200, [user_json(call, u) for u in users[start:start + size]])


@router.route("GET", "/rest/api/3/user/assignable/search")
def assignable_users(call: JiraCall, _: dict[str, str]) -> SimResponse:
    """Active users who may be assigned issues of a project (its members) or an issue."""
    issue_ref = call.arg("issueKey") or call.arg("issueId")
    if issue_ref:
        project_id = find_issue(call, issue_ref).project_id
    elif call.arg("project"):
        project_id = find_project(call, call.arg("project")).id
    else:
        raise error(400, "A project, issue key or issue id is required.")
    member_ids = set()
    for member in call.state.memberships_of_project(project_id):
        group = call.state.groups.get(member.principal_id)
        member_ids |= set(group.user_ids) if group is not None else {member.principal_id}
    users = [u for u in sorted(call.state.users.values(), key=lambda u: u.id)
             if u.id in member_ids and u.status == USER_ACTIVE]
    if call.arg("accountId"):
        users = [u for u in users if account_id(u) == call.arg("accountId")]
    users = _found_by(users, call.arg("query"))
    start, size = call.page(default=50, cap=USERS_PAGE_CAP)
    return json_response(200, [user_json(call, u) for u in users[start:start + size]])


@router.route("GET", "/rest/api/3/groups/picker")
def pick_groups(call: JiraCall, _: dict[str, str]) -> SimResponse:
    """Groups whose name contains ``query``, at most ``maxResults`` (20 by default)."""
    state = call.state
    numbers = [ADMIN_GROUP_ID, *sorted(g.id for g in state.groups.values() if g.builtin is None)]
    query = (call.arg("query") or "").lower()
    excluded = set(call.args("exclude"))
    names = [(n, group_name(state, n)) for n in numbers]
    found = [(n, name) for n, name in names if query in name.lower() and name not in excluded]
    size = to_int(call.arg("maxResults"))
    shown = found[:20 if size is None or size < 0 else size]
    return json_response(200, {
        "header": f"Showing {len(shown)} of {len(found)} matching groups", "total": len(found),
        "groups": [{"name": name, "html": name, "labels": [],
                    "groupId": group_ref(call, n)["groupId"]} for n, name in shown]})


@router.route("GET", "/rest/api/3/group")
def show_group(call: JiraCall, _: dict[str, str]) -> SimResponse:
    """A group with its active members when ``expand=users[start:end]`` (deprecated for
    ``/group/member``, still answered): 50 members a slice at most, as Jira does."""
    call.require_admin()
    number = _group(call)
    data: dict[str, Any] = {**group_ref(call, number), "expand": "users"}
    expand = next((e for e in call.args("expand") if e.startswith("users")), None)
    if expand is not None:
        users = [u for i in sorted(group_member_ids(call.state, number))
                 if (u := call.state.users.get(i)) is not None and u.status == USER_ACTIVE]
        bounds = re.fullmatch(r"users\[(\d+):(\d+)\]", expand)
        start, end = (int(bounds.group(1)), int(bounds.group(2))) if bounds else (0, 49)
        end = min(end, start + 49, len(users) - 1)
        chosen = users[start:end + 1]
        data["users"] = {"size": len(users), "items": [user_json(call, u) for u in chosen],
                         "max-results": 50, "start-index": start,
                         "end-index": start + len(chosen) - 1}
    return json_response(200, data)
