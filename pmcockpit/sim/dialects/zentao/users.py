"""ZenTao's people: ``/user``, ``/users``, ``/users/:id`` and ``/departments``.

Shapes follow ``api/v1/entries/users.php`` (the listing keeps ``id, dept, account,
realname, role, pinyin, email`` plus the columns named in ``fileds``, and formats
``locked`` as a time), ``user.php`` (``GET /user`` answers ``{"profile": ...}`` with
times formatted and ``admin`` worked out from the company's admins; ``GET /users/:id``
answers the raw row: ``last`` a Unix time, ``locked`` a ``Y-m-d H:i:s`` text) and
``departments.php`` (the department tree with ``children``).
"""

from __future__ import annotations

from typing import Any

from pmcockpit.sim.dialects.common import iso
from pmcockpit.sim.dialects.zentao.core import NO_COMPANY_BROWSE, Call, error, listing, router
from pmcockpit.sim.http import SimResponse, json_response
from pmcockpit.sim.models import User
from pmcockpit.sim.state import ToolState

ZERO_TIME = "0000-00-00 00:00:00"
ROLES = {"Engineering": "dev", "Product": "po", "PMO": "pm", "Operations": "others"}
BASE_FIELDS = ("id", "dept", "account", "realname", "role", "pinyin", "email")


def departments(state: ToolState) -> dict[str, int]:
    """Department name -> id, in the organisation's order."""
    org = state.org
    names = [d.name for d in org.departments] if org is not None else []
    return {name: number for number, name in enumerate(names, start=1)}


def person_department(state: ToolState, user: User) -> str | None:
    if state.org is None:
        return None
    try:
        return state.org.person(user.login).department
    except KeyError:
        return None


def row(call: Call, user: User) -> dict[str, Any]:
    """The zt_user row as PHP fetches it (numbers of int columns as numbers)."""
    state, facts = call.state, call.facts
    department = person_department(state, user)
    locked = facts.locked_until.get(user.login)
    return {
        "id": user.id, "dept": departments(state).get(department or "", 0),
        "account": user.login, "realname": user.name,
        "role": ROLES.get(department or "", "others"), "pinyin": "", "email": user.mail,
        "join": user.created_on.date().isoformat(),
        "last": int(user.last_login_on.timestamp()) if user.last_login_on else 0,
        "visits": facts.visits.get(user.id, 0 if user.last_login_on is None else 1),
        "locked": locked.strftime("%Y-%m-%d %H:%M:%S") if locked else ZERO_TIME,
        "deleted": "1" if user.id in facts.deleted else "0",
        "type": "inside", "gender": "f", "ranzhi": "", "fails": facts.fails.get(user.login, 0),
    }


def _time(value: str) -> str | None:
    """``format(..., 'x:time')``: an ISO time, nothing for MySQL's zero date."""
    if value == ZERO_TIME:
        return None
    return value.replace(" ", "T") + "Z"


@router.route("GET", "/users")
def list_users(call: Call, _: dict[str, str]) -> SimResponse:
    if not call.user.admin or call.user.id in call.facts.no_company_browse:
        raise error(400, NO_COMPANY_BROWSE)
    extra = [f.strip() for f in (call.arg("fileds") or "").split(",") if f.strip()]
    order = call.arg("order") or "id_desc"
    users = sorted((u for u in call.state.users.values() if u.id not in call.facts.deleted),
                   key=lambda u: u.id, reverse=order != "id_asc")
    items = []
    for user in users:
        full = row(call, user)
        item = {k: full[k] for k in (*BASE_FIELDS, *extra) if k in full}
        if "locked" in item:
            item["locked"] = _time(str(item["locked"]))
        items.append(item)
    return listing(call, "users", items)


@router.route("GET", "/user")
def current_user(call: Call, _: dict[str, str]) -> SimResponse:
    profile = row(call, call.user)
    profile.update(
        last=iso(call.user.last_login_on), locked=_time(str(profile["locked"])),
        role={"code": profile["role"], "name": profile["role"]},
        admin=call.user.admin, view={})
    return json_response(200, {"profile": profile})


def _find(call: Call, ref: str) -> User:
    user = call.state.users.get(int(ref)) if ref.isdigit() else call.state.user_by_login(ref)
    if user is None or user.id in call.facts.deleted:
        raise error(404, "404 Not found")
    return user


@router.route("GET", "/users/{id}")
def show_user(call: Call, params: dict[str, str]) -> SimResponse:
    return json_response(200, row(call, _find(call, params["id"])))


@router.route("DELETE", "/users/{id}")
def delete_user(call: Call, params: dict[str, str]) -> SimResponse:
    user = _find(call, params["id"])
    if not call.user.admin:
        raise error(403, "Forbidden")
    if user.id != call.user.id:  # ZenTao silently keeps an admin's own account
        call.facts.deleted.add(user.id)
        for token in [t for t, uid in call.facts.sessions.items() if uid == user.id]:
            del call.facts.sessions[token]
    return json_response(200, {"message": "success"})


@router.route("GET", "/departments")
def list_departments(call: Call, _: dict[str, str]) -> SimResponse:
    tree = [{"id": number, "name": name, "parent": 0, "path": f",{number},", "grade": 1,
             "order": number * 10, "manager": "", "children": []}
            for name, number in departments(call.state).items()]
    return json_response(200, tree)
