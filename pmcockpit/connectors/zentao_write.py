"""Changing ZenTao: prepare, then execute, each action its API v1 can do.

ZenTao facts this relies on (easysoft/zentaopms ``api/v1/entries``): ``DELETE
/users/:id`` is ZenTao's soft delete (the account goes to the recycle bin, restorable
only in the web UI) and silently keeps an administrator's own account; v1 has no
lock or unlock; a bug changes status only through ``/bugs/:id/resolve``, ``close`` and
``active`` (a bug is resolved before it is closed) and changes hands through
``/bugs/:id/assign`` by account name; each of these answers the bug after. Teams:
``api/v1/config/routes.php`` routes no team-changing call (``project.php``'s ``put``
posts only ``name,begin,end,acl,parent,desc,PM,whitelist``; ``executionmembers.php``
has only ``get``), so memberships are read-only here.
"""

from __future__ import annotations

from typing import Any

from pmcockpit.connectors.base import PlannedCall, Prepared
from pmcockpit.connectors.errors import Rejected
from pmcockpit.connectors.layered import DispatchingWriter, as_id
from pmcockpit.connectors.zentao_read import ZenTaoReader, status_code
from pmcockpit.connectors.zentao_work import prepare_assign, prepare_status, work_ref
from pmcockpit.core.actions import Action, ActionKind
from pmcockpit.core.i18n import _

NO_LOCK = _("ZenTao's API cannot lock an account; delete it or use the web UI")
NO_RESTORE = _("ZenTao's API cannot restore a deleted account; restore it from the recycle "
               "bin in the web UI")
NO_COMMENT = _("ZenTao's API adds a comment only with an assignment or a status change")
NO_CREATE = _("creating a ZenTao bug needs a build, a severity and a type pmcockpit does "
              "not ask for; create it in the web UI")
NO_MEMBERS = _("ZenTao's API v1 has no call to change a project team (PUT /projects/:id sets "
               "only name, dates, acl, PM and whitelist); manage it in the web UI "
               "(Project → Team)")
STATUS_WORDS = {"active": ("active", "激活", "activate", "open", "reopen"),
                "resolved": ("resolved", "已解决", "resolve", "fixed"),
                "closed": ("closed", "已关闭", "close")}


def _wanted_status(value: Any) -> str:
    text = str(value or "").strip().casefold()
    for code, words in STATUS_WORDS.items():
        if text in words:
            return code
    raise Rejected(_("ZenTao bugs have the statuses active, resolved and closed, not "
                     "{status!r}").format(status=str(value)))


def _status_calls(bug_id: int, before: str, after: str) -> list[PlannedCall]:
    path = f"/bugs/{bug_id}"
    resolve = PlannedCall("POST", f"{path}/resolve",
                          {"resolution": "fixed", "resolvedBuild": "trunk"}, _("resolve"))
    if after == "active":
        return [PlannedCall("POST", f"{path}/active", {}, _("activate"))]
    if after == "resolved":
        return [resolve]
    # Closing needs a resolved bug: an active one is resolved first.
    close = PlannedCall("POST", f"{path}/close", {}, _("close"))
    return [close] if before == "resolved" else [resolve, close]


class ZenTaoWriter(DispatchingWriter):
    tool = "ZenTao"

    def __init__(self, reader: ZenTaoReader) -> None:
        self.read = reader
        self.client = reader.client
        self.refusals = {ActionKind.LOCK_USER: NO_LOCK, ActionKind.UNLOCK_USER: NO_LOCK,
                         ActionKind.ACTIVATE_USER: NO_RESTORE,
                         ActionKind.ADD_COMMENT: NO_COMMENT,
                         ActionKind.CREATE_TICKET: NO_CREATE}
        self.handlers = {
            ActionKind.DEACTIVATE_USER: self._delete_user,
            ActionKind.SET_TICKET_STATUS: self._set_status,
            ActionKind.ASSIGN_TICKET: self._assign,
        }

    async def execute(self, action: Action, prepared: Prepared) -> dict[str, Any]:
        for call in prepared.calls:
            await self.read.session.send(call.method, call.path,
                                         dict(call.body) if call.body is not None else None)
        return dict(prepared.facts)

    async def _delete_user(self, action: Action) -> Prepared:
        user_id = as_id(action.target_id, _("the user"), self.tool)
        user = await self.read.user(str(user_id))
        login = str(user.get("account", user_id))
        if str(user_id) == (await self.read.me()).remote_id:
            raise Rejected(_("refusing to delete {login}: it is the account pmcockpit signs "
                             "in with").format(login=login))
        call = PlannedCall("DELETE", f"/users/{user_id}", None, _(
            "delete {login} (ZenTao's soft delete: only the web UI's recycle bin restores "
            "it)").format(login=login))
        return Prepared([call], {"status": "active", "login": login})

    async def _set_status(self, action: Action) -> Prepared:
        work = work_ref(action.target_id)
        if work is not None:
            return await prepare_status(self.read, *work, action.params.get("status"),
                                        action.reason or "")
        bug_id = as_id(action.target_id, _("the ticket"), self.tool)
        after = _wanted_status(action.params.get("status"))
        bug = await self.read.bug(str(bug_id))
        before, name = status_code(bug)
        facts = {"status": after}
        if before == after:
            return Prepared([], {"status": before}, facts)
        return Prepared(_status_calls(bug_id, before, after), {"status": before, "name": name},
                        facts)

    async def _assign(self, action: Action) -> Prepared:
        work = work_ref(action.target_id)
        bug_id = 0 if work else as_id(action.target_id, _("the ticket"), self.tool)
        wanted = action.params.get("assignee_id")
        account = ""
        if wanted not in (None, ""):
            user = await self.read.user(str(as_id(wanted, "assignee_id", self.tool)))
            account = str(user["account"])
        if work is not None:
            return await prepare_assign(self.read, *work, account, wanted,
                                        action.reason or "")
        bug = await self.read.bug(str(bug_id))
        current = bug.get("assignedTo")
        before = {"assignee_id": str(current["id"]) if isinstance(current, dict) else None}
        note = _("assign BUG-{ticket} to {who}").format(ticket=bug_id, who=account) \
            if account else _("unassign BUG-{ticket}").format(ticket=bug_id)
        call = PlannedCall("POST", f"/bugs/{bug_id}/assign", {"assignedTo": account}, note)
        return Prepared([call], before, {"assignee_id": str(wanted) if account else None})
