"""Reading ZenTao's RESTful API v1 (open-source 16.0+) into pmcockpit's records.

The ``parse_*`` functions are pure: one ZenTao JSON object in, one record out.
:class:`ZenTaoSession` signs in (``POST /tokens``) and :class:`ZenTaoReader` makes the
calls. ZenTao facts this relies on (``api/v1/entries/*.php`` in easysoft/zentaopms):

* A failed login counts toward ZenTao's lock-out (``failTimes``, ``lockMinutes``), so
  a refused login is never tried again in the same run; a session that expires later
  (401) is renewed once with the password that worked.
* ``GET /users`` needs the ``company-browse`` privilege and answers 400 "no
  company-browse priv." otherwise; it lists only accounts not deleted, and
  ``locked`` is a lock-out time set by failed logins, not an administrator's switch.
* Times come formatted (``2024-05-01T08:00:00Z``), raw (``2024-05-01 08:00:00`` in the
  server's time zone, ``0000-00-00 00:00:00`` for none) or as Unix seconds (``last``).
* Bugs belong to products: a product is synced as a project whose id is
  ``product-<id>``, beside ZenTao's projects.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, tzinfo
from typing import Any

from pmcockpit.connectors.errors import AuthenticationFailed, PermissionDenied, Rejected
from pmcockpit.connectors.http import ToolClient, json_at
from pmcockpit.connectors.paging import IdCheck, bad_page, items_of, number_at
from pmcockpit.core.i18n import _
from pmcockpit.core.records import (
    AccountStatus,
    ProjectStatus,
    RemoteAccount,
    RemoteComment,
    RemoteGroup,
    RemoteMembership,
    RemoteProject,
    RemoteRole,
    RemoteTicket,
    RoleGrant,
)

Json = dict[str, Any]
PARSE_HINT = _("this ZenTao's API answers differently from ZenTao 16 to 20; check its version")
PAGE_SIZE = 100
USER_FIELDS = "last,locked,join,visits,deleted"
CLOSED = "closed"
PRODUCT_PREFIX = "product-"
MANAGER_ROLES = frozenset({"项目经理", "PM", "Project Manager", "产品经理", "PO"})
"""Team roles that manage the project."""
NO_COMPANY_BROWSE = _(
    "the account lacks ZenTao's company-browse privilege (Company → Browse), which listing "
    "users needs: give its permission group that privilege")


def _number(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).isdigit():
        raise ValueError(_("{what} {value!r} is not a number").format(what=what, value=value))
    return int(value)


def parse_time(value: Any, zone: tzinfo = UTC) -> datetime | None:
    """A ZenTao time in any of its three spellings; None for none."""
    if value in (None, "", 0, "0") or (isinstance(value, str) and value.startswith("0000")):
        return None
    if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
        return datetime.fromtimestamp(int(value), UTC)
    if not isinstance(value, str):
        raise ValueError(_("time {value!r} is not a time").format(value=value))
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)


def parse_account(item: Json, now: datetime, zone: tzinfo = UTC,
                  admin: bool = False) -> RemoteAccount:
    """A user of ``GET /users`` (with ``fileds``) or the profile of ``GET /user``."""
    locked = parse_time(item.get("locked"), zone)
    deleted = str(item.get("deleted", "0")) in ("1", "true", "True")
    status = AccountStatus.LOCKED if deleted or (locked and locked > now) \
        else AccountStatus.ACTIVE
    joined = item.get("join")
    return RemoteAccount(
        remote_id=str(_number(item["id"], "id")),
        login=str(item["account"]),
        name=str(item.get("realname") or item["account"]),
        email=item.get("email") or None,
        status=status,
        is_admin=admin or item.get("admin") is True,
        created_at=parse_time(f"{joined}T00:00:00" if isinstance(joined, str) and
                              len(joined) == 10 else joined, zone),
        last_login_at=parse_time(item.get("last"), zone),
    )


def parse_departments(tree: list[Json], users: list[Json]) -> list[RemoteGroup]:
    """``GET /departments`` (a tree) as groups; each person is in their ``dept``."""
    members: dict[str, list[str]] = {}
    for user in users:
        members.setdefault(str(user.get("dept", 0)), []).append(str(user["id"]))
    groups = []
    stack = list(tree)
    while stack:
        node = stack.pop(0)
        dept_id = str(_number(node["id"], "id"))
        groups.append(RemoteGroup(dept_id, str(node["name"]), tuple(members.get(dept_id, ()))))
        stack.extend(node.get("children") or [])
    return groups


PROJECT_STATUSES = {"wait": ProjectStatus.ACTIVE, "doing": ProjectStatus.ACTIVE,
                    "suspended": ProjectStatus.CLOSED, "closed": ProjectStatus.CLOSED,
                    "normal": ProjectStatus.ACTIVE}


def parse_project(item: Json, *, product: bool = False) -> RemoteProject:
    number = _number(item["id"], "id")
    parent = item.get("parent")
    return RemoteProject(
        remote_id=f"{PRODUCT_PREFIX}{number}" if product else str(number),
        key=str(item.get("code") or number), name=str(item["name"]),
        status=PROJECT_STATUSES.get(str(item.get("status")), ProjectStatus.ACTIVE),
        parent_id=str(parent) if parent and not product else None,
        updated_at=parse_time(item.get("lastEditedDate") or item.get("openedDate")))


def parse_team(project_id: str, team: Json, users: list[Json]) -> list[RemoteMembership]:
    """A project's ``teams`` (keyed by account: ``{account, role, join, realname}``) as
    memberships with the team role; accounts no longer listed (deleted) are left out."""
    ids = {str(u.get("account")): str(u["id"]) for u in users if "id" in u}
    found = []
    for account, member in team.items():
        user_id = ids.get(str(account))
        role = str(member.get("role") or "") if isinstance(member, dict) else ""
        if user_id is None:
            continue
        found.append(RemoteMembership(f"{project_id}:{account}", project_id, user_id, None,
                                      (RoleGrant(role),) if role else ()))
    return found


def status_code(item: Json) -> tuple[str, str]:
    """(code, name) of a bug's status: ``{code, name}`` or a code with ``statusName``."""
    status = item["status"]
    if isinstance(status, dict):
        return str(status["code"]), str(status.get("name") or status["code"])
    return str(status), str(item.get("statusName") or status)


def _user_id(value: Any) -> str | None:
    return str(value["id"]) if isinstance(value, dict) and value.get("id") else None


def parse_comment(action: Json) -> RemoteComment | None:
    text = action.get("comment")
    if not text:
        return None
    actor = action.get("actor")
    name = actor.get("realname", "") if isinstance(actor, dict) else str(actor or "")
    return RemoteComment(str(_number(action["id"], "id")), _user_id(actor), name, str(text),
                         parse_time(action.get("date")) or datetime.now(UTC))


def parse_bug(item: Json) -> RemoteTicket:
    code, name = status_code(item)
    created = parse_time(item["openedDate"])
    if created is None:
        raise KeyError("openedDate")
    comments = [parse_comment(a) for a in item.get("actions") or []]
    return RemoteTicket(
        remote_id=str(_number(item["id"], "id")),
        project_id=f"{PRODUCT_PREFIX}{_number(item['product'], 'product')}",
        key=f"BUG-{item['id']}", subject=str(item.get("title", "")), status=name,
        is_closed=code == CLOSED, priority=str(item.get("pri", "")),
        author_id=_user_id(item.get("openedBy")), assignee_id=_user_id(item.get("assignedTo")),
        created_at=created, updated_at=parse_time(item.get("lastEditedDate")) or created,
        description=str(item.get("steps") or ""),
        comments=tuple(c for c in comments if c is not None),
        labels=(str(item["type"]),) if item.get("type") else ())


class ZenTaoSession:
    """Signs in once per connector with the account's password; never retries a refusal."""

    def __init__(self, client: ToolClient, account: str, password: str) -> None:
        self.client, self.account, self._password = client, account, password
        self._signed_in = False
        self._refused: AuthenticationFailed | None = None
        self._lock = asyncio.Lock()

    async def sign_in(self, *, again: bool = False) -> None:
        async with self._lock:
            if self._refused is not None:
                raise self._refused
            if self._signed_in and not again:
                return
            try:
                response = await self.client.request(
                    "POST", "/tokens", json_body={"account": self.account,
                                                  "password": self._password})
            except (Rejected, AuthenticationFailed) as refusal:
                self._refused = AuthenticationFailed(
                    _("{name}: ZenTao refused the login of {account} ({reason}); pmcockpit "
                      "will not try again, as failed logins count toward ZenTao's lock-out")
                    .format(name=self.client.name, account=self.account,
                            reason=refusal.message),
                    hint=_("store the right password with `pmcockpit connect add … "
                           "--token-stdin`"))
                raise self._refused from None
            token = json_at(self.client.json(response), "token", where="POST /tokens")
            self.client.add_auth_headers({"Token": str(token)})
            self._signed_in = True

    async def get(self, path: str, params: dict[str, str | int] | None = None) -> Any:
        """GET signed in; a session that expired (401) is renewed once."""
        await self.sign_in()
        try:
            return await self.client.get_json(path, params)
        except AuthenticationFailed:
            await self.sign_in(again=True)
            return await self.client.get_json(path, params)

    async def send(self, method: str, path: str, body: Json | None) -> Any:
        await self.sign_in()
        try:
            response = await self.client.request(method, path, json_body=body)
        except AuthenticationFailed:
            await self.sign_in(again=True)
            response = await self.client.request(method, path, json_body=body)
        return self.client.json(response) if response.content else None


async def paginate_pages(session: ZenTaoSession, path: str, *, items_key: str,
                         params: dict[str, str | int] | None = None) -> AsyncIterator[Json]:
    """Every item of a ``{page, total, limit, <items>}`` list, each page checked."""
    client = session.client
    where = client.call("GET", path)
    check = IdCheck(client, where, "id")
    page, count = 1, 0
    while True:
        data = await session.get(path, {**(params or {}), "limit": PAGE_SIZE, "page": page})
        items = items_of(client, data, items_key, where)
        total = number_at(client, data, "total", where)
        if number_at(client, data, "page", where) not in (None, page):
            raise bad_page(client, where, _("asked for page {asked}, got page {got}").format(
                asked=page, got=data.get("page")))
        check(items)
        for item in items:
            yield item
        count += len(items)
        if not items or total is None or count >= total:
            check.adds_up(total, count, "total")
            return
        page += 1


class ZenTaoReader:
    def __init__(self, session: ZenTaoSession, zone: tzinfo = UTC) -> None:
        self.session, self.client, self.zone = session, session.client, zone
        self._me: RemoteAccount | None = None
        self._users: list[Json] | None = None
        self._teams: dict[str, Json] | None = None

    async def _all(self, path: str, key: str, **params: str | int) -> list[Json]:
        return [item async for item in paginate_pages(self.session, path, items_key=key,
                                                      params=params)]

    async def current_account(self) -> RemoteAccount:
        profile = json_at(await self.session.get("/user"), "profile", where="GET /user")
        self._me = parse_account(profile, datetime.now(UTC), self.zone)
        return self._me

    async def me(self) -> RemoteAccount:
        return self._me or await self.current_account()

    async def users(self) -> list[Json]:
        try:
            self._users = await self._all("/users", "users", fileds=USER_FIELDS)
        except Rejected as refusal:
            if "company-browse" not in refusal.message:
                raise
            raise PermissionDenied(f"{self.client.name}: {NO_COMPANY_BROWSE}") from None
        return self._users

    async def user(self, user_id: str) -> Json:
        data = await self.session.get(f"/users/{int(user_id)}")
        if not isinstance(data, dict):
            raise TypeError(_("a user is not an object"))
        return data

    async def list_accounts(self) -> list[RemoteAccount]:
        me = await self.me()
        now = datetime.now(UTC)
        return [parse_account(item, now, self.zone, admin=me.is_admin and
                              str(item["id"]) == me.remote_id) for item in await self.users()]

    async def list_groups(self, *, members: bool = True) -> list[RemoteGroup]:
        # Departments' members come with the users read anyway: ``members`` saves nothing.
        tree = await self.session.get("/departments")
        users = self._users if self._users is not None else await self.users()
        return parse_departments(tree if isinstance(tree, list) else [], users)

    async def teams(self, project_ids: list[str]) -> dict[str, Json]:
        """Each project's team (``GET /projects/:id?fields=team``), read once per sync."""
        wanted = [p for p in project_ids if p.isdigit()]  # products have no team
        if self._teams is None or not set(wanted) <= set(self._teams):
            answers = await asyncio.gather(*(self.session.get(f"/projects/{int(p)}",
                                                              {"fields": "team"})
                                             for p in wanted))
            self._teams = {p: (a.get("teams") or {}) if isinstance(a, dict) else {}
                           for p, a in zip(wanted, answers, strict=True)}
        return {p: self._teams[p] for p in wanted}

    async def list_roles(self) -> list[RemoteRole]:
        """The team roles in use (ZenTao's are free text, such as 研发 or 项目经理)."""
        projects = await self._all("/projects", "projects")
        teams = await self.teams([str(p["id"]) for p in projects])
        names = sorted({str(m.get("role") or "") for team in teams.values()
                        for m in team.values()} - {""})
        return [RemoteRole(name, name, is_admin_like=name in MANAGER_ROLES) for name in names]

    async def list_projects(self) -> list[RemoteProject]:
        projects, products = await asyncio.gather(self._all("/projects", "projects"),
                                                  self._all("/products", "products"))
        return [*(parse_project(p) for p in projects),
                *(parse_project(p, product=True) for p in products)]

    async def list_memberships(self, project_ids: list[str]) -> list[RemoteMembership]:
        teams = await self.teams(project_ids)
        users = self._users if self._users is not None else await self.users()
        return [m for project_id, team in teams.items()
                for m in parse_team(project_id, team, users)]

    async def bug(self, bug_id: str) -> Json:
        data = await self.session.get(f"/bugs/{int(bug_id)}")
        if not isinstance(data, dict):
            raise TypeError(_("a bug is not an object"))
        return data

    async def list_tickets(self, *, open_only: bool = False,
                           updated_since: datetime | None = None) -> list[RemoteTicket]:
        products = await self._all("/products", "products")
        status = "unclosed" if open_only else "all"
        pages = await asyncio.gather(*(self._all(f"/products/{int(p['id'])}/bugs", "bugs",
                                                 status=status) for p in products))
        listed = [bug for page in pages for bug in page]
        if updated_since is not None:
            # ZenTao's bug list has no updated-since filter: the listing is read whole and
            # only the bugs edited since are kept (and fetched one by one for comments).
            listed = [b for b in listed if parse_bug(b).updated_at >= updated_since]
        # Comments cost one call per bug: only for the open ones.
        detailed = await asyncio.gather(*(
            self.bug(str(b["id"])) if status_code(b)[0] != CLOSED else _ready(b)
            for b in listed))
        return [parse_bug(item) for item in detailed]


async def _ready(item: Json) -> Json:
    return item
