"""Changing Redmine: prepare, then execute, each supported action.

Each action is first *prepared* from one read of the target: refusals are decided
(locking the token's own account, removing a membership that only exists through a
group), the state it changes is captured and the exact calls are worked out; the
dry run shows those calls, the audit log keeps that state, and ``execute`` makes
exactly those calls.

Redmine facts this relies on: PUT and DELETE answer 204 with no body, POST answers
201 with the new object; a membership holding any role inherited from a group cannot
be deleted (422 with an empty body), but its direct roles can be set, even to none;
an issue status change the workflow forbids is dropped silently (so it is checked).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pmcockpit.connectors.admin_rights import admin_change
from pmcockpit.connectors.base import PlannedCall, Prepared
from pmcockpit.connectors.errors import Rejected
from pmcockpit.connectors.layered import DispatchingWriter, as_id
from pmcockpit.connectors.redmine_read import (
    ACCOUNT_STATUS_IDS,
    ACCOUNT_STATUSES,
    Json,
    RedmineReader,
)
from pmcockpit.core.actions import Action, ActionKind
from pmcockpit.core.i18n import _
from pmcockpit.core.records import AccountStatus

NO_DEACTIVATION = _("Redmine has no deactivation; lock the user instead")
LOCKED = ACCOUNT_STATUS_IDS[AccountStatus.LOCKED]
ACTIVE = ACCOUNT_STATUS_IDS[AccountStatus.ACTIVE]


def _role_ids(action: Action) -> list[int]:
    value = action.params.get("role_ids") or []
    items = value if isinstance(value, list) else [value]
    return sorted({_int(item, "each role id") for item in items})


def _principal(membership: Json) -> tuple[str, str]:
    """(id, name) of the user or group a membership belongs to."""
    principal = membership.get("user") or membership.get("group") or {}
    return str(principal.get("id")), str(principal.get("name", "?"))


def _int(value: object, what: str) -> int:
    return as_id(value, what, "Redmine")


class RedmineWriter(DispatchingWriter):
    tool = "Redmine"

    def __init__(self, reader: RedmineReader) -> None:
        self.read = reader
        self.client = reader.client
        self.refusals = {ActionKind.DEACTIVATE_USER: NO_DEACTIVATION,
                         ActionKind.ACTIVATE_USER: NO_DEACTIVATION}
        self.handlers = {
            ActionKind.LOCK_USER: self._lock,
            ActionKind.UNLOCK_USER: self._unlock,
            ActionKind.REMOVE_ADMIN: self._admin,
            ActionKind.GRANT_ADMIN: self._admin,
            ActionKind.REMOVE_MEMBERSHIP: self._remove_membership,
            ActionKind.ADD_MEMBERSHIP: self._add_membership,
            ActionKind.SET_MEMBERSHIP_ROLES: self._set_membership_roles,
            ActionKind.ADD_GROUP_MEMBER: self._add_to_group,
            ActionKind.REMOVE_GROUP_MEMBER: self._remove_from_group,
            ActionKind.CREATE_TICKET: self._create_ticket,
            ActionKind.ADD_COMMENT: self._comment,
            ActionKind.SET_TICKET_STATUS: self._set_ticket_status,
            ActionKind.ASSIGN_TICKET: self._assign_ticket,
        }

    async def execute(self, action: Action, prepared: Prepared) -> dict[str, Any]:
        facts = dict(prepared.facts)
        for call in prepared.calls:
            response = await self.client.request(
                call.method, call.path, json_body=call.body,
                empty_rejection=prepared.empty_rejection)
            if response.status_code == 201:  # POST answers with the object it created
                facts.update(self._created(action, self.client.json(response)))
        if action.kind is ActionKind.SET_TICKET_STATUS and prepared.calls:
            await self._check_status_changed(action, prepared)
        return facts

    # -- users ---------------------------------------------------------------------------

    async def _lock(self, action: Action) -> Prepared:
        return await self._set_user_status(action, LOCKED)

    async def _unlock(self, action: Action) -> Prepared:
        return await self._set_user_status(action, ACTIVE)

    async def _set_user_status(self, action: Action, status: int) -> Prepared:
        user_id = str(_int(action.target_id, "the user"))
        user = await self.read.user(user_id)
        login = str(user.get("login", user_id))
        current = int(user.get("status", ACTIVE))
        if status == LOCKED and user_id == await self.read.current_account_id():
            raise Rejected(_("refusing to lock {login}: it is the account pmcockpit's token "
                             "belongs to; you would lose API access").format(login=login))
        if current == status:
            # Refused rather than skipped: undoing a no-op would flip the user the other way.
            raise Rejected(_("{login} is already {status}").format(
                login=login, status=ACCOUNT_STATUSES[status].value))
        note = _("lock {login}") if status == LOCKED else _("unlock {login}")
        call = PlannedCall("PUT", f"/users/{user_id}.json", {"user": {"status": status}},
                           note.format(login=login))
        before_status = ACCOUNT_STATUSES.get(current, AccountStatus.ACTIVE).value
        return Prepared([call], {"status": before_status, "login": login})

    async def _admin(self, action: Action) -> Prepared:
        user_id = str(_int(action.target_id, "the user"))
        user = await self.read.user(user_id)
        grant = action.kind is ActionKind.GRANT_ADMIN
        return admin_change(
            action, login=str(user.get("login", user_id)), is_admin=bool(user.get("admin")),
            own_account=user_id == await self.read.current_account_id(), method="PUT",
            path=f"/users/{user_id}.json", body={"user": {"admin": grant}})

    # -- memberships ---------------------------------------------------------------------

    async def _inherited_from(self, project_id: str, user_id: str) -> list[str]:
        """Names of the groups whose membership in the project include the user."""
        groups = [m for m in await self.read.project_memberships(project_id) if "group" in m]
        names = []
        for membership in groups:
            group = await self.read.group(str(membership["group"]["id"]))
            if any(str(u["id"]) == user_id for u in group.get("users", [])):
                names.append(str(group["name"]))
        return names

    async def _remove_membership(self, action: Action) -> Prepared:
        membership_id = str(_int(action.target_id, "the membership"))
        membership = await self.read.membership(membership_id)
        project = membership["project"]
        who_id, who = _principal(membership)
        roles = membership.get("roles", [])
        direct = sorted({int(r["id"]) for r in roles if not r.get("inherited")})
        inherited = [r for r in roles if r.get("inherited")]
        before = {"project_id": str(project["id"]), "principal_id": who_id, "role_ids": direct,
                  "membership_id": membership_id}
        path = f"/memberships/{membership_id}.json"
        if not inherited:
            generic = _("{who}'s access to {project} is inherited (from a group or a parent "
                        "project): remove it there").format(who=who, project=project["name"])
            note = _("remove {who} from {project}").format(who=who, project=project["name"])
            return Prepared([PlannedCall("DELETE", path, None, note)], before,
                            empty_rejection=generic)
        groups = await self._inherited_from(str(project["id"]), who_id)
        source = _("group {names}").format(names=", ".join(groups)) if groups \
            else _("a group or the parent project")
        if not direct:
            raise Rejected(_(
                "{who}'s access to {project} comes from {source}: remove the group's "
                "membership or remove {who} from the group").format(
                    who=who, project=project["name"], source=source))
        # Redmine refuses to delete a membership with any inherited role, but lets us
        # drop its direct roles: that is all "remove" can mean here.
        call = PlannedCall("PUT", path, {"membership": {"role_ids": []}},
                           _("remove {who}'s own roles in {project}; the roles from {source} "
                             "stay").format(who=who, project=project["name"], source=source))
        return Prepared([call], before)

    async def _add_membership(self, action: Action) -> Prepared:
        project_id = _int(action.target_id, "the project")
        principal_id = str(_int(action.params.get("principal_id"), "principal_id"))
        role_ids = _role_ids(action)
        existing = next((m for m in await self.read.project_memberships(str(project_id))
                         if _principal(m)[0] == principal_id), None)
        if existing is None:
            body = {"membership": {"user_id": int(principal_id), "role_ids": role_ids}}
            return Prepared([PlannedCall("POST", f"/projects/{project_id}/memberships.json",
                                         body, _("add principal {id}").format(
                                             id=principal_id))])
        # One membership per principal and project: a second POST would be refused
        # ("has already been taken"), so the roles are added to the existing one.
        direct = {int(r["id"]) for r in existing.get("roles", []) if not r.get("inherited")}
        merged = sorted(direct | set(role_ids))
        facts = {"membership_id": str(existing["id"])}
        if merged == sorted(direct):
            return Prepared([], {"role_ids": sorted(direct)}, facts)
        call = PlannedCall("PUT", f"/memberships/{existing['id']}.json",
                           {"membership": {"role_ids": merged}},
                           _("{who} is already a member: add the roles").format(
                               who=_principal(existing)[1]))
        return Prepared([call], {"role_ids": sorted(direct)}, facts)

    async def _set_membership_roles(self, action: Action) -> Prepared:
        membership_id = str(_int(action.target_id, "the membership"))
        membership = await self.read.membership(membership_id)
        roles = membership.get("roles", [])
        direct = sorted({int(r["id"]) for r in roles if not r.get("inherited")})
        who_id, who = _principal(membership)
        before = {"project_id": str(membership["project"]["id"]), "principal_id": who_id,
                  "role_ids": direct}
        note = _("set {who}'s roles; the roles inherited from a group stay") \
            if any(r.get("inherited") for r in roles) else _("set {who}'s roles")
        note = note.format(who=who)
        call = PlannedCall("PUT", f"/memberships/{membership_id}.json",
                           {"membership": {"role_ids": _role_ids(action)}}, note)
        return Prepared([call], before)

    # -- groups --------------------------------------------------------------------------

    async def _add_to_group(self, action: Action) -> Prepared:
        return await self._change_group(action, add=True)

    async def _remove_from_group(self, action: Action) -> Prepared:
        return await self._change_group(action, add=False)

    async def _change_group(self, action: Action, *, add: bool) -> Prepared:
        group_id = _int(action.target_id, "the group")
        user_id = _int(action.params.get("user_id"), "user_id")
        group = await self.read.group(str(group_id))
        member = any(int(u["id"]) == user_id for u in group.get("users", []))
        name = group.get("name", group_id)
        if member == add:
            text = _("user {user} is already in group {group}") if add else \
                _("user {user} is not in group {group}")
            raise Rejected(text.format(user=user_id, group=name))
        if add:
            call = PlannedCall("POST", f"/groups/{group_id}/users.json", {"user_id": user_id},
                               _("add user {user} to {group}").format(user=user_id, group=name))
        else:
            call = PlannedCall("DELETE", f"/groups/{group_id}/users/{user_id}.json", None,
                               _("remove user {user} from {group}").format(user=user_id,
                                                                            group=name))
        return Prepared([call], {"member": member})

    # -- tickets -------------------------------------------------------------------------

    async def _comment(self, action: Action) -> Prepared:
        body = {"issue": {"notes": str(action.params.get("body", ""))}}
        path = f"/issues/{_int(action.target_id, 'the ticket')}.json"
        return Prepared([PlannedCall("PUT", path, body, _("add a note"))],
                        facts={"ticket_id": action.target_id})

    async def _create_ticket(self, action: Action) -> Prepared:
        issue: dict[str, Any] = {
            "project_id": _int(action.target_id, "the project"),
            "subject": str(action.params.get("subject", "")),
            "description": str(action.params.get("description") or ""),
        }
        if action.params.get("assignee_id"):
            issue["assigned_to_id"] = _int(action.params["assignee_id"], "assignee_id")
        return Prepared([PlannedCall("POST", "/issues.json", {"issue": issue},
                                     _("create the ticket"))])

    def _created(self, action: Action, data: Any) -> dict[str, Any]:
        if not isinstance(data, Mapping):
            return {}
        if action.kind is ActionKind.CREATE_TICKET and "issue" in data:
            ticket_id = str(data["issue"]["id"])
            return {"ticket_id": ticket_id, "key": f"#{ticket_id}"}
        if "membership" in data:
            return {"membership_id": str(data["membership"]["id"])}
        return {}

    async def _status_id(self, wanted: Any) -> tuple[int, str]:
        statuses = await self.read.issue_statuses()
        text = str(wanted).strip()
        for status in statuses:
            if text.casefold() == str(status["name"]).casefold() or text == str(status["id"]):
                return int(status["id"]), str(status["name"])
        names = ", ".join(str(s["name"]) for s in statuses)
        raise Rejected(_("{tool} has no ticket status {status!r}; it has: {names}").format(
            tool=self.client.name, status=text, names=names))

    async def _set_ticket_status(self, action: Action) -> Prepared:
        issue_id = _int(action.target_id, "the ticket")
        status_id, status_name = await self._status_id(action.params.get("status"))
        issue = await self.read.issue(str(issue_id))
        before = {"status": issue["status"]["name"], "status_id": int(issue["status"]["id"])}
        facts = {"status": status_name, "status_id": status_id}
        if before["status_id"] == status_id:
            return Prepared([], before, facts)
        call = PlannedCall("PUT", f"/issues/{issue_id}.json",
                           {"issue": {"status_id": status_id}},
                           f"#{issue_id}: {before['status']} → {status_name}")
        return Prepared([call], before, facts)

    async def _check_status_changed(self, action: Action, prepared: Prepared) -> None:
        issue = await self.read.issue(action.target_id)
        if int(issue["status"]["id"]) != prepared.facts["status_id"]:
            tracker = (issue.get("tracker") or {}).get("name", _("this tracker"))
            raise Rejected(_(
                "{tool} kept #{ticket} at {status}: its workflow for {tracker} does not allow "
                "{before} → {after} (Administration → Workflow)").format(
                    tool=self.client.name, ticket=action.target_id,
                    status=issue["status"]["name"], tracker=tracker,
                    before=prepared.before["status"], after=prepared.facts["status"]))

    async def _assign_ticket(self, action: Action) -> Prepared:
        issue_id = _int(action.target_id, "the ticket")
        wanted = action.params.get("assignee_id")
        assignee: int | str = _int(wanted, "assignee_id") if wanted not in (None, "") else ""
        issue = await self.read.issue(str(issue_id))
        current = issue.get("assigned_to")
        before = {"assignee_id": str(current["id"]) if current else None}
        note = _("assign #{ticket} to {who}").format(ticket=issue_id, who=assignee) \
            if assignee else _("unassign #{ticket}").format(ticket=issue_id)
        # Redmine clears the assignee on an empty string (null is ignored).
        call = PlannedCall("PUT", f"/issues/{issue_id}.json",
                           {"issue": {"assigned_to_id": assignee}}, note)
        return Prepared([call], before, {"assignee_id": str(assignee) if assignee else None})
