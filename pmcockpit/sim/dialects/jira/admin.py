"""Atlassian's organisation admin API, the calls pmcockpit makes, on the same server.

The real one lives at ``https://api.atlassian.com/admin/v1/orgs/{orgId}/...`` and
takes a Bearer admin API key, separate from the Jira API token; here it answers
under ``/admin/v1/`` next to the Jira REST API. The organisation id and the key
are derived from the state's token (see :func:`admin_access`), so a test or the
demo can configure a connection without being told them. Errors carry
``{"code": ..., "message": ...}``, as the admin API's do.

Suspending access locks the account: Jira then reports it ``active: false`` and
refuses its API token. Last-active dates come from the state's last logins.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass

from pmcockpit.sim.dialects.common import Abort, abort_json
from pmcockpit.sim.dialects.jira.core import account_type, find_account
from pmcockpit.sim.http import Router, SimRequest, SimResponse, json_response
from pmcockpit.sim.models import USER_ACTIVE, USER_LOCKED, User
from pmcockpit.sim.state import ToolState

ADMIN_PATH_PREFIX = "/admin/"
PRODUCT_KEY = "jira-software"


@dataclass(frozen=True)
class AdminAccess:
    org_id: str
    api_key: str
    site_id: str
    """The Jira site's cloud id, as ``product_access`` names it."""


def _uuid(seed: str) -> str:
    return str(uuid.UUID(hashlib.md5(seed.encode()).hexdigest()))


def admin_access(state: ToolState) -> AdminAccess:
    """The simulated organisation's id and admin API key, stable for a given token."""
    key = hashlib.sha256(f"admin-api:{state.token}".encode()).hexdigest()[:48]
    return AdminAccess(_uuid(f"org:{state.token}"), f"ATCTT3xFfGN0{key}",
                       _uuid(f"site:{state.token}"))


@dataclass
class AdminCall:
    state: ToolState
    request: SimRequest
    access: AdminAccess


admin_router: Router[AdminCall] = Router()


def admin_error(status: int, message: str) -> Abort:
    return abort_json(status, {"code": status, "message": message})


def _directory_user(call: AdminCall, params: dict[str, str]) -> User:
    if params["org"] != call.access.org_id:
        raise admin_error(403, "The API key has no access to this organization")
    user = find_account(call.state, params["account"])
    if user is None or account_type(user) != "atlassian":  # apps are not in the directory
        raise admin_error(404, "User not found in the organization directory")
    return user


def _day(user: User) -> str | None:
    return user.last_login_on.date().isoformat() if user.last_login_on else None


@admin_router.route("GET", "/admin/v1/orgs/{org}/directory/users/{account}/last-active-dates")
def last_active_dates(call: AdminCall, params: dict[str, str]) -> SimResponse:
    user = _directory_user(call, params)
    access = []
    if user.last_login_on is not None:
        access.append({"id": f"ari:cloud:{PRODUCT_KEY}::site/{call.access.site_id}",
                       "key": PRODUCT_KEY, "last_active": _day(user),
                       "last_active_timestamp": user.last_login_on.strftime(
                           "%Y-%m-%dT%H:%M:%S.000Z")})
    return json_response(200, {"data": {
        "product_access": access, "added_to_org": user.created_on.date().isoformat(),
    }, "links": {}})


@admin_router.route("POST", "/admin/v1/orgs/{org}/directory/users/{account}/suspend-access")
def suspend_access(call: AdminCall, params: dict[str, str]) -> SimResponse:
    user = _directory_user(call, params)
    if user.status == USER_LOCKED:
        raise admin_error(400, "The user's access is already suspended")
    call.state.set_user_status(user, USER_LOCKED)
    return json_response(200, {"message": f"Access of {user.name} suspended"})


@admin_router.route("POST", "/admin/v1/orgs/{org}/directory/users/{account}/restore-access")
def restore_access(call: AdminCall, params: dict[str, str]) -> SimResponse:
    user = _directory_user(call, params)
    if user.status == USER_ACTIVE:
        raise admin_error(400, "The user's access is not suspended")
    call.state.set_user_status(user, USER_ACTIVE)
    return json_response(200, {"message": f"Access of {user.name} restored"})


def handle_admin(state: ToolState, request: SimRequest) -> SimResponse:
    found = admin_router.match(request.method, request.path)
    if found is None:
        return json_response(404, {"code": 404, "message": "Not Found"})
    handler, params = found
    access = admin_access(state)
    scheme, _, key = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or key != access.api_key:
        return json_response(401, {"code": 401, "message": "Unauthorized"})
    with state.lock:
        try:
            return handler(AdminCall(state, request, access), params)
        except Abort as stop:
            return stop.response
