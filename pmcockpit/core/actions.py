"""Remote actions as values.

An :class:`Action` says which tool, which object and what changes. It can describe
itself, it knows whether it is destructive (and so needs a reason and a
confirmation), which capability it needs, and, given the state recorded just
before it ran, which action undoes it. Running it is the action runner's job
(``pmcockpit.services.actions``); this module does no I/O.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pmcockpit.core.capabilities import Capability
from pmcockpit.core.i18n import N_, _

JSONValue = str | int | bool | None | list[str] | list[int]


class ActionKind(enum.StrEnum):
    LOCK_USER = "lock-user"
    UNLOCK_USER = "unlock-user"
    DEACTIVATE_USER = "deactivate-user"
    ACTIVATE_USER = "activate-user"
    REMOVE_MEMBERSHIP = "remove-membership"
    ADD_MEMBERSHIP = "add-membership"
    SET_MEMBERSHIP_ROLES = "set-membership-roles"
    ADD_GROUP_MEMBER = "add-group-member"
    REMOVE_GROUP_MEMBER = "remove-group-member"
    REMOVE_ADMIN = "remove-admin"
    GRANT_ADMIN = "grant-admin"
    CREATE_TICKET = "create-ticket"
    ADD_COMMENT = "add-comment"
    SET_TICKET_STATUS = "set-ticket-status"
    ASSIGN_TICKET = "assign-ticket"


@dataclass(frozen=True, slots=True)
class ActionSpec:
    """The fixed facts about one kind of action."""

    title: str
    capability: Capability
    destructive: bool
    target: str
    """What the target names: "user", "membership", "group", "project" or "ticket"."""
    params: tuple[str, ...] = ()
    """Parameters the action needs besides its target."""
    undoable: bool = True


SPECS: Mapping[ActionKind, ActionSpec] = {
    ActionKind.LOCK_USER: ActionSpec(_("Lock user"), Capability.LOCK_USERS, True, "user"),
    ActionKind.UNLOCK_USER: ActionSpec(_("Unlock user"), Capability.LOCK_USERS, False, "user"),
    ActionKind.DEACTIVATE_USER: ActionSpec(
        _("Deactivate user"), Capability.DEACTIVATE_USERS, True, "user"
    ),
    ActionKind.ACTIVATE_USER: ActionSpec(
        _("Activate user"), Capability.DEACTIVATE_USERS, False, "user"
    ),
    ActionKind.REMOVE_MEMBERSHIP: ActionSpec(
        _("Remove membership"), Capability.MANAGE_MEMBERSHIPS, True, "membership"
    ),
    ActionKind.ADD_MEMBERSHIP: ActionSpec(
        _("Add membership"), Capability.MANAGE_MEMBERSHIPS, False, "project",
        params=("principal_id", "role_ids"),
    ),
    ActionKind.SET_MEMBERSHIP_ROLES: ActionSpec(
        _("Change membership roles"), Capability.MANAGE_MEMBERSHIPS, True, "membership",
        params=("role_ids",),
    ),
    ActionKind.ADD_GROUP_MEMBER: ActionSpec(
        _("Add user to group"), Capability.MANAGE_GROUPS, False, "group", params=("user_id",)
    ),
    ActionKind.REMOVE_GROUP_MEMBER: ActionSpec(
        _("Remove user from group"), Capability.MANAGE_GROUPS, True, "group", params=("user_id",)
    ),
    ActionKind.REMOVE_ADMIN: ActionSpec(
        _("Remove admin rights"), Capability.MANAGE_ADMINS, True, "user"
    ),
    ActionKind.GRANT_ADMIN: ActionSpec(
        _("Grant admin rights"), Capability.MANAGE_ADMINS, True, "user"
    ),
    ActionKind.CREATE_TICKET: ActionSpec(
        _("Create ticket"), Capability.CREATE_TICKETS, False, "project",
        params=("subject", "description"), undoable=False,
    ),
    ActionKind.ADD_COMMENT: ActionSpec(
        _("Add comment"), Capability.COMMENT_TICKETS, False, "ticket", params=("body",),
        undoable=False,
    ),
    ActionKind.SET_TICKET_STATUS: ActionSpec(
        _("Change ticket status"), Capability.CHANGE_TICKETS, False, "ticket", params=("status",)
    ),
    ActionKind.ASSIGN_TICKET: ActionSpec(
        _("Assign ticket"), Capability.CHANGE_TICKETS, False, "ticket", params=("assignee_id",)
    ),
}


TOOL_TITLES: Mapping[str, Mapping[ActionKind, str]] = {
    "feishu": {ActionKind.LOCK_USER: _("Freeze user"),
               ActionKind.UNLOCK_USER: _("Unfreeze user"),
               ActionKind.DEACTIVATE_USER: _("Resign user")},
    "gitlab": {ActionKind.LOCK_USER: _("Block user"), ActionKind.UNLOCK_USER: _("Unblock user"),
               ActionKind.ADD_MEMBERSHIP: _("Add project member"),
               ActionKind.REMOVE_MEMBERSHIP: _("Remove project member"),
               ActionKind.SET_MEMBERSHIP_ROLES: _("Change access level"),
               ActionKind.CREATE_TICKET: _("Create issue"), ActionKind.ADD_COMMENT: _("Add note"),
               ActionKind.SET_TICKET_STATUS: _("Close or reopen issue"),
               ActionKind.ASSIGN_TICKET: _("Assign issue")},
    "jira": {ActionKind.LOCK_USER: _("Suspend access"),
             ActionKind.UNLOCK_USER: _("Restore access"),
             ActionKind.ADD_MEMBERSHIP: _("Add to project role"),
             ActionKind.REMOVE_MEMBERSHIP: _("Remove from project role"),
             ActionKind.SET_MEMBERSHIP_ROLES: _("Change project roles"),
             ActionKind.CREATE_TICKET: _("Create issue"),
             ActionKind.SET_TICKET_STATUS: _("Transition issue"),
             ActionKind.ASSIGN_TICKET: _("Assign issue")},
    "redmine": {ActionKind.CREATE_TICKET: _("Create issue"),
                ActionKind.ASSIGN_TICKET: _("Assign issue")},
    "zentao": {ActionKind.DEACTIVATE_USER: _("Delete user"),
               ActionKind.SET_TICKET_STATUS: _("Change status of bug, story or task"),
               ActionKind.ASSIGN_TICKET: _("Assign bug, story or task")},
}
"""What each tool calls an action, where it differs from the general title: the dialog,
the audit log and ``act`` name the action as the tool's own screens do."""

TOOL_PARAMS: Mapping[tuple[str, ActionKind], tuple[str, ...]] = {
    ("feishu", ActionKind.DEACTIVATE_USER): ("receiver_id",),
}
"""Optional parameters one tool's action takes beyond the general ones: Feishu's
resignation names who receives the person's documents, chats and mail (the direct
manager when not given)."""


def title_for(kind: ActionKind, tool: str = "") -> str:
    """The action's title as ``tool`` (a connection kind) calls it; the general one else."""
    return TOOL_TITLES.get(tool, {}).get(kind, SPECS[kind].title)


def tool_params(kind: ActionKind, tool: str = "") -> tuple[str, ...]:
    """Optional parameters ``kind`` takes on ``tool``; on no tool in particular, those it
    takes on any (the tool is checked when it is known)."""
    if tool:
        return TOOL_PARAMS.get((tool, kind), ())
    return tuple(p for (_tool, k), names in TOOL_PARAMS.items() if k is kind for p in names)


# Whole sentences per kind of target, marked here and translated where shown.
_TARGET_ID = {
    "user": N_("user {id}"), "membership": N_("membership {id}"), "group": N_("group {id}"),
    "project": N_("project {id}"), "ticket": N_("ticket {id}"),
}
_NO_TARGET = {
    "user": N_("no user given"), "membership": N_("no membership given"),
    "group": N_("no group given"), "project": N_("no project given"),
    "ticket": N_("no ticket given"),
}
_NOT_UNICODE = {
    "reason": N_("the reason holds text that is not valid Unicode (undecodable bytes such "
                 "as {sample}): type it again"),
    "target": N_("the target holds text that is not valid Unicode (undecodable bytes such "
                 "as {sample}): type it again"),
    "target label": N_("the target label holds text that is not valid Unicode (undecodable "
                       "bytes such as {sample}): type it again"),
    "connection": N_("the connection holds text that is not valid Unicode (undecodable bytes "
                     "such as {sample}): type it again"),
    "parameter": N_("the parameter {param} holds text that is not valid Unicode (undecodable "
                    "bytes such as {sample}): type it again"),
}
"""By field; "parameter" for any of the action's parameters, named by {param}."""


@dataclass(frozen=True)
class Action:
    """One change to one object in one connected tool."""

    kind: ActionKind
    connection: str
    target_id: str
    """The tool's id of the object acted on (user, membership, group, project, ticket)."""
    target_label: str = ""
    """What a person calls the target: a login, "alice in Apollo", "#123"."""
    params: Mapping[str, JSONValue] = field(default_factory=dict)
    reason: str = ""
    tool: str = ""
    """The connection's kind ("feishu", "gitlab", ...) once known: it names the action
    as that tool does and says which tool-specific parameters it takes."""

    @property
    def spec(self) -> ActionSpec:
        return SPECS[self.kind]

    @property
    def title(self) -> str:
        return title_for(self.kind, self.tool)

    @property
    def destructive(self) -> bool:
        return self.spec.destructive

    def describe(self) -> str:
        label = self.target_label or _(_TARGET_ID[self.spec.target]).format(id=self.target_id)
        extras = ", ".join(f"{k}={v}" for k, v in self.params.items() if k != "body")
        text = _("{title}: {target} on {connection}").format(
            title=self.title, target=label, connection=self.connection)
        return _("{text} ({parameters})").format(text=text, parameters=extras) if extras \
            else text

    def validate(self) -> list[str]:
        """Problems that stop this action from being run at all."""
        problems = [_("missing parameter {name!r}").format(name=name)
                    for name in self.spec.params
                    if self.params.get(name) in (None, "", []) and name not in OPTIONAL_PARAMS]
        extra = set(self.params) - set(self.spec.params) - set(tool_params(self.kind, self.tool))
        problems += [_("{title} takes no parameter {name!r} here").format(
            title=self.title, name=name) for name in sorted(extra)]
        if not self.target_id:
            problems.append(_(_NO_TARGET[self.spec.target]))
        if self.destructive and not self.reason.strip():
            problems.append(_("a reason is required for a destructive action"))
        problems += [_(_NOT_UNICODE[where]).format(param=param, sample=sample)
                     for where, param, sample in self._unencodable()]
        return problems

    def _unencodable(self) -> list[tuple[str, str, str]]:
        """(field, parameter's name or "", the bad characters as escapes) for each text
        UTF-8 cannot hold."""
        texts = [("reason", "", self.reason), ("target", "", self.target_id),
                 ("target label", "", self.target_label), ("connection", "", self.connection),
                 *(("parameter", k, str(v)) for k, v in self.params.items())]
        found = []
        for where, param, value in texts:
            bad = [c for c in value if 0xD800 <= ord(c) <= 0xDFFF or c == "\0"]
            if bad:
                escaped = (c.encode("utf-8", "backslashreplace").decode() for c in bad[:3])
                found.append((where, param, "".join(escaped)))
        return found

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "connection": self.connection,
            "target_id": self.target_id,
            "target_label": self.target_label,
            "params": dict(self.params),
            "reason": self.reason,
            **({"tool": self.tool} if self.tool else {}),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Action:
        return cls(
            kind=ActionKind(data["kind"]),
            connection=str(data["connection"]),
            target_id=str(data["target_id"]),
            target_label=str(data.get("target_label", "")),
            params=dict(data.get("params", {})),
            reason=str(data.get("reason", "")),
            tool=str(data.get("tool", "")),
        )


OPTIONAL_PARAMS = frozenset({"description", "assignee_id"})


def inverse(action: Action, before: Mapping[str, Any]) -> Action | None:
    """The action that restores ``before``, the state recorded just before ``action`` ran.

    ``before`` holds what the connector captured: for a membership its
    ``project_id``, ``principal_id`` and ``role_ids``; for a ticket its ``status``
    or ``assignee_id``; plus what the action returned (an added membership's
    ``membership_id``). None when the action cannot be undone.
    """
    if not action.spec.undoable:
        return None
    label = action.target_label
    simple = {
        ActionKind.LOCK_USER: ActionKind.UNLOCK_USER,
        ActionKind.UNLOCK_USER: ActionKind.LOCK_USER,
        ActionKind.DEACTIVATE_USER: ActionKind.ACTIVATE_USER,
        ActionKind.ACTIVATE_USER: ActionKind.DEACTIVATE_USER,
        ActionKind.ADD_GROUP_MEMBER: ActionKind.REMOVE_GROUP_MEMBER,
        ActionKind.REMOVE_GROUP_MEMBER: ActionKind.ADD_GROUP_MEMBER,
        ActionKind.REMOVE_ADMIN: ActionKind.GRANT_ADMIN,
        ActionKind.GRANT_ADMIN: ActionKind.REMOVE_ADMIN,
    }
    # Undoing an undo says "undo: <the first reason>", never "undo: undo: …".
    reason = f"undo: {action.reason.removeprefix('undo: ')}".strip()
    if action.kind in simple:
        return Action(simple[action.kind], action.connection, action.target_id, label,
                      dict(action.params), reason)
    if action.kind is ActionKind.REMOVE_MEMBERSHIP:
        return Action(ActionKind.ADD_MEMBERSHIP, action.connection, str(before["project_id"]),
                      label, {"principal_id": before["principal_id"],
                              "role_ids": list(before["role_ids"])}, reason)
    if action.kind is ActionKind.SET_MEMBERSHIP_ROLES:
        return Action(action.kind, action.connection, action.target_id, label,
                      {"role_ids": list(before["role_ids"])}, reason)
    if action.kind is ActionKind.SET_TICKET_STATUS:
        return Action(action.kind, action.connection, action.target_id, label,
                      {"status": before["status"]}, reason)
    if action.kind is ActionKind.ASSIGN_TICKET:
        return Action(action.kind, action.connection, action.target_id, label,
                      {"assignee_id": before.get("assignee_id")}, reason)
    if action.kind is ActionKind.ADD_MEMBERSHIP and before.get("membership_id"):
        # The new membership's id is only known once it ran: the runner passes it in.
        return Action(ActionKind.REMOVE_MEMBERSHIP, action.connection,
                      str(before["membership_id"]), label, {}, reason)
    return None
