"""Jira Cloud REST v3 answers to the records of :mod:`pmcockpit.core.records`: pure functions.

How Jira's model maps onto pmcockpit's:

* An account's ``login`` is the local part of its e-mail when Jira shows the
  e-mail (profile visibility may hide it), else its ``accountId``. App accounts
  (``accountType`` "app") are service accounts; an inactive account is LOCKED.
* Jira puts no admin flag on users: administration is granted to groups. An
  account is an admin when it is in one of the site's admin groups (``site-admins``,
  ``org-admins``, ``jira-administrators``, ``administrators`` and ``jira-admins-*``
  by default; the ``admin_groups`` connection option replaces the list).
* A project role's actors (users and groups) become one membership per principal
  and project, id ``"{projectId}:user:{accountId}"`` or ``"{projectId}:group:{groupId}"``,
  whose roles are the roles it holds. A user who holds a role through a group
  actor gets that role marked as inherited from the group.
* A ticket is closed when its status is in the "done" category.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import Any

from pmcockpit.connectors.jira_adf import adf_to_text
from pmcockpit.connectors.layered import parse_time
from pmcockpit.connectors.layered import parsing as shared_parsing
from pmcockpit.core.records import (
    AccountKind,
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
DEFAULT_ADMIN_GROUPS = frozenset({"site-admins", "org-admins", "jira-administrators",
                                  "administrators"})
ADMIN_GROUP_PREFIX = "jira-admins-"
SERVICE_ACCOUNT_TYPES = frozenset({"app"})
DONE_CATEGORY = "done"
USER_ACTOR = "atlassian-user-role-actor"
GROUP_ACTOR = "atlassian-group-role-actor"


PARSE_HINT = "the URL may not be a Jira Cloud site, or its REST API v3 answers differently"


def parsing(name: str, what: str) -> AbstractContextManager[None]:
    return shared_parsing(name, what, PARSE_HINT)


def is_admin_group(name: str, admin_groups: frozenset[str] = DEFAULT_ADMIN_GROUPS) -> bool:
    if admin_groups is DEFAULT_ADMIN_GROUPS and name.startswith(ADMIN_GROUP_PREFIX):
        return True
    return name in admin_groups


def login_for(email: str | None, account_id: str) -> str:
    return email.split("@", 1)[0] if email and "@" in email else account_id


def parse_account(item: Json, *, is_admin: bool = False,
                  last_active: datetime | None = None) -> RemoteAccount:
    """A user from ``/users/search``, ``/user`` or ``/myself``."""
    account_id = str(item["accountId"])
    email = item.get("emailAddress") or None
    return RemoteAccount(
        remote_id=account_id,
        login=login_for(email, account_id),
        name=item.get("displayName") or account_id,
        email=email,
        status=AccountStatus.ACTIVE if item.get("active", True) else AccountStatus.LOCKED,
        is_admin=is_admin,
        kind=AccountKind.SERVICE if item.get("accountType") in SERVICE_ACCOUNT_TYPES
        else AccountKind.PERSON,
        last_login_at=last_active,
    )


def account_groups(item: Json) -> list[str]:
    """Group names of a user fetched with ``expand=groups``."""
    groups = item.get("groups") or {}
    return [str(g["name"]) for g in groups.get("items", [])]


def parse_group(item: Json, member_ids: Iterable[str] = ()) -> RemoteGroup:
    """A group from ``/group/bulk``, with the account ids from ``/group/member``."""
    return RemoteGroup(remote_id=str(item["groupId"]), name=item["name"],
                       member_ids=tuple(member_ids))


def parse_role(item: Json) -> RemoteRole:
    """A project role from ``/role``: "Administrators" and the like can manage projects."""
    admin_like = item.get("admin")
    if not isinstance(admin_like, bool):
        admin_like = "admin" in str(item["name"]).lower()
    return RemoteRole(remote_id=str(item["id"]), name=item["name"], is_admin_like=admin_like)


def parse_project(item: Json) -> RemoteProject:
    """A project from ``/project/search`` (``expand=insight`` for the last update)."""
    archived = bool(item.get("archived")) or bool(item.get("deleted"))
    insight = item.get("insight") or {}
    return RemoteProject(
        remote_id=str(item["id"]),
        key=item["key"],
        name=item["name"],
        status=ProjectStatus.ARCHIVED if archived else ProjectStatus.ACTIVE,
        updated_at=parse_time(insight.get("lastIssueUpdateTime")),
    )


def role_id_from_url(url: str) -> str:
    """``.../project/MKY/role/10360`` -> ``"10360"`` (``/project/{key}/role`` gives URLs)."""
    tail = url.rstrip("/").rsplit("/", 1)[-1]
    if not tail.isdigit():
        raise ValueError(f"no role id at the end of {url!r}")
    return tail


def role_actors(role: Json, group_ids_by_name: Mapping[str, str]
                ) -> tuple[list[str], list[str]]:
    """(account ids, group ids) of a ``/project/{key}/role/{id}`` answer's actors.

    An old actor may name its group without ``groupId``: the name is looked up.
    """
    users, groups = [], []
    for actor in role.get("actors", []):
        if actor.get("type") == USER_ACTOR and actor.get("actorUser"):
            users.append(str(actor["actorUser"]["accountId"]))
        elif actor.get("type") == GROUP_ACTOR:
            group = actor.get("actorGroup") or {}
            group_id = group.get("groupId") or group_ids_by_name.get(
                group.get("name") or actor.get("name") or "")
            if group_id:
                groups.append(str(group_id))
    return users, groups


def build_memberships(
    project_id: str, roles: Mapping[str, Json], group_members: Mapping[str, Iterable[str]],
    group_ids_by_name: Mapping[str, str],
) -> list[RemoteMembership]:
    """One project's memberships from its roles (role id -> role with actors)."""
    direct_users: dict[str, list[str]] = {}
    direct_groups: dict[str, list[str]] = {}
    for role_id, role in sorted(roles.items()):
        users, groups = role_actors(role, group_ids_by_name)
        for account in users:
            direct_users.setdefault(account, []).append(role_id)
        for group in groups:
            direct_groups.setdefault(group, []).append(role_id)
    inherited: dict[str, list[RoleGrant]] = {}
    for group, role_ids in direct_groups.items():
        for account in group_members.get(group, ()):
            inherited.setdefault(account, []).extend(RoleGrant(r, group) for r in role_ids)
    memberships = [
        RemoteMembership(membership_id(project_id, "user", account), project_id, account, None,
                         tuple(RoleGrant(r) for r in direct_users.get(account, []))
                         + tuple(inherited.get(account, [])))
        for account in sorted(direct_users.keys() | inherited.keys())]
    memberships += [
        RemoteMembership(membership_id(project_id, "group", group), project_id, None, group,
                         tuple(RoleGrant(r) for r in role_ids))
        for group, role_ids in sorted(direct_groups.items())]
    return memberships


def membership_id(project_id: str, principal_kind: str, principal_id: str) -> str:
    return f"{project_id}:{principal_kind}:{principal_id}"


def split_membership_id(remote_id: str) -> tuple[str, str, str]:
    """(project id, "user" or "group", account or group id); ValueError if not one of ours.

    An account id may itself contain a colon (``712020:...``): only two splits are made.
    """
    parts = remote_id.split(":", 2)
    if len(parts) != 3 or parts[1] not in ("user", "group") or not parts[0].isdigit():
        raise ValueError(f"{remote_id!r} is not a Jira membership id "
                         "(PROJECTID:user:ACCOUNTID or PROJECTID:group:GROUPID)")
    return parts[0], parts[1], parts[2]


def comment_items(field: Any) -> tuple[list[Json], int]:
    """(comments, total) of an issue's ``comment`` field: normally ``{"comments", "total"}``;
    Atlassian's published search example shows a bare list, which is accepted too."""
    if isinstance(field, list):
        return field, len(field)
    if isinstance(field, dict):
        items = list(field.get("comments") or [])
        total = field.get("total")
        return items, total if isinstance(total, int) else len(items)
    return [], 0


def parse_comment(item: Json) -> RemoteComment:
    author = item.get("author") or {}
    created = parse_time(item.get("created")) or parse_time(item.get("updated"))
    return RemoteComment(
        remote_id=str(item["id"]),
        author_id=str(author["accountId"]) if author.get("accountId") else None,
        author_name=str(author.get("displayName", "")),
        body=adf_to_text(item.get("body")),
        created_at=created or datetime.now(UTC),
    )


def _account(value: Any) -> str | None:
    return str(value["accountId"]) if isinstance(value, dict) and value.get("accountId") else None


def parse_ticket(item: Json, comments: Iterable[Json] | None = None) -> RemoteTicket:
    """An issue from ``/search/jql`` with fields; ``comments`` replaces the embedded ones."""
    fields = item["fields"]
    status = fields["status"]
    category = (status.get("statusCategory") or {}).get("key")
    created = parse_time(fields["created"])
    if created is None:
        raise KeyError("created")
    embedded, _ = comment_items(fields.get("comment"))
    issue_type = (fields.get("issuetype") or {}).get("name")
    return RemoteTicket(
        remote_id=str(item["id"]),
        project_id=str(fields["project"]["id"]),
        key=str(item["key"]),
        subject=fields.get("summary") or "",
        status=status["name"],
        is_closed=category == DONE_CATEGORY,
        priority=(fields.get("priority") or {}).get("name", ""),
        author_id=_account(fields.get("reporter")) or _account(fields.get("creator")),
        assignee_id=_account(fields.get("assignee")),
        created_at=created,
        updated_at=parse_time(fields.get("updated")) or created,
        description=adf_to_text(fields.get("description")),
        comments=tuple(parse_comment(c) for c in (embedded if comments is None else comments)),
        labels=tuple(([issue_type] if issue_type else []) + list(fields.get("labels") or [])),
    )


def parse_last_active(data: Json) -> tuple[datetime | None, str | None]:
    """(latest activity over all products, next page cursor) of a ``last-active-dates`` page.

    A product gives ``last_active`` (a date) and, lately, ``last_active_timestamp``.
    """
    products = (data.get("data") or {}).get("product_access") or []
    moments = [parse_time(p.get("last_active_timestamp") or p.get("last_active"))
               for p in products]
    latest = max((m for m in moments if m is not None), default=None)
    next_link = (data.get("links") or {}).get("next") or None
    return latest, next_link
