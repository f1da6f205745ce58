"""Request handling shared by every GitLab endpoint: auth, parameters, paging, errors.

Facts of GitLab's REST API v4 reproduced here: paths start with ``/api/v4``; the
token comes in ``PRIVATE-TOKEN``, the ``private_token`` parameter or as a Bearer
token, else 401 ``{"message": "401 Unauthorized"}``; a blocked or deactivated
user's token is refused with 403 and the reason; parameters may come in the query,
a form or a JSON body; errors are ``{"message": ...}`` (``{"error": ...}`` for a
missing parameter); lists page with ``page``/``per_page`` (20 by default, 100 at
most) and say so in ``Link`` and ``X-*`` headers, without totals above 10,000
items; GitLab's own rate limit answers 429 with ``Retry-After`` and ``RateLimit-*``.
A project or group is named by its numeric id or its URL-encoded path
(``group%2Fproject``); a revoked personal access token is refused like a bad one.
"""

from __future__ import annotations

import email.utils
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlencode

from pmcockpit.sim.dialects.common import Abort, abort_json, answer, to_int
from pmcockpit.sim.dialects.gitlab.facts import GitLabFacts, gitlab_facts, project_path
from pmcockpit.sim.http import Router, SimRequest, SimResponse, html_response, json_response
from pmcockpit.sim.models import User
from pmcockpit.sim.state import ADMIN_LOGIN, ToolState

API_PREFIX = "/api/v4"
DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
COUNT_LIMIT = 10_000
"""Above this many items GitLab stops counting: no ``X-Total``, ``X-Total-Pages``, last link."""
REFUSED_LOGIN = {
    "blocked": "Your account has been blocked.",
    "deactivated": "Your account has been deactivated by your administrator. "
                   "Please log back in to reactivate your account.",
    "blocked_pending_approval": "Your account is pending approval from your administrator "
                                "and hence blocked.",
    "banned": "Your account has been blocked.",
}
GHOST = {"id": 0, "username": "ghost", "name": "Ghost User", "state": "active",
         "locked": False, "avatar_url": None}
"""Who authored what a deleted (or never known) user wrote, as GitLab shows it."""
T = TypeVar("T")


@dataclass
class Call:
    """One authenticated request being handled."""

    state: ToolState
    facts: GitLabFacts
    request: SimRequest
    user: User
    params: dict[str, Any]

    def arg(self, name: str) -> Any:
        return self.params.get(name)

    def flag(self, name: str) -> bool | None:
        value = self.params.get(name)
        if value is None:
            return None
        return str(value).lower() in ("true", "1", "yes")

    def number(self, name: str) -> int | None:
        return to_int(self.params.get(name))

    def require(self, *names: str) -> None:
        missing = [n for n in names if self.params.get(n) in (None, "")]
        if missing:
            raise abort_json(400, {"error": ", ".join(f"{n} is missing" for n in missing)})

    def require_admin(self) -> None:
        if not self.user.admin:
            raise forbidden()

    @property
    def base_url(self) -> str:
        return f"http://{self.request.headers.get('host', 'gitlab.sim')}"

    @property
    def today(self) -> date:
        return self.state.clock().date()


router: Router[Call] = Router()


def message(status: int, text: Any) -> Abort:
    return abort_json(status, {"message": text})


def not_found(what: str = "Not found") -> Abort:
    return message(404, f"404 {what}")


def forbidden(reason: str | None = None) -> Abort:
    return message(403, f"403 Forbidden - {reason}" if reason else "403 Forbidden")


def iso(moment: datetime | None) -> str | None:
    """Rails' JSON time: UTC with milliseconds."""
    if moment is None:
        return None
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def display_name(user: User) -> str:
    return "Administrator" if user.login == ADMIN_LOGIN else user.name


def user_basic(call: Call, user: User) -> dict[str, Any]:
    """GitLab's ``UserBasic`` entity: what anyone sees of anyone."""
    return {"id": user.id, "username": user.login, "name": display_name(user),
            "state": call.facts.user_state(user), "locked": False, "avatar_url": None,
            "web_url": f"{call.base_url}/{user.login}"}


def author_basic(call: Call, user_id: int | None) -> dict[str, Any]:
    """The author of a note or an event: always someone (the ghost user for the gone)."""
    user = call.state.users.get(user_id or 0)
    if user is None:
        return {**GHOST, "web_url": f"{call.base_url}/ghost"}
    return user_basic(call, user)


def find_user(call: Call, user_id: Any) -> User:
    user = call.state.users.get(to_int(user_id) or 0)
    if user is None:
        raise not_found("User Not Found")
    return user


def paged(call: Call, items: Sequence[T], render: Callable[[T], Any]) -> SimResponse:
    """One page of ``items`` with GitLab's paging headers."""
    per_page = call.number("per_page") or DEFAULT_PER_PAGE
    per_page = min(max(per_page, 1), MAX_PER_PAGE)
    page = max(call.number("page") or 1, 1)
    total = len(items)
    pages = max(math.ceil(total / per_page), 1)
    chunk = items[(page - 1) * per_page: page * per_page]
    counted = total <= COUNT_LIMIT
    has_next = page * per_page < total
    headers = {"X-Page": str(page), "X-Per-Page": str(per_page),
               "X-Next-Page": str(page + 1) if has_next else "",
               "X-Prev-Page": str(page - 1) if page > 1 else ""}
    if counted:
        headers.update({"X-Total": str(total), "X-Total-Pages": str(pages)})
    links = []
    if page > 1:
        links.append((page - 1, "prev"))
    if has_next:
        links.append((page + 1, "next"))
    links.append((1, "first"))
    if counted:
        links.append((pages, "last"))
    headers["Link"] = ", ".join(f'<{_page_url(call, n, per_page)}>; rel="{rel}"'
                                for n, rel in links)
    return json_response(200, [render(item) for item in chunk], headers)


def _page_url(call: Call, page: int, per_page: int) -> str:
    query = {k: v for k, v in call.request.query.items() if k not in ("page", "per_page")}
    query.update({"page": [str(page)], "per_page": [str(per_page)]})
    return f"{call.base_url}{call.request.path}?{urlencode(query, doseq=True)}"


def _params(request: SimRequest) -> dict[str, Any]:
    """Query, form and JSON parameters in one mapping; ``key[]`` lists become ``key``."""
    params: dict[str, Any] = {}
    sources: list[dict[str, list[str]]] = [dict(request.query)]
    if request.content_type == "application/x-www-form-urlencoded" and request.body:
        sources.append(parse_qs(request.body.decode("utf-8", "replace"),
                                keep_blank_values=True))
    for source in sources:
        for key, values in source.items():
            if key.endswith("[]"):
                params[key[:-2]] = list(values)
            else:
                params[key] = values[-1] if values else ""
    if request.content_type == "application/json" and request.body:
        try:
            data = json.loads(request.body)
        except (ValueError, UnicodeDecodeError) as error:
            raise message(400, "400 Bad request - The request body is not valid JSON") \
                from error
        if isinstance(data, dict):
            params.update(data)
    return params


def _token(request: SimRequest) -> str | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    bearer = value.strip() if scheme.lower() == "bearer" else None
    return request.headers.get("private-token") or request.arg("private_token") or bearer


def _throttled(facts: GitLabFacts, state: ToolState) -> SimResponse:
    """A 429 as Rack::Attack sends it for ``throttle_authenticated_api``."""
    throttle = facts.throttle
    reset = state.clock().timestamp() + throttle.retry_after
    headers = {
        "Retry-After": str(throttle.retry_after),
        "RateLimit-Name": "throttle_authenticated_api",
        "RateLimit-Limit": str(throttle.limit),
        "RateLimit-Observed": str(throttle.limit + 1),
        "RateLimit-Remaining": "0",
        "RateLimit-Reset": str(int(reset)),
        "RateLimit-ResetTime": email.utils.formatdate(reset, usegmt=True),
        "Content-Type": "text/plain",
    }
    return SimResponse(429, headers, b"Retry later\n")


def _by_id(state: ToolState, path: str) -> str | None:
    """``path`` with a project or group named by its (decoded) full path put as its id;
    None when no project has that path."""
    for prefix, kind in (("/projects/", "project"), ("/groups/", "group")):
        if not path.startswith(prefix):
            continue
        rest = path[len(prefix):]
        if rest.split("/", 1)[0].isdigit() or not rest:
            return path
        paths = _full_paths(state, kind)
        found = max((p for p in paths if rest == p or rest.startswith(p + "/")), key=len,
                    default=None)
        if found is None:
            return None if kind == "project" else path
        return f"{prefix}{paths[found]}{rest[len(found):]}"
    return path


def _full_paths(state: ToolState, kind: str) -> dict[str, int]:
    facts = gitlab_facts(state)
    if kind == "group":
        return {facts.full_path(group_id): group_id for group_id in facts.group_paths}
    return {project_path(facts, p): p.id for p in state.projects.values()}


def handle(state: ToolState, request: SimRequest) -> SimResponse:
    """Answer one request as GitLab 17.5 would."""
    if not request.path.startswith(API_PREFIX + "/"):
        return html_response(200 if request.path in ("", "/") else 404, "GitLab")
    with state.lock:
        path = _by_id(state, request.path[len(API_PREFIX):])
    if path is None:
        return json_response(404, {"message": "404 Project Not Found"})
    found = router.match(request.method, path)
    if found is None:
        return json_response(404, {"error": "404 Not Found"})
    handler, path_params = found
    with state.lock:
        facts = gitlab_facts(state)
        if facts.throttle.take():
            return _throttled(facts, state)
        token = _token(request)
        user = state.user_by_api_key(token) if token else None
        if user is None or user.id in facts.revoked_tokens:
            return json_response(401, {"message": "401 Unauthorized"})
        user_state = facts.user_state(user)
        if user_state != "active":
            return forbidden(REFUSED_LOGIN.get(user_state, "Your account is blocked.")).response
        facts.activity[user.id] = state.clock().date()  # any API call counts as activity
        return answer(
            state, lambda: handler(Call(state, facts, request, user, _params(request)),
                                   path_params),
            changes=request.method != "GET")
