"""Feishu's contact v3 directory: departments, users, freeze and resign.

Shapes follow the open platform's contact v3 reference (user: ``user_id``,
``open_id``, ``name``, ``email``, ``status`` with ``is_frozen``, ``is_resigned``,
``is_activated``, ``is_exited``, ``is_unjoin``, ``department_ids``,
``leader_user_id``, ``join_time`` in Unix seconds, ``is_tenant_manager``,
``employee_no``; department: ``department_id``, ``open_department_id``,
``parent_department_id``, ``leader_user_id``, ``member_count``).
``find_by_department`` lists a department's direct members, 50 a page at most; the
sim keeps resigned people listed in their last department (an assumption).
Each of the organisation's departments is a department, each team a child of it.
"""

from __future__ import annotations

import hashlib
from typing import Any

from pmcockpit.sim.dialects.feishu.core import (
    INVALID_FIELD,
    NO_DEPT_AUTHORITY,
    NO_USER_AUTHORITY,
    RATE_LIMITED,
    Call,
    fail,
    ok,
    paged,
    router,
    too_fast,
)
from pmcockpit.sim.http import SimResponse
from pmcockpit.sim.models import User
from pmcockpit.sim.state import ADMIN_LOGIN, ToolState

ROOT = "0"
ACCEPTORS = ("department_chat_acceptor_user_id", "external_chat_acceptor_user_id",
             "docs_acceptor_user_id", "calendar_acceptor_user_id",
             "application_acceptor_user_id", "minutes_acceptor_user_id",
             "survey_acceptor_user_id")


def _open_id(prefix: str, text: str) -> str:
    return prefix + hashlib.sha1(text.encode()).hexdigest()[:32]


def departments(state: ToolState) -> list[dict[str, Any]]:
    """Every department below the root, parents first, with its members' user ids (kept
    until the next write)."""
    cached = state.read_cache.get(("feishu", "departments"))
    if cached is None:
        cached = state.read_cache[("feishu", "departments")] = _departments(state)
    return cached


def _departments(state: ToolState) -> list[dict[str, Any]]:
    org = state.org
    if org is None:
        return []
    teams: dict[tuple[str, str], list[str]] = {}
    by_login = persons(state)
    for user in people(state):
        person = by_login[user.login]
        teams.setdefault((person.department, person.team), []).append(user.login)
    result = []
    for number, department in enumerate(org.departments, start=1):
        dept_id = f"d{number}"
        result.append({"name": department.name, "department_id": dept_id,
                       "open_department_id": _open_id("od-", dept_id),
                       "parent_department_id": ROOT, "members": []})
        for index, team in enumerate(department.teams, start=1):
            members = teams.get((department.name, team), [])
            result.append({"name": team, "department_id": f"{dept_id}-{index}",
                           "open_department_id": _open_id("od-", f"{dept_id}-{index}"),
                           "parent_department_id": dept_id, "members": members})
    return result


def people(state: ToolState) -> list[User]:
    return sorted((u for u in state.users.values() if u.login != ADMIN_LOGIN),
                  key=lambda u: u.id)


def persons(state: ToolState) -> dict[str, Any]:
    """The organisation's people by login (``Organisation.person`` walks the list)."""
    cached = state.read_cache.get(("feishu", "persons"))
    if cached is None:
        people_of = {p.login: p for p in state.org.people} if state.org is not None else {}
        cached = state.read_cache[("feishu", "persons")] = [people_of]
    found: dict[str, Any] = cached[0]
    return found


def _department_json(item: dict[str, Any], leaders: dict[str, str]) -> dict[str, Any]:
    shown = {k: v for k, v in item.items() if k != "members"}
    shown.update(leader_user_id=leaders.get(item["department_id"], ""),
                 member_count=len(item["members"]), status={"is_deleted": False})
    return shown


def leaders(call: Call) -> dict[str, str]:
    """Each team's leader: its first member still employed (kept until the next write)."""
    cached = call.state.read_cache.get(("feishu", "leaders"))
    if cached is None:
        cached = call.state.read_cache[("feishu", "leaders")] = [_leaders(call)]
    found: dict[str, str] = cached[0]
    return found


def _leaders(call: Call) -> dict[str, str]:
    facts = call.facts
    by_login = {u.login: u for u in people(call.state)}
    return {d["department_id"]: next((m for m in d["members"]
                                      if by_login[m].id not in facts.resigned), "")
            for d in departments(call.state)}


def user_json(call: Call, user: User, department: str, leader: str) -> dict[str, Any]:
    facts = call.facts
    person = persons(call.state).get(user.login)
    resigned = user.id in facts.resigned
    return {
        "user_id": user.login, "open_id": _open_id("ou_", user.login),
        "union_id": _open_id("on_", user.login), "name": user.name, "en_name": user.name,
        "email": user.mail, "enterprise_email": user.mail, "mobile_visible": True,
        "status": {"is_frozen": user.id in facts.frozen and not resigned,
                   "is_resigned": resigned, "is_activated": not resigned,
                   "is_exited": False, "is_unjoin": False},
        "department_ids": [department] if department != ROOT else [],
        "leader_user_id": "" if leader == user.login else leader,
        "join_time": int(user.created_on.timestamp()),
        "is_tenant_manager": user.admin,
        "employee_no": person.employee_id if person and person.employee_id else "",
        "employee_type": 1, "job_title": person.title if person else "",
    }


def _placed(call: Call, user_id: str) -> tuple[User, str, str]:
    """The user, their department id and their leader; 41050 outside the scope."""
    user = call.state.user_by_login(user_id)
    if user is None or user.login == ADMIN_LOGIN:
        raise fail(400, 41001, "user not found")
    for item in departments(call.state):
        if user.login in item["members"]:
            if item["department_id"] in call.facts.out_of_scope:
                raise fail(400, NO_USER_AUTHORITY, "no user authority error")
            return user, item["department_id"], leaders(call)[item["department_id"]]
    return user, ROOT, ""


@router.route("GET", "/contact/v3/departments/{id}/children")
def list_departments(call: Call, params: dict[str, str]) -> SimResponse:
    parent = params["id"]
    items = [d for d in departments(call.state)
             if call.arg("fetch_child") == "true" or d["parent_department_id"] == parent]
    if parent != ROOT:
        items = [d for d in items if d["department_id"].startswith(parent + "-")]
    heads = leaders(call)
    return paged(call, [_department_json(d, heads) for d in items], limit=50, default=10)


@router.route("GET", "/contact/v3/users/find_by_department")
def find_by_department(call: Call, _: dict[str, str]) -> SimResponse:
    wanted = call.arg("department_id") or ""
    if wanted in call.facts.out_of_scope:
        raise fail(400, NO_DEPT_AUTHORITY, "no dept authority error")
    found = next((d for d in departments(call.state) if d["department_id"] == wanted), None)
    if found is None and wanted != ROOT:
        raise fail(400, 40003, "internal error: department not found")
    heads = leaders(call)
    members = found["members"] if found else []
    users = [call.state.user_by_login(login) for login in members]
    items = [user_json(call, u, wanted, heads.get(wanted, "")) for u in users if u]
    return paged(call, items, limit=50, default=10)


@router.route("GET", "/contact/v3/users/{user_id}")
def get_user(call: Call, params: dict[str, str]) -> SimResponse:
    user, department, leader = _placed(call, params["user_id"])
    return ok({"user": user_json(call, user, department, leader)})


@router.route("PATCH", "/contact/v3/users/{user_id}")
def patch_user(call: Call, params: dict[str, str]) -> SimResponse:
    user, department, leader = _placed(call, params["user_id"])
    frozen = call.body.get("is_frozen")
    if frozen is not None:
        if not isinstance(frozen, bool):
            raise fail(400, INVALID_FIELD, "field validation failed: is_frozen")
        if user.id in call.facts.resigned:
            raise fail(400, INVALID_FIELD, "user has resigned")
        if too_fast(call.facts):
            raise fail(429, RATE_LIMITED, "request trigger frequency limit",
                       {"x-ogw-ratelimit-reset": "1"})
        (call.facts.frozen.add if frozen else call.facts.frozen.discard)(user.id)
    return ok({"user": user_json(call, user, department, leader)})


@router.route("DELETE", "/contact/v3/users/{user_id}")
def resign_user(call: Call, params: dict[str, str]) -> SimResponse:
    user, _department, _leader = _placed(call, params["user_id"])
    if user.id in call.facts.resigned:
        raise fail(400, INVALID_FIELD, "user has resigned")
    handed = {k: call.body[k] for k in ACCEPTORS if call.body.get(k)}
    email = call.body.get("email_acceptor")
    receivers = [*handed.values()]
    if isinstance(email, dict) and email.get("acceptor_user_id"):
        receivers.append(email["acceptor_user_id"])
    for receiver in receivers:
        other = call.state.user_by_login(str(receiver))
        if other is None or other.id in call.facts.resigned or other.id == user.id:
            raise fail(400, INVALID_FIELD, f"field validation failed: acceptor {receiver}")
    call.facts.resigned.add(user.id)
    call.facts.frozen.discard(user.id)
    call.facts.transfers.append({"user_id": user.login, **handed, "email_acceptor": email})
    return ok({})
