"""Reading Redmine's REST API (5.x) into the records of :mod:`pmcockpit.core.records`.

The ``parse_*`` functions are pure: one Redmine JSON object in, one record out.
:class:`RedmineReader` makes the calls. Redmine quirks it works around:

* ``/users.json`` lists active users only and its items carry no ``status``: each
  status is asked for separately and the status comes from the query.
* ``/projects.json`` lists active projects only; closed (5) and archived (9) are
  asked for separately.
* Redmine 5.0 lists no archived project even with ``status=9`` (later versions may)
  and refuses (403) to show an archived project's members: those are skipped.
* A role a user holds through a group is marked ``"inherited": true`` without
  saying which group: the group is worked out from the project's group memberships.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta
from typing import Any

from pmcockpit.connectors.errors import PermissionDenied
from pmcockpit.connectors.http import ToolClient, json_at
from pmcockpit.connectors.layered import parse_time, utc_text
from pmcockpit.connectors.layered import parsing as shared_parsing
from pmcockpit.connectors.paging import each, paginate_offset
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

ACCOUNT_STATUSES = {1: AccountStatus.ACTIVE, 2: AccountStatus.PENDING, 3: AccountStatus.LOCKED}
ACCOUNT_STATUS_IDS = {status: number for number, status in ACCOUNT_STATUSES.items()}
PROJECT_STATUSES = {1: ProjectStatus.ACTIVE, 5: ProjectStatus.CLOSED, 9: ProjectStatus.ARCHIVED}
ADMIN_LIKE_PERMISSION = "manage_members"
ADMIN_LIKE_NAMES = ("manager", "admin", "owner")
JOURNAL_DAYS = 14
"""Comments are read for open tickets and for tickets updated within this many days."""

Json = dict[str, Any]


PARSE_HINT = "this Redmine's API answers differently from Redmine 5; check its version"


def parsing(name: str, what: str) -> AbstractContextManager[None]:
    return shared_parsing(name, what, PARSE_HINT)


def remote_id(item: Json) -> str:
    """An object's ``id``: Redmine's ids are numbers, anything else is a broken answer."""
    value = item["id"]
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(_("id {value!r} is not a number").format(value=value))
    return str(value)


def _id(value: Any) -> str | None:
    return str(value["id"]) if isinstance(value, dict) and "id" in value else None


def parse_account(item: Json, status: AccountStatus | None = None) -> RemoteAccount:
    """A user from ``/users.json`` (give ``status``) or ``/users/ID.json`` (has ``status``)."""
    if status is None:
        status = ACCOUNT_STATUSES.get(int(item.get("status", 1)), AccountStatus.ACTIVE)
    scheme = item.get("twofa_scheme", ...)
    name = f"{item.get('firstname', '')} {item.get('lastname', '')}".strip()
    return RemoteAccount(
        remote_id=remote_id(item),
        login=item["login"],
        name=name or item["login"],
        email=item.get("mail") or None,
        status=status,
        is_admin=bool(item.get("admin", False)),
        created_at=parse_time(item.get("created_on")),
        last_login_at=parse_time(item.get("last_login_on")),
        # Absent (older Redmine, or not an admin asking): unknown, not "off".
        two_factor=None if scheme is ... else scheme is not None,
    )


def parse_group(item: Json) -> RemoteGroup:
    """A group from ``/groups/ID.json?include=users``."""
    members = tuple(str(user["id"]) for user in item.get("users", []))
    return RemoteGroup(remote_id=remote_id(item), name=item["name"], member_ids=members)


def parse_role(item: Json) -> RemoteRole:
    """A role from ``/roles/ID.json`` (with permissions) or ``/roles.json`` (name only)."""
    permissions = item.get("permissions")
    if isinstance(permissions, list):
        admin_like = ADMIN_LIKE_PERMISSION in permissions
    else:
        admin_like = any(word in item["name"].lower() for word in ADMIN_LIKE_NAMES)
    return RemoteRole(remote_id=remote_id(item), name=item["name"], is_admin_like=admin_like)


def parse_project(item: Json, status: ProjectStatus | None = None) -> RemoteProject:
    if status is None:
        status = PROJECT_STATUSES.get(int(item.get("status", 1)), ProjectStatus.ACTIVE)
    return RemoteProject(
        remote_id=remote_id(item),
        key=item["identifier"],
        name=item["name"],
        status=status,
        parent_id=_id(item.get("parent")),
        updated_at=parse_time(item.get("updated_on")),
    )


def granting_group(
    user_id: str, role_id: str, group_roles: Mapping[str, set[str]],
    group_members: Mapping[str, frozenset[str]],
) -> str | None:
    """Which of a project's group memberships gives ``user_id`` the inherited ``role_id``.

    ``group_roles`` maps each group with a membership in the project to its role ids.
    Prefers a group the user is in that has the role, then any group the user is in,
    then any group with the role.
    """
    containing = [g for g in group_roles if user_id in group_members.get(g, frozenset())]
    for candidates in ([g for g in containing if role_id in group_roles[g]], containing,
                       [g for g in group_roles if role_id in group_roles[g]]):
        if candidates:
            return candidates[0]
    return None


def parse_memberships(
    items: Iterable[Json], group_members: Mapping[str, frozenset[str]]
) -> list[RemoteMembership]:
    """One project's ``/projects/ID/memberships.json`` items.

    Memberships of Redmine's built-in groups (``group_anonymous``, ``group_non_member``)
    are left out, like the groups themselves.
    """
    items = list(items)
    group_roles = {str(item["group"]["id"]): {str(r["id"]) for r in item.get("roles", [])}
                   for item in items if "group" in item}
    memberships = []
    for item in items:
        user_id, group_id = _id(item.get("user")), _id(item.get("group"))
        if user_id is None and group_id is None:
            continue
        grants = []
        for role in item.get("roles", []):
            role_id = str(role["id"])
            source = None
            if role.get("inherited") and user_id is not None:
                source = granting_group(user_id, role_id, group_roles, group_members)
            grants.append(RoleGrant(role_id, source))
        memberships.append(RemoteMembership(
            remote_id=remote_id(item), project_id=str(item["project"]["id"]),
            account_id=user_id, group_id=group_id, roles=tuple(grants)))
    return memberships


def parse_comment(journal: Json) -> RemoteComment:
    author = journal.get("user") or {}
    return RemoteComment(
        remote_id=remote_id(journal),
        author_id=_id(author),
        author_name=str(author.get("name", "")),
        body=journal["notes"],
        created_at=parse_time(journal["created_on"]) or datetime.now(UTC),
    )


def parse_ticket(item: Json, closed_status_ids: frozenset[str] = frozenset()) -> RemoteTicket:
    """An issue from ``/issues.json``, or ``/issues/ID.json?include=journals`` for comments."""
    status = item["status"]
    is_closed = status.get("is_closed")  # Redmine >= 5.0 says; older ones need the list
    journals = item.get("journals", [])
    labels = tuple(item[key]["name"] for key in ("tracker", "category") if item.get(key))
    created = parse_time(item["created_on"])
    if created is None:
        raise KeyError("created_on")
    return RemoteTicket(
        remote_id=remote_id(item),
        project_id=str(item["project"]["id"]),
        key=f"#{item['id']}",
        subject=item.get("subject", ""),
        status=status["name"],
        is_closed=bool(is_closed) if is_closed is not None
        else str(status["id"]) in closed_status_ids,
        priority=(item.get("priority") or {}).get("name", ""),
        author_id=_id(item.get("author")),
        assignee_id=_id(item.get("assigned_to")),
        created_at=created,
        updated_at=parse_time(item.get("updated_on")) or created,
        description=item.get("description") or "",
        comments=tuple(parse_comment(j) for j in journals if j.get("notes")),
        labels=labels,
    )


class RedmineReader:
    """The read calls. Keeps the group members it has seen, for membership inheritance."""

    def __init__(self, client: ToolClient, *, journal_days: int = JOURNAL_DAYS) -> None:
        self.client = client
        self.journal_days = journal_days
        self.queue: dict[str, str] = {}
        """The connection's queue definition (``queue.*`` options): which tickets to read."""
        self._group_members: dict[str, frozenset[str]] | None = None
        self._current_id: str | None = None
        self._archived_ids: set[str] = set()

    async def _all(self, path: str, items_key: str, **params: str | int) -> list[Json]:
        return [item async for item in
                paginate_offset(self.client, path, items_key=items_key, params=params)]

    async def _one(self, path: str, key: str, **params: str | int) -> Json:
        data = await self.client.get_json(path, params or None)
        item = json_at(data, key, where=f"GET {path}")
        if not isinstance(item, dict):
            raise KeyError(key)
        return item

    async def current_account(self) -> RemoteAccount:
        account = parse_account(await self._one("/users/current.json", "user"))
        self._current_id = account.remote_id
        return account

    async def current_account_id(self) -> str:
        """The token's user id, asked once per connector."""
        if self._current_id is None:
            await self.current_account()
        assert self._current_id is not None
        return self._current_id

    async def user(self, user_id: str) -> Json:
        return await self._one(f"/users/{int(user_id)}.json", "user")

    async def list_accounts(self) -> list[RemoteAccount]:
        async def of_status(number: int, status: AccountStatus) -> list[RemoteAccount]:
            # Parsed page by page: the JSON of ten thousand users is never held at once.
            return [parse_account(item, status) async for item in paginate_offset(
                self.client, "/users.json", items_key="users", params={"status": number})]

        pages = await asyncio.gather(*(of_status(number, status)
                                       for number, status in ACCOUNT_STATUSES.items()))
        return [account for page in pages for account in page]

    async def group(self, group_id: str) -> Json:
        return await self._one(f"/groups/{int(group_id)}.json", "group", include="users")

    async def list_groups(self, *, members: bool = True) -> list[RemoteGroup]:
        listed = await self._all("/groups.json", "groups")
        if not members:
            return [parse_group(item) for item in listed]  # the listing names no users
        details = await each(listed, lambda item: self.group(str(item["id"])))
        groups = [parse_group(item) for item in details]
        self._group_members = {g.remote_id: frozenset(g.member_ids) for g in groups}
        return groups

    async def group_members(self, *, refresh: bool = False) -> dict[str, frozenset[str]]:
        if self._group_members is None or refresh:
            await self.list_groups()
        assert self._group_members is not None
        return self._group_members

    async def list_roles(self) -> list[RemoteRole]:
        listed = await self._all("/roles.json", "roles")
        details = await asyncio.gather(*(self._one(f"/roles/{int(item['id'])}.json", "role")
                                         for item in listed))
        return [parse_role(item) for item in details]

    async def list_projects(self) -> list[RemoteProject]:
        pages = await asyncio.gather(*(self._all("/projects.json", "projects", status=number)
                                       for number in PROJECT_STATUSES))
        projects = [parse_project(item, status) for status, items
                    in zip(PROJECT_STATUSES.values(), pages, strict=True) for item in items]
        self._archived_ids = {p.remote_id for p in projects
                              if p.status is ProjectStatus.ARCHIVED}
        return projects

    async def project_memberships(self, project_id: str) -> list[Json]:
        return await self._all(f"/projects/{int(project_id)}/memberships.json", "memberships")

    async def list_memberships(self, project_ids: list[str]) -> list[RemoteMembership]:
        members = await self.group_members()

        async def of_project(project_id: str) -> list[RemoteMembership]:
            return parse_memberships(await self._members_if_visible(project_id), members)

        pages = await each(project_ids, of_project)
        return [m for page in pages for m in page]

    async def _members_if_visible(self, project_id: str) -> list[Json]:
        try:
            return await self.project_memberships(project_id)
        except PermissionDenied:
            if project_id in self._archived_ids:
                return []  # Redmine hides an archived project's members even from admins
            raise

    async def membership(self, membership_id: str) -> Json:
        return await self._one(f"/memberships/{int(membership_id)}.json", "membership")

    async def issue_statuses(self) -> list[Json]:
        data = await self.client.get_json("/issue_statuses.json")
        statuses = json_at(data, "issue_statuses", where="GET /issue_statuses.json")
        return list(statuses)

    async def issue(self, issue_id: str, *, journals: bool = False) -> Json:
        params = {"include": "journals"} if journals else {}
        return await self._one(f"/issues/{int(issue_id)}.json", "issue", **params)

    async def list_tickets(self, *, open_only: bool = False,
                           updated_since: datetime | None = None) -> list[RemoteTicket]:
        closed = frozenset(str(s["id"]) for s in await self.issue_statuses()
                           if s.get("is_closed"))
        wanted = {param: self.queue[key] for key, param in QUEUE_PARAMS.items()
                  if key in self.queue}
        if updated_since is not None:
            wanted["updated_on"] = ">=" + utc_text(updated_since)
        recent = datetime.now(UTC) - timedelta(days=self.journal_days)
        tickets: list[RemoteTicket] = []
        # Comments cost one call per ticket: only for the ones an administrator looks at.
        # Each listed item and each answer is parsed as it comes, so no page's JSON is
        # held past its parsing.
        commented: list[int] = []
        async for item in paginate_offset(self.client, "/issues.json", items_key="issues",
                                          params={"status_id": "open" if open_only else "*",
                                                  "sort": "updated_on:desc", **wanted}):
            ticket = parse_ticket(item, closed)
            if not (ticket.is_closed and ticket.updated_at < recent):
                commented.append(len(tickets))
            tickets.append(ticket)

        async def read(index: int) -> None:
            answer = await self.issue(tickets[index].remote_id, journals=True)
            tickets[index] = parse_ticket(answer, closed)

        await each(commented, read)
        return tickets


QUEUE_PARAMS = {"project": "project_id", "tracker": "tracker_id", "query_id": "query_id"}
"""Queue definition -> ``/issues.json`` filter."""

