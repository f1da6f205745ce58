"""Request handling shared by every Feishu (Lark) open-platform endpoint.

Facts of the open platform reproduced here: an app gets a tenant access token from
``POST /open-apis/auth/v3/tenant_access_token/internal`` with its ``app_id`` and
``app_secret`` (``{"code": 0, "tenant_access_token": "t-...", "expire": 7200}``; a wrong
secret is code 10014) and sends it as ``Authorization: Bearer t-...``; every answer is
``{"code", "msg", "data"}`` and ``code`` is 0 only on success; an unknown or expired
token is HTTP 400 with code 99991663, a rate limit HTTP 429 with code 99991400, a
field the API refuses code 99992402; lists page with ``page_size`` and ``page_token``
and answer ``has_more`` and the next ``page_token``. The contact API sees only the
departments in the app's contact scope: others answer 40004 (department) or 41050
(user) "no ... authority".
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from pmcockpit.sim.dialects.common import Abort, BodyCall, answer, json_body, to_int
from pmcockpit.sim.http import Router, SimRequest, SimResponse, html_response, json_response
from pmcockpit.sim.models import USER_LOCKED, User
from pmcockpit.sim.state import ADMIN_LOGIN, ToolState

PREFIX = "/open-apis"
APP_ID = "cli_a1b2c3d4e5f6a7b8"
TOKEN_SECONDS = 7200
INVALID_TOKEN = 99991663
RATE_LIMITED = 99991400
INVALID_FIELD = 99992402
NO_DEPT_AUTHORITY = 40004
NO_USER_AUTHORITY = 41050


@dataclass
class FeishuFacts:
    """What Feishu keeps beside the shared records."""

    tokens: dict[str, datetime] = field(default_factory=dict)
    """Tenant access tokens and when each expires."""
    frozen: set[int] = field(default_factory=set)
    resigned: set[int] = field(default_factory=set)
    out_of_scope: set[str] = field(default_factory=set)
    """Department ids outside the app's contact scope (tests narrow it)."""
    last_status_change: float = 0.0
    """When the last freeze or unfreeze ran (monotonic seconds): one a second at most."""
    transfers: list[dict[str, Any]] = field(default_factory=list)
    """What each resignation handed to whom."""


def feishu_facts(state: ToolState) -> FeishuFacts:
    facts = state.extras.get("feishu")
    if not isinstance(facts, FeishuFacts):
        facts = FeishuFacts()
        for user in state.users.values():
            person = _person(state, user)
            if person is not None and person.left_on is not None:
                facts.resigned.add(user.id)
            elif user.status == USER_LOCKED:
                facts.frozen.add(user.id)
        # The sim's admin token doubles as a tenant token, so a plain client is signed in.
        facts.tokens[state.token] = datetime.max.replace(tzinfo=state.clock().tzinfo)
        state.extras["feishu"] = facts
    return facts


def _person(state: ToolState, user: User) -> Any:
    if state.org is None or user.login == ADMIN_LOGIN:
        return None
    try:
        return state.org.person(user.login)
    except KeyError:
        return None


def app_secret(state: ToolState) -> str:
    """The app's secret: the sim's token."""
    return state.token


class Call(BodyCall):
    @property
    def facts(self) -> FeishuFacts:
        return feishu_facts(self.state)

    def page(self, limit: int, default: int) -> tuple[int, int]:
        """(offset, size) from ``page_token`` and ``page_size``; a bad size is refused."""
        size = to_int(self.arg("page_size"))
        if size is None:
            size = default
        if size < 1 or size > limit:
            raise fail(400, INVALID_FIELD, f"field validation failed: page_size must be "
                                            f"between 1 and {limit}")
        token = self.arg("page_token") or ""
        offset = to_int(token[1:]) if token.startswith("p") else 0 if not token else None
        if offset is None:
            raise fail(400, INVALID_FIELD, "field validation failed: page_token is invalid")
        return offset, size


router: Router[Call] = Router()


def ok(data: Any) -> SimResponse:
    return json_response(200, {"code": 0, "msg": "success", "data": data})


def fail(status: int, code: int, msg: str, headers: dict[str, str] | None = None) -> Abort:
    return Abort(json_response(status, {"code": code, "msg": msg, "data": {}}, headers))


def paged(call: Call, items: list[Any], *, limit: int, default: int) -> SimResponse:
    offset, size = call.page(limit, default)
    chunk = items[offset:offset + size]
    more = offset + size < len(items)
    data: dict[str, Any] = {"has_more": more, "items": chunk}
    if more:
        data["page_token"] = f"p{offset + size}"
    return ok(data)


def tenant_token(state: ToolState, request: SimRequest) -> SimResponse:
    body = json_body(request)
    if body.get("app_id") != APP_ID or body.get("app_secret") != app_secret(state):
        return json_response(200, {"code": 10014, "msg": "app secret invalid"})
    token = "t-" + secrets.token_hex(16)
    feishu_facts(state).tokens[token] = state.clock() + timedelta(seconds=TOKEN_SECONDS)
    return json_response(200, {"code": 0, "msg": "ok", "tenant_access_token": token,
                               "expire": TOKEN_SECONDS})


def handle(state: ToolState, request: SimRequest) -> SimResponse:
    """Answer one request as Feishu's open platform would."""
    if not request.path.startswith(PREFIX):
        return html_response(404, "Feishu")
    path = request.path[len(PREFIX):]
    with state.lock:
        if request.method == "POST" and path == "/auth/v3/tenant_access_token/internal":
            return tenant_token(state, request)
        found = router.match(request.method, path)
        if found is None:
            return json_response(404, {"code": 404, "msg": "404 page not found"})
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        expires = feishu_facts(state).tokens.get(token) if scheme == "Bearer" else None
        if expires is None or expires <= state.clock():
            return json_response(400, {"code": INVALID_TOKEN, "msg": (
                "Invalid access token for authorization. Please make a request with token "
                "attached.")})
        admin = state.user_by_login(ADMIN_LOGIN)
        assert admin is not None
        handler, params = found
        return answer(
            state, lambda: handler(Call(state, request, admin, _body(request)), params),
            changes=request.method != "GET")


def _body(request: SimRequest) -> dict[str, Any]:
    """The JSON body; Feishu reads one on DELETE too (who receives a resigned person's
    documents)."""
    if request.method != "DELETE":
        return json_body(request)
    return json_body(replace(request, method="POST"))


def too_fast(facts: FeishuFacts) -> bool:
    """Whether a freeze or unfreeze now would break the one-a-second limit (and note it)."""
    now = time.monotonic()
    if now - facts.last_status_change < 1.0:
        return True
    facts.last_status_change = now
    return False
