"""Changing Jira: prepare, then execute, each supported action.

As for Redmine, each action is first *prepared* from one read of the target:
refusals are decided and the exact calls worked out, and ``execute`` makes exactly
those calls. Calls whose path starts with ``/admin/`` go to the organisation
admin API (suspend and restore access), everything else to the Jira site.

Jira facts this relies on: a membership is a set of project role actors, removed
one role at a time (``DELETE /project/{id}/role/{roleId}?user=...``) and added
with ``POST`` of ``{"user": [...]}`` or ``{"groupId": [...]}``; a role held
through a group cannot be taken from the user alone; a status changes only
through one of the issue's transitions; rich text is ADF.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from pmcockpit.connectors.base import PlannedCall, Prepared
from pmcockpit.connectors.errors import NotSupported, Rejected
from pmcockpit.connectors.http import ToolClient
from pmcockpit.connectors.jira_adf import text_to_adf
from pmcockpit.connectors.jira_admin import ADMIN_PATH_PREFIX
from pmcockpit.connectors.jira_parse import (
    GROUP_ACTOR,
    Json,
    login_for,
    membership_id,
    role_actors,
    split_membership_id,
)
from pmcockpit.connectors.jira_read import API, JiraReader
from pmcockpit.connectors.layered import DispatchingWriter
from pmcockpit.core.actions import Action, ActionKind
from pmcockpit.core.i18n import _

NO_DEACTIVATION = _("Jira has no deactivation of its own; lock the user (suspend access) "
                    "instead")
NO_ADMIN_API = _("Jira's REST API cannot suspend accounts; configure the organisation admin "
                 "API (the admin_org_id option and the admin API key) to suspend and restore "
                 "access")
GROUP_PREFIX = "group:"
"""Marks a group in ``principal_id`` (a bare id is an account)."""
DEFAULT_ISSUE_TYPE = "Task"


def _role_ids(action: Action) -> list[str]:
    value = action.params.get("role_ids") or []
    items = value if isinstance(value, list) else [value]
    ids = sorted({str(item).strip() for item in items})
    if not all(i.isdigit() for i in ids):
        raise Rejected(_("role ids must be Jira role ids (numbers), not {items!r}").format(
            items=items))
    return ids


def _principal(value: Any) -> tuple[str, str]:
    """("user", account id) or ("group", group id) from a ``principal_id`` parameter."""
    text = str(value or "").strip()
    if not text:
        raise Rejected(_("principal_id is missing"))
    if text.startswith(GROUP_PREFIX):
        return "group", text[len(GROUP_PREFIX):]
    return "user", text


def _query(kind: str, principal: str) -> str:
    return urlencode({"user" if kind == "user" else "groupId": principal})


class JiraWriter(DispatchingWriter):
    tool = "Jira"

    def __init__(self, reader: JiraReader, admin_client: ToolClient | None = None,
                 *, issue_type: str = DEFAULT_ISSUE_TYPE) -> None:
        self.read = reader
        self.client = reader.client
        self.admin_client = admin_client
        self.issue_type = issue_type
        self.refusals = {ActionKind.DEACTIVATE_USER: NO_DEACTIVATION,
                         ActionKind.ACTIVATE_USER: NO_DEACTIVATION}
        self.handlers = {
            ActionKind.LOCK_USER: self._suspend,
            ActionKind.UNLOCK_USER: self._suspend,
            ActionKind.REMOVE_MEMBERSHIP: self._remove_membership,
            ActionKind.ADD_MEMBERSHIP: self._add_membership,
            ActionKind.SET_MEMBERSHIP_ROLES: self._set_membership_roles,
            ActionKind.ADD_GROUP_MEMBER: self._change_group,
            ActionKind.REMOVE_GROUP_MEMBER: self._change_group,
            ActionKind.CREATE_TICKET: self._create_ticket,
            ActionKind.ADD_COMMENT: self._comment,
            ActionKind.SET_TICKET_STATUS: self._transition,
            ActionKind.ASSIGN_TICKET: self._assign,
        }

    async def execute(self, action: Action, prepared: Prepared) -> dict[str, Any]:
        facts = dict(prepared.facts)
        for call in prepared.calls:
            client = self.client
            if call.path.startswith(ADMIN_PATH_PREFIX) and self.admin_client is not None:
                client = self.admin_client
            response = await client.request(call.method, call.path, json_body=call.body)
            if response.status_code == 201:  # a POST answering with what it created
                facts.update(self._created(action, client.json(response)))
        return facts

    # -- users ---------------------------------------------------------------------------

    async def _suspend(self, action: Action) -> Prepared:
        suspend = action.kind is ActionKind.LOCK_USER
        admin = self.read.admin
        if admin is None:
            raise NotSupported(_("{name}: {reason}").format(
                name=self.client.name, reason=NO_ADMIN_API))
        account = action.target_id
        user = await self.read.user(account)
        login = login_for(user.get("emailAddress"), account)
        active = bool(user.get("active", True))
        if suspend and account == await self.read.current_account_id():
            raise Rejected(_("refusing to lock {login}: it is the account pmcockpit's token "
                             "belongs to; you would lose API access").format(login=login))
        if active != suspend:
            # Refused rather than skipped: undoing a no-op would flip the user the other way.
            raise Rejected((_("{login} is already locked") if suspend else
                            _("{login} is already active")).format(login=login))
        if suspend:
            call = PlannedCall("POST", admin.suspend_path(account), None,
                               _("suspend {login}'s access to the organisation's products")
                               .format(login=login))
        else:
            call = PlannedCall("POST", admin.restore_path(account), None,
                               _("restore {login}'s access").format(login=login))
        return Prepared([call], {"status": "active" if active else "locked", "login": login})

    # -- memberships ---------------------------------------------------------------------

    async def _who(self, kind: str, principal: str) -> tuple[str, list[Json]]:
        """(name, groups with ``groupId``) of a principal; a group has no groups."""
        if kind == "group":
            return str((await self.read.group(principal))["name"]), []
        user = await self.read.user(principal)
        groups = (user.get("groups") or {}).get("items", [])
        return str(user.get("displayName") or principal), list(groups)

    async def _roles_of(self, project_id: str, kind: str, principal: str
                        ) -> tuple[dict[str, Json], list[str], set[str]]:
        """(the project's roles, the principal's direct role ids, ids and names of the
        groups that are actors: an older Jira names a user's groups without their ids)."""
        roles = await self.read.project_roles(project_id)
        direct, group_actors = [], set()
        for role_id, role in roles.items():
            users, groups = role_actors(role, {})
            group_actors.update(groups)
            group_actors.update(str((a.get("actorGroup") or {}).get("name") or a.get("name"))
                                for a in role.get("actors", []) if a.get("type") == GROUP_ACTOR)
            if principal in (users if kind == "user" else groups):
                direct.append(role_id)
        return roles, sorted(direct), group_actors

    async def _remove_membership(self, action: Action) -> Prepared:
        try:
            project_id, kind, principal = split_membership_id(action.target_id)
        except ValueError as error:
            raise Rejected(str(error)) from None
        project = str((await self.read.project(project_id))["name"])
        roles, direct, group_actors = await self._roles_of(project_id, kind, principal)
        who, groups = await self._who(kind, principal)
        through = [str(g["name"]) for g in groups
                   if str(g.get("groupId")) in group_actors or str(g["name"]) in group_actors]
        before = {"project_id": project_id, "role_ids": direct,
                  "principal_id": principal if kind == "user" else GROUP_PREFIX + principal,
                  "membership_id": action.target_id}
        if not direct:
            if through:
                raise Rejected(_(
                    "{who}'s access to {project} comes from group {groups}: remove the group "
                    "from the project's roles or remove {who} from the group").format(
                        who=who, project=project, groups=", ".join(through)))
            raise Rejected(_("{who} holds no role in {project}").format(who=who,
                                                                         project=project))
        note = _("remove {who} from {role} in {project}; the roles from group {groups} stay") \
            if through else _("remove {who} from {role} in {project}")
        calls = [PlannedCall(
            "DELETE", f"{API}/project/{project_id}/role/{role_id}?{_query(kind, principal)}",
            None, note.format(who=who, role=roles[role_id].get("name", role_id),
                              project=project, groups=", ".join(through)))
            for role_id in direct]
        return Prepared(calls, before)

    async def _grant_calls(self, project_id: str, kind: str, principal: str,
                           role_ids: list[str], roles: Mapping[str, Json], who: str,
                           project: str) -> list[PlannedCall]:
        body = {"user" if kind == "user" else "groupId": [principal]}
        return [PlannedCall("POST", f"{API}/project/{project_id}/role/{role_id}", body,
                            _("give {who} the {role} role in {project}").format(
                                who=who, role=roles[role_id].get("name", role_id),
                                project=project)) for role_id in role_ids]

    def _check_roles(self, wanted: list[str], roles: Mapping[str, Json]) -> None:
        unknown = [r for r in wanted if r not in roles]
        if unknown:
            known = ", ".join(f"{r} ({roles[r].get('name', '?')})" for r in sorted(roles))
            raise Rejected(_("{tool} has no project role {roles}; it has: {known}").format(
                tool=self.client.name, roles=", ".join(unknown), known=known))

    async def _add_membership(self, action: Action) -> Prepared:
        project_id = action.target_id
        kind, principal = _principal(action.params.get("principal_id"))
        wanted = _role_ids(action)
        project = str((await self.read.project(project_id))["name"])
        roles, direct, _actors = await self._roles_of(project_id, kind, principal)
        self._check_roles(wanted, roles)
        who, _groups = await self._who(kind, principal)
        missing = [r for r in wanted if r not in direct]
        calls = await self._grant_calls(project_id, kind, principal, missing, roles, who,
                                        project)
        return Prepared(calls, {"role_ids": direct},
                        {"membership_id": membership_id(project_id, kind, principal)})

    async def _set_membership_roles(self, action: Action) -> Prepared:
        try:
            project_id, kind, principal = split_membership_id(action.target_id)
        except ValueError as error:
            raise Rejected(str(error)) from None
        wanted = _role_ids(action)
        project = str((await self.read.project(project_id))["name"])
        roles, direct, _actors = await self._roles_of(project_id, kind, principal)
        self._check_roles(wanted, roles)
        who, _groups = await self._who(kind, principal)
        calls = await self._grant_calls(project_id, kind, principal,
                                        [r for r in wanted if r not in direct], roles, who,
                                        project)
        calls += [PlannedCall(
            "DELETE", f"{API}/project/{project_id}/role/{r}?{_query(kind, principal)}", None,
            _("remove {who} from {role} in {project}").format(
                who=who, role=roles[r].get("name", r), project=project))
            for r in direct if r not in wanted]
        before = {"project_id": project_id, "role_ids": direct,
                  "principal_id": principal if kind == "user" else GROUP_PREFIX + principal}
        return Prepared(calls, before)

    # -- groups --------------------------------------------------------------------------

    async def _change_group(self, action: Action) -> Prepared:
        add = action.kind is ActionKind.ADD_GROUP_MEMBER
        group_id = action.target_id
        account = str(action.params.get("user_id") or "")
        group = str((await self.read.group(group_id))["name"])
        user = await self.read.user(account)
        login = login_for(user.get("emailAddress"), account)
        member = any(str(g.get("groupId")) == group_id
                     for g in (user.get("groups") or {}).get("items", []))
        if member == add:
            text = _("{login} is already in group {group}") if add else \
                _("{login} is not in group {group}")
            raise Rejected(text.format(login=login, group=group))
        if not add and self.read.has_admin_group([group]) \
                and account == await self.read.current_account_id():
            raise Rejected(_("refusing to remove {login} from {group}: pmcockpit's token "
                             "would lose its admin rights").format(login=login, group=group))
        if add:
            call = PlannedCall("POST", f"{API}/group/user?{urlencode({'groupId': group_id})}",
                               {"accountId": account},
                               _("add {login} to {group}").format(login=login, group=group))
        else:
            query = urlencode({"groupId": group_id, "accountId": account})
            call = PlannedCall("DELETE", f"{API}/group/user?{query}", None,
                               _("remove {login} from {group}").format(login=login,
                                                                       group=group))
        return Prepared([call], {"member": member})

    # -- tickets -------------------------------------------------------------------------

    async def _comment(self, action: Action) -> Prepared:
        body = {"body": text_to_adf(str(action.params.get("body", "")))}
        return Prepared([PlannedCall("POST", f"{API}/issue/{action.target_id}/comment",
                                     body, _("add a comment"))],
                        facts={"ticket_id": action.target_id})

    async def _create_ticket(self, action: Action) -> Prepared:
        fields: dict[str, Any] = {
            "project": {"id": action.target_id},
            "summary": str(action.params.get("subject", "")),
            "issuetype": {"name": self.issue_type},
        }
        description = str(action.params.get("description") or "")
        if description:
            fields["description"] = text_to_adf(description)
        if action.params.get("assignee_id"):
            fields["assignee"] = {"accountId": str(action.params["assignee_id"])}
        return Prepared([PlannedCall("POST", f"{API}/issue", {"fields": fields},
                                     _("create the ticket"))])

    def _created(self, action: Action, data: Any) -> dict[str, Any]:
        if not isinstance(data, Mapping):
            return {}
        if action.kind is ActionKind.CREATE_TICKET:
            return {"ticket_id": str(data["id"]), "key": str(data["key"])}
        if action.kind is ActionKind.ADD_COMMENT:
            return {"comment_id": str(data["id"])}
        return {}

    async def _transition(self, action: Action) -> Prepared:
        issue = await self.read.issue(action.target_id, "status")
        key, current = str(issue["key"]), str(issue["fields"]["status"]["name"])
        wanted = str(action.params.get("status") or "").strip()
        before = {"status": current}
        # Facts must not reuse the names of ``before``: undo reads both, the result winning.
        if current.casefold() == wanted.casefold():
            return Prepared([], before, {"new_status": current})
        transitions = await self.read.transitions(action.target_id)
        chosen = next((t for t in transitions
                       if str(t["to"]["name"]).casefold() == wanted.casefold()), None) or next(
            (t for t in transitions if str(t.get("name", "")).casefold() == wanted.casefold()),
            None)
        if chosen is None:
            offered = ", ".join(sorted({str(t["to"]["name"]) for t in transitions})) \
                or _("none")
            raise Rejected(_("{tool}: {key} cannot go from {current} to {wanted}: its "
                             "workflow offers {offered}").format(
                                 tool=self.client.name, key=key, current=current,
                                 wanted=wanted, offered=offered))
        target = str(chosen["to"]["name"])
        call = PlannedCall("POST", f"{API}/issue/{action.target_id}/transitions",
                           {"transition": {"id": str(chosen["id"])}},
                           f"{key}: {current} → {target}")
        return Prepared([call], before, {"new_status": target})

    async def _assign(self, action: Action) -> Prepared:
        issue = await self.read.issue(action.target_id, "assignee")
        current = issue["fields"].get("assignee") or {}
        wanted = action.params.get("assignee_id")
        account = str(wanted) if wanted not in (None, "") else None
        key = str(issue["key"])
        note = _("assign {key} to {who}").format(key=key, who=account) if account \
            else _("unassign {key}").format(key=key)
        call = PlannedCall("PUT", f"{API}/issue/{action.target_id}/assignee",
                           {"accountId": account}, note)
        return Prepared([call], {"assignee_id": current.get("accountId")},
                        {"new_assignee_id": account})
