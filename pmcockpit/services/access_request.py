"""Access requests: a ticket asking for access ("add me to project X", "my account is
locked") answered by a permission action -- a membership with a role, an unlock, a
group -- run through the audited action runner like the permission review's, with the
ticket as its reason; the result is then commented back on the ticket
("access granted by …; audit #N") through the outbox."""

from __future__ import annotations

import asyncio
import enum
from dataclasses import dataclass

from pmcockpit.core.actions import Action, ActionKind
from pmcockpit.core.i18n import _
from pmcockpit.services.actions import ActionRunner
from pmcockpit.services.outbox import Delivered
from pmcockpit.services.tickets import TicketError, account_id, comment, ticket
from pmcockpit.services.workspace import Workspace


class Grant(enum.StrEnum):
    MEMBERSHIP = "membership"
    """``target`` a project id, with ``roles`` (ids, comma-separated)."""
    UNLOCK = "unlock"
    """The user's account is unlocked; no ``target``."""
    GROUP = "group"
    """``target`` a group id."""


@dataclass(frozen=True, slots=True)
class Granted:
    key: str
    audit_id: int | None
    answer: Delivered
    """The comment on the ticket: sent, or waiting in the outbox."""


async def grant_access(workspace: Workspace, key: str, grant: Grant, *, user: str,
                       target: str = "", roles: str = "", tool: str = "") -> Granted:
    """Grant what ticket ``key`` asks for to ``user`` (a login or account id) in ``tool``
    (the ticket's own by default); then say so on the ticket. Raises TicketError."""
    ref = await asyncio.to_thread(ticket, workspace, key)
    where = tool.strip() or ref.connection
    who = await asyncio.to_thread(account_id, workspace, where, user.strip())
    if who is None:
        raise TicketError(_("{tool} has no account {who!r} (as of the last sync)").format(
            tool=where, who=user))
    action = _action(grant, where, who, user.strip(), target.strip(), roles,
                     reason=_("access request {key}").format(key=ref.key))
    async with ActionRunner(workspace) as runner:
        [result] = await runner.run([action], confirmed=True)
    if not result.ok:
        raise TicketError(_("{tool} refused: {error} (audit #{audit}); nothing was said on "
                            "{key}").format(tool=where, error=result.error,
                                            audit=result.audit_id, key=ref.key))
    note = _("Access granted by {admin}: {what}; audit #{audit}.").format(
        admin=workspace.settings.operator, what=action.describe(), audit=result.audit_id)
    return Granted(ref.key, result.audit_id, await comment(workspace, ref.key, note))


def _action(grant: Grant, tool: str, who: str, login: str, target: str, roles: str, *,
            reason: str) -> Action:
    if grant is Grant.UNLOCK:
        return Action(ActionKind.UNLOCK_USER, tool, who, login, reason=reason)
    if not target:
        raise TicketError(_("which {what}? Give its id").format(
            what=_("project") if grant is Grant.MEMBERSHIP else _("group")))
    if grant is Grant.GROUP:
        return Action(ActionKind.ADD_GROUP_MEMBER, tool, target, "", {"user_id": who},
                      reason=reason)
    try:
        role_ids = [int(r) for r in roles.replace(" ", "").split(",") if r]
    except ValueError:
        raise TicketError(_("roles are ids separated by commas, like 3,4, not {roles!r}")
                          .format(roles=roles)) from None
    if not role_ids:
        raise TicketError(_("which role? Give its id (e.g. --roles 4)"))
    return Action(ActionKind.ADD_MEMBERSHIP, tool, target, "",
                  {"principal_id": who, "role_ids": role_ids}, reason=reason)
