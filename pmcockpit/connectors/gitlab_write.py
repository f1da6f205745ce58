"""Changing GitLab: prepare, then execute, each supported action.

As for Redmine, each action is first *prepared* from one read of the target:
refusals are decided there and the exact calls worked out, and ``execute`` makes
exactly those calls.

GitLab facts this relies on: blocking and deactivating are different states (a
deactivated user becomes active again by signing in; a blocked one stays out until
unblocked), GitLab deactivates only users with no activity in the dormant period
(90 days by default) and answers 403 otherwise; a member is addressed by project
and user, and one whose access comes from a group has no membership to delete
(404); an issue is ``opened`` or ``closed`` (``state_event``); an assignee who
cannot see the project is dropped silently, so the result is checked.
"""

from __future__ import annotations

import re
from typing import Any

from pmcockpit.connectors.admin_rights import admin_change
from pmcockpit.connectors.base import PlannedCall, Prepared
from pmcockpit.connectors.errors import PermissionDenied, Rejected
from pmcockpit.connectors.gitlab_parse import (
    ACCESS_LEVELS,
    Json,
    membership_id,
    shared_groups,
    ticket_id,
)
from pmcockpit.connectors.gitlab_read import GitLabReader
from pmcockpit.connectors.layered import DispatchingWriter, as_id
from pmcockpit.core.actions import Action, ActionKind
from pmcockpit.core.i18n import N_, _

DEFAULT_GROUP_ACCESS = 30
"""Developer: what "add to group" gives, since GitLab needs a level and the action has none."""
DORMANT_RULE = _("GitLab deactivates only users with no activity in its dormant period "
                 "(90 days unless changed in Admin area → Settings → General → Account and "
                 "limit): block them instead")
MEMBERSHIP = re.compile(r"^project:(\d+):(user|group):(\d+)$")
TICKET = re.compile(r"^project:(\d+):issue:(\d+)$")
STATUS_WORDS = {"closed": "closed", "close": "closed", "opened": "opened", "open": "opened",
                "reopen": "opened", "reopened": "opened"}
LDAP_RULE = N_("{login} is blocked by LDAP synchronisation: change it in the directory")
# Why each user-state action cannot be done in a state: verb -> state -> refusal.
USER_RULES: dict[str, dict[str, str]] = {
    "block": {
        "blocked": N_("{login} is already blocked"),
        "ldap_blocked": LDAP_RULE,
    },
    "unblock": {
        "active": N_("{login} is not blocked"),
        "deactivated": N_("{login} is deactivated, not blocked: activate them instead"),
        "ldap_blocked": LDAP_RULE,
        "blocked_pending_approval": N_("{login} is waiting for approval: approve them in "
                                       "GitLab (Admin area → Users → Pending approval)"),
    },
    "deactivate": {
        "deactivated": N_("{login} is already deactivated"),
        "blocked": N_("{login} is blocked; GitLab deactivates only active users"),
        "ldap_blocked": N_("{login} is blocked; GitLab deactivates only active users"),
        "blocked_pending_approval": N_("{login} is waiting for approval; GitLab "
                                       "deactivates only active users"),
    },
    "activate": {
        "active": N_("{login} is already active"),
        "blocked": N_("{login} is blocked, not deactivated: unblock them instead"),
        "ldap_blocked": N_("{login} is blocked by LDAP synchronisation"),
        "blocked_pending_approval": N_("{login} is waiting for approval, not deactivated"),
    },
}
USER_VERBS = {ActionKind.LOCK_USER: "block", ActionKind.UNLOCK_USER: "unblock",
              ActionKind.DEACTIVATE_USER: "deactivate", ActionKind.ACTIVATE_USER: "activate"}


def _level(action: Action) -> int:
    """The one access level ``role_ids`` names: GitLab gives each member exactly one."""
    value = action.params.get("role_ids") or []
    items = value if isinstance(value, list) else [value]
    levels = sorted({_int(item, "each role id") for item in items})
    if len(levels) != 1 or levels[0] not in ACCESS_LEVELS:
        names = ", ".join(f"{n} ({level})" for level, n in ACCESS_LEVELS.items())
        raise Rejected(_("GitLab gives a member one access level; pick one of: {names}")
                       .format(names=names))
    return levels[0]


def _membership(text: str) -> tuple[str, str, str]:
    found = MEMBERSHIP.match(text)
    if not found:
        raise Rejected(_("{text!r} is not a GitLab membership (project:<id>:user:<id>)")
                       .format(text=text))
    return found.group(1), found.group(2), found.group(3)


def _int(value: object, what: str) -> int:
    return as_id(value, what, "GitLab")


class GitLabWriter(DispatchingWriter):
    tool = "GitLab"

    def __init__(self, reader: GitLabReader, *,
                 group_access: int = DEFAULT_GROUP_ACCESS) -> None:
        self.read = reader
        self.client = reader.client
        self.group_access = group_access
        self.refusals = {}
        self.handlers = {
            **{kind: self._user_state for kind in USER_VERBS},
            ActionKind.REMOVE_ADMIN: self._admin,
            ActionKind.GRANT_ADMIN: self._admin,
            ActionKind.REMOVE_MEMBERSHIP: self._remove_membership,
            ActionKind.ADD_MEMBERSHIP: self._add_membership,
            ActionKind.SET_MEMBERSHIP_ROLES: self._set_level,
            ActionKind.ADD_GROUP_MEMBER: self._group_member,
            ActionKind.REMOVE_GROUP_MEMBER: self._group_member,
            ActionKind.CREATE_TICKET: self._create_ticket,
            ActionKind.ADD_COMMENT: self._comment,
            ActionKind.SET_TICKET_STATUS: self._set_status,
            ActionKind.ASSIGN_TICKET: self._assign,
        }

    async def execute(self, action: Action, prepared: Prepared) -> dict[str, Any]:
        facts = dict(prepared.facts)
        for call in prepared.calls:
            try:
                response = await self.client.request(call.method, call.path,
                                                     json_body=call.body)
            except PermissionDenied:
                if action.kind is ActionKind.DEACTIVATE_USER:  # the token is an admin's
                    raise Rejected(_("{tool} refused to deactivate {login}: {rule}").format(
                        tool=self.client.name, login=prepared.before.get("login"),
                        rule=DORMANT_RULE)) from None
                raise
            if action.kind is ActionKind.CREATE_TICKET:
                created = self.client.json(response)
                facts.update({"ticket_id": ticket_id(created["project_id"], created["iid"]),
                              "key": (created.get("references") or {}).get("full", "")})
        if prepared.expect:
            await self._check_assigned(prepared.expect)
        return facts

    # -- users ---------------------------------------------------------------------------

    async def _user_state(self, action: Action) -> Prepared:
        verb = USER_VERBS[action.kind]
        user_id = str(_int(action.target_id, "the user"))
        user = await self.read.user(user_id)
        login, state = str(user.get("username", user_id)), str(user.get("state", "active"))
        if verb in ("block", "deactivate") and user_id == str((await self.read.me())["id"]):
            raise Rejected(_("refusing to {verb} {login}: it is the account pmcockpit's "
                             "token belongs to; you would lose API access").format(
                                 verb=verb, login=login))
        refusals = USER_RULES[verb]
        if state in refusals:
            raise Rejected(_(refusals[state]).format(login=login))
        note = {
            "block": _("block {login}: no sign-in, Git or API access until unblocked"),
            "unblock": _("unblock {login}"),
            "deactivate": _("deactivate {login}: GitLab reactivates them when they sign in "
                            "again (block to keep them out); refused if active in the last "
                            "90 days (last activity {last})"),
            "activate": _("activate {login}"),
        }[verb].format(login=login, last=user.get("last_activity_on") or _("never"))
        if verb == "block" and state == "deactivated":
            note = _("{note}; unblocking later makes them active, not deactivated").format(
                note=note)
        call = PlannedCall("POST", f"/users/{user_id}/{verb}", None, note)
        return Prepared([call], {"state": state, "login": login})

    async def _admin(self, action: Action) -> Prepared:
        user_id = str(_int(action.target_id, "the user"))
        user = await self.read.user(user_id)
        return admin_change(
            action, login=str(user.get("username", user_id)), is_admin=bool(user.get("is_admin")),
            own_account=user_id == str((await self.read.me())["id"]), method="PUT",
            path=f"/users/{user_id}", body={"admin": action.kind is ActionKind.GRANT_ADMIN})

    # -- memberships ---------------------------------------------------------------------

    async def _granting_groups(self, project: Json, user_id: str) -> list[str]:
        """Names of the groups that give ``user_id`` access to ``project``."""
        names = []
        sources = [*await self.read.ancestors(project),
                   *(group_id for group_id, _ in shared_groups(project))]
        for group_id in sources:
            if await self.read.direct_group_member(group_id, user_id) is not None:
                group = await self.read.group(group_id)
                names.append(str(group.get("full_name") or group.get("name", group_id)))
        return names

    async def _direct(self, project: Json, user_id: str) -> Json:
        """The user's direct membership, or Rejected naming where their access comes from."""
        project_id = str(project["id"])
        member = await self.read.project_member(project_id, user_id)
        if member is not None:
            return member
        where = project.get("path_with_namespace", project_id)
        access = await self.read.project_member(project_id, user_id, inherited=True)
        if access is None:
            raise Rejected(_("user {user} has no access to {where}").format(user=user_id,
                                                                            where=where))
        groups = await self._granting_groups(project, user_id)
        source = _("group {names}").format(names=", ".join(groups)) if groups \
            else _("a group")
        raise Rejected(_("{who}'s access to {where} comes from {source}: remove them from the "
                         "group, or stop sharing the project with it").format(
                             who=access.get("name", user_id), where=where, source=source))

    async def _remove_membership(self, action: Action) -> Prepared:
        project_id, kind, principal = _membership(action.target_id)
        project = await self.read.project(project_id, refresh=True)
        where = project.get("path_with_namespace", project_id)
        if kind == "group":
            share = next((s for s in project.get("shared_with_groups") or []
                          if str(s["group_id"]) == principal), None)
            if share is None:
                raise Rejected(_("{where} is not shared with group {group}").format(
                    where=where, group=principal))
            before = {"project_id": project_id, "principal_id": f"group:{principal}",
                      "role_ids": [str(share["group_access_level"])],
                      "membership_id": action.target_id}
            call = PlannedCall("DELETE", f"/projects/{project_id}/share/{principal}", None,
                               _("stop sharing {where} with group {group}; its members lose "
                                 "the access it gave them").format(
                                     where=where, group=share.get("group_name")))
            return Prepared([call], before)
        member = await self._direct(project, principal)
        name = member.get("name", principal)
        groups = await self._granting_groups(project, principal)
        note = (_("remove {who} from {where}; they keep the access group {groups} gives")
                if groups else _("remove {who} from {where}")).format(
                    who=name, where=where, groups=", ".join(groups))
        before = {"project_id": project_id, "principal_id": principal,
                  "role_ids": [str(member["access_level"])], "membership_id": action.target_id}
        call = PlannedCall("DELETE", f"/projects/{project_id}/members/{principal}", None, note)
        return Prepared([call], before)

    async def _add_membership(self, action: Action) -> Prepared:
        project_id = str(_int(action.target_id, "the project"))
        principal = str(action.params.get("principal_id") or "")
        level = _level(action)
        project = await self.read.project(project_id, refresh=True)
        where = project.get("path_with_namespace", project_id)
        if principal.startswith("group:"):
            group_id = str(_int(principal.removeprefix("group:"), "the group"))
            body = {"group_id": int(group_id), "group_access": level}
            call = PlannedCall("POST", f"/projects/{project_id}/share", body,
                               _("share {where} with group {group} as {level}").format(
                                   where=where, group=group_id, level=ACCESS_LEVELS[level]))
            return Prepared([call], facts={"membership_id": membership_id(
                project_id, "group", group_id)})
        user_id = str(_int(principal, "principal_id"))
        existing = await self.read.project_member(project_id, user_id)
        if existing is not None:
            current = ACCESS_LEVELS.get(int(existing["access_level"]), existing["access_level"])
            raise Rejected(_("{who} is already a member of {where} as {level}: change their "
                             "access level instead").format(
                                 who=existing.get("name", user_id), where=where, level=current))
        login = (await self.read.user(user_id)).get("username", user_id)
        call = PlannedCall("POST", f"/projects/{project_id}/members",
                           {"user_id": int(user_id), "access_level": level},
                           _("add {login} to {where} as {level}").format(
                               login=login, where=where, level=ACCESS_LEVELS[level]))
        return Prepared([call], facts={"membership_id": membership_id(project_id, "user",
                                                                      user_id)})

    async def _set_level(self, action: Action) -> Prepared:
        project_id, kind, principal = _membership(action.target_id)
        level = _level(action)
        project = await self.read.project(project_id, refresh=True)
        if kind == "group":
            raise Rejected(_("GitLab's API cannot change a share's access level: remove the "
                             "share and share the project again"))
        member = await self._direct(project, principal)
        old = int(member["access_level"])
        before = {"project_id": project_id, "principal_id": principal, "role_ids": [str(old)]}
        note = (f"{member.get('name', principal)}: {ACCESS_LEVELS.get(old, old)} → "
                f"{ACCESS_LEVELS[level]}")
        call = PlannedCall("PUT", f"/projects/{project_id}/members/{principal}",
                           {"access_level": level}, note)
        return Prepared([call], before)

    async def _group_member(self, action: Action) -> Prepared:
        add = action.kind is ActionKind.ADD_GROUP_MEMBER
        group_id = str(_int(action.target_id, "the group"))
        user_id = str(_int(action.params.get("user_id"), "user_id"))
        group = await self.read.group(group_id)
        name = group.get("full_name") or group.get("name", group_id)
        member = await self.read.direct_group_member(group_id, user_id)
        if (member is not None) == add:
            text = _("user {user} is already a member of group {group}") if add else \
                _("user {user} is not a member of group {group}")
            raise Rejected(text.format(user=user_id, group=name))
        default = ACCESS_LEVELS[self.group_access]
        if add:
            login = (await self.read.user(user_id)).get("username", user_id)
            call = PlannedCall("POST", f"/groups/{group_id}/members",
                               {"user_id": int(user_id), "access_level": self.group_access},
                               _("add {login} to group {group} as {level} (GitLab needs a "
                                 "level; pmcockpit uses this one): they get it in every "
                                 "project of the group").format(login=login, group=name,
                                                                level=default))
            return Prepared([call], {"member": False})
        assert member is not None
        level = int(member["access_level"])
        note = (_("remove {login} ({level}) from group {group}, and so from its projects; "
                  "undo adds them back as {default}") if level != self.group_access else
                _("remove {login} ({level}) from group {group}, and so from its projects")
                ).format(login=member.get("username", user_id),
                         level=ACCESS_LEVELS.get(level, level), group=name, default=default)
        call = PlannedCall("DELETE", f"/groups/{group_id}/members/{user_id}", None, note)
        return Prepared([call], {"member": True, "access_level": level})

    # -- tickets -------------------------------------------------------------------------

    async def _issue(self, action: Action) -> tuple[str, str, Json]:
        """(project id, iid, issue) of the ticket, by ``project:P:issue:I`` or global id."""
        found = TICKET.match(action.target_id)
        if found:
            project_id, iid = found.group(1), found.group(2)
            return project_id, iid, await self.read.issue(project_id, iid)
        issue = await self.read.one(f"/issues/{_int(action.target_id, 'the ticket')}")
        return str(issue["project_id"]), str(issue["iid"]), issue

    async def _create_ticket(self, action: Action) -> Prepared:
        project_id = _int(action.target_id, "the project")
        body: dict[str, Any] = {"title": str(action.params.get("subject", "")),
                                "description": str(action.params.get("description") or "")}
        if action.params.get("assignee_id"):
            body["assignee_ids"] = [_int(action.params["assignee_id"], "assignee_id")]
        return Prepared([PlannedCall("POST", f"/projects/{project_id}/issues", body,
                                     _("create the issue"))])

    async def _comment(self, action: Action) -> Prepared:
        project_id, iid, issue = await self._issue(action)
        key = (issue.get("references") or {}).get("full", f"#{iid}")
        call = PlannedCall("POST", f"/projects/{project_id}/issues/{iid}/notes",
                           {"body": str(action.params.get("body", ""))},
                           _("comment on {key}").format(key=key))
        return Prepared([call], facts={"ticket_id": ticket_id(project_id, iid)})

    async def _set_status(self, action: Action) -> Prepared:
        wanted = STATUS_WORDS.get(str(action.params.get("status", "")).strip().lower())
        if wanted is None:
            raise Rejected(_("GitLab issues are opened or closed, not {status!r}").format(
                status=action.params.get("status")))
        project_id, iid, issue = await self._issue(action)
        before = {"status": issue["state"]}
        if issue["state"] == wanted:
            return Prepared([], before)
        event = "close" if wanted == "closed" else "reopen"
        key = (issue.get("references") or {}).get("full", f"#{iid}")
        call = PlannedCall("PUT", f"/projects/{project_id}/issues/{iid}",
                           {"state_event": event},
                           (_("close {key}") if event == "close" else _("reopen {key}"))
                           .format(key=key))
        return Prepared([call], before)

    async def _assign(self, action: Action) -> Prepared:
        wanted = action.params.get("assignee_id")
        assignee = _int(wanted, "assignee_id") if wanted not in (None, "") else None
        project_id, iid, issue = await self._issue(action)
        current = issue.get("assignees") or []
        before = {"assignee_id": str(current[0]["id"]) if current else None}
        key = (issue.get("references") or {}).get("full", f"#{iid}")
        note = _("assign {key} to user {user}").format(key=key, user=assignee) if assignee \
            else _("unassign {key}").format(key=key)
        if len(current) > 1:
            note = _("{note}; replaces all {n} assignees").format(note=note, n=len(current))
        call = PlannedCall("PUT", f"/projects/{project_id}/issues/{iid}",
                           {"assignee_ids": [assignee] if assignee else []}, note)
        expect = {"project_id": project_id, "iid": iid, "assignee": str(assignee)} \
            if assignee else {}
        return Prepared([call], before, expect=expect)

    async def _check_assigned(self, expect: dict[str, Any]) -> None:
        issue = await self.read.issue(expect["project_id"], expect["iid"])
        now = [str(a["id"]) for a in issue.get("assignees") or []]
        if expect["assignee"] not in now:
            raise Rejected(_("{tool} did not assign user {user}: GitLab drops assignees who "
                             "cannot see the project (add them as a member first)").format(
                                 tool=self.client.name, user=expect["assignee"]))
