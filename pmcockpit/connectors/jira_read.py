"""Reading Jira Cloud (REST API v3) into the records of :mod:`pmcockpit.core.records`.

The parsing is in :mod:`.jira_parse`; this module makes the calls. Jira facts it
works with:

* ``/users/search`` pages with ``startAt`` but answers a bare list with no total:
  the listing ends at the first empty page (a short page may just be capped).
* Group, project and group-member listings are page beans (``isLast``); members
  are asked for with ``includeInactiveUsers=true``, else the locked ones vanish.
* ``/search/jql`` refuses a query without a restriction, so it names the live
  projects; it pages with ``nextPageToken``. It is a POST (long project lists do
  not fit a URL): ToolClient retries it on 429, as it is refused unprocessed.
* An issue's ``comment`` field carries the first comments and their ``total``;
  the rest come from ``/issue/{id}/comment``.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pmcockpit.connectors.errors import BadResponse, NotFound
from pmcockpit.connectors.http import ToolClient, json_at
from pmcockpit.connectors.jira_admin import JiraAdminApi
from pmcockpit.connectors.jira_parse import (
    DEFAULT_ADMIN_GROUPS,
    Json,
    account_groups,
    build_memberships,
    comment_items,
    is_admin_group,
    parse_account,
    parse_group,
    parse_project,
    parse_role,
    parse_ticket,
    role_id_from_url,
)
from pmcockpit.connectors.paging import (
    JIRA_PAGING,
    IdCheck,
    each,
    items_of,
    next_token,
    paginate_offset,
)
from pmcockpit.core.i18n import _
from pmcockpit.core.records import (
    ProjectStatus,
    RemoteAccount,
    RemoteGroup,
    RemoteMembership,
    RemoteProject,
    RemoteRole,
    RemoteTicket,
)

API = "/rest/api/3"
SEARCH_PATH = f"{API}/search/jql"
USERS_PAGE_SIZE = 100
SEARCH_PAGE_SIZE = 100
PROJECTS_PER_QUERY = 200
"""Live projects named in one JQL query; more are searched in several queries."""
TICKET_FIELDS = ("summary", "status", "priority", "assignee", "reporter", "creator",
                 "created", "updated", "description", "comment", "labels", "issuetype",
                 "project")


class JiraReader:
    """The read calls. Keeps what one sync needs twice (groups, live projects)."""

    def __init__(self, client: ToolClient, admin: JiraAdminApi | None = None, *,
                 admin_groups: frozenset[str] = DEFAULT_ADMIN_GROUPS) -> None:
        self.client = client
        self.admin = admin
        self.admin_groups = admin_groups
        self._groups: list[RemoteGroup] | None = None
        self._projects: list[RemoteProject] | None = None
        self._current_id: str | None = None
        self.queue: dict[str, str] = {}
        """The connection's queue definition (``queue.*`` options): which tickets to read."""

    async def _values(self, path: str, id_key: str, **params: str | int) -> list[Json]:
        return [item async for item in paginate_offset(
            self.client, path, items_key="values", params=params, paging=JIRA_PAGING,
            id_key=id_key)]

    async def _bare_list(self, path: str, **params: str | int) -> list[Json]:
        """A ``startAt``-paged list of users answered as plain lists, read to the empty page."""
        items: list[Json] = []
        seen: set[str] = set()
        check = IdCheck(self.client, self.client.call("GET", path), "accountId")
        while True:
            page = await self.client.get_json(path, {**params, "startAt": len(items),
                                                     "maxResults": USERS_PAGE_SIZE})
            if not isinstance(page, list):
                raise BadResponse(_("{name}: GET {path} answered something that is not a "
                                    "list").format(name=self.client.name, path=path))
            if not page:
                return items
            ids = {str(item.get("accountId")) for item in page}
            if ids <= seen:  # a server ignoring startAt would loop forever
                raise BadResponse(_("{name}: GET {path} answered the same page again "
                                    "(startAt ignored)").format(name=self.client.name,
                                                                path=path))
            check(page)
            seen |= ids
            items.extend(page)

    # -- accounts --------------------------------------------------------------------------

    async def myself(self) -> Json:
        data: Json = await self.client.get_json(f"{API}/myself", {"expand": "groups"})
        self._current_id = str(data["accountId"])
        return data

    def has_admin_group(self, group_names: Sequence[str]) -> bool:
        return any(is_admin_group(name, self.admin_groups) for name in group_names)

    async def current_account(self) -> RemoteAccount:
        me = await self.myself()
        return parse_account(me, is_admin=self.has_admin_group(account_groups(me)))

    async def current_account_id(self) -> str:
        if self._current_id is None:
            await self.myself()
        assert self._current_id is not None
        return self._current_id

    async def user(self, account_id: str) -> Json:
        data: Json = await self.client.get_json(f"{API}/user", {"accountId": account_id,
                                                                "expand": "groups"})
        return data

    async def list_accounts(self) -> list[RemoteAccount]:
        users = await self._bare_list(f"{API}/users/search")
        admins = {member for group in await self.groups() if self.has_admin_group([group.name])
                  for member in group.member_ids}
        people = [str(u["accountId"]) for u in users if u.get("accountType") == "atlassian"]
        last_active = await self.last_active(people)
        return [parse_account(u, is_admin=str(u["accountId"]) in admins,
                              last_active=last_active.get(str(u["accountId"]))) for u in users]

    async def last_active(self, account_ids: Sequence[str]) -> dict[str, datetime | None]:
        """Each account's last activity from the admin API; {} without it."""
        admin = self.admin
        if admin is None:
            return {}
        moments = await asyncio.gather(*(admin.last_active(a) for a in account_ids))
        return dict(zip(account_ids, moments, strict=True))

    # -- groups ----------------------------------------------------------------------------

    async def list_groups(self, *, members: bool = True) -> list[RemoteGroup]:
        if not members and self._groups is None:
            return [parse_group(g) for g in await self._values(f"{API}/group/bulk", "groupId")]
        return await self.groups()

    async def groups(self, *, refresh: bool = False) -> list[RemoteGroup]:
        """Every group with its members (inactive ones too), kept for the connector's life."""
        if self._groups is None or refresh:
            listed = await self._values(f"{API}/group/bulk", "groupId")
            members = await asyncio.gather(*(self.group_member_ids(str(g["groupId"]))
                                             for g in listed))
            self._groups = [parse_group(g, m) for g, m in zip(listed, members, strict=True)]
        return self._groups

    async def group_member_ids(self, group_id: str) -> list[str]:
        members = await self._values(f"{API}/group/member", "accountId", groupId=group_id,
                                     includeInactiveUsers="true")
        return [str(m["accountId"]) for m in members]

    async def group(self, group_id: str) -> Json:
        found = await self._values(f"{API}/group/bulk", "groupId", groupId=group_id)
        if not found:
            raise NotFound(_("{name} has no group {group}").format(name=self.client.name,
                                                                   group=group_id),
                           hint=_("it may have been deleted since the last sync"))
        return found[0]

    # -- projects, roles and memberships ---------------------------------------------------

    async def list_roles(self) -> list[RemoteRole]:
        data = await self.client.get_json(f"{API}/role")
        return [parse_role(item) for item in data]

    async def list_projects(self) -> list[RemoteProject]:
        listed = await self._values(f"{API}/project/search", "id", status="live,archived",
                                    expand="insight")
        self._projects = [parse_project(item) for item in listed]
        return self._projects

    async def project(self, project_id: str) -> Json:
        data: Json = await self.client.get_json(f"{API}/project/{project_id}")
        return data

    async def project_roles(self, project_id: str) -> dict[str, Json]:
        """Role id -> the role with its actors, for every role of the project."""
        urls = await self.client.get_json(f"{API}/project/{project_id}/role")
        role_ids = sorted({role_id_from_url(str(url)) for url in dict(urls).values()})
        roles = await asyncio.gather(*(
            self.client.get_json(f"{API}/project/{project_id}/role/{role_id}")
            for role_id in role_ids))
        return dict(zip(role_ids, roles, strict=True))

    async def list_memberships(self, project_ids: list[str]) -> list[RemoteMembership]:
        groups = await self.groups()
        members = {g.remote_id: g.member_ids for g in groups}
        by_name = {g.name: g.remote_id for g in groups}
        # Jira shows no archived project's roles (404): their members are not read.
        archived = {p.remote_id for p in self._projects or [] if
                    p.status is ProjectStatus.ARCHIVED}
        wanted = [p for p in project_ids if p not in archived]
        roles = await asyncio.gather(*(self._roles_if_visible(p) for p in wanted))
        return [m for project_id, project_roles in zip(wanted, roles, strict=True)
                for m in build_memberships(project_id, project_roles, members, by_name)]

    async def _roles_if_visible(self, project_id: str) -> dict[str, Json]:
        try:
            return await self.project_roles(project_id)
        except NotFound:
            if self._projects is None:
                return {}  # not listed first: it may be archived, which Jira hides
            raise

    # -- tickets ---------------------------------------------------------------------------

    async def issue(self, issue_id: str, *fields: str) -> Json:
        params = {"fields": ",".join(fields)} if fields else None
        data: Json = await self.client.get_json(f"{API}/issue/{issue_id}", params)
        return data

    async def transitions(self, issue_id: str) -> list[Json]:
        data = await self.client.get_json(f"{API}/issue/{issue_id}/transitions")
        return list(json_at(data, "transitions", where=f"GET {API}/issue/.../transitions"))

    async def search(self, jql: str, fields: Sequence[str] = TICKET_FIELDS) -> list[Json]:
        """Every issue the JQL finds, page by page along ``nextPageToken``."""
        issues: list[Json] = []
        token: str | None = None
        where = f"POST {SEARCH_PATH}"
        check = IdCheck(self.client, where, "id")
        while True:
            body: dict[str, Any] = {"jql": jql, "fields": list(fields),
                                    "maxResults": SEARCH_PAGE_SIZE}
            if token:
                body["nextPageToken"] = token
            data = self.client.json(await self.client.request("POST", SEARCH_PATH,
                                                              json_body=body))
            page = items_of(self.client, data, "issues", where)
            check(page)
            issues.extend(page)
            token = next_token(self.client, data, "nextPageToken", where)
            if not token or not page:
                return issues

    async def list_tickets(self, *, open_only: bool = False,
                           updated_since: datetime | None = None) -> list[RemoteTicket]:
        projects = self._projects if self._projects is not None else await self.list_projects()
        live = [p.remote_id for p in projects if p.status is not ProjectStatus.ARCHIVED]
        restriction = " AND statusCategory != Done" if open_only else ""
        if updated_since is not None:
            restriction += f' AND updated >= "-{self._minutes_since(updated_since)}m"'
        found: list[Json] = []
        if self.queue.get("jql"):
            live = []  # the administrator's JQL says which projects
            jql = self.queue["jql"]
            # Brackets keep an OR in the administrator's JQL from swallowing the restriction.
            where = f"({jql})" if " or " in jql.lower() else jql
            found = await self.search(f"{where}{restriction} ORDER BY updated DESC")
        for start in range(0, len(live), PROJECTS_PER_QUERY):
            chunk = ", ".join(live[start:start + PROJECTS_PER_QUERY])
            found += await self.search(f"project in ({chunk}){restriction} ORDER BY updated DESC")
        comments = await each(found, self._all_comments)
        return [parse_ticket(item, extra) for item, extra in zip(found, comments, strict=True)]

    def _minutes_since(self, moment: datetime) -> int:
        """Whole minutes back to ``moment`` on the server's clock, rounded up. JQL's
        absolute times are in the token owner's time zone; a relative one is in none."""
        elapsed = (self.client.server_now() - moment).total_seconds()
        return max(1, math.ceil(elapsed / 60))

    async def _all_comments(self, item: Json) -> list[Json] | None:
        """Every comment when the issue has more than its ``comment`` field carries."""
        embedded, total = comment_items(item["fields"].get("comment"))
        if total <= len(embedded):
            return None
        return [c async for c in paginate_offset(
            self.client, f"{API}/issue/{item['id']}/comment", items_key="comments",
            paging=JIRA_PAGING)]
