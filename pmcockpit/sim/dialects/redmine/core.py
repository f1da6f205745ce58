"""Request handling shared by every Redmine endpoint: auth, body, paging, lookups.

Facts of Redmine 5's REST API reproduced here: only ``*.json`` paths are API
paths; the key comes in ``X-Redmine-API-Key``, the ``key`` query parameter or as
the Basic auth user name, and belongs to an active user, else 401 with an empty
body; an admin may act as someone else with ``X-Redmine-Switch-User`` (412 when
that user is unknown); a POST/PUT body is read only when sent as
``application/json``; lists page with ``offset``/``limit`` (25 by default, 100
at most) or ``page``; missing objects are 404 and refusals 403, both empty.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from pmcockpit.sim.dialects.common import (
    Abort,
    BodyCall,
    abort,
    abort_json,
    answer,
    json_body,
    to_int,
)
from pmcockpit.sim.http import (
    Router,
    SimRequest,
    SimResponse,
    empty_response,
    html_response,
    json_response,
)
from pmcockpit.sim.models import (
    PROJECT_ACTIVE,
    PROJECT_ARCHIVED,
    USER_ACTIVE,
    Project,
    User,
)
from pmcockpit.sim.state import ToolState

DEFAULT_LIMIT = 25
MAX_LIMIT = 100
UNAUTHORIZED_HEADERS = {"WWW-Authenticate": 'Basic realm="Redmine API"'}
# What Redmine's built-in "Non member" role may do in public projects.
NON_MEMBER_PERMISSIONS = frozenset({"view_project", "view_issues", "add_issues",
                                    "add_issue_notes"})
READ_PERMISSIONS = frozenset({"view_project", "view_issues", "view_members"})
ANONYMOUS = {"id": 4, "name": "Anonymous"}


class Call(BodyCall):
    """One authenticated Redmine request being handled."""

    def section(self, name: str) -> dict[str, Any]:
        """A top-level object of the JSON body, such as ``{"user": {...}}``; {} if absent."""
        value = self.body.get(name)
        return value if isinstance(value, dict) else {}

    def includes(self) -> set[str]:
        return {part.strip() for part in (self.arg("include") or "").split(",") if part.strip()}

    def require_admin(self) -> None:
        if not self.user.admin:
            raise abort(403)

    def offset_and_limit(self) -> tuple[int, int]:
        """Redmine's ``api_offset_and_limit``: bad values fall back instead of failing."""
        limit = to_int(self.arg("limit")) or 0
        limit = DEFAULT_LIMIT if limit < 1 else min(limit, MAX_LIMIT)
        offset_text = self.arg("offset")
        if offset_text:
            return max(to_int(offset_text) or 0, 0), limit
        page_number = to_int(self.arg("page"))
        if page_number is not None:
            return max((page_number - 1) * limit, 0), limit
        return 0, limit

    def allowed(self, project: Project, permission: str) -> bool:
        """Whether the caller may do ``permission`` in ``project`` (closed = read-only)."""
        if project.status == PROJECT_ARCHIVED:
            return False
        if project.status != PROJECT_ACTIVE and permission not in READ_PERMISSIONS:
            return False
        if self.user.admin:
            return True
        member = self.state.member_of(project.id, self.user.id)
        if member is not None:
            roles = (self.state.roles.get(g.role_id) for g in member.grants)
            return any(permission in role.permissions for role in roles if role)
        return project.is_public and permission in NON_MEMBER_PERMISSIONS


router: Router[Call] = Router()


def ref(item_id: int, name: str) -> dict[str, Any]:
    return {"id": item_id, "name": name}


def principal_ref(state: ToolState, principal_id: int | None) -> dict[str, Any]:
    user = state.users.get(principal_id or 0)
    if user is not None:
        return ref(user.id, user.name)
    group = state.groups.get(principal_id or 0)
    return ref(group.id, group.name) if group else dict(ANONYMOUS)


def listing(key: str, items: list[Any], total: int, offset: int, limit: int) -> SimResponse:
    return json_response(200, {key: items, "total_count": total, "offset": offset,
                               "limit": limit})


def errors(*messages: str) -> Abort:
    return abort_json(422, {"errors": list(messages)})


def find_user(call: Call, user_id: str) -> User:
    user = call.state.users.get(int(user_id))
    if user is None:
        raise abort(404)
    return user


def find_project(call: Call, project_ref: str, permission: str = "view_project") -> Project:
    """The project by id or identifier; 404 if unknown, 403 if archived or not allowed."""
    project = call.state.project_by_ref(project_ref)
    if project is None:
        raise abort(404)
    if not call.allowed(project, permission):
        raise abort(403)
    return project


def _api_key(request: SimRequest) -> str | None:
    key = request.headers.get("x-redmine-api-key") or request.arg("key")
    if key:
        return key
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user_name = base64.b64decode(encoded).decode().partition(":")[0]
    except (binascii.Error, UnicodeDecodeError):
        return None
    return user_name or None


def _authenticate(state: ToolState, request: SimRequest) -> User | SimResponse:
    key = _api_key(request)
    user = state.user_by_api_key(key) if key else None
    if user is None or user.status != USER_ACTIVE:
        return empty_response(401, UNAUTHORIZED_HEADERS)
    switch_to = request.headers.get("x-redmine-switch-user")
    if switch_to and user.admin:
        other = state.user_by_login(switch_to)
        if other is None or other.status != USER_ACTIVE:
            return empty_response(412)
        return other
    return user


def handle(state: ToolState, request: SimRequest) -> SimResponse:
    """Answer one request as Redmine 5.0 would; an error without a body (Rails' ``head``)
    still carries the JSON content type of the format asked for."""
    response = _handle(state, request)
    if response.status >= 400 and not response.body and request.path.endswith(".json"):
        return SimResponse(response.status, {**response.headers,
                                             "Content-Type": "application/json"}, b"")
    return response


def _handle(state: ToolState, request: SimRequest) -> SimResponse:
    if not request.path.endswith(".json"):
        if request.path in ("", "/"):
            return html_response(200, "Redmine")
        return html_response(404, "404 - Page not found")
    found = router.match(request.method, request.path)
    if found is None:
        return empty_response(404)
    handler, params = found
    with state.lock:
        who = _authenticate(state, request)
        if isinstance(who, SimResponse):
            return who
        if _crashes_on_a_form_body(request):
            return json_response(500, {"status": 500, "error": "Internal Server Error"})
        return answer(
            state, lambda: handler(Call(state, request, who, json_body(request)), params),
            changes=request.method != "GET")


def _crashes_on_a_form_body(request: SimRequest) -> bool:
    """Redmine 5.0.4 answers 500 to a user POST/PUT whose body is not declared as JSON:
    it reads the body as a form, finds no ``user`` and fails (seen on a real server)."""
    return (request.method in ("POST", "PUT") and request.path.startswith("/users")
            and bool(request.body) and request.content_type != "application/json")
