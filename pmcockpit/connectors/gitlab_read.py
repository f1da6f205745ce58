"""Reading GitLab's REST API v4: the calls, paged with ``page``/``per_page`` (100 at
most) and ``Link``/``X-Next-Page`` (:func:`~pmcockpit.connectors.http.paginate_links`).

The answers become records in :mod:`.gitlab_parse`. :class:`GitLabReader` keeps
what later calls need: the token's user (are they an administrator?), the groups
and their members (where inherited access comes from), the projects.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from pmcockpit.connectors.errors import BadResponse, NotFound
from pmcockpit.connectors.gitlab_parse import (
    NOTES_DAYS,
    Json,
    access_roles,
    parse_account,
    parse_group,
    parse_memberships,
    parse_project,
    parse_ticket,
)
from pmcockpit.connectors.http import ToolClient
from pmcockpit.connectors.layered import parse_time, utc_text
from pmcockpit.connectors.paging import each, paginate_links
from pmcockpit.core.i18n import _
from pmcockpit.core.records import (
    RemoteAccount,
    RemoteGroup,
    RemoteMembership,
    RemoteProject,
    RemoteRole,
    RemoteTicket,
)


class GitLabReader:
    """The read calls. Keeps what later calls need: the token's user, groups, projects."""

    def __init__(self, client: ToolClient, *, notes_days: int = NOTES_DAYS) -> None:
        self.client = client
        self.notes_days = notes_days
        self._me: Json | None = None
        self._version: Json | None = None
        self._groups: dict[str, Json] = {}
        self._group_members: dict[str, dict[str, int]] | None = None
        self._projects: dict[str, Json] = {}
        self.queue: dict[str, str] = {}
        """The connection's queue definition (``queue.*`` options): which tickets to read."""

    async def all(self, path: str, *, unique: bool = True, **params: str | int) -> list[Json]:
        return [item async for item in paginate_links(self.client, path, params=params,
                                                      unique=unique)]

    async def one(self, path: str, **params: str | int) -> Json:
        data = await self.client.get_json(path, params or None)
        if not isinstance(data, dict):
            raise BadResponse(_("{name}: GET {path} answered something that is not an "
                                "object").format(name=self.client.name, path=path))
        return data

    # The token's user and the server ---------------------------------------------------

    async def me(self, *, refresh: bool = False) -> Json:
        if self._me is None or refresh:
            self._me = await self.one("/user")
        return self._me

    @property
    def known_admin(self) -> bool | None:
        """Whether the token's user is an administrator; None until ``/user`` was read."""
        return None if self._me is None else bool(self._me.get("is_admin", False))

    @property
    def known_login(self) -> str | None:
        return None if self._me is None else str(self._me.get("username") or "") or None

    async def version(self) -> Json:
        if self._version is None:
            self._version = await self.one("/version")
        return self._version

    # Users -------------------------------------------------------------------------------

    async def user(self, user_id: str) -> Json:
        return await self.one(f"/users/{int(user_id)}")

    async def list_accounts(self) -> list[RemoteAccount]:
        me = await self.me()
        if me.get("is_admin"):
            listed = await self.all("/users", order_by="id", sort="asc", exclude_internal="true")
            return [parse_account(item) for item in listed]
        # Not an administrator: the list is bare; each public profile has the rest.
        listed = await self.all("/users", exclude_internal="true")
        profiles = await asyncio.gather(*(self.user(str(item["id"])) for item in listed))
        return [parse_account({**item, **profile})
                for item, profile in zip(listed, profiles, strict=True)]

    # Groups ------------------------------------------------------------------------------

    async def group(self, group_id: str) -> Json:
        if group_id not in self._groups:
            self._groups[group_id] = await self.one(f"/groups/{int(group_id)}")
        return self._groups[group_id]

    async def group_member_levels(self, group_id: str) -> dict[str, int]:
        members = await self.all(f"/groups/{int(group_id)}/members")
        return {str(m["id"]): int(m["access_level"]) for m in members}

    async def list_groups(self, *, members: bool = True) -> list[RemoteGroup]:
        listed = await self.all("/groups", all_available="true", order_by="id", sort="asc")
        self._groups.update({str(g["id"]): g for g in listed})
        if not members:
            return [parse_group(g) for g in listed]
        levels = await asyncio.gather(*(self.group_member_levels(str(g["id"])) for g in listed))
        self._group_members = {str(g["id"]): of_group
                               for g, of_group in zip(listed, levels, strict=True)}
        return [parse_group(g, self._group_members[str(g["id"])]) for g in listed]

    async def group_members(self) -> dict[str, dict[str, int]]:
        """Group id -> {user id: access level} of every group's direct members."""
        if self._group_members is None:
            await self.list_groups()
        assert self._group_members is not None
        return self._group_members

    async def ancestors(self, project: Json) -> list[str]:
        """The project's group and that group's parents, nearest first; [] for a user's."""
        namespace = project.get("namespace") or {}
        if namespace.get("kind") != "group":
            return []
        chain: list[str] = []
        group_id: str | None = str(namespace["id"])
        while group_id is not None and group_id not in chain:
            chain.append(group_id)
            parent = (await self.group(group_id)).get("parent_id")
            group_id = str(parent) if parent else None
        return chain

    async def direct_group_member(self, group_id: str, user_id: str) -> Json | None:
        try:
            return await self.one(f"/groups/{int(group_id)}/members/{int(user_id)}")
        except NotFound:
            return None

    # Projects and memberships -------------------------------------------------------------

    async def list_roles(self) -> list[RemoteRole]:
        """GitLab has no roles to list: its access levels, which depend on the version."""
        return access_roles((await self.version()).get("version"))

    async def list_projects(self) -> list[RemoteProject]:
        listed = await self.all("/projects", order_by="id", sort="asc")
        self._projects = {str(p["id"]): p for p in listed}
        return [parse_project(p) for p in listed]

    async def project(self, project_id: str, *, refresh: bool = False) -> Json:
        if project_id not in self._projects or refresh:
            self._projects[project_id] = await self.one(f"/projects/{int(project_id)}")
        return self._projects[project_id]

    async def project_member(self, project_id: str, user_id: str, *,
                             inherited: bool = False) -> Json | None:
        """A user's direct membership (or, ``inherited``, their access); None if none."""
        scope = "members/all" if inherited else "members"
        try:
            return await self.one(f"/projects/{int(project_id)}/{scope}/{int(user_id)}")
        except NotFound:
            return None

    async def list_memberships(self, project_ids: list[str]) -> list[RemoteMembership]:
        group_members = await self.group_members()
        pages = await each(project_ids, lambda p: self._memberships_of(p, group_members))
        return [m for page in pages for m in page]

    async def _memberships_of(self, project_id: str,
                              group_members: Mapping[str, Mapping[str, int]]
                              ) -> list[RemoteMembership]:
        project = await self.project(project_id)
        direct, everyone = await asyncio.gather(
            self.all(f"/projects/{int(project_id)}/members"),
            # Inherited members may be listed once per way they are in.
            self.all(f"/projects/{int(project_id)}/members/all", unique=False))
        return parse_memberships(project, direct, everyone, group_members,
                                 await self.ancestors(project))

    # Issues ------------------------------------------------------------------------------

    async def issue(self, project_id: str, iid: str) -> Json:
        return await self.one(f"/projects/{int(project_id)}/issues/{int(iid)}")

    async def notes(self, project_id: str, iid: str) -> list[Json]:
        return await self.all(f"/projects/{int(project_id)}/issues/{int(iid)}/notes",
                              sort="asc", order_by="created_at")

    async def list_tickets(self, *, open_only: bool = False,
                           updated_since: datetime | None = None) -> list[RemoteTicket]:
        project, labels = self.queue.get("project"), self.queue.get("labels")
        path = f"/projects/{quote(project, safe='')}/issues" if project else "/issues"
        params: dict[str, str | int] = {
            "scope": "all", "state": "opened" if open_only else "all", "non_archived": "false",
            "order_by": "updated_at", "sort": "desc"}
        if labels:
            params["labels"] = labels
        if updated_since is not None:
            params["updated_after"] = utc_text(updated_since)
        listed = [item async for item in paginate_links(self.client, path, params=params)]
        recent = datetime.now(UTC) - timedelta(days=self.notes_days)

        def wants_notes(item: Json) -> bool:
            # Notes cost a call per issue: only for those an administrator looks at.
            updated = parse_time(item.get("updated_at")) or recent
            return bool(item.get("user_notes_count", 1)) and (
                item.get("state") != "closed" or updated >= recent)

        notes = await each(listed, lambda i: self.notes(str(i["project_id"]), str(i["iid"]))
                           if wants_notes(i) else _none())
        return [parse_ticket(item, item_notes,
                             self._projects.get(str(item["project_id"]), {}).get(
                                 "path_with_namespace"))
                for item, item_notes in zip(listed, notes, strict=True)]


async def _none() -> list[Json]:
    return []
