"""GitLab's REST API v4 answers as the records of :mod:`pmcockpit.core.records`.

Pure functions: GitLab JSON in, records out (the calls are in :mod:`.gitlab_read`).
GitLab facts they encode:

* ``/users`` shows e-mail, admin flag, two-factor and sign-in dates to administrators
  only; anyone else gets id, username, name and state, and each user's public
  profile (``/users/:id``) adds ``public_email``, ``bot`` and ``created_at``.
* A user reaches a project directly (``/members``), through the project's group and
  its parents, or through a group the project is shared with; ``/members/all`` gives
  the highest level without saying where it comes from, so the source is worked out
  from the groups' own member lists.
* Access levels are numbers (10 Guest ... 50 Owner): they are the roles.
* Issues are numbered per project (``iid``); notes include system notes
  ("closed", "assigned to @bob"), which are not comments.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, date, datetime, time
from typing import Any

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

ACCESS_LEVELS = {5: "Minimal Access", 10: "Guest", 15: "Planner", 20: "Reporter",
                 30: "Developer", 40: "Maintainer", 50: "Owner"}
ADMIN_LIKE_LEVELS = frozenset({40, 50})
PLANNER_SINCE = (17, 7)
"""GitLab version that introduced the Planner level (15)."""
ACCOUNT_STATES = {
    "active": AccountStatus.ACTIVE,
    "blocked": AccountStatus.LOCKED,
    "ldap_blocked": AccountStatus.LOCKED,
    "banned": AccountStatus.LOCKED,
    "deactivated": AccountStatus.DEACTIVATED,
    "blocked_pending_approval": AccountStatus.PENDING,
}
DEFAULT_PRIORITY = "Normal"
NOTES_DAYS = 14
"""Notes are read for open issues and for issues updated within this many days."""

Json = dict[str, Any]


PARSE_HINT = "this GitLab's API answers differently from GitLab 17; check its version"


def parsing(name: str, what: str) -> AbstractContextManager[None]:
    return shared_parsing(name, what, PARSE_HINT)


def last_seen(item: Mapping[str, Any]) -> datetime | None:
    """When the user was last seen: the latest of their sign-ins and their last activity.

    GitLab keeps Devise's two sign-in times: ``current_sign_in_at`` is the latest
    sign-in and ``last_sign_in_at`` the one before it (so either may be the later in
    the JSON we get). Signing in is not the only way to use GitLab: Git over SSH or
    HTTPS and API calls with a token never sign in, but move ``last_activity_on`` (a
    day, at most once a day). A developer who pushes daily but has not opened the web
    UI for months is active, so the later of the two counts as "last login". The day
    counts from its start (UTC) and only when it is later than the last sign-in's day:
    on the same day the sign-in's exact time says more.
    """
    sign_ins = [t for t in (parse_time(item.get("current_sign_in_at")),
                            parse_time(item.get("last_sign_in_at"))) if t is not None]
    latest = max(sign_ins, default=None)
    active_on = item.get("last_activity_on")
    if isinstance(active_on, str) and active_on:
        day = date.fromisoformat(active_on[:10])
        if latest is None or day > latest.astimezone(UTC).date():
            return datetime.combine(day, time(0, 0), UTC)
    return latest


def parse_account(item: Json) -> RemoteAccount:
    """A user from ``/users``, ``/users/:id`` or ``/user``, as much as the token may see.

    The e-mail is the primary one when an administrator asks, else the public one
    (often empty): it is what joins one person's accounts across tools.
    """
    two_factor = item.get("two_factor_enabled")
    return RemoteAccount(
        remote_id=str(item["id"]),
        login=item["username"],
        name=item.get("name") or item["username"],
        email=item.get("email") or item.get("public_email") or None,
        status=ACCOUNT_STATES.get(str(item.get("state", "active")), AccountStatus.LOCKED),
        is_admin=bool(item.get("is_admin", False)),
        kind=AccountKind.SERVICE if item.get("bot") else AccountKind.PERSON,
        created_at=parse_time(item.get("created_at")),
        last_login_at=last_seen(item),
        two_factor=two_factor if isinstance(two_factor, bool) else None,
    )


def parse_group(item: Json, member_ids: Iterable[str] = ()) -> RemoteGroup:
    return RemoteGroup(remote_id=str(item["id"]), name=item.get("full_name") or item["name"],
                       member_ids=tuple(member_ids), path=item.get("full_path") or "")


def parse_version(text: str | None) -> tuple[int, int]:
    """(major, minor) of "17.5.1-ee"; (0, 0) when it cannot be read."""
    parts = (text or "").split("-")[0].split(".")
    try:
        return int(parts[0]), int(parts[1])
    except (IndexError, ValueError):
        return 0, 0


def access_roles(version: str | None) -> list[RemoteRole]:
    """GitLab's access levels as roles; Planner only where the version has it."""
    has_planner = parse_version(version) >= PLANNER_SINCE
    return [RemoteRole(str(level), name, level in ADMIN_LIKE_LEVELS)
            for level, name in ACCESS_LEVELS.items() if level != 15 or has_planner]


def parse_project(item: Json) -> RemoteProject:
    """A project; GitLab projects have no parent project (they live in a group)."""
    return RemoteProject(
        remote_id=str(item["id"]),
        key=item["path_with_namespace"],
        name=item["name"],
        status=ProjectStatus.ARCHIVED if item.get("archived") else ProjectStatus.ACTIVE,
        parent_id=None,
        updated_at=parse_time(item.get("updated_at") or item.get("last_activity_at")),
    )


def membership_id(project_id: str | int, kind: str, principal_id: str | int) -> str:
    """``project:12:user:5`` or ``project:12:group:7``: GitLab members have no id of their own."""
    return f"project:{project_id}:{kind}:{principal_id}"


def shared_groups(project: Json) -> list[tuple[str, int]]:
    return [(str(s["group_id"]), int(s["group_access_level"]))
            for s in project.get("shared_with_groups") or []]


def inherited_grants(user_id: str, ancestors: Sequence[str], shared: Sequence[tuple[str, int]],
                     group_members: Mapping[str, Mapping[str, int]]) -> list[RoleGrant]:
    """What ``user_id`` gets through the project's groups and the groups it is shared with."""
    grants = []
    for group_id in ancestors:
        level = group_members.get(group_id, {}).get(user_id)
        if level is not None:
            grants.append(RoleGrant(str(level), group_id))
    for group_id, cap in shared:
        level = group_members.get(group_id, {}).get(user_id)
        if level is not None:
            grants.append(RoleGrant(str(min(level, cap)), group_id))
    return grants


def parse_memberships(project: Json, direct: Iterable[Json], everyone: Iterable[Json],
                      group_members: Mapping[str, Mapping[str, int]],
                      ancestors: Sequence[str]) -> list[RemoteMembership]:
    """One project's memberships from ``/members`` (direct) and ``/members/all``.

    ``ancestors`` are the project's group and its parents, nearest first. A user's
    direct level is a direct grant; each group that gives them access adds a grant
    inherited from it. Access from a source this token cannot see (such as a group
    shared with a parent group) is marked as coming from the project's own group.
    Each share of the project with a group is a membership of that group.
    """
    project_id = str(project["id"])
    direct_levels = {str(m["id"]): int(m["access_level"]) for m in direct}
    shared = shared_groups(project)
    result: list[RemoteMembership] = []
    seen: set[str] = set()
    for member in [*everyone, *({"id": uid, "access_level": level}
                                for uid, level in direct_levels.items())]:
        user_id = str(member["id"])
        if user_id in seen:
            continue
        seen.add(user_id)
        grants = [RoleGrant(str(direct_levels[user_id]))] if user_id in direct_levels else []
        grants += inherited_grants(user_id, ancestors, shared, group_members)
        if not grants:
            grants.append(RoleGrant(str(member["access_level"]),
                                    ancestors[0] if ancestors else None))
        result.append(RemoteMembership(membership_id(project_id, "user", user_id), project_id,
                                       user_id, None, tuple(grants)))
    result += [RemoteMembership(membership_id(project_id, "group", group_id), project_id,
                                None, group_id, (RoleGrant(str(level)),))
               for group_id, level in shared]
    return result


def ticket_id(project_id: str | int, iid: str | int) -> str:
    """``project:12:issue:4``: an issue is addressed by its project and its number there."""
    return f"project:{project_id}:issue:{iid}"


def label_names(item: Json) -> tuple[str, ...]:
    """Labels as names, whether listed plainly or with details (``with_labels_details``)."""
    return tuple(label["name"] if isinstance(label, dict) else str(label)
                 for label in item.get("labels") or [])


def priority_of(labels: Iterable[str]) -> str:
    """The priority a scoped label such as ``priority::high`` gives, else "Normal"."""
    for label in labels:
        scope, separator, value = label.partition("::")
        if separator and scope.strip().lower() == "priority" and value.strip():
            value = value.strip()
            return value[:1].upper() + value[1:]
    return DEFAULT_PRIORITY


def parse_comment(note: Json) -> RemoteComment:
    author = note.get("author") or {}
    created = parse_time(note.get("created_at"))
    return RemoteComment(
        remote_id=str(note["id"]),
        author_id=str(author["id"]) if "id" in author else None,
        author_name=str(author.get("name", "")),
        body=note["body"],
        created_at=created or datetime.now(UTC),
    )


def parse_ticket(item: Json, notes: Iterable[Json] = (),
                 project_path: str | None = None) -> RemoteTicket:
    """An issue; ``notes`` become its comments, system notes left out."""
    project_id, iid = item["project_id"], item["iid"]
    key = (item.get("references") or {}).get("full") or f"{project_path or project_id}#{iid}"
    assignees = item.get("assignees") or ([item["assignee"]] if item.get("assignee") else [])
    labels = label_names(item)
    created = parse_time(item["created_at"])
    if created is None:
        raise KeyError("created_at")
    author = item.get("author") or {}
    return RemoteTicket(
        remote_id=ticket_id(project_id, iid),
        project_id=str(project_id),
        key=key,
        subject=item.get("title", ""),
        status=item["state"],
        is_closed=item["state"] == "closed",
        priority=priority_of(labels),
        author_id=str(author["id"]) if "id" in author else None,
        assignee_id=str(assignees[0]["id"]) if assignees else None,
        created_at=created,
        updated_at=parse_time(item.get("updated_at")) or created,
        description=item.get("description") or "",
        comments=tuple(parse_comment(n) for n in notes if not n.get("system")),
        labels=labels,
    )
