"""Request handling shared by every ZenTao endpoint: sessions, errors, paging, users.

Facts of ZenTao's RESTful API v1 (open-source 16.0+, ``api/v1/entries/*.php`` in
easysoft/zentaopms) reproduced here: every call lives under ``/api.php/v1``;
``POST /tokens`` with ``{account, password}`` answers 201 ``{"token": <session id>}``
and later calls send it in the ``Token`` header (401 ``{"error": "Unauthorized"}``
without one); a failed login answers 400 and counts toward a lock-out (``failTimes``
tries, then ``lockMinutes`` locked: ``tokens.php`` checks ``checkLocked`` before the
password); refusals are 400 ``{"error": "..."}``, such as "error: no company-browse
priv." from ``GET /users`` for an account without that privilege; lists page with
``limit`` and ``page`` and answer ``{page, total, limit, <items>}``; ``DELETE
/users/:id`` is ZenTao's soft delete (``deleted = 1``, restorable from the recycle
bin) and an administrator cannot delete their own account.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pmcockpit.sim.dialects.common import Abort, BodyCall, abort_json, answer, json_body, to_int
from pmcockpit.sim.http import Router, SimRequest, SimResponse, html_response, json_response
from pmcockpit.sim.models import USER_LOCKED, User
from pmcockpit.sim.state import ADMIN_LOGIN, ToolState

PREFIX = "/api.php/v1"
FAIL_TIMES = 6
LOCK_MINUTES = 10
DEFAULT_LIMIT = 20
# ZenTao's Chinese messages (module/user/lang/zh-cn.php), as a Chinese install answers.
LOGIN_FAILED = "登录失败，请检查您的用户名或密码是否填写正确。"
LOGIN_LOCKED = "密码尝试次数太多，请联系管理员解锁，或{minutes}分钟后重试。"
LOCK_WARNING = "您还有{times}次尝试机会。"
NO_COMPANY_BROWSE = "error: no company-browse priv."
VERSION = "18.10"
CONFIGURATIONS = {"language": "zh-cn", "version": VERSION, "charset": "utf-8",
                  "timezone": "Asia/Shanghai", "systemMode": "ALM"}


@dataclass
class ZenTaoFacts:
    """What ZenTao keeps beside the shared records."""

    sessions: dict[str, int] = field(default_factory=dict)
    fails: dict[str, int] = field(default_factory=dict)
    locked_until: dict[str, datetime] = field(default_factory=dict)
    deleted: set[int] = field(default_factory=set)
    no_company_browse: set[int] = field(default_factory=set)
    """Accounts whose group lacks company-browse (tests take it away)."""
    visits: dict[int, int] = field(default_factory=dict)


def zentao_facts(state: ToolState) -> ZenTaoFacts:
    facts = state.extras.get("zentao")
    if not isinstance(facts, ZenTaoFacts):
        facts = ZenTaoFacts(deleted={u.id for u in state.users.values()
                                     if u.status == USER_LOCKED})
        # The sim's admin token doubles as a session, so a plain client is signed in.
        admin = state.user_by_login(ADMIN_LOGIN)
        if admin is not None:
            facts.sessions[state.token] = admin.id
        state.extras["zentao"] = facts
    return facts


def password_of(state: ToolState, user: User) -> str:
    """Each account's password: the sim's token for admin, derived for the others."""
    return state.api_key_for(user.login)


class Call(BodyCall):
    @property
    def facts(self) -> ZenTaoFacts:
        return zentao_facts(self.state)

    def paging(self) -> tuple[int, int]:
        """(page, limit); ZenTao's pager turns a bad page into the first."""
        limit = to_int(self.arg("limit"))
        limit = DEFAULT_LIMIT if limit is None or limit < 1 else min(limit, 1000)
        page = to_int(self.arg("page"))
        return (page if page and page > 0 else 1), limit


router: Router[Call] = Router()


def error(status: int, message: str) -> Abort:
    return abort_json(status, {"error": message})


def listing(call: Call, key: str, items: list[Any]) -> SimResponse:
    page, limit = call.paging()
    pages = max((len(items) + limit - 1) // limit, 1)
    page = min(page, pages)  # ZenTao's pager clamps a page past the end to the last
    chunk = items[(page - 1) * limit: page * limit]
    return json_response(200, {"page": page, "total": len(items), "limit": limit, key: chunk})


def user_ref(state: ToolState, user_id: int | None) -> dict[str, Any] | None:
    """A user as ``format(..., 'x:user')`` writes one."""
    user = state.users.get(user_id or 0)
    if user is None:
        return None
    return {"id": user.id, "account": user.login, "avatar": "", "realname": user.name}


def login(state: ToolState, request: SimRequest) -> SimResponse:
    body = json_body(request)
    account, password = str(body.get("account", "")), str(body.get("password", ""))
    facts = zentao_facts(state)
    now = state.clock()
    until = facts.locked_until.get(account)
    if until is not None and until > now:
        return json_response(400, {"error": LOGIN_LOCKED.format(minutes=LOCK_MINUTES)})
    user = state.user_by_login(account)
    if user is not None and user.id not in facts.deleted \
            and password == password_of(state, user):
        facts.fails.pop(account, None)
        token = secrets.token_hex(13)
        facts.sessions[token] = user.id
        user.last_login_on = now
        facts.visits[user.id] = facts.visits.get(user.id, 0) + 1
        return json_response(201, {"token": token})
    fails = facts.fails.get(account, 0) + 1
    facts.fails[account] = fails
    remain = FAIL_TIMES - fails
    if remain <= 0:
        facts.locked_until[account] = now + timedelta(minutes=LOCK_MINUTES)
        facts.fails.pop(account, None)
        return json_response(400, {"error": LOGIN_LOCKED.format(minutes=LOCK_MINUTES)})
    if remain <= 3:
        return json_response(400, {"error": LOCK_WARNING.format(times=remain)})
    return json_response(400, {"error": LOGIN_FAILED})


def configuration(name: str) -> SimResponse:
    """``GET /configurations/:name`` (config.php, a ``baseEntry``: no session needed)."""
    if name not in CONFIGURATIONS:
        return json_response(400, {"error": "No configuration."})
    return json_response(200, {"name": name, "value": CONFIGURATIONS[name]})


def handle(state: ToolState, request: SimRequest) -> SimResponse:
    """Answer one request as ZenTao's API v1 would."""
    if not request.path.startswith(PREFIX):
        return html_response(200 if request.path in ("", "/") else 404, "ZenTao")
    path = request.path[len(PREFIX):] or "/"
    with state.lock:
        if request.method == "POST" and path == "/tokens":
            return answer(state, lambda: login(state, request), changes=True)
        if request.method == "GET" and path.startswith("/configurations/"):
            return configuration(path.removeprefix("/configurations/"))
        found = router.match(request.method, path)
        if found is None:
            return json_response(404, {"error": "not found"})
        user_id = zentao_facts(state).sessions.get(request.headers.get("token", ""))
        user = state.users.get(user_id or 0)
        if user is None:
            return json_response(401, {"error": "Unauthorized"})
        handler, params = found
        return answer(
            state, lambda: handler(Call(state, request, user, json_body(request)), params),
            changes=request.method != "GET")
